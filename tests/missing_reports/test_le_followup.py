"""When law enforcement says no, and the NCIC entry confirmed clock (docs/duties.md#le-refused, #ncic-2h).

A refusal recorded on the law-enforcement notice of a run starts the follow-up clocks of the agency's rules
(Texas: supervisor and SI program director within 8 h), alerts the supervisors and the first on call once,
and refuses bad input without writing anything. Recording the report to law enforcement starts the NCIC
confirmation clock (default 24 h), which is on the episode page, in My work, in the timeliness report, and
escalates like every clock.
"""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp import work
from caseapp.models import Alert, AuditEvent
from exports.reports.base import ExportFilters, ReportQuery
from exports.reports.timeliness.rows import TimelinessCompliance
from missing_reports import deadlines, escalation
from missing_reports.models import LawEnforcementRefusal, Notification, ReportingRule
from missing_reports.services import episodes as services
from missing_reports.services import le_followup
from tests.factories import UserFactory, on_call_all_week

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)
SEC = datetime.timedelta(seconds=1)


def text(response):
    return " ".join(response.content.decode().split())


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def texas(agency_a):
    agency_a.state = "TX"
    agency_a.save()
    return agency_a


@pytest.fixture
def episode(agency_a, caseworker_a, youth_a1, now):
    return services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, agency_learned_at=now - 3 * H, last_seen_at=now - 4 * H,
        last_seen_location="Near the bus station", reported_by="Foster parent (Ms. Example)",
    )


def report_of(episode):
    return episode.notifications.get(event=deadlines.MISSING, party=deadlines.LAW_ENFORCEMENT)


def ncic_clock(episode):
    return episode.notifications.filter(event=deadlines.NCIC_CONFIRMATION, party=deadlines.LAW_ENFORCEMENT).first()


def refuse(actor, episode, when, **extra):
    fields = {
        "kind": "ncic", "refused_at": when, "le_agency": "Example City Police", "officer_name": "Officer Sample",
        "reason": "Said the youth will come back on their own.",
    } | extra
    return le_followup.record_refusal(actor=actor, notification_id=report_of(episode).pk, **fields)


def give_report(actor, episode, when, **extra):
    report = report_of(episode)
    return services.record_notification(
        actor=actor, notification_id=report.pk, expected_version=report.version, done_at=when, method="phone",
        reference="PD-2026-1", le_agency="Example City Police", **extra,
    )


# --- The rules: pure ------------------------------------------------------------------------------------


def test_a_refusal_asks_the_supervisor_and_the_clearinghouse_by_default_and_texas_adds_its_8_hour_steps():
    start = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)
    default = {d.party: d.hours for d in deadlines.deadlines(deadlines.LE_REFUSED, start, [])}
    assert default == {deadlines.SUPERVISOR: 24, deadlines.STATE_CLEARINGHOUSE: 24}
    texas = deadlines.effective_rules(deadlines.STATE_RULES["TX"])
    steps = {r.party: (r.hours, r.origin) for r in texas if r.event == deadlines.LE_REFUSED}
    assert steps == {
        deadlines.SUPERVISOR: (8, deadlines.STATE),
        deadlines.SI_DIRECTOR: (8, deadlines.STATE),
        deadlines.STATE_CLEARINGHOUSE: (24, deadlines.DEFAULT),
        deadlines.NCMEC: (1, deadlines.STATE),  # the special investigator's follow-up, the next business day
    }
    kentucky = deadlines.effective_rules(deadlines.STATE_RULES["KY"])
    assert any(r.event == deadlines.LE_REFUSED and r.party == deadlines.AFFIDAVIT for r in kentucky)


def test_the_ncic_confirmation_is_a_default_an_agency_may_set_either_way():
    start = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)
    (clock,) = deadlines.deadlines(deadlines.NCIC_CONFIRMATION, start, [])
    assert (clock.party, clock.hours) == (deadlines.LAW_ENFORCEMENT, 24)
    assert "2 h" in clock.source and "41308" in clock.source
    longer = deadlines.Rule(deadlines.NCIC_CONFIRMATION, deadlines.LAW_ENFORCEMENT, 48)
    assert deadlines.deadlines(deadlines.NCIC_CONFIRMATION, start, [longer])[0].hours == 48
    assert deadlines.party_label(deadlines.NCIC_CONFIRMATION, deadlines.LAW_ENFORCEMENT) == "NCIC entry confirmed"
    assert deadlines.party_label(deadlines.LE_REFUSED, deadlines.SUPERVISOR) == (
        "Supervisor told of the refusal by law enforcement"
    )


# --- A refusal ------------------------------------------------------------------------------------------


