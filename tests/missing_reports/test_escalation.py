"""Alerts about the 24-hour clocks: the alert of a run, reminders before a clock runs out and the overdue mark
after, each an alert (docs/alerts.md) in the app and by email, one email per person told. Time is passed to the
sweep (`now=`), never slept.

Agency A is in Kansas: law enforcement within 2 h (KS PPS 5245), NCMEC within 24 h. Its time zone is
set to Pacific/Honolulu here (UTC-10, no DST) so the local times the emails show are fixed.
"""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseapp import alert_delivery
from caseapp.models import Alert, AlertRecipient, DeliveryStatus
from missing_reports import escalation, tasks
from missing_reports.models import Escalation, EscalationStage, Notification
from missing_reports.services import episodes as services
from tests.factories import UserFactory, YouthFactory

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)
SEC = datetime.timedelta(seconds=1)
HONOLULU = zoneinfo.ZoneInfo("Pacific/Honolulu")
COMPLIANCE = "compliance@agency-a.example.org"
FIRST, LEAD_CW, LEAD_SUP, OVERDUE = (
    EscalationStage.FIRST_HOUR, EscalationStage.LEAD_CASEWORKER, EscalationStage.LEAD_SUPERVISOR,
    EscalationStage.OVERDUE,
)


@pytest.fixture
def learned():
    """When the agency learned of the run: two days ago at 18:00 UTC (08:00 in Honolulu)."""
    return (timezone.now() - 2 * 24 * H).replace(hour=18, minute=0, second=0, microsecond=0)


@pytest.fixture
def agency(agency_a):
    agency_a.time_zone = "Pacific/Honolulu"
    agency_a.compliance_contact_email = COMPLIANCE
    agency_a.save()
    return agency_a


def log(actor, youth, learned):
    return services.log_run(
        actor=actor, youth_id=youth.pk, agency_learned_at=learned, last_seen_at=learned - H,
        last_seen_location="Near the bus station", reported_by="Foster parent (Ms. Example)",
    )


@pytest.fixture
def episode(agency, caseworker_a, supervisor_a, youth_a1, learned):
    return log(caseworker_a, youth_a1, learned)


@pytest.fixture
def le(episode):
    return episode.notifications.get(party="law_enforcement")


@pytest.fixture
def ncmec(episode):
    return episode.notifications.get(party="ncmec")


def about(mailoutbox, clock):
    return [m for m in mailoutbox if clock.label in m.subject]


def reminders(mailoutbox, clock):
    """The reminders before due (not the first-hour one, not the overdue one) about `clock`."""
    return [m for m in about(mailoutbox, clock) if m.subject.startswith("Reminder:")]


def stages(clock):
    return {e.stage: e for e in Escalation.objects.filter(notification=clock)}


def to(messages):
    """Who each email went to: an alert sends one email per person told."""
    return [address for m in messages for address in m.to]


def alert_of(clock, stage):
    return Alert.objects.get(key=f"notice:{clock.pk}:{stage}")


def told(alert):
    return [r.user.email if r.user else r.email for r in alert.recipients.select_related("user").order_by("id")]


# --- Pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before_due", "expected"),
    [
        (5 * H, None),
        (4 * H + SEC, None),
        (4 * H, LEAD_CW),
        (1 * H + SEC, LEAD_CW),
        (1 * H, LEAD_SUP),
        (SEC, LEAD_SUP),
        (datetime.timedelta(0), LEAD_SUP),  # at the due time a notice can still be given on time
        (-SEC, OVERDUE),
        (-30 * 24 * H, OVERDUE),
    ],
)
def test_stage_due_is_the_most_advanced_stage_reached(before_due, expected):
    due = datetime.datetime(2026, 3, 8, 12, 0, tzinfo=datetime.UTC)
    assert escalation.stage_due(due, due - before_due, [4, 1]) == expected


def test_without_leads_only_the_overdue_stage_exists():
    due = datetime.datetime(2026, 3, 8, 12, 0, tzinfo=datetime.UTC)
    assert escalation.stage_due(due, due, []) is None
    assert escalation.stage_due(due, due + SEC, []) == OVERDUE


