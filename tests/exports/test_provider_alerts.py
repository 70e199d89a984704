"""The provider alert (docs/duties.md#provider-alert): a provider whose episodes per 1,000 placement-days over the
six whole months before the check exceed the agency's factor times the median of its providers opens one review,
once per provider and period, with the figures behind it; under the agency's minimum placement-days, never. Its
reviewers (agency admins, the supervisors of its teams) see it on My work and close it with a note.

Checked on 07/10/2026 (America/Chicago): the period is 01/01/2026 to 06/30/2026, 181 days. Four providers, one youth
each placed all period (181 placement-days): Alder 0 episodes, Birch 1, Cedar 1, Hawthorne 1 then 3. The median is
Birch's and Cedar's 5.52 per 1,000; at factor 2 Hawthorne's 5.52 is not over it, its 16.57 is.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from caseapp.models import AuditEvent
from exports.models import ProviderAlert
from exports.reports.placement_environment import BY_PROVIDER, Group
from exports.services import provider_alerts as services
from exports.tasks import check_provider_alerts
from tests.exports.conftest import episode, local
from tests.factories import PlacementFactory, YouthFactory

pytestmark = pytest.mark.django_db

NOW = local(2026, 7, 10, 9, 0)


def place(team, worker, provider, start=datetime.date(2025, 12, 1)):
    youth = YouthFactory(team=team, assigned_caseworkers=[worker])
    return PlacementFactory(youth=youth, provider_name=provider, start_date=start)


def runs(placement, worker, *days):
    for day in days:
        episode(placement.youth, placement, worker, local(2026, 3, day, 20), local(2026, 3, day + 1, 9))


@pytest.fixture
def providers(agency_a, agency_admin_a, team_a1, team_a2, caseworker_a, caseworker_a2):
    place(team_a1, caseworker_a, "Alder House")
    runs(place(team_a1, caseworker_a, "Birch House"), caseworker_a, 3)
    runs(place(team_a2, caseworker_a2, "Cedar House"), caseworker_a2, 5)
    hawthorne = place(team_a1, caseworker_a, "Hawthorne Home")
    runs(hawthorne, caseworker_a, 7)
    return hawthorne


def test_the_period_is_the_six_whole_months_before_this_one():
    assert services.period_for(datetime.date(2026, 7, 10)) == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert services.period_for(datetime.date(2026, 3, 1)) == (datetime.date(2025, 9, 1), datetime.date(2026, 2, 28))


def test_the_threshold_is_strictly_more_than_the_factor_times_the_median():
    def group(name, days, episodes):
        return Group(BY_PROVIDER, name, placement_days=days, episodes=episodes)

    groups = [group("A", 1000, 1), group("B", 1000, 2), group("C", 1000, 4)]
    assert services.over_threshold(groups, factor=Decimal("2"), min_placement_days=1) == []
    [found] = services.over_threshold(groups, factor=Decimal("1.99"), min_placement_days=1)
    assert (found.name, found.rate, found.median, found.compared) == ("C", Decimal("4.00"), Decimal("2.00"), 3)
    # Under the minimum placement-days: neither alerted nor in the median.
    groups.append(group("D", 10, 5))
    assert [f.name for f in services.over_threshold(groups, factor=Decimal("1.99"), min_placement_days=11)] == ["C"]


def test_the_alert_opens_once_when_the_rate_crosses_the_threshold_and_not_again_for_the_same_period(
    providers, agency_a, caseworker_a, team_a1
):
    agency_a.provider_alert_min_placement_days = 100
    agency_a.save()
    assert services.check_agency(agency_a, NOW) == []  # 5.52: the median itself
    runs(providers, caseworker_a, 12, 20)  # now 3 episodes: 16.57 per 1,000 placement-days
    [alert] = services.check_agency(agency_a, NOW)
    assert (alert.provider_name, alert.rate, alert.median_rate, alert.factor) == (
        "Hawthorne Home", Decimal("16.57"), Decimal("5.52"), Decimal("2.00"),
    )
    assert (alert.placement_days, alert.episodes, alert.providers_compared) == (181, 3, 4)
    assert (alert.period_start, alert.period_end) == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert list(alert.teams.all()) == [team_a1]
    assert AuditEvent.objects.filter(object_type="provideralert", action="create").count() == 1
    # Again, later the same month, by the beat task too: nothing new.
    assert services.check_agency(agency_a, NOW + datetime.timedelta(days=3)) == []
    assert check_provider_alerts() == 0
    assert ProviderAlert.objects.count() == 1
    # The database holds the rule too, whatever a second worker does.
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderAlert.objects.create(
            agency=agency_a, provider_key=alert.provider_key, provider_name="x", period_start=alert.period_start,
            period_end=alert.period_end, rate=1, median_rate=1, factor=2, placement_days=1, episodes=1,
            providers_compared=1, min_placement_days=1,
        )
    # A new month is a new period (02/01 to 07/31): the provider is reviewed again if it is still over.
    assert len(services.check_agency(agency_a, local(2026, 8, 3, 9))) == 1


def test_no_alert_under_the_agencys_minimum_placement_days(providers, agency_a, caseworker_a):
    runs(providers, caseworker_a, 12, 20)
    agency_a.provider_alert_min_placement_days = 182  # one more than any provider had
    agency_a.save()
    assert services.check_agency(agency_a, NOW) == []
    agency_a.provider_alert_min_placement_days = 181
    agency_a.save()
    assert len(services.check_agency(agency_a, NOW)) == 1


def test_the_agency_settings_are_validated(agency_a):
    agency_a.provider_alert_factor = Decimal("0.5")
    agency_a.provider_alert_min_placement_days = 0
    with pytest.raises(ValidationError) as refused:
        agency_a.full_clean()
    assert {"provider_alert_factor", "provider_alert_min_placement_days"} <= set(refused.value.error_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        agency_a.save()


@pytest.fixture
def alert(providers, agency_a, caseworker_a):
    agency_a.provider_alert_min_placement_days = 100
    agency_a.save()
    runs(providers, caseworker_a, 12, 20)
    [opened] = services.check_agency(agency_a, NOW)
    return opened


def test_reviewers_see_it_on_my_work_and_close_it_with_a_note(client_for, alert, supervisor_a, agency_admin_a):
    url = reverse("provider_alert_detail", args=[alert.pk])
    supervisor = client_for(supervisor_a)
    assert "Review Hawthorne Home" in supervisor.get(reverse("my_work")).content.decode()
    assert "Review Hawthorne Home" in client_for(agency_admin_a).get(reverse("my_work")).content.decode()
    page = supervisor.get(url).content.decode()
    assert "16.57" in page and "5.52" in page and "181" in page
    answer = supervisor.post(url, {"version": alert.version, "review_note": "  "})
    assert "Say what the review found" in answer.content.decode()
    alert.refresh_from_db()
    assert alert.is_open and alert.version == 1
    assert supervisor.post(url, {"version": alert.version, "review_note": "Visited; a support plan with the "
                                 "caregivers for evenings."}).status_code == 302
    alert.refresh_from_db()
    assert not alert.is_open and alert.closed_by == supervisor_a and alert.version == 2
    assert "Review Hawthorne Home" not in supervisor.get(reverse("my_work")).content.decode()
    # A stale second review changes nothing.
    answer = client_for(agency_admin_a).post(url, {"version": 1, "review_note": "Another note."})
    assert answer.status_code == 200
    alert.refresh_from_db()
    assert alert.review_note.startswith("Visited")


def test_agency_staff_read_it_and_cannot_close_it(client_for, alert, agency_staff_a):
    client = client_for(agency_staff_a)
    url = reverse("provider_alert_detail", args=[alert.pk])
    assert "Hawthorne Home" in client.get(reverse("provider_alert_list")).content.decode()
    assert client.post(url, {"version": 1, "review_note": "Closing it."}).status_code == 200
    alert.refresh_from_db()
    assert alert.is_open


@pytest.mark.parametrize("outsider", ["caseworker_a", "caseworker_a2", "admin_b", "supervisor_b", "agency_staff_b"])
def test_outside_the_scope_it_is_404_and_not_listed(request, client_for, alert, outsider):
    client = client_for(request.getfixturevalue(outsider))
    url = reverse("provider_alert_detail", args=[alert.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": 1, "review_note": "x"}).status_code == 404
    listing = client.get(reverse("provider_alert_list"))
    assert listing.status_code == 404 or "Hawthorne Home" not in listing.content.decode()
    assert "Hawthorne Home" not in client.get(reverse("my_work")).content.decode()
    alert.refresh_from_db()
    assert alert.is_open


def test_a_supervisor_of_a_team_without_youth_there_neither_sees_nor_reviews_it(client_for, alert, team_a2):
    from caseapp.models import Role
    from tests.factories import UserFactory

    south = UserFactory(username="supervisor_south", agency=alert.agency, role=Role.SUPERVISOR, supervises=[team_a2])
    client = client_for(south)
    assert client.get(reverse("provider_alert_detail", args=[alert.pk])).status_code == 404
    assert "Hawthorne Home" not in client.get(reverse("provider_alert_list")).content.decode()
    assert "Hawthorne Home" not in client.get(reverse("my_work")).content.decode()
