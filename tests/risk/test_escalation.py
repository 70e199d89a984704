"""Overdue review items and identified-victim reports escalate like the episode clocks
(risk.escalation, on missing_reports.escalation's protocol): each stage an alert (docs/alerts.md), one email
per person told. Time is passed to the sweep (`now=`),
never slept.

Agency A's zone is set to Pacific/Honolulu here (UTC-10, no DST) so the local times are fixed.
"""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from caseapp import alert_delivery
from caseapp.models import Alert, AlertRecipient, DeliveryStatus, Role
from missing_reports import escalation as clocks
from risk import escalation, reviews, tasks
from risk.models import IdentificationReport, Outcome, ReviewItem, RiskEscalation, Urgency
from risk.services import decisions, observations
from tests.factories import UserFactory, YouthFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)
SEC = datetime.timedelta(seconds=1)
HONOLULU = zoneinfo.ZoneInfo("Pacific/Honolulu")
COMPLIANCE = "compliance@agency-a.example.org"
REMINDER, LAST, OVERDUE = escalation.REVIEW_STAGES
LEAD_CW, LEAD_SUP = clocks.STAGES[:2]
FIRST_HOUR = clocks.NOTICE_STAGES[0]
NOTE = "Told the night staff about the older friend"  # never in an email
NOTHING = {REMINDER: 0, LAST: 0, OVERDUE: 0, "skipped": 0}


@pytest.fixture
def agency(agency_a):
    agency_a.time_zone = "Pacific/Honolulu"
    agency_a.compliance_contact_email = COMPLIANCE
    agency_a.save()
    return agency_a


@pytest.fixture
def raised():
    """When the review item was raised: yesterday at 20:00 UTC (10:00 in Honolulu)."""
    return (timezone.now() - 24 * H).replace(hour=20, minute=0, second=0, microsecond=0)


def to(messages):
    """Who each email went to: an alert sends one email per person told."""
    return [address for m in messages for address in m.to]


def raise_item(youth, urgency, raised):
    return reviews.raise_review(youth, urgency, ["Assessment: Urgent (score 15.0)."], now=raised)


@pytest.fixture
def identification(agency, youth_a1, supervisor_a, agency_admin_a, raised):
    return raise_item(youth_a1, Urgency.IDENTIFICATION, raised)


@pytest.fixture
def urgent(agency, youth_a1, supervisor_a, agency_admin_a, raised):
    return raise_item(youth_a1, Urgency.URGENT, raised)


def stages(subject):
    field = "review_item" if isinstance(subject, ReviewItem) else "report"
    return {row.stage: row for row in RiskEscalation.objects.filter(**{field: subject})}


def sweep(now):
    return escalation.sweep(now=now)


# --- Pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before_due", "expected"),
    [
        (4 * H + SEC, None), (4 * H, REMINDER), (H + SEC, REMINDER), (H, LAST), (SEC, LAST),
        (0 * H, LAST),  # at the due time a review can still be done on time
        (-SEC, OVERDUE),
    ],
)
def test_review_items_have_the_clocks_stage_rule(before_due, expected):
    due = datetime.datetime(2026, 3, 8, 12, 0, tzinfo=datetime.UTC)
    assert clocks.stage_due(due, due - before_due, [4, 1], escalation.REVIEW_STAGES) == expected


# --- Review items: each stage at its moment, to its people, once -------------------------------