# --- Each stage at its moment, to its people, once ---------------------------------------------


def test_caseworker_is_reminded_at_the_first_lead_and_only_then(episode, ncmec, learned, mailoutbox, caseworker_a):
    escalation.sweep(now=ncmec.due_at - 4 * H - SEC)
    assert reminders(mailoutbox, ncmec) == []

    counts = escalation.sweep(now=ncmec.due_at - 4 * H)

    [message] = reminders(mailoutbox, ncmec)
    assert message.to == [caseworker_a.email]
    assert message.subject.startswith("Reminder: NCMEC due ")
    assert "in 4 h" in message.body
    assert counts[LEAD_CW] == 1
    row = stages(ncmec)[LEAD_CW]
    assert row.sent_at == ncmec.due_at - 4 * H
    assert row.recipients == [caseworker_a.email]
    # The reminder is an alert: in the caseworker's Alerts list, with why, and a window to acknowledge.
    alert = alert_of(ncmec, LEAD_CW)
    [copy] = alert.recipients.all()
    assert (copy.user, copy.reason) == (caseworker_a, "Assigned caseworker")
    assert alert.kind == "clock_reminder"
    assert alert.ack_due_at == ncmec.due_at - 4 * H + 60 * MIN  # the agency's window for reminders
    assert "Acknowledge (one click):" in message.body
    assert alert.sms_text == alert_delivery.sms_line(episode.youth, "Reminder: NCMEC")


def test_supervisor_is_reminded_at_the_second_lead(episode, ncmec, mailoutbox, supervisor_a):
    escalation.sweep(now=ncmec.due_at - 4 * H)
    escalation.sweep(now=ncmec.due_at - H - SEC)
    assert len(about(mailoutbox, ncmec)) == 1

    escalation.sweep(now=ncmec.due_at - H)

    reminder = about(mailoutbox, ncmec)[-1]
    assert reminder.to == [supervisor_a.email]
    assert "due soon" in reminder.body
    assert stages(ncmec)[LEAD_SUP].recipients == [supervisor_a.email]


def test_overdue_marks_the_clock_and_tells_the_compliance_contact_and_supervisors(
    episode, ncmec, mailoutbox, supervisor_a
):
    escalation.sweep(now=ncmec.due_at - 4 * H)
    escalation.sweep(now=ncmec.due_at - H)
    escalation.sweep(now=ncmec.due_at)
    ncmec.refresh_from_db()
    assert ncmec.overdue_at is None

    escalation.sweep(now=ncmec.due_at + SEC)

    ncmec.refresh_from_db()
    assert ncmec.overdue_at == ncmec.due_at + SEC
    assert ncmec.version == 1  # an open form on this notice does not turn stale
    overdue = about(mailoutbox, ncmec)[-2:]
    assert all(m.subject.startswith("Overdue: NCMEC for ") for m in overdue)
    assert to(overdue) == [COMPLIANCE, supervisor_a.email]
    assert to(about(mailoutbox, ncmec)) == ["caseworker_a@example.org", supervisor_a.email, *to(overdue)]
    alert = alert_of(ncmec, OVERDUE)
    assert alert.kind == "clock_overdue"
    assert list(alert.recipients.order_by("id").values_list("user", "email", "reason")) == [
        (None, COMPLIANCE, "Compliance contact"),  # an address: email only
        (supervisor_a.pk, supervisor_a.email, f"Supervisor of team {episode.youth.team.name}"),
    ]
    assert stages(ncmec)[OVERDUE].recipients == [COMPLIANCE, supervisor_a.email]


def test_without_a_compliance_contact_the_overdue_email_goes_to_the_supervisors(
    episode, agency, ncmec, mailoutbox, supervisor_a
):
    agency.compliance_contact_email = ""
    agency.save()
    escalation.sweep(now=ncmec.due_at + MIN)
    assert to(about(mailoutbox, ncmec)) == [supervisor_a.email]


