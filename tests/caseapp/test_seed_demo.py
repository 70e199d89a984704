"""seed_demo: synthetic, idempotent demo data that keeps the placement rules, and the promised logins."""

import datetime
import io
import itertools
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from caseapp import demo, demo_data
from caseapp.models import MISSING_PLACEMENT_TYPES, Agency, Placement, Role, Team, User, Youth, YouthStatus

PASSWORD = "youth-demo-2026"

# username -> (role, agency code, team name or None, teams supervised)
EXPECTED_STAFF = {
    "caseworker": (Role.CASEWORKER, "alder", "North Team", set()),
    "caseworker2": (Role.CASEWORKER, "alder", "South Team", set()),
    "supervisor": (Role.SUPERVISOR, "alder", None, {"North Team"}),
    "agencystaff": (Role.AGENCY_STAFF, "alder", None, set()),
    "agencyadmin": (Role.AGENCY_ADMIN, "alder", None, set()),
    "birch.caseworker": (Role.CASEWORKER, "birch", "Central Team", set()),
    "birch.supervisor": (Role.SUPERVISOR, "birch", None, {"Central Team"}),
    "birch.admin": (Role.AGENCY_ADMIN, "birch", None, set()),
}


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--youth", "40", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        "agencies": Agency.objects.count(),
        "teams": Team.objects.count(),
        "staff": User.objects.count(),
        "youth": Youth.objects.count(),
        "placements": Placement.objects.count(),
        "assignments": Youth.assigned_caseworkers.through.objects.count(),
        "supervisors": Team.supervisors.through.objects.count(),
        "youth history": Youth.history.count(),
        "placement history": Placement.history.count(),
    }


@pytest.fixture
def seeded(db):
    return seed("--quiet")


@pytest.mark.django_db
def test_second_run_creates_nothing(seeded):
    first = counts()
    assert first["agencies"] == 2
    assert first["teams"] == 3
    assert first["staff"] == 8
    assert first["youth"] == 40
    assert first["placements"] > 0

    seed("--quiet")

    assert counts() == first


@pytest.mark.django_db
def test_a_larger_run_adds_only_the_missing_youth_and_keeps_the_first_ones(seeded):
    before = {y.case_number: (y.pk, y.legal_first_name, y.legal_last_name) for y in Youth.objects.all()}

    call_command("seed_demo", "--youth", "60", "--quiet", "--no-logins")

    after = {y.case_number: (y.pk, y.legal_first_name, y.legal_last_name) for y in Youth.objects.all()}
    assert len(after) == 60
    assert {k: after[k] for k in before} == before


@pytest.mark.django_db
def test_youth_are_split_between_the_agencies_and_teams(seeded):
    by_team = defaultdict(int)
    for agency_code, team_name in Youth.objects.values_list("agency__code", "team__name"):
        by_team[(agency_code, team_name)] += 1
    assert by_team == {("alder", "North Team"): 14, ("alder", "South Team"): 14, ("birch", "Central Team"): 12}
    assert not Youth.objects.exclude(agency=F("team__agency")).exists()


@pytest.mark.django_db
def test_every_demo_login_has_its_role_agency_and_team(seeded):
    for username, (role, agency_code, team_name, supervises) in EXPECTED_STAFF.items():
        user = User.objects.select_related("agency", "team").get(username=username)
        assert user.role == role, username
        assert user.agency.code == agency_code, username
        assert (user.team.name if user.team else None) == team_name, username
        assert {t.name for t in user.supervised_teams.all()} == supervises, username
        assert all(t.agency_id == user.agency_id for t in user.supervised_teams.all())
        assert user.is_active
        assert user.email.endswith(".example.org")


@pytest.mark.django_db
def test_the_demo_password_works(seeded):
    assert User.objects.get(username="caseworker").check_password(PASSWORD)
    assert User.objects.get(username="birch.admin").check_password(PASSWORD)


@pytest.mark.django_db
def test_agencies_are_the_two_synthetic_ones():
    seed("--quiet")
    alder = Agency.objects.get(code="alder")
    birch = Agency.objects.get(code="birch")
    assert (alder.name, alder.state, alder.time_zone) == (
        "Alder County Children's Services", "KS", "America/Chicago",
    )
    assert (birch.name, birch.state, birch.time_zone) == (
        "Birch County Family Services", "KY", "America/New_York",
    )
    assert sorted(alder.teams.values_list("name", flat=True)) == ["North Team", "South Team"]
    assert list(birch.teams.values_list("name", flat=True)) == ["Central Team"]


@pytest.mark.django_db
def test_jordan_testperson_is_on_the_north_team_caseload(seeded):
    jordan = Youth.objects.get(legal_first_name="Jordan", legal_last_name="Testperson")
    assert jordan.agency.code == "alder"
    assert jordan.team.name == "North Team"
    assert jordan.preferred_name == ""
    assert jordan.status == YouthStatus.ACTIVE
    assert jordan.assigned_caseworkers.filter(username="caseworker").exists()


@pytest.mark.django_db
def test_the_demo_caseworker_carries_most_of_the_north_team(seeded):
    north = Youth.objects.filter(team__name="North Team")
    mine = north.filter(assigned_caseworkers__username="caseworker").count()
    assert mine >= north.count() / 2


