"""factory_boy factories for the core records. Every name and number here is synthetic."""

import datetime

import factory
from django.utils import timezone

from caseapp.models import Agency, OnCallShift, Placement, PlacementType, Role, Sex, Team, User, Youth

TEST_PASSWORD = "test-password-123"


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Test County Children's Services {n}")
    code = factory.Sequence(lambda n: f"test-{n}")
    state = "KS"
    time_zone = "America/Chicago"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def supervisors(self, create, extracted, **kwargs):
        if create and extracted:
            self.supervisors.add(*extracted)


class UserFactory(factory.django.DjangoModelFactory):
    """A staff member. A caseworker gets a team of their agency unless one is given.

    `UserFactory(role=Role.SUPERVISOR, supervises=[team])` makes a supervisor of `team`.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.CASEWORKER
    team = factory.Maybe(
        factory.LazyAttribute(lambda u: u.role == Role.CASEWORKER),
        yes_declaration=factory.SubFactory(TeamFactory, agency=factory.SelfAttribute("..agency")),
        no_declaration=None,
    )

    @factory.post_generation
    def supervises(self, create, extracted, **kwargs):
        if create and extracted:
            for team in extracted:
                team.supervisors.add(self)


class YouthFactory(factory.django.DjangoModelFactory):
    """A youth about 15 years old. The agency is always the team's agency."""

    class Meta:
        model = Youth
        skip_postgeneration_save = True

    class Params:
        first_surname = factory.Faker("last_name")

    team = factory.SubFactory(TeamFactory)
    agency = factory.SelfAttribute("team.agency")
    case_number = factory.Sequence(lambda n: f"TC-{n:06d}")
    legal_first_name = factory.Faker("first_name")
    # Double-barrelled, so that "the name is not on the page" can never pass or fail by a short
    # surname ("Li", "May") turning up inside another word.
    legal_last_name = factory.LazyAttributeSequence(lambda o, n: f"{o.first_surname}-Testfamily{n}")
    date_of_birth = factory.LazyFunction(lambda: years_ago(15, days=40))
    sex = Sex.FEMALE
    entered_care_on = factory.LazyFunction(lambda: years_ago(2))
    height_inches = 63
    weight_pounds = 120

    @factory.post_generation
    def assigned_caseworkers(self, create, extracted, **kwargs):
        if create and extracted:
            self.assigned_caseworkers.add(*extracted)


class PlacementFactory(factory.django.DjangoModelFactory):
    """A current placement that started 90 days ago, unless dates are given."""

    class Meta:
        model = Placement

    youth = factory.SubFactory(YouthFactory)
    placement_type = PlacementType.FOSTER_FAMILY
    provider_name = factory.Faker("name")
    city = "Topeka"
    state = "KS"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))
    end_date = None
    end_reason = ""


def on_call_all_week(user, *, team=None, position=1):
    """Put `user` on call for `team` (None: agency-wide) at `position`, every hour of every day: a roster
    that covers whatever `now` a test passes."""
    return [
        OnCallShift.objects.create(
            agency_id=user.agency_id, team=team, user=user, weekday=day, start_hour=0, end_hour=24,
            position=position, created_by=user,
        )
        for day in range(7)
    ]