def test_each_stage_is_sent_once_however_often_the_sweep_runs(episode, le, ncmec, mailoutbox):
    for moment in (
        le.due_at - 2 * H, le.due_at - H, le.due_at + SEC, ncmec.due_at - 4 * H, ncmec.due_at - H, ncmec.due_at + SEC
    ):
        first = escalation.sweep(now=moment)
        again = escalation.sweep(now=moment + SEC)
        assert sum(first.values()) >= 1
        assert again == {FIRST: 0, LEAD_CW: 0, LEAD_SUP: 0, OVERDUE: 0, "skipped": 0}

    # Law enforcement's 2 h clock is past its caseworker lead at once: its first-hour stage is skipped.
    # Overdue goes to the compliance contact and the supervisor: two emails.
    assert len(about(mailoutbox, le)) == 4
    assert len(about(mailoutbox, ncmec)) == 5  # the first hour, the two leads, overdue (two)
    assert Escalation.objects.count() == 8
    assert list(Escalation.objects.filter(sent_at__isnull=True).values_list("stage", "recipients")) == [
        (FIRST, [escalation.SKIPPED])
    ]
    assert Alert.objects.filter(key__startswith="notice:").count() == 7
    escalation.sweep(now=ncmec.due_at + 30 * 24 * H)
    assert len(mailoutbox) == 9


def test_a_clock_shorter_than_the_lead_reminds_the_caseworker_at_once(episode, le, learned, mailoutbox, caseworker_a):
    # KS gives law enforcement 2 h, less than the 4 h lead: the first sweep after the run reminds.
    escalation.sweep(now=learned + MIN)
    [message] = about(mailoutbox, le)
    assert message.to == [caseworker_a.email]
    assert "in 1 h 59 min" in message.body
    assert "KS PPS 5245" in message.body


def test_leads_come_from_the_agency(agency, episode, ncmec, mailoutbox, caseworker_a, supervisor_a):
    agency.reminder_lead_hours_first, agency.reminder_lead_hours_second = 6, 2
    agency.save()
    escalation.sweep(now=ncmec.due_at - 6 * H - SEC)
    assert reminders(mailoutbox, ncmec) == []
    escalation.sweep(now=ncmec.due_at - 6 * H)
    assert [m.to for m in reminders(mailoutbox, ncmec)] == [[caseworker_a.email]]
    assert "in 6 h" in reminders(mailoutbox, ncmec)[0].body
    escalation.sweep(now=ncmec.due_at - 2 * H - SEC)
    assert len(reminders(mailoutbox, ncmec)) == 1
    escalation.sweep(now=ncmec.due_at - 2 * H)
    assert [m.to for m in reminders(mailoutbox, ncmec)] == [[caseworker_a.email], [supervisor_a.email]]
    assert stages(ncmec)[LEAD_SUP].sent_at == ncmec.due_at - 2 * H


def test_the_default_leads_do_not_remind_6_h_before_due(episode, ncmec, mailoutbox):
    escalation.sweep(now=ncmec.due_at - 6 * H)
    assert reminders(mailoutbox, ncmec) == []


# --- Done clocks ------------------------------------------------------------------------------


def test_a_done_clock_gets_nothing(episode, le, caseworker_a, learned, mailoutbox):
    services.record_notification(
        actor=caseworker_a, notification_id=le.pk, expected_version=le.version,
        done_at=learned + 10 * MIN, method="phone", reference="LE-2026-0001",
    )
    for moment in (learned + MIN, le.due_at - H, le.due_at + H):
        escalation.sweep(now=moment)
    assert about(mailoutbox, le) == []
    assert not Escalation.objects.filter(notification=le).exists()
    le.refresh_from_db()
    assert le.overdue_at is None


def test_a_clock_done_after_a_reminder_gets_nothing_further(episode, le, caseworker_a, learned, mailoutbox):
    escalation.sweep(now=learned + MIN)
    assert len(about(mailoutbox, le)) == 1
    services.record_notification(
        actor=caseworker_a, notification_id=le.pk, expected_version=le.version,
        done_at=learned + 30 * MIN, method="portal", reference="LE-2026-0002",
    )
    escalation.sweep(now=le.due_at - H)
    escalation.sweep(now=le.due_at + H)
    assert len(about(mailoutbox, le)) == 1
    assert set(stages(le)) == {FIRST, LEAD_CW}  # the first hour skipped: the 2 h clock began at its lead