def test_an_identification_item_reminds_the_supervisor_at_once_and_escalates_to_the_manager_after_4_hours(
    identification, raised, supervisor_a, agency_admin_a, caseworker_a, mailoutbox
):
    assert identification.due_at == raised + 4 * H  # confirmed within 4 h, or escalated

    counts = sweep(raised)
    assert counts["reviews"] == NOTHING | {REMINDER: 1}
    [reminder] = mailoutbox
    assert reminder.to == [supervisor_a.email]
    assert reminder.subject.startswith("Reminder: supervisor review due ")

    sweep(raised + 3 * H - SEC)
    assert len(mailoutbox) == 1
    sweep(raised + 3 * H)
    assert mailoutbox[-1].to == [supervisor_a.email]
    identification.refresh_from_db()
    assert identification.overdue_at is None

    sweep(raised + 4 * H)
    assert len(mailoutbox) == 2  # at the due time it is not overdue yet
    counts = sweep(raised + 4 * H + SEC)

    assert counts["reviews"][OVERDUE] == 1
    overdue = mailoutbox[2:]
    assert all(m.subject.startswith("Overdue: supervisor review for ") for m in overdue)
    # The manager of the clock rule: the compliance contact and the agency admins; and the supervisors.
    assert to(overdue) == [COMPLIANCE, agency_admin_a.email, supervisor_a.email]
    assert all("not confirmed within 4 hours" in m.body for m in overdue)
    assert not any(caseworker_a.email in m.to for m in mailoutbox)  # caseworkers do not decide
    identification.refresh_from_db()
    assert identification.overdue_at == raised + 4 * H + SEC
    assert stages(identification)[OVERDUE].recipients == to(overdue)
    alert = Alert.objects.get(key=f"review:{identification.pk}:{OVERDUE}")
    assert list(alert.recipients.order_by("id").values_list("reason", flat=True)) == [
        "Compliance contact", "Agency admin", f"Supervisor of team {identification.youth.team.name}"
    ]
    assert alert.url == f"/youth/{identification.youth_id}/risk/"


def test_an_overdue_same_day_review_tells_the_compliance_contact_and_supervisors(
    urgent, supervisor_a, agency_admin_a, mailoutbox
):
    sweep(urgent.due_at + SEC)
    assert to(mailoutbox) == [COMPLIANCE, supervisor_a.email]
    assert not any("4 hours" in m.body for m in mailoutbox)
    urgent.refresh_from_db()
    assert urgent.overdue_at == urgent.due_at + SEC


def test_each_stage_is_sent_once_however_often_the_sweep_runs(identification, raised, mailoutbox):
    for moment in (raised, raised + 3 * H, raised + 4 * H + SEC):
        first = sweep(moment)
        again = sweep(moment + SEC)
        assert sum(first["reviews"].values()) == 1
        assert again["reviews"] == NOTHING
    sweep(raised + 30 * 24 * H)
    assert len(mailoutbox) == 5  # two reminders; overdue to the compliance contact, the admin, the supervisor
    assert Alert.objects.filter(key__startswith=f"review:{identification.pk}:").count() == 3
    assert RiskEscalation.objects.count() == 3
    assert not RiskEscalation.objects.filter(sent_at__isnull=True).exists()


def test_an_item_first_seen_overdue_gets_only_the_overdue_email(identification, raised, mailoutbox):
    counts = sweep(raised + 5 * H)

    assert counts["reviews"] == {REMINDER: 0, LAST: 0, OVERDUE: 1, "skipped": 2}
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Overdue"] * 3
    rows = stages(identification)
    for skipped in (rows[REMINDER], rows[LAST]):
        assert (skipped.sent_at, skipped.recipients) == (None, [clocks.SKIPPED])
    sweep(raised + 7 * H)
    assert len(mailoutbox) == 3
    assert Alert.objects.count() == 1


def test_a_decided_item_gets_nothing(identification, raised, supervisor_a, mailoutbox):
    decisions.decide(
        actor=supervisor_a, youth_id=identification.youth_id, outcome=Outcome.NO_CONCERN,
        expected_latest_decision_id=None, reason="Spoke with the youth and the caregiver",
    )
    for moment in (raised, raised + 3 * H, raised + 5 * H):
        assert sweep(moment)["reviews"] == NOTHING
    assert mailoutbox == []
    assert not RiskEscalation.objects.exists()
    identification.refresh_from_db()
    assert identification.overdue_at is None


