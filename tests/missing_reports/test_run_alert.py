"""Logging a run alerts the youth's assigned caseworkers and whoever is on call at once (docs/alerts.md#run):
an alert saved with the run, delivered once per person, escalated along the roster while nobody
acknowledges it, and shown on the episode page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caseapp import alert_delivery
from caseapp import tasks as caseapp_tasks
from caseapp.models import Alert, AlertRecipient, DeliveryStatus
from caseapp.services import alerts
from missing_reports import run_alert
from missing_reports.services import episodes as services
from tests.factories import UserFactory, YouthFactory, on_call_all_week
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)
RESTRICTED = {"ssn": "123-45-6789", "medical_needs": "Type 1 diabetes", "medications": "Insulin glargine"}


def log(actor, youth, **extra):
    learned = extra.pop("learned", timezone.now() - 10 * MIN)
    return services.log_run(
        actor=actor, youth_id=youth.pk, agency_learned_at=learned, last_seen_at=learned - H,
        last_seen_location="Near the bus station", reported_by="Foster parent (Ms. Example)", **extra,
    )


def told(alert):
    return list(alert.recipients.order_by("id").values_list("user__username", "reason"))


@pytest.fixture
def colleague(agency_a, team_a1, youth_a1):
    """A second caseworker of team North, also assigned to youth_a1."""
    user = UserFactory(username="colleague_a", agency=agency_a, team=team_a1)
    youth_a1.assigned_caseworkers.add(user)
    return user


@pytest.fixture
def on_call(agency_a, team_a1, supervisor_a):
    """A second supervisor of team North is first on call for the team, all week."""
    from caseapp.models import Role

    user = UserFactory(username="night_supervisor", agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a1])
    on_call_all_week(user, team=team_a1)
    return user


def test_logging_a_run_alerts_the_caseworker_and_the_on_call_supervisor_at_once(
    settings, youth_a1, caseworker_a, supervisor_a, colleague, on_call, agency_a, mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.APP_BASE_URL = "https://cases.example.org"
    for name, value in RESTRICTED.items():
        setattr(youth_a1, name, value)
    youth_a1.save()
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        episode = log(caseworker_a, youth_a1)

    alert = Alert.objects.get(key=f"run:{episode.pk}")
    assert alert.kind == "run_logged"
    assert alert.youth == youth_a1
    # The one who logged it knows: the other assigned caseworker and the one on call are told.
    assert told(alert) == [("colleague_a", "Assigned caseworker"), ("night_supervisor", "On call")]
    assert before + 15 * MIN <= alert.ack_due_at <= timezone.now() + 15 * MIN  # the agency's window for a run
    assert alert.url == reverse("episode_detail", args=[episode.pk])
    assert alert.sms_text == alert_delivery.sms_line(youth_a1, "Missing from care")
    # Delivered after commit: one email each.
    assert sorted(m.to[0] for m in mailoutbox) == sorted([colleague.email, on_call.email])
    message = mailoutbox[0]
    assert message.subject == f"Missing from care: {youth_a1.display_name} (case {youth_a1.case_number})"
    assert f"https://cases.example.org/episodes/{episode.pk}/" in message.body
    assert "Law enforcement (NCIC entry): due" in message.body
    assert "Acknowledge (one click):" in message.body
    for value in [*RESTRICTED.values(), "bus station"]:
        assert value not in message.subject + message.body
    assert not AlertRecipient.objects.filter(user=caseworker_a).exists()


def test_without_a_roster_the_team_supervisor_is_on_call(youth_a1, caseworker_a, supervisor_a, agency_a):
    episode = log(caseworker_a, youth_a1)
    # caseworker_a is the only one assigned, and logged it: the team's supervisor is told.
    assert told(Alert.objects.get(key=f"run:{episode.pk}")) == [("supervisor_a", "On call")]


def test_nobody_out_of_scope_is_alerted(agency_a, team_a1, caseworker_a, caseworker_a2, caseworker_b, supervisor_a):
    youth = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a, caseworker_a2, caseworker_b])
    on_call_all_week(caseworker_a2)  # agency-wide roster, but another team: may not open the youth
    episode = log(supervisor_a, youth)
    assert told(Alert.objects.get(key=f"run:{episode.pk}")) == [("caseworker_a", "Assigned caseworker")]


def test_when_only_the_one_who_logged_it_is_left_the_next_of_the_chain_is_told(
    agency_a, team_a1, supervisor_a, agency_admin_a
):
    youth = YouthFactory(team=team_a1, assigned_caseworkers=[])
    episode = log(supervisor_a, youth)  # supervisor_a would be on call: they know
    assert told(Alert.objects.get(key=f"run:{episode.pk}")) == [("agency_admin_a", "On call")]


def test_a_refused_run_raises_no_alert(youth_a1, caseworker_a, supervisor_a):
    with pytest.raises(ValidationError):
        services.log_run(actor=caseworker_a, youth_id=youth_a1.pk, last_seen_location="", reported_by="")
    assert not Alert.objects.exists()


def test_a_run_saved_while_the_broker_is_down_is_alerted_once_by_the_sweep(
    youth_a1, caseworker_a, supervisor_a, colleague, mailoutbox, monkeypatch, django_capture_on_commit_callbacks,
    caplog,
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6399")

    monkeypatch.setattr(caseapp_tasks.deliver_alert, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        episode = log(caseworker_a, youth_a1)
    assert "the periodic sweep will pick it up" in caplog.text
    assert mailoutbox == []
    alert = Alert.objects.get(key=f"run:{episode.pk}")
    assert {d.status for r in alert.recipients.all() for d in r.deliveries.all()} == {DeliveryStatus.PENDING}

    alert_delivery.sweep()
    alert_delivery.sweep()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([colleague.email, supervisor_a.email])


def test_an_unacknowledged_run_alert_goes_to_the_next_on_call_and_stops_when_acknowledged(
    agency_a, team_a1, youth_a1, caseworker_a, supervisor_a, on_call, agency_admin_a, mailoutbox
):
    episode = log(caseworker_a, youth_a1)
    alert = Alert.objects.get(key=f"run:{episode.pk}")
    assert told(alert) == [("night_supervisor", "On call")]
    start = alert.created_at

    alert_delivery.sweep(now=start + 15 * MIN)  # at the end of the window: not yet
    assert alert.recipients.count() == 1
    alert_delivery.sweep(now=start + 15 * MIN + datetime.timedelta(seconds=1))
    assert told(alert)[1] == ("supervisor_a", "Not acknowledged in 15 min: next on call")

    alerts.acknowledge(alert, user=supervisor_a, via="app", now=start + 20 * MIN)
    alert_delivery.sweep(now=start + 2 * H)
    assert alert.recipients.count() == 2  # nobody more once someone acknowledged
    assert agency_admin_a.email not in [m.to[0] for m in mailoutbox]


def test_the_episode_page_shows_who_was_told_and_who_acknowledged(
    client, youth_a1, caseworker_a, supervisor_a, colleague
):
    episode = log(caseworker_a, youth_a1)
    client.force_login(caseworker_a)
    page = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "Alerts sent" in page
    assert f"Missing from care: {youth_a1.display_name}" in page
    assert "Not acknowledged yet." in page
    assert "Assigned caseworker" in page and "On call" in page

    alerts.acknowledge(Alert.objects.get(key=run_alert.key(episode.pk)), user=supervisor_a, via="app")
    page = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert f"Acknowledged by {supervisor_a}" in page



def test_the_episode_page_says_so_when_no_alert_was_sent(client, youth_a1, caseworker_a, supervisor_a):
    episode = log(caseworker_a, youth_a1)
    Alert.objects.all().delete()  # an episode logged before alerts existed
    client.force_login(caseworker_a)
    page = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "No alerts sent." in page


def test_the_episode_page_runs_the_same_queries_however_many_alerts(
    client, agency_a, youth_a1, caseworker_a, supervisor_a, colleague, agency_admin_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from missing_reports import escalation

    agency_a.compliance_contact_email = "compliance@agency-a.example.org"
    agency_a.save()
    episode = log(caseworker_a, youth_a1, learned=timezone.now() - 3 * H)
    sign_in(client, supervisor_a)
    url = reverse("episode_detail", args=[episode.pk])

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    one = queries()
    escalation.sweep()  # law enforcement's 2 h clock overdue, NCMEC's first hour: two more alerts
    alert_delivery.sweep(now=timezone.now() + 2 * H)  # and escalations of all three
    assert Alert.objects.filter(youth=youth_a1).count() == 3
    page = client.get(url).content.decode()
    assert "Overdue: Law enforcement (NCIC entry)" in page
    assert "Compliance contact" in page
    assert queries() == one