# --- Catch-up after an outage -----------------------------------------------------------------


def test_a_clock_first_seen_overdue_gets_only_the_overdue_email(episode, le, ncmec, mailoutbox, caseworker_a):
    counts = escalation.sweep(now=ncmec.due_at + H)

    assert counts == {FIRST: 0, LEAD_CW: 0, LEAD_SUP: 0, OVERDUE: 2, "skipped": 6}
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Overdue"] * 4  # two clocks, two people each
    assert not any(caseworker_a.email in m.to for m in mailoutbox)
    for clock in (le, ncmec):
        rows = stages(clock)
        assert rows[OVERDUE].sent_at == ncmec.due_at + H
        for skipped in (rows[FIRST], rows[LEAD_CW], rows[LEAD_SUP]):
            assert skipped.sent_at is None
            assert skipped.recipients == [escalation.SKIPPED]
        clock.refresh_from_db()
        assert clock.overdue_at == ncmec.due_at + H
    # The skipped reminders are never sent later.
    escalation.sweep(now=ncmec.due_at + 2 * H)
    escalation.sweep(now=ncmec.due_at + 3 * H)
    assert len(mailoutbox) == 4
    assert Alert.objects.filter(key__startswith="notice:").count() == 2


def test_a_clock_first_seen_after_the_second_lead_skips_the_caseworker_reminder(episode, ncmec, mailoutbox):
    escalation.sweep(now=ncmec.due_at - 30 * MIN)
    escalation.sweep(now=ncmec.due_at + SEC)
    assert [m.subject.split(":")[0] for m in about(mailoutbox, ncmec)] == ["Reminder", "Overdue", "Overdue"]
    rows = stages(ncmec)
    assert rows[LEAD_CW].recipients == [escalation.SKIPPED]
    assert rows[LEAD_SUP].sent_at is not None


# --- Sending: the alert delivers, exactly once ----------------------------------------------


def test_a_failed_email_is_retried_by_the_alert_delivery_and_arrives_once(
    episode, le, learned, mailoutbox, monkeypatch, caseworker_a
):
    real_send = alert_delivery.send_mail

    def smtp_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(alert_delivery, "send_mail", smtp_down)
    counts = escalation.sweep(now=learned + MIN)
    assert counts[LEAD_CW] == 1  # the stage is alerted: its alert is saved, the email waits for a retry
    assert about(mailoutbox, le) == []
    delivery = alert_of(le, LEAD_CW).recipients.get().deliveries.get()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.PENDING, "OSError: connection refused")

    monkeypatch.setattr(alert_delivery, "send_mail", real_send)
    escalation.sweep(now=learned + 2 * MIN)  # the clock sweep does not send the stage again
    assert about(mailoutbox, le) == []
    alert_delivery.sweep(now=learned + 2 * MIN)  # the alert sweep retries after the backoff
    alert_delivery.sweep(now=learned + 3 * MIN)
    escalation.sweep(now=learned + 3 * MIN)
    assert to(about(mailoutbox, le)) == [caseworker_a.email]
    assert Escalation.objects.filter(notification=le, sent_at__isnull=False).count() == 1


def test_a_sweep_working_from_an_old_read_sends_nothing_twice(episode, le, learned, mailoutbox, monkeypatch):
    now = learned + MIN
    stale = list(escalation.candidate_clocks(now))  # read before the other sweep
    escalation.sweep(now=now)
    monkeypatch.setattr(escalation, "candidate_clocks", lambda now: stale)
    escalation.sweep(now=now)
    assert len(about(mailoutbox, le)) == 1
    assert Escalation.objects.filter(notification=le, sent_at__isnull=False).count() == 1
    assert Alert.objects.filter(key__startswith=f"notice:{le.pk}:").count() == 1


# --- Who is told ------------------------------------------------------------------------------


def test_caseworker_reminder_falls_back_to_who_logged_the_run(agency, team_a1, caseworker_a, supervisor_a, learned,
                                                              mailoutbox):
    unassigned = YouthFactory(team=team_a1)
    episode = log(caseworker_a, unassigned, learned)
    le = episode.notifications.get(party="law_enforcement")
    escalation.sweep(now=learned + MIN)
    assert [m.to for m in about(mailoutbox, le)] == [[caseworker_a.email]]