def test_an_item_decided_after_a_reminder_gets_nothing_further(identification, raised, supervisor_a, mailoutbox):
    sweep(raised)
    decisions.decide(
        actor=supervisor_a, youth_id=identification.youth_id, outcome=Outcome.NO_CONCERN,
        expected_latest_decision_id=None, reason="Spoke with the youth",
    )
    sweep(raised + 3 * H)
    sweep(raised + 5 * H)
    assert len(mailoutbox) == 1
    assert set(stages(identification)) == {REMINDER}


def test_a_sweep_working_from_an_old_read_sends_nothing_twice(identification, raised, mailoutbox, monkeypatch):
    stale = list(escalation.candidate_reviews(raised))
    sweep(raised)
    monkeypatch.setattr(escalation, "candidate_reviews", lambda now: stale)
    sweep(raised)
    assert len(mailoutbox) == 1
    assert RiskEscalation.objects.count() == 1


def test_a_failed_email_is_retried_by_the_alert_delivery_and_arrives_once(
    identification, raised, mailoutbox, monkeypatch, supervisor_a
):
    real_send = alert_delivery.send_mail

    def smtp_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(alert_delivery, "send_mail", smtp_down)
    assert sweep(raised)["reviews"][REMINDER] == 1  # alerted; the email waits for its retry
    [delivery] = [d for r in Alert.objects.get().recipients.all() for d in r.deliveries.all()]
    assert delivery.status == DeliveryStatus.PENDING
    monkeypatch.setattr(alert_delivery, "send_mail", real_send)
    assert sweep(raised + MIN)["reviews"] == NOTHING
    alert_delivery.sweep(now=raised + 2 * MIN)
    alert_delivery.sweep(now=raised + 3 * MIN)
    assert to(mailoutbox) == [supervisor_a.email]
    assert stages(identification)[REMINDER].sent_at == raised


# --- Who is told ------------------------------------------------------------------------------


def test_without_a_supervisor_the_reminder_goes_to_the_agency_admins(agency, team_a2, youth_a2, agency_admin_a, raised,
                                                                     mailoutbox):
    raise_item(youth_a2, Urgency.URGENT, raised)  # team South has no supervisor
    sweep(youth_a2.risk_review_items.get().due_at - 4 * H)
    assert [m.to for m in mailoutbox] == [[agency_admin_a.email]]


def test_nobody_is_emailed_about_a_youth_they_cannot_open(
    agency, team_a1, team_a2, supervisor_a, agency_admin_a, admin_b, caseworker_b, raised, mailoutbox
):
    other_team = UserFactory(agency=agency, role=Role.SUPERVISOR, supervises=[team_a2])
    inactive = UserFactory(agency=agency, role=Role.SUPERVISOR, supervises=[team_a1], is_active=False)
    inactive_admin = UserFactory(agency=agency, role=Role.AGENCY_ADMIN, is_active=False)
    youth = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_b])
    item = raise_item(youth, Urgency.IDENTIFICATION, raised)
    for moment in (raised, item.due_at - H, item.due_at + SEC):
        sweep(moment)
    everyone = {address for m in mailoutbox for address in m.to}
    assert everyone == {supervisor_a.email, agency_admin_a.email, COMPLIANCE}
    for outsider in (other_team, inactive, inactive_admin, admin_b, caseworker_b):
        assert outsider.email not in everyone
    outsiders = [other_team, inactive, inactive_admin, admin_b, caseworker_b]
    assert not AlertRecipient.objects.filter(user__in=outsiders).exists()


def test_items_of_every_agency_are_swept(agency_b, youth_b, team_b1, raised, mailoutbox):
    supervisor_b = UserFactory(agency=agency_b, role=Role.SUPERVISOR, supervises=[team_b1])
    raise_item(youth_b, Urgency.IDENTIFICATION, raised)
    sweep(raised)
    assert [m.to for m in mailoutbox] == [[supervisor_b.email]]


# --- The identified-victim report clock -------------------------------------------------------