def test_a_refusal_in_texas_starts_the_8_hour_steps_and_alerts_the_supervisors_once(
    texas, episode, caseworker_a, supervisor_a, team_a1, now, mailoutbox, django_capture_on_commit_callbacks
):
    night = UserFactory(username="night_supervisor", agency=texas, role="supervisor", supervises=[team_a1])
    on_call_all_week(night, team=team_a1)
    refused_at = now - 30 * MIN
    with django_capture_on_commit_callbacks(execute=True):
        refusal = refuse(caseworker_a, episode, refused_at)

    clocks = {n.party: n for n in episode.notifications.filter(event=deadlines.LE_REFUSED)}
    assert set(clocks) == {
        deadlines.SUPERVISOR, deadlines.SI_DIRECTOR, deadlines.STATE_CLEARINGHOUSE, deadlines.NCMEC
    }
    # NCMEC: the special investigator follows up the next business day, to its end in the agency's zone.
    follow_up = clocks[deadlines.NCMEC]
    assert (follow_up.rule_hours, follow_up.rule_unit) == (1, deadlines.BUSINESS_DAYS)
    assert follow_up.due_at.astimezone(zoneinfo.ZoneInfo(texas.time_zone)).strftime("%H:%M:%S") == "23:59:59"
    assert clocks[deadlines.SUPERVISOR].due_at == refused_at + 8 * H
    assert clocks[deadlines.SI_DIRECTOR].due_at == refused_at + 8 * H
    assert clocks[deadlines.STATE_CLEARINGHOUSE].due_at == refused_at + 24 * H
    assert AuditEvent.objects.filter(object_type="lawenforcementrefusal", object_id=str(refusal.pk)).count() == 1
    assert refusal.history.count() == 1

    alert = Alert.objects.get(key=f"le-refused:{refusal.pk}")
    assert sorted(alert.recipients.values_list("user__username", flat=True)) == ["night_supervisor", "supervisor_a"]
    assert "would not enter the youth in ncic" in alert.body.lower()
    assert "NCMEC has not been told yet" in alert.body
    assert "SI program director" in alert.body

    # A correction is a second save of the same refusal: versioned, audited, no second alert, clocks kept.
    corrected = le_followup.correct_refusal(
        actor=caseworker_a, refusal_id=refusal.pk, expected_version=refusal.version,
        reason="Said the youth is 17 and will come back.",
    )
    assert corrected.version == 2 and corrected.history.count() == 2
    assert Alert.objects.filter(kind=le_followup.ALERT_KIND).count() == 1
    assert episode.notifications.filter(event=deadlines.LE_REFUSED).count() == 4
    # The same kind saved again is refused: correct the one recorded instead.
    with pytest.raises(ValidationError) as raised:
        refuse(caseworker_a, episode, refused_at)
    assert "already recorded" in str(raised.value)
    assert Alert.objects.filter(kind=le_followup.ALERT_KIND).count() == 1


def test_the_steps_are_in_my_work_in_words(texas, episode, caseworker_a, now):
    refuse(caseworker_a, episode, now - H)
    whats = {i.what for i in work.my_items(caseworker_a, now) if i.kind == "notice"}
    assert {
        "Tell the supervisor law enforcement said no",
        "Tell the SI program director law enforcement said no",
        "Tell the state clearinghouse law enforcement said no",
    } <= whats