def test_nobody_is_emailed_about_a_youth_they_cannot_open(agency, team_a1, caseworker_a, caseworker_a2, caseworker_b,
                                                         supervisor_a, learned, mailoutbox):
    youth = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a, caseworker_a2, caseworker_b])
    inactive = UserFactory(agency=agency, team=team_a1, is_active=False)
    youth.assigned_caseworkers.add(inactive)
    log(caseworker_a, youth, learned)
    escalation.sweep(now=learned + 30 * 24 * H)
    escalation.sweep(now=learned + MIN)
    everyone = {address for m in mailoutbox for address in m.to}
    assert caseworker_a2.email not in everyone  # another team of agency A
    assert caseworker_b.email not in everyone  # agency B
    assert inactive.email not in everyone
    assert not AlertRecipient.objects.filter(user__in=[caseworker_a2, caseworker_b, inactive]).exists()


def test_a_stage_with_nobody_of_its_own_to_tell_alerts_the_first_on_call(
    agency, team_a2, caseworker_a2, agency_admin_a, learned, mailoutbox
):
    youth = YouthFactory(team=team_a2, assigned_caseworkers=[])  # team South has no supervisor
    episode = log(caseworker_a2, youth, learned)
    caseworker_a2.is_active = False  # whoever logged it has left
    caseworker_a2.save()
    le = episode.notifications.get(party="law_enforcement")
    escalation.sweep(now=learned + MIN)
    alert = alert_of(le, LEAD_CW)
    assert list(alert.recipients.values_list("user", "reason")) == [(agency_admin_a.pk, "On call")]
    assert to(about(mailoutbox, le)) == [agency_admin_a.email]


def test_clocks_of_every_agency_are_swept(agency, youth_b, caseworker_b, learned, mailoutbox):
    episode = log(caseworker_b, youth_b, learned)
    ncmec = episode.notifications.get(party="ncmec")
    escalation.sweep(now=ncmec.due_at - 4 * H)
    assert [m.to for m in about(mailoutbox, ncmec)] == [[caseworker_b.email]]


# --- What the emails say ----------------------------------------------------------------------

RESTRICTED = {
    "ssn": "123-45-6789",
    "medical_needs": "Type 1 diabetes",
    "mental_health_needs": "Anxiety disorder",
    "medications": "Insulin glargine",
    "medical_notes": "Allergic to penicillin",
}


def test_emails_show_agency_local_times_and_no_restricted_fields(
    settings, agency, youth_a1, caseworker_a, supervisor_a, learned, mailoutbox, django_capture_on_commit_callbacks
):
    settings.APP_BASE_URL = "https://cases.example.org"
    for name, value in RESTRICTED.items():
        setattr(youth_a1, name, value)
    youth_a1.save()
    with django_capture_on_commit_callbacks(execute=True):
        episode = log(caseworker_a, youth_a1, learned)
    le = episode.notifications.get(party="law_enforcement")
    ncmec = episode.notifications.get(party="ncmec")
    for moment in (
        learned + MIN, le.due_at - H, le.due_at + SEC, ncmec.due_at - 4 * H, ncmec.due_at - H, ncmec.due_at + SEC
    ):
        escalation.sweep(now=moment)

    # The run's alert (to the supervisor: the one who logged it knows), four emails for law enforcement and
    # five for NCMEC (the first hour too; overdue to the compliance contact and the supervisor).
    assert len(mailoutbox) == 10
    le_due = le.due_at.astimezone(HONOLULU)
    assert le_due.strftime("%H:%M") == "10:00"  # 20:00 UTC
    for message in about(mailoutbox, le):
        assert f"{le_due:%b} {le_due.day}, {le_due.year}, 10:00 AM HST" in message.body
        assert "20:00" not in message.body + message.subject
    assert "Reminder: Law enforcement (NCIC entry) due" in about(mailoutbox, le)[0].subject
    assert "10:00 AM HST" in about(mailoutbox, le)[0].subject
    for message in mailoutbox:
        text = message.subject + message.body
        assert f"https://cases.example.org/episodes/{episode.pk}/" in message.body
        assert youth_a1.case_number in text
        for value in RESTRICTED.values():
            assert value not in text
        assert "SSN" not in text
        assert "bus station" not in text  # episode details stay behind the login