@pytest.fixture
def report(agency, youth_a1, caseworker_a, supervisor_a):
    received = timezone.now() - 30 * H
    decision = decisions.decide(
        actor=supervisor_a, youth_id=youth_a1.pk, outcome=Outcome.IDENTIFIED, expected_latest_decision_id=None,
        referrals=["housing"],
        trafficking_type="sex", trafficking_kind="buyer_perpetrated", timing="while_missing",
        information_received_at=received,
    )
    return IdentificationReport.objects.get(decision=decision)


def test_the_report_clock_escalates_like_the_immediate_episode_clocks(report, caseworker_a, supervisor_a, mailoutbox):
    received = report.decision.information_received_at
    nothing = {FIRST_HOUR: 0, LEAD_CW: 0, LEAD_SUP: 0, OVERDUE: 0, "skipped": 0}
    assert sweep(received + 60 * MIN - SEC)["reports"] == nothing
    assert sweep(received + 60 * MIN)["reports"] == nothing | {FIRST_HOUR: 1}
    assert sweep(report.due_at - 4 * H - SEC)["reports"] == nothing
    sweep(report.due_at - 4 * H)
    sweep(report.due_at - H)
    counts = sweep(report.due_at + SEC)
    assert counts["reports"][OVERDUE] == 1
    assert to(mailoutbox) == [
        caseworker_a.email, caseworker_a.email, supervisor_a.email, COMPLIANCE, supervisor_a.email
    ]
    assert [m.subject.split(":")[0] for m in mailoutbox] == [
        "Not recorded yet", "Reminder", "Reminder", "Overdue", "Overdue"
    ]
    # The SMS words name no finding: only that a report to law enforcement is overdue.
    overdue = Alert.objects.get(key=f"idreport:{report.pk}:{OVERDUE}")
    assert overdue.sms_text.startswith("Overdue: report to law enforcement: ")
    assert "victim" not in overdue.sms_text.lower() and "traffick" not in overdue.sms_text.lower()
    first = mailoutbox[0]
    assert "Identified-victim report to law enforcement" in first.subject and "due immediately" in first.subject
    assert "1 h after the agency received the information" in " ".join(first.body.split())
    assert "Identified-victim report to law enforcement" in mailoutbox[1].subject
    assert "24 h" in mailoutbox[1].body and "471(a)(34)(A)" in mailoutbox[1].body
    report.refresh_from_db()
    assert report.overdue_at == report.due_at + SEC
    assert report.version == 1  # an open form on the report does not turn stale
    assert set(stages(report)) == {FIRST_HOUR, LEAD_CW, LEAD_SUP, OVERDUE}


def test_a_report_first_seen_after_hour_four_skips_the_first_hour_reminder(report, caseworker_a, mailoutbox):
    counts = sweep(report.due_at - 4 * H)["reports"]
    assert counts[LEAD_CW] == 1 and counts["skipped"] == 1
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Reminder"]
    assert stages(report)[FIRST_HOUR].recipients == [clocks.SKIPPED]


def test_the_first_hour_reminder_follows_the_agency_setting(agency, report, caseworker_a, mailoutbox):
    agency.first_hour_reminder_minutes = 30
    agency.save()
    received = report.decision.information_received_at
    assert sweep(received + 30 * MIN - SEC)["reports"][FIRST_HOUR] == 0
    assert sweep(received + 30 * MIN)["reports"][FIRST_HOUR] == 1


def test_a_done_report_gets_nothing(report, supervisor_a, mailoutbox):
    decisions.record_identification_report(
        actor=supervisor_a, report_id=report.pk, expected_version=report.version, done_at=timezone.now() - H,
        method="phone", le_agency="Alder County Sheriff", reference="LE-2026-0042",
    )
    for moment in (report.due_at - 4 * H, report.due_at - H, report.due_at + H):
        sweep(moment)
    assert mailoutbox == []
    assert not RiskEscalation.objects.filter(report=report).exists()