@pytest.mark.django_db
def test_placement_histories_never_overlap_and_have_at_most_one_current(seeded):
    today = timezone.localdate()
    by_youth = defaultdict(list)
    for p in Placement.objects.select_related("youth"):
        by_youth[p.youth_id].append(p)
    assert by_youth, "some youth should have placements"
    for placements in by_youth.values():
        placements.sort(key=lambda p: (p.start_date, p.end_date is None, p.end_date))
        # The demo's missing episodes add their AFCARS missing spells and the return to placement.
        assert len([p for p in placements if p.placement_type not in MISSING_PLACEMENT_TYPES]) <= 5 + 3
        assert sum(p.end_date is None for p in placements) <= 1
        for p in placements:
            assert p.start_date <= today
            assert p.start_date >= p.youth.date_of_birth
            if p.end_date is not None:
                # A missing spell may start and end on one day (away for a few hours).
                if p.placement_type in MISSING_PLACEMENT_TYPES:
                    assert p.start_date <= p.end_date <= today
                else:
                    assert p.start_date < p.end_date <= today
                assert p.end_reason
            else:
                assert p.end_reason == ""
        for earlier, later in itertools.pairwise(placements):
            assert earlier.end_date is not None, "only the latest placement may be current"
            assert earlier.end_date <= later.start_date


@pytest.mark.django_db
def test_youth_records_are_consistent(seeded):
    today = timezone.localdate()
    for youth in Youth.objects.prefetch_related("placements"):
        assert 8 <= youth.age_on(today) <= 20
        assert (youth.status == YouthStatus.EXITED) == (youth.exited_on is not None)
        if youth.entered_care_on:
            assert youth.date_of_birth < youth.entered_care_on <= today
        if youth.status == YouthStatus.EXITED:
            assert all(p.end_date and p.end_date <= youth.exited_on for p in youth.placements.all())
        assert youth.ssn == "" or youth.ssn.startswith("000-")
        assert youth.history.filter(history_type="+").count() == 1


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_youth():
    today = datetime.date(2026, 3, 1)
    first, first_placements, _ = demo.make_youth(spec=demo_data.AGENCY_B, number=7, today=today, seed=5)
    again, again_placements, _ = demo.make_youth(spec=demo_data.AGENCY_B, number=7, today=today, seed=5)
    fields = [f.attname for f in Youth._meta.concrete_fields if f.attname not in ("created_at", "updated_at")]
    assert [getattr(first, f) for f in fields] == [getattr(again, f) for f in fields]
    assert [(p.start_date, p.provider_name) for p in first_placements] == [
        (p.start_date, p.provider_name) for p in again_placements
    ]


@pytest.mark.django_db
def test_output_ends_with_the_login_table(db):
    out = seed()
    assert "Demo logins" in out
    for username in EXPECTED_STAFF:
        assert username in out
    assert PASSWORD in out
    quiet = seed("--quiet")
    assert "Created now" not in quiet and "Demo logins" in quiet
    assert seed("--quiet", "--no-logins") == ""


@pytest.mark.django_db
def test_the_demo_has_risk_data_and_an_urgent_item_in_the_supervisors_review_queue(seeded):
    from risk import selectors
    from risk.models import ExternalScreen, Observation, ReviewItem, RiskSnapshot

    supervisor = User.objects.get(username="supervisor")
    queue = list(selectors.review_queue(supervisor))
    assert queue, "the demo supervisor should have an open review item"
    assert queue[0].urgency == "urgent"  # a weight-5 control sign: same-day review
    assert all(item.youth.agency.code == "alder" and item.youth.team.name == "North Team" for item in queue)
    assert Observation.objects.filter(indicator__category="C2", evidence="reported").exists()
    assert ExternalScreen.objects.count() == 1
    assert not Observation.objects.filter(youth__legal_last_name="Testperson").exists()
    assert all("synthetic demo note" in note for note in Observation.objects.values_list("note", flat=True))
    assert sorted(item.urgency for item in queue) == ["elevated", "high", "urgent"]

    before = (Observation.objects.count(), RiskSnapshot.objects.count(), ReviewItem.objects.count())
    seed("--quiet")
    assert (Observation.objects.count(), RiskSnapshot.objects.count(), ReviewItem.objects.count()) == before


@pytest.mark.django_db
def test_the_demo_has_a_missing_history_the_reports_can_show(seeded):
    from missing_reports.models import Debrief, MissingEpisode, Notification

    episodes = MissingEpisode.objects.filter(youth__agency__code="alder")
    assert episodes.filter(status="open").count() == 1  # one youth on the missing-now board
    assert episodes.filter(status="returned").count() >= 8
    assert Notification.objects.filter(done_at__gt=F("due_at")).exists()  # a notice given late
    never_given = Notification.objects.filter(event="missing", party="ncmec", done_at__isnull=True)
    assert never_given.filter(episode__status="returned").exists()  # and one never given
    assert Debrief.objects.filter(trafficking_screening_done="no").exists()
    assert episodes.filter(status="returned", debriefs__isnull=True).exists()
    assert not episodes.filter(youth__legal_last_name="Testperson").exists()  # the browser tests report Jordan

    before = (episodes.count(), Notification.objects.count(), Debrief.objects.count())
    seed("--quiet")
    assert (episodes.count(), Notification.objects.count(), Debrief.objects.count()) == before