# --- The task and its cost --------------------------------------------------------------------


def test_sweep_clocks_task_runs_the_sweep_now(episode, le, ncmec, mailoutbox):
    # The run was logged two days ago: both clocks are overdue now.
    Notification.objects.filter(pk=ncmec.pk).update(due_at=timezone.now() + 2 * H)
    result = tasks.sweep_clocks.delay().get()
    assert result == {FIRST: 0, LEAD_CW: 1, LEAD_SUP: 0, OVERDUE: 1, "skipped": 4}
    le.refresh_from_db()
    assert le.overdue_at is not None


def test_a_sweep_with_nothing_to_send_runs_a_fixed_number_of_queries(agency, team_a1, caseworker_a, supervisor_a,
                                                                     learned, mailoutbox):
    def queries_for_idle_sweep():
        escalation.sweep(now=learned + MIN)
        with CaptureQueriesContext(connection) as context:
            escalation.sweep(now=learned + 2 * MIN)
        return len(context.captured_queries)

    for _ in range(2):
        log(caseworker_a, YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a]), learned)
    few = queries_for_idle_sweep()
    for _ in range(6):
        log(caseworker_a, YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a]), learned)
    assert queries_for_idle_sweep() == few
    # Per kind (the notices, the disclosure reports): the agencies' longest leads, the candidates and, where
    # there are any, their claim rows.
    assert few <= 7


# --- The first hour: law enforcement and NCMEC are to be told immediately -----------------------


def test_stage_due_reaches_the_first_stage_at_its_start_only():
    due = datetime.datetime(2026, 3, 8, 12, 0, tzinfo=datetime.UTC)
    first_from = due - 23 * H
    stages_ = escalation.NOTICE_STAGES
    assert escalation.stage_due(due, first_from - SEC, [4, 1], stages_, first_from) is None
    assert escalation.stage_due(due, first_from, [4, 1], stages_, first_from) == FIRST
    assert escalation.stage_due(due, due - 4 * H, [4, 1], stages_, first_from) == LEAD_CW
    assert escalation.stage_due(due, due + SEC, [4, 1], stages_, first_from) == OVERDUE


def first_hour(mailoutbox, clock):
    return [m for m in about(mailoutbox, clock) if m.subject.startswith("Not recorded yet:")]


def test_the_caseworker_is_reminded_once_an_hour_after_the_agency_learned(
    episode, ncmec, youth_a1, learned, mailoutbox, caseworker_a
):
    escalation.sweep(now=learned + 59 * MIN)
    assert first_hour(mailoutbox, ncmec) == []
    assert FIRST not in stages(ncmec)

    counts = escalation.sweep(now=learned + 60 * MIN)

    [message] = first_hour(mailoutbox, ncmec)
    assert message.to == [caseworker_a.email]
    due = ncmec.due_at.astimezone(HONOLULU)  # 24 h after 08:00 HST
    assert (
        f"NCMEC has not been recorded for {youth_a1.display_name} (case {youth_a1.case_number}) 1 h after the "
        f"agency learned; the law says immediately, at the latest {due:%b} {due.day}, {due.year}, 8:00 AM HST."
    ) in one_line(message.body)
    assert counts[FIRST] == 1
    assert stages(ncmec)[FIRST].sent_at == learned + 60 * MIN

    again = escalation.sweep(now=learned + 61 * MIN)
    escalation.sweep(now=learned + 80 * MIN)
    assert again[FIRST] == 0
    assert len(first_hour(mailoutbox, ncmec)) == 1
    # The reminders before due still follow.
    escalation.sweep(now=ncmec.due_at - 4 * H)
    assert len(reminders(mailoutbox, ncmec)) == 1


def one_line(text):
    return " ".join(text.split())