# --- What the emails say ----------------------------------------------------------------------

RESTRICTED = {"ssn": "123-45-6789", "medical_needs": "Type 1 diabetes", "medications": "Insulin glargine"}


def test_emails_show_the_youth_due_time_and_link_and_nothing_else(
    settings, agency, youth_a1, caseworker_a, supervisor_a, agency_admin_a, mailoutbox
):
    settings.APP_BASE_URL = "https://cases.example.org"
    for name, value in RESTRICTED.items():
        setattr(youth_a1, name, value)
    youth_a1.save()
    received = datetime.datetime(2026, 1, 5, 20, 0, tzinfo=datetime.UTC)  # 10:00 HST
    observation = observations.record_observation(
        actor=caseworker_a, youth_id=youth_a1.pk, indicator_code="C0.1", observed_at=received - H,
        information_received_at=received, source="youth", evidence="reported", note=NOTE,
    )
    item = youth_a1.risk_review_items.get()
    sweep(item.due_at - 4 * H)
    sweep(item.due_at + SEC)
    decisions.decide(
        actor=supervisor_a, youth_id=youth_a1.pk, outcome=Outcome.IDENTIFIED, expected_latest_decision_id=None,
        referrals=["housing"],
        trafficking_type="sex", trafficking_kind="familial", timing="in_care",
    )
    report = IdentificationReport.objects.get(youth=youth_a1)
    assert report.due_at == received + 24 * H  # from receipt, not from the decision
    sweep(report.due_at + SEC)

    assert len(mailoutbox) == 6  # the reminder; overdue to three; the report overdue to two
    assert "Jan 6, 2026, 10:00 AM HST" in mailoutbox[-1].body  # the report: 24 h after 10:00 HST on the 5th
    assert "20:00" not in mailoutbox[-1].body
    item_due = item.due_at.astimezone(HONOLULU)
    clock = f"{item_due.hour % 12 or 12}:{item_due:%M} {'AM' if item_due.hour < 12 else 'PM'}"
    assert f"{item_due:%b} {item_due.day}, {item_due.year}, {clock} HST" in mailoutbox[0].body
    for message in mailoutbox:
        text = message.subject + message.body
        assert youth_a1.display_name in text
        assert youth_a1.case_number in text
        assert f"https://cases.example.org/youth/{youth_a1.pk}/risk/" in message.body
        assert NOTE not in text
        assert observation.indicator.label not in text
        assert "C0.1" not in text
        for reason in item.reasons:
            assert reason not in text
        for value in RESTRICTED.values():
            assert value not in text


# --- The task ---------------------------------------------------------------------------------


def test_sweep_reviews_task_runs_the_sweep_now(agency, youth_a1, supervisor_a, mailoutbox):
    item = raise_item(youth_a1, Urgency.IDENTIFICATION, timezone.now() - 5 * H)
    result = tasks.sweep_reviews.delay().get()
    assert result["reviews"] == {REMINDER: 0, LAST: 0, OVERDUE: 1, "skipped": 2}
    item.refresh_from_db()
    assert item.overdue_at is not None
    assert to(mailoutbox) == [COMPLIANCE, supervisor_a.email]  # no agency admin here


def test_the_beat_runs_the_review_sweep_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["risk-sweep-reviews"]
    assert entry["task"] == "risk.tasks.sweep_reviews"
    assert entry["schedule"] == 60.0


# --- The youth's risk page ----------------------------------------------------------------------


def test_the_risk_page_shows_who_was_alerted_about_the_review(client, identification, raised, supervisor_a):
    sign_in(client, supervisor_a)
    from django.urls import reverse

    url = reverse("youth_risk", args=[identification.youth_id])
    assert "No alerts sent." in client.get(url).content.decode()
    sweep(raised)
    page = client.get(url).content.decode()
    assert "Reminder: supervisor review due" in page
    assert f"Supervisor of team {identification.youth.team.name}" in page
    assert "Not acknowledged yet." in page