def test_a_second_kind_of_refusal_alerts_but_finds_the_steps_running(episode, caseworker_a, supervisor_a, now):
    refuse(caseworker_a, episode, now - H, kind="report")
    refuse(caseworker_a, episode, now - 30 * MIN, kind="ncic")
    assert episode.notifications.filter(event=deadlines.LE_REFUSED).count() == 2  # Kansas: the defaults
    assert Alert.objects.filter(kind=le_followup.ALERT_KIND).count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": "   "}, "reason"),
        ({"refused_at": None}, "refused_at"),
        ({"le_agency": ""}, "le_agency"),
        ({"kind": "shrugged"}, "kind"),
    ],
)
def test_bad_input_changes_nothing(episode, caseworker_a, now, change, field):
    before = (Notification.objects.count(), Alert.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as raised:
        refuse(caseworker_a, episode, now - H, **change)
    assert field in raised.value.message_dict
    assert LawEnforcementRefusal.objects.count() == 0
    assert (Notification.objects.count(), Alert.objects.count(), AuditEvent.objects.count()) == before


def test_a_refusal_in_the_future_is_refused(episode, caseworker_a, now):
    with pytest.raises(ValidationError) as raised:
        refuse(caseworker_a, episode, now + H)
    assert raised.value.message_dict["refused_at"] == ["The time law enforcement said no cannot be in the future."]
    assert LawEnforcementRefusal.objects.count() == 0
    assert not episode.notifications.filter(event=deadlines.LE_REFUSED).exists()


def test_a_refusal_belongs_to_the_report_of_a_run_and_to_its_editors(episode, caseworker_a, caseworker_a2, now):
    ncmec = episode.notifications.get(party=deadlines.NCMEC)
    with pytest.raises(Http404):
        le_followup.record_refusal(
            actor=caseworker_a, notification_id=ncmec.pk, kind="report", refused_at=now, le_agency="PD", reason="No"
        )
    with pytest.raises(Http404):
        refuse(caseworker_a2, episode, now - H)  # another team's caseworker


# --- The pages ------------------------------------------------------------------------------------------


def test_the_caseworker_records_a_refusal_from_the_episode_page(client_for, caseworker_a, episode, now):
    client = client_for(caseworker_a)
    page = text(client.get(reverse("episode_detail", args=[episode.pk])))
    url = reverse("le_refusal_create", args=[report_of(episode).pk])
    assert f'href="{url}"' in page and "Law enforcement said no" in page

    form = text(client.get(url))
    assert "within 2 hours" in form and "Agency time" in form
    local = timezone.localtime(now - H, timezone.get_current_timezone())
    data = {
        "version": 1, "kind": "report", "refused_at": local.strftime("%Y-%m-%dT%H:%M"),
        "le_agency": "Example City Police", "officer_name": "Officer Sample", "badge_number": "4411", "reason": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Write down the reason law enforcement gave" in text(refused)
    assert LawEnforcementRefusal.objects.count() == 0

    response = client.post(url, {**data, "reason": "Told us to wait 24 hours."}, follow=True)
    page = text(response)
    assert "The refusal is recorded" in page
    assert "Would not take the report" in page and "Told us to wait 24 hours." in page
    assert "After law enforcement said no" in page
    assert "Supervisor told of the refusal by law enforcement" in page
    assert "NCMEC has not been told yet." in page
    assert "Law enforcement said no: " in page  # the alert, in the episode's alert trail
    refusal = LawEnforcementRefusal.objects.get()
    assert f'href="{reverse("le_refusal_edit", args=[refusal.pk])}"' in page


def test_a_refusal_is_corrected_on_its_page_and_a_stale_save_is_a_conflict(client_for, caseworker_a, episode, now):
    refusal = refuse(caseworker_a, episode, now - H)
    client = client_for(caseworker_a)
    url = reverse("le_refusal_edit", args=[refusal.pk])
    local = timezone.localtime(refusal.refused_at, timezone.get_current_timezone())
    data = {
        "version": 1, "kind": "ncic", "refused_at": local.strftime("%Y-%m-%dT%H:%M"),
        "le_agency": "Example County Sheriff", "officer_name": "", "badge_number": "", "reason": refusal.reason,
    }
    assert client.post(url, data).status_code == 302
    refusal.refresh_from_db()
    assert (refusal.le_agency, refusal.version) == ("Example County Sheriff", 2)
    stale = client.post(url, {**data, "le_agency": "Someone else"})
    assert stale.status_code == 200
    refusal.refresh_from_db()
    assert refusal.le_agency == "Example County Sheriff"


def test_the_refusal_pages_are_404_to_outsiders_and_other_notices(client_for, caseworker_b, caseworker_a, episode, now):
    refusal = refuse(caseworker_a, episode, now - H)
    outsider = client_for(caseworker_b)
    for url in (
        reverse("le_refusal_create", args=[report_of(episode).pk]),
        reverse("le_refusal_edit", args=[refusal.pk]),
    ):
        assert outsider.get(url).status_code == 404
        assert outsider.post(url, {}).status_code == 404
    ncmec = episode.notifications.get(party=deadlines.NCMEC)
    assert client_for(caseworker_a).get(reverse("le_refusal_create", args=[ncmec.pk])).status_code == 404


# --- The NCIC entry confirmed clock ---------------------------------------------------------------------


def test_the_report_to_law_enforcement_starts_the_ncic_clock_which_runs_and_escalates(
    episode, caseworker_a, supervisor_a, caseworker_a2, now
):
    assert ncic_clock(episode) is None
    given = now - 2 * H
    give_report(caseworker_a, episode, given)
    clock = ncic_clock(episode)
    assert clock.due_at == given + 24 * H and clock.rule_hours == 24 and not clock.is_done
    assert clock.label == "NCIC entry confirmed"

    # In My work for the youth's caseworker only, in words.
    mine = [i for i in work.my_items(caseworker_a, now) if i.kind == "notice"]
    assert [i.what for i in mine] == ["Report to NCMEC", "Confirm the NCIC entry with law enforcement"]
    assert mine[1].url == reverse("notification_record", args=[clock.pk])
    assert not [i for i in work.my_items(caseworker_a2, now) if "NCIC" in i.what]

    # The sweep: a reminder before due, and overdue after it, like every clock.
    escalation.sweep(now=clock.due_at - 4 * H)
    assert Alert.objects.filter(key=f"notice:{clock.pk}:lead_caseworker").exists()
    escalation.sweep(now=clock.due_at + SEC)
    clock.refresh_from_db()
    assert clock.overdue_at == clock.due_at + SEC
    overdue = Alert.objects.get(key=f"notice:{clock.pk}:overdue")
    assert "NCIC entry confirmed" in overdue.subject
    assert "from the report to law enforcement" in overdue.body  # its hours run from the report, not the run
    assert "supervisor_a" in overdue.recipients.values_list("user__username", flat=True)


def test_the_ncic_clock_is_done_when_the_confirmation_is_recorded(client_for, episode, caseworker_a, now):
    give_report(caseworker_a, episode, now - 2 * H)
    clock = ncic_clock(episode)
    client = client_for(caseworker_a)
    url = reverse("notification_record", args=[clock.pk])
    form = text(client.get(url))
    assert "Record the NCIC entry confirmation" in form and "2 hours" in form
    assert "When the NCIC entry was confirmed" in form and "Officer" in form
    local = timezone.localtime(now - H, timezone.get_current_timezone())
    response = client.post(
        url, {"version": clock.version, "done_at": local.strftime("%Y-%m-%dT%H:%M"), "method": "phone",
              "ncic_number": "M123456789"},
        follow=True,
    )
    assert response.status_code == 200
    clock.refresh_from_db()
    assert clock.is_done and clock.reference == "M123456789" and clock.done_by == caseworker_a
    report = report_of(episode)
    assert report.ncic_number == "M123456789" and report.ncic_confirmed_at == clock.done_at
    assert not [i for i in work.my_items(caseworker_a, now) if "NCIC" in i.what]
    assert "After the report to law enforcement" in text(response)


def test_a_report_given_with_the_entry_confirmed_starts_the_clock_done(episode, caseworker_a, now):
    give_report(caseworker_a, episode, now - 2 * H, ncic_number="M42", ncic_confirmed_at=now - H)
    clock = ncic_clock(episode)
    assert clock.is_done and clock.done_at == now - H and clock.reference == "M42"


def test_a_correction_adding_the_confirmation_closes_the_open_clock(episode, caseworker_a, now):
    report = give_report(caseworker_a, episode, now - 2 * H)
    services.record_notification(
        actor=caseworker_a, notification_id=report.pk, expected_version=report.version, done_at=now - 2 * H,
        method="phone", reference="PD-2026-1", ncic_confirmed_at=now - H,
    )
    clock = ncic_clock(episode)
    assert clock.is_done and clock.explanation == le_followup.CONFIRMED_ON_THE_SPOT
    assert Notification.objects.filter(event=deadlines.NCIC_CONFIRMATION).count() == 1


def test_the_board_names_the_ncic_clock_apart_from_the_report(client_for, episode, caseworker_a, now):
    give_report(caseworker_a, episode, now - 2 * H)
    response = client_for(caseworker_a).get(reverse("missing_now"))
    (row,) = response.context["rows"]
    assert [c.text.split(" ")[0] for c in row["clocks"]] == ["LE", "NCMEC", "NCIC"]


def test_an_agency_row_sets_the_ncic_clock(agency_a, episode, caseworker_a, now):
    ReportingRule.objects.create(agency=agency_a, event=deadlines.NCIC_CONFIRMATION, party="law_enforcement", hours=4)
    give_report(caseworker_a, episode, now - H)
    assert ncic_clock(episode).due_at == now - H + 4 * H


def test_the_timeliness_report_lists_the_new_clocks(episode, caseworker_a, agency_staff_a, agency_a, now):
    give_report(caseworker_a, episode, now - 2 * H)
    refuse(caseworker_a, episode, now - H)
    day = timezone.localdate()
    query = ReportQuery(
        agency=agency_a, user=agency_staff_a, as_of=now,
        filters=ExportFilters.from_json(
            {"period_start": (day - datetime.timedelta(days=2)).isoformat(), "period_end": day.isoformat()}
        ),
    )
    rows = {row[4]: row for row in TimelinessCompliance().rows(query)}
    assert rows["NCIC entry confirmed"][10] == "Not yet due"
    assert rows["NCIC entry confirmed"][11] is False
    assert "Supervisor told of the refusal by law enforcement" in rows
    assert "State missing-child clearinghouse told of the refusal" in rows


def test_the_episode_page_runs_the_same_queries_with_and_without_refusals(client_for, supervisor_a, episode, now):
    client = client_for(supervisor_a)
    url = reverse("episode_detail", args=[episode.pk])
    give_report(supervisor_a, episode, now - 2 * H)
    refuse(supervisor_a, episode, now - H, kind="report")
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    refuse(supervisor_a, episode, now - 30 * MIN, kind="ncic")
    with CaptureQueriesContext(connection) as two:
        response = client.get(url)
    assert text(response).count("Reason given") == 2
    assert len(two.captured_queries) == len(one.captured_queries)