def test_law_enforcement_gets_the_first_hour_reminder_where_its_clock_is_24_h(
    agency, caseworker_a, supervisor_a, youth_a1, learned, mailoutbox
):
    agency.state = "CO"  # no state rule: the federal 24 h for law enforcement too
    agency.save()
    le = log(caseworker_a, youth_a1, learned).notifications.get(party="law_enforcement")
    assert le.due_at == learned + 24 * H
    escalation.sweep(now=learned + H)
    [message] = first_hour(mailoutbox, le)
    assert one_line(message.body).startswith("Law enforcement has not been recorded for ")


def test_no_first_hour_reminder_when_the_notice_was_recorded_within_the_hour(
    episode, ncmec, caseworker_a, learned, mailoutbox
):
    services.record_notification(
        actor=caseworker_a, notification_id=ncmec.pk, expected_version=ncmec.version,
        done_at=learned + 40 * MIN, method="portal", reference="NCMEC-2026-0001",
    )
    escalation.sweep(now=learned + H)
    assert about(mailoutbox, ncmec) == []
    assert not Escalation.objects.filter(notification=ncmec).exists()


def test_the_agency_sets_when_the_first_hour_reminder_goes_out(agency, episode, ncmec, learned, mailoutbox):
    agency.first_hour_reminder_minutes = 30
    agency.save()
    escalation.sweep(now=learned + 29 * MIN)
    assert first_hour(mailoutbox, ncmec) == []
    escalation.sweep(now=learned + 30 * MIN)
    [message] = first_hour(mailoutbox, ncmec)
    assert "30 min after the agency learned" in one_line(message.body)


def test_no_first_hour_reminder_for_the_recovery_notices_or_the_return_interview(
    episode, caseworker_a, learned, mailoutbox
):
    returned_at = learned + 3 * H
    services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        located_at=returned_at - H, returned_at=returned_at, found_location_type="friend",
        how_located="self_returned",
    )
    after_return = list(episode.notifications.filter(event="returned"))
    assert after_return  # the recovery notices and the return interview
    for moment in (returned_at + H, returned_at + 2 * H):
        escalation.sweep(now=moment)
    assert not Escalation.objects.filter(notification__in=after_return, stage=FIRST).exists()
    assert not any(m.subject.startswith("Not recorded yet:") and "recovery" in m.subject for m in mailoutbox)


def test_a_first_hour_stage_first_seen_at_23_h_is_skipped(episode, ncmec, learned, mailoutbox, supervisor_a):
    counts = escalation.sweep(now=learned + 23 * H)  # the sweep was down; the supervisor's lead applies

    assert counts[FIRST] == 0
    assert counts[LEAD_SUP] >= 1
    rows = stages(ncmec)
    assert (rows[FIRST].sent_at, rows[FIRST].recipients) == (None, [escalation.SKIPPED])
    assert [m.to for m in about(mailoutbox, ncmec)] == [[supervisor_a.email]]
    escalation.sweep(now=learned + 23 * H + 30 * MIN)
    assert first_hour(mailoutbox, ncmec) == []


# --- The candidate read at scale: bounded batches by a partial index of the clocks still to alert -----
# A clock whose overdue alert was raised is read no more, yet its failed email is retried; a claim that fails is
# retried by the next sweep; a clock done after the read is not alerted; batches cover every clock. No timings
# are asserted here: bench/sweep_bench.py measures.


def test_a_failed_overdue_email_is_retried_though_the_clock_is_read_no_more(
    episode, le, learned, mailoutbox, monkeypatch, supervisor_a
):
    def smtp_down(*args, **kwargs):
        raise OSError("connection refused")

    real_send = alert_delivery.send_mail
    monkeypatch.setattr(alert_delivery, "send_mail", smtp_down)
    late = le.due_at + MIN
    assert escalation.sweep(now=late)[OVERDUE] >= 1
    assert about(mailoutbox, le) == []
    le.refresh_from_db()
    assert le.overdue_at == late
    assert le not in list(escalation.candidate_clocks(late + MIN))  # finished with: out of the sweep's index
    assert {d.status for d in alert_of(le, OVERDUE).recipients.get(email=COMPLIANCE).deliveries.all()} == {
        DeliveryStatus.PENDING
    }

    monkeypatch.setattr(alert_delivery, "send_mail", real_send)
    for minutes in (2, 3, 4):
        escalation.sweep(now=late + minutes * MIN)
        alert_delivery.sweep(now=late + minutes * MIN)  # the alert sweep retries after the backoff
    overdue_emails = [m for m in about(mailoutbox, le) if m.subject.startswith("Overdue:")]
    assert sorted(to(overdue_emails)) == sorted([COMPLIANCE, supervisor_a.email])
    assert Escalation.objects.filter(notification=le, stage=OVERDUE).count() == 1


def test_a_claim_that_fails_is_retried_by_the_next_sweep(episode, le, learned, mailoutbox, monkeypatch):
    real_raise = escalation.raise_alert

    def down(**kwargs):
        raise OSError("the database went away mid-claim")

    monkeypatch.setattr(escalation, "raise_alert", down)
    late = le.due_at + MIN
    escalation.sweep(now=late)
    le.refresh_from_db()
    assert le.overdue_at is None  # the claim was rolled back whole
    assert not Escalation.objects.filter(notification=le).exists()
    assert le in list(escalation.candidate_clocks(late))

    monkeypatch.setattr(escalation, "raise_alert", real_raise)
    escalation.sweep(now=late + MIN)
    le.refresh_from_db()
    assert le.overdue_at == late + MIN
    assert about(mailoutbox, le)
    assert {m.subject.split(":")[0] for m in about(mailoutbox, le)} == {"Overdue"}
    assert Escalation.objects.get(notification=le, stage=OVERDUE).sent_at == late + MIN


def test_a_clock_done_between_the_read_and_the_claim_is_not_alerted(
    episode, le, learned, caseworker_a, mailoutbox, monkeypatch
):
    now = learned + MIN
    read = list(escalation.candidate_clocks(now))
    assert le in read
    services.record_notification(
        actor=caseworker_a, notification_id=le.pk, expected_version=le.version,
        done_at=now, method="phone", reference="LE-2026-0002",
    )
    monkeypatch.setattr(escalation, "candidate_clocks", lambda now: read)
    escalation.sweep(now=now)
    assert about(mailoutbox, le) == []
    assert not Escalation.objects.filter(notification=le).exists()
    assert not Alert.objects.filter(key__startswith=f"notice:{le.pk}:").exists()


def test_batches_cover_more_candidates_than_one_batch_holds(
    agency, team_a1, caseworker_a, supervisor_a, learned, mailoutbox, monkeypatch
):
    for _ in range(3):  # the same moment: many clocks share a due time, ties are read in id order
        log(caseworker_a, YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a]), learned)
    late = learned + 2 * 24 * H  # every clock of the three runs is overdue
    wanted = list(Notification.objects.filter(Notification.OPEN, due_at__lte=late + escalation.CANDIDATE_WINDOW)
                  .order_by("due_at", "pk").values_list("pk", flat=True))
    assert len(wanted) > 4
    assert Notification.objects.filter(pk__in=wanted, due_at__gte=late).count() == 0

    monkeypatch.setattr(escalation, "CANDIDATE_BATCH", 2)
    assert [clock.pk for clock in escalation.candidate_clocks(late)] == wanted  # each once, in due order
    assert escalation.sweep(now=late)[OVERDUE] == len(wanted)
    overdue = Escalation.objects.filter(stage=OVERDUE, sent_at__isnull=False)
    assert sorted(overdue.values_list("notification", flat=True)) == sorted(wanted)
    assert list(escalation.candidate_clocks(late + MIN)) == []  # finished with: none is read again
    escalation.sweep(now=late + MIN)
    assert overdue.count() == len(wanted)


def test_a_clock_whose_overdue_mark_was_cleared_is_not_alerted_overdue_twice(episode, le, mailoutbox):
    late = le.due_at + MIN
    escalation.sweep(now=late)
    sent = len(about(mailoutbox, le))
    Notification.objects.filter(pk=le.pk).update(overdue_at=None)  # as a corrected disclosure time clears it
    assert le not in list(escalation.candidate_clocks(late + MIN))  # its overdue claim row still rules it out
    escalation.sweep(now=late + MIN)
    assert len(about(mailoutbox, le)) == sent
