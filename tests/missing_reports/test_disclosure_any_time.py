"""A disclosure on any observation, and a disclosure corrected or withdrawn (docs/duties.md#disclosures,
#disclosure-clocks).

A youth who was never missing, or whose episodes closed long ago, can disclose abuse, neglect, another crime or
online exploitation with a risk observation: the disclosure is the youth's, and its reports are the same evidenced
clocks as an episode's (DisclosureReport), due by the agency's rules (Texas 8 h), on the youth's page, in My work,
escalated by the sweep and counted in the timeliness report. After it is saved, the recorder or a supervisor may
correct its time or wording with a reason (versioned, audited, history kept; the reports not yet made follow the
time), or withdraw it as recorded in error: kept, and its reports not yet made close as not required.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from caseapp import work
from caseapp.models import Alert, AuditEvent
from caseapp.services.errors import EditConflict
from exports.reports.base import ExportFilters, ReportQuery
from exports.reports.timeliness.rows import TimelinessCompliance
from missing_reports import deadlines, escalation
from missing_reports.models import Disclosure, DisclosureEscalation, DisclosureReport, Notification
from missing_reports.services import disclosures
from missing_reports.services import episodes as services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
SEC = datetime.timedelta(seconds=1)
SAID = "Said the older boyfriend posts photos of them online for money."
HOTLINE = deadlines.DISCLOSED_PARTY_LABELS[deadlines.ABUSE_HOTLINE]
POLICE = deadlines.DISCLOSED_PARTY_LABELS[deadlines.LAW_ENFORCEMENT]


def text(response):
    return " ".join(response.content.decode().split())


def local(value):
    return timezone.localtime(value, timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def texas(agency_a):
    agency_a.state = "TX"
    agency_a.save()
    return agency_a


@pytest.fixture
def peer_a(agency_a, team_a1):
    """Another caseworker of team North: may edit the youth, did not record the disclosure."""
    from caseapp.models import Role

    return UserFactory(username="peer_a", agency=agency_a, role=Role.CASEWORKER, team=team_a1)


def disclose(actor, youth, when, **extra):
    fields = {"kind": "abuse_neglect", "disclosed_at": when, "what_was_said": SAID}
    return disclosures.record_disclosure(actor=actor, youth_id=youth.pk, **(fields | extra))


def reports(disclosure):
    return {r.party: r for r in DisclosureReport.objects.filter(disclosure=disclosure)}


def record(actor, report, when, **extra):
    return disclosures.record_disclosure_report(
        actor=actor, report_id=report.pk, expected_version=report.version, done_at=when, method="phone",
        **({"reference": "INTAKE-7"} | extra),
    )


# --- Recorded without an episode -------------------------------------------------------------------------------


def test_a_youth_never_missing_discloses_with_an_observation_and_the_reports_start(youth_a1, caseworker_a, now):
    assert not youth_a1.missing_episodes.exists()
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    assert disclosure.episode is None and disclosure.youth == youth_a1
    assert disclosure.context == "risk_observation"  # the default of the youth's form
    started = reports(disclosure)
    assert set(started) == {deadlines.ABUSE_HOTLINE, deadlines.LAW_ENFORCEMENT}
    for report in started.values():
        assert report.due_at == now - H + 24 * H and report.rule_hours == 24 and not report.is_done
        assert report.label in (HOTLINE, POLICE)
    # No episode notice was made, and each new clock and the disclosure were audited without what was said.
    assert not Notification.objects.filter(event=deadlines.DISCLOSED).exists()
    rows = AuditEvent.objects.filter(youth_id=youth_a1.pk, action="create")
    assert rows.filter(object_type__endswith="disclosurereport").count() == 2
    assert all(SAID not in str(row.detail) for row in rows)
    # The supervisors are alerted, pointing at the youth's page.
    alert = Alert.objects.get(key=f"disclosure:{disclosure.pk}")
    assert alert.url == reverse("youth_detail", args=[youth_a1.pk]) + "#disclosures-h"
    assert "youth's page" in alert.body and SAID not in alert.body


def test_a_texas_agencys_reports_are_8_hours_and_online_exploitation_adds_the_cybertipline(
    texas, youth_a1, caseworker_a, now
):
    disclosure = disclose(caseworker_a, youth_a1, now - H, kind="online_exploitation")
    started = reports(disclosure)
    assert {party: r.rule_hours for party, r in started.items()} == {
        deadlines.ABUSE_HOTLINE: 8, deadlines.LAW_ENFORCEMENT: 8, deadlines.CYBERTIPLINE: 24,
    }
    assert started[deadlines.LAW_ENFORCEMENT].due_at == now - H + 8 * H
    assert "6461.5" in started[deadlines.ABUSE_HOTLINE].rule_source


def test_a_youth_whose_episodes_closed_long_ago_can_disclose_without_an_episode(youth_a1, caseworker_a, now):
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, agency_learned_at=now - 400 * 24 * H,
        last_seen_at=now - 401 * 24 * H, last_seen_location="Park", reported_by="Foster parent",
    )
    services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version, returned_at=now - 399 * 24 * H,
    )
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    assert disclosure.episode is None and len(reports(disclosure)) == 2
    assert not episode.notifications.filter(event=deadlines.DISCLOSED).exists()


def test_a_return_interview_context_belongs_to_an_episode(youth_a1, caseworker_a, now):
    with pytest.raises(ValidationError) as refused:
        disclose(caseworker_a, youth_a1, now - H, context="return_interview")
    assert "episode's page" in refused.value.message_dict["context"][0]
    assert not Disclosure.objects.exists()


def counts():
    return tuple(model.objects.count() for model in (DisclosureReport, Alert, AuditEvent, Disclosure))


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": ""}, "kind"),
        ({"what_was_said": " "}, "what_was_said"),
        ({"disclosed_at": None}, "disclosed_at"),
        ({"context": "gossip"}, "context"),
    ],
)
def test_bad_input_changes_nothing(youth_a1, caseworker_a, now, change, field):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        disclose(caseworker_a, youth_a1, now - H, **change)
    assert field in refused.value.message_dict
    assert counts() == before


def test_a_future_time_is_refused(youth_a1, caseworker_a, now):
    with pytest.raises(ValidationError) as refused:
        disclose(caseworker_a, youth_a1, now + 2 * H)
    assert refused.value.message_dict["disclosed_at"] == ["The time of the disclosure cannot be in the future."]


def test_only_editors_of_the_youth_may_record_one(youth_a1, caseworker_a2, agency_staff_a, caseworker_b, now):
    for outsider in (caseworker_a2, agency_staff_a, caseworker_b):
        with pytest.raises(Http404):
            disclose(outsider, youth_a1, now - H)
    assert not Disclosure.objects.exists()


# --- Where its reports are --------------------------------------------------------------------------------------


def test_the_reports_are_my_work_and_leave_when_recorded(youth_a1, caseworker_a, caseworker_a2, now):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    mine = [i for i in work.my_items(caseworker_a, now) if i.kind == "disclosure_report"]
    assert sorted(i.what for i in mine) == sorted(
        ["Report the disclosure to the child abuse hotline", "Report the disclosure to law enforcement"]
    )
    assert all(i.url.startswith("/disclosure-reports/") for i in mine)
    assert not [i for i in work.my_items(caseworker_a2, now) if i.kind == "disclosure_report"]
    record(caseworker_a, reports(disclosure)[deadlines.ABUSE_HOTLINE], now)
    left = [i.what for i in work.my_items(caseworker_a, now) if i.kind == "disclosure_report"]
    assert left == ["Report the disclosure to law enforcement"]


def test_the_source_runs_one_query(django_assert_num_queries, youth_a1, caseworker_a, now):
    disclose(caseworker_a, youth_a1, now - 2 * H)
    disclose(caseworker_a, youth_a1, now - H, kind="online_exploitation")
    source = next(s for s in work.sources() if s.kind == "disclosure_report")
    from caseapp import access

    with django_assert_num_queries(1):
        assert len(list(source.items(access.youth_visible_to(caseworker_a), now))) == 5


def test_the_reports_escalate_like_every_clock(youth_a1, caseworker_a, supervisor_a, now):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    police = reports(disclosure)[deadlines.LAW_ENFORCEMENT]
    escalation.sweep(now=police.due_at - 4 * H)
    reminder = Alert.objects.get(key=f"disclosure-report:{police.pk}:lead_caseworker")
    assert list(reminder.recipients.values_list("user__username", flat=True)) == ["caseworker_a"]
    escalation.sweep(now=police.due_at + SEC)
    overdue = Alert.objects.get(key=f"disclosure-report:{police.pk}:overdue")
    assert POLICE in overdue.subject and "from the youth's disclosure" in overdue.body
    assert SAID not in overdue.body
    police.refresh_from_db()
    assert police.overdue_at is not None
    # Each stage once, however often the sweep runs.
    escalation.sweep(now=police.due_at + 2 * SEC)
    assert DisclosureEscalation.objects.filter(report=police, stage="overdue").count() == 1


def test_the_timeliness_report_counts_the_reports_by_the_disclosures_time(
    youth_a1, caseworker_a, agency_staff_a, agency_a, now
):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    record(caseworker_a, reports(disclosure)[deadlines.ABUSE_HOTLINE], now)
    day = timezone.localdate()
    query = ReportQuery(
        agency=agency_a, user=agency_staff_a, as_of=now,
        filters=ExportFilters.from_json(
            {"period_start": (day - datetime.timedelta(days=2)).isoformat(), "period_end": day.isoformat()}
        ),
    )
    report = TimelinessCompliance()
    rows = {row[4]: row for row in report.rows(query)}
    assert rows[HOTLINE][0] is None and rows[HOTLINE][2] == youth_a1.case_number
    assert rows[HOTLINE][10] == "On time" and rows[POLICE][10] == "Not yet due"
    assert report.count(query) == 2


def test_the_youth_page_lists_it_with_its_reports_and_hides_what_was_said_from_agency_staff(
    client_for, youth_a1, caseworker_a, agency_staff_a, now
):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    page = text(client_for(caseworker_a).get(reverse("youth_detail", args=[youth_a1.pk])))
    section = page[page.index('id="disclosures-h"'):]
    assert "Abuse or neglect" in section and SAID in section
    for report in disclosure.reports.all():
        assert reverse("disclosure_report_record", args=[report.pk]) in section
    assert reverse("disclosure_correct", args=[disclosure.pk]) in section
    staff = text(client_for(agency_staff_a).get(reverse("youth_detail", args=[youth_a1.pk])))
    assert SAID not in staff and "Restricted" in staff[staff.index('id="disclosures-h"'):]
    assert reverse("disclosure_correct", args=[disclosure.pk]) not in staff


def test_an_empty_youth_page_says_none_and_offers_it_to_editors(client_for, youth_a1, caseworker_a, agency_staff_a):
    page = text(client_for(caseworker_a).get(reverse("youth_detail", args=[youth_a1.pk])))
    assert "No disclosure recorded." in page
    assert reverse("youth_disclosure_create", args=[youth_a1.pk]) in page
    staff = text(client_for(agency_staff_a).get(reverse("youth_detail", args=[youth_a1.pk])))
    assert reverse("youth_disclosure_create", args=[youth_a1.pk]) not in staff


def test_the_risk_pages_offer_it(client_for, youth_a1, caseworker_a):
    url = reverse("youth_disclosure_create", args=[youth_a1.pk])
    assert url in text(client_for(caseworker_a).get(reverse("risk_observe", args=[youth_a1.pk])))
    assert url in text(client_for(caseworker_a).get(reverse("youth_risk", args=[youth_a1.pk])))


def test_the_caseworker_records_one_from_the_form(client_for, youth_a1, caseworker_a, now):
    client = client_for(caseworker_a)
    url = reverse("youth_disclosure_create", args=[youth_a1.pk])
    form = text(client.get(url))
    assert "With a risk observation" in form and "At the return interview" not in form
    response = client.post(url, {
        "kind": "crime", "disclosed_at": local(now - H), "context": "risk_observation",
        "context_note": "With observation C3.2", "what_was_said": SAID,
    })
    disclosure = Disclosure.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("youth_detail", args=[youth_a1.pk]) + "#disclosures-h"
    assert disclosure.context_note == "With observation C3.2" and disclosure.episode is None
    assert len(reports(disclosure)) == 2


def test_the_form_with_bad_input_says_why_and_saves_nothing(client_for, youth_a1, caseworker_a, now):
    response = client_for(caseworker_a).post(
        reverse("youth_disclosure_create", args=[youth_a1.pk]),
        {"kind": "", "disclosed_at": local(now - H), "context": "risk_observation", "what_was_said": ""},
    )
    assert response.status_code == 200
    page = text(response)
    assert "Say what the youth disclosed." in page and "Write down what the youth said" in page
    assert not Disclosure.objects.exists()


def test_a_report_is_recorded_on_its_page_with_its_evidence(client_for, youth_a1, caseworker_a, now):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    police = reports(disclosure)[deadlines.LAW_ENFORCEMENT]
    client = client_for(caseworker_a)
    url = reverse("disclosure_report_record", args=[police.pk])
    page = text(client.get(url))
    assert "Report the disclosure to law enforcement" in page and "Officer" in page
    refused = client.post(url, {"done_at": local(now), "method": "phone", "version": police.version})
    assert "Give the reference or case number" in text(refused)
    police.refresh_from_db()
    assert not police.is_done
    response = client.post(url, {
        "done_at": local(now), "method": "phone", "reference": "PD-2026-7", "le_agency": "Example City Police",
        "officer_name": "Ofc. Example", "version": police.version,
    })
    assert response.status_code == 302
    police.refresh_from_db()
    assert police.is_done and police.done_by == caseworker_a and police.reference == "PD-2026-7"
    assert police.history.count() == 2


def test_a_report_before_the_disclosure_or_a_stale_one_is_refused(youth_a1, caseworker_a, now):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    hotline = reports(disclosure)[deadlines.ABUSE_HOTLINE]
    with pytest.raises(ValidationError) as refused:
        record(caseworker_a, hotline, now - 2 * H)
    assert "before the youth disclosed it" in refused.value.message_dict["done_at"][0]
    record(caseworker_a, hotline, now)
    with pytest.raises(EditConflict):
        record(caseworker_a, hotline, now, reference="OTHER")


# --- Correcting ------------------------------------------------------------------------------------------------


def correct(actor, disclosure, reason="The time was typed wrong.", **fields):
    return disclosures.correct_disclosure(
        actor=actor, disclosure_id=disclosure.pk, expected_version=disclosure.version, reason=reason, **fields
    )


def test_a_corrected_time_moves_the_reports_not_yet_made_only(youth_a1, caseworker_a, now):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    hotline = reports(disclosure)[deadlines.ABUSE_HOTLINE]
    record(caseworker_a, hotline, now)  # made, due now - H + 24 h: it keeps that
    corrected = correct(caseworker_a, disclosure, disclosed_at=now - 5 * H)
    assert corrected.version == 2 and corrected.correction_reason == "The time was typed wrong."
    after = reports(disclosure)
    assert after[deadlines.ABUSE_HOTLINE].due_at == now - H + 24 * H
    assert after[deadlines.LAW_ENFORCEMENT].due_at == now - 5 * H + 24 * H
    # Audited (field names, never what was said) and history kept with the earlier version.
    row = AuditEvent.objects.filter(object_type__endswith="disclosure", action="update").get()
    assert row.detail["changed"] == ["disclosed_at"]
    assert [h.disclosed_at for h in corrected.history.order_by("history_id")] == [now - H, now - 5 * H]
    assert AuditEvent.objects.filter(object_type__endswith="disclosurereport", action="update").count() == 2


def test_a_corrected_later_time_gains_no_time_beyond_when_it_was_recorded(youth_a1, caseworker_a, now):
    disclosure = disclose(caseworker_a, youth_a1, now - 3 * H)
    # A minute after it was recorded: within the allowance for a phone's clock, so not "in the future".
    correct(caseworker_a, disclosure, disclosed_at=disclosure.recorded_at + datetime.timedelta(minutes=1))
    # From the disclosure, never later than when it was recorded.
    assert reports(disclosure)[deadlines.LAW_ENFORCEMENT].due_at == disclosure.recorded_at + 24 * H


def test_an_episodes_disclosure_is_corrected_and_its_notices_follow(client_for, caseworker_a, youth_a1, now):
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, agency_learned_at=now - 30 * H, last_seen_at=now - 31 * H,
        last_seen_location="Bus station", reported_by="Foster parent",
    )
    episode = services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version, located_at=now - 10 * H,
        returned_at=now - 9 * H,
    )
    disclosure = disclosures.record_disclosure(
        actor=caseworker_a, episode_id=episode.pk, kind="crime", disclosed_at=now - H, what_was_said=SAID,
    )
    correct(caseworker_a, disclosure, disclosed_at=now - 4 * H)
    assert {n.due_at for n in disclosure.notifications.all()} == {now - 4 * H + 24 * H}
    # Before the youth was found is refused, and changes nothing.
    disclosure.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        correct(caseworker_a, disclosure, disclosed_at=now - 12 * H)
    assert "found or later" in refused.value.message_dict["disclosed_at"][0]
    disclosure.refresh_from_db()
    assert disclosure.disclosed_at == now - 4 * H
    page = text(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert reverse("disclosure_correct", args=[disclosure.pk]) in page
    assert "The time was typed wrong." in page


def test_a_correction_needs_a_reason_and_a_current_version(youth_a1, caseworker_a, now):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    with pytest.raises(ValidationError) as refused:
        correct(caseworker_a, disclosure, reason=" ", what_was_said="Said an adult at home hurt them.")
    assert "reason" in refused.value.message_dict
    stale = Disclosure.objects.get(pk=disclosure.pk)
    correct(caseworker_a, disclosure, reason="Their words, as they said them.", what_was_said="Said it again.")
    with pytest.raises(EditConflict):
        correct(caseworker_a, stale, what_was_said="A third wording.")
    disclosure.refresh_from_db()
    assert disclosure.what_was_said == "Said it again." and disclosure.version == 2


def test_the_recorder_and_a_supervisor_may_correct_others_may_not(
    youth_a1, caseworker_a, peer_a, supervisor_a, agency_admin_a, caseworker_a2, now
):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    with pytest.raises(ValidationError) as refused:
        correct(peer_a, disclosure, context_note="Told the foster parent")
    assert "Only the person who recorded this disclosure, or a supervisor" in str(refused.value)
    with pytest.raises(Http404):
        correct(caseworker_a2, disclosure, context_note="Told the foster parent")
    disclosure = correct(supervisor_a, disclosure, reason="Who the youth told.", context_note="Told the foster parent")
    disclosure = correct(agency_admin_a, disclosure, reason="Where.", context_note="Told the school nurse")
    assert disclosure.version == 3


def test_the_correction_page_shows_a_conflict_instead_of_overwriting(client_for, youth_a1, caseworker_a, now):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    client = client_for(caseworker_a)
    url = reverse("disclosure_correct", args=[disclosure.pk])
    assert "Correct a disclosure" in text(client.get(url))
    correct(caseworker_a, disclosure, reason="Who.", context_note="Told the foster parent")
    response = client.post(url, {
        "disclosed_at": local(now - 2 * H), "context": "risk_observation", "context_note": "Told a teacher",
        "what_was_said": SAID, "reason": "Time typed wrong.", "version": 1,
    })
    assert response.status_code == 200
    disclosure.refresh_from_db()
    assert disclosure.context_note == "Told the foster parent" and disclosure.disclosed_at == now - H


def test_the_correction_page_is_refused_to_an_editor_who_did_not_record_it(
    client_for, youth_a1, caseworker_a, peer_a, now
):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    response = client_for(peer_a).get(reverse("disclosure_correct", args=[disclosure.pk]))
    assert response.status_code == 403
    assert "Only the person who recorded this disclosure" in text(response)


# --- Withdrawing -----------------------------------------------------------------------------------------------


def withdraw(actor, disclosure, reason="Recorded for the wrong youth."):
    return disclosures.withdraw_disclosure(
        actor=actor, disclosure_id=disclosure.pk, expected_version=disclosure.version, reason=reason
    )


def test_a_withdrawn_disclosure_is_kept_and_its_open_reports_close_as_not_required(
    youth_a1, caseworker_a, supervisor_a, agency_staff_a, agency_a, now
):
    disclosure = disclose(caseworker_a, youth_a1, now - 30 * H)
    hotline = reports(disclosure)[deadlines.ABUSE_HOTLINE]
    record(caseworker_a, hotline, now - 29 * H)
    withdrawn = withdraw(supervisor_a, disclosure)
    assert Disclosure.objects.filter(pk=disclosure.pk).exists()
    assert withdrawn.is_withdrawn and withdrawn.withdrawn_by == supervisor_a
    police = reports(disclosure)[deadlines.LAW_ENFORCEMENT]
    assert police.is_closed and not police.is_done
    # Out of My work and out of the sweep: overdue now, yet never alerted.
    assert not [i for i in work.my_items(caseworker_a, now) if i.kind == "disclosure_report"]
    escalation.sweep(now=now)
    assert not Alert.objects.filter(key__startswith=f"disclosure-report:{police.pk}:").exists()
    # The timeliness report keeps the report made and leaves out the one not required.
    day = timezone.localdate()
    query = ReportQuery(
        agency=agency_a, user=agency_staff_a, as_of=now,
        filters=ExportFilters.from_json(
            {"period_start": (day - datetime.timedelta(days=3)).isoformat(), "period_end": day.isoformat()}
        ),
    )
    assert [row[4] for row in TimelinessCompliance().rows(query)] == [HOTLINE]
    row = AuditEvent.objects.filter(object_type__endswith="disclosure", action="update").get()
    assert row.detail["withdrawn"] == "recorded in error"
    assert row.detail["clocks_closed_as_not_required"] == [police.pk]
    # A closed report cannot be recorded; a withdrawn disclosure cannot be corrected or withdrawn again.
    with pytest.raises(ValidationError):
        record(caseworker_a, police, now)
    with pytest.raises(ValidationError):
        correct(supervisor_a, withdrawn, context_note="x")
    with pytest.raises(ValidationError):
        withdraw(supervisor_a, withdrawn)


def test_withdrawing_an_episodes_disclosure_closes_its_notices(client_for, caseworker_a, youth_a1, now):
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, agency_learned_at=now - 30 * H, last_seen_at=now - 31 * H,
        last_seen_location="Bus station", reported_by="Foster parent",
    )
    episode = services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version, returned_at=now - 9 * H,
    )
    disclosure = disclosures.record_disclosure(
        actor=caseworker_a, episode_id=episode.pk, kind="abuse_neglect", disclosed_at=now - 8 * H,
        what_was_said=SAID,
    )
    withdraw(caseworker_a, disclosure)
    assert not [i for i in work.my_items(caseworker_a, now) if "disclosure" in i.what]
    clock = disclosure.notifications.get(party=deadlines.LAW_ENFORCEMENT)
    escalation.sweep(now=clock.due_at + SEC)
    assert not Alert.objects.filter(key__startswith=f"notice:{clock.pk}:").exists()
    with pytest.raises(ValidationError):
        services.record_notification(
            actor=caseworker_a, notification_id=clock.pk, expected_version=clock.version, done_at=now,
            method="phone", reference="X",
        )
    page = text(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert "Withdrawn: recorded in error" in page and "Not required" in page
    assert reverse("notification_record", args=[clock.pk]) not in page
    youth_page = text(client_for(caseworker_a).get(reverse("youth_detail", args=[youth_a1.pk])))
    # The episode's summary counts its own overdue notices, not the closed reports (overdue by their due time).
    timeline = youth_page[youth_page.index('id="missing-episodes-h"'):youth_page.index('id="disclosures-h"')]
    overdue = [n for n in episode.notifications.exclude(event=deadlines.DISCLOSED) if n.state().value == "overdue"]
    assert f"{len(overdue)} overdue" in timeline


def test_withdrawing_needs_a_reason_and_the_page_a_confirmation(client_for, youth_a1, caseworker_a, now):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    with pytest.raises(ValidationError) as refused:
        withdraw(caseworker_a, disclosure, reason="  ")
    assert "reason" in refused.value.message_dict
    client = client_for(caseworker_a)
    url = reverse("disclosure_withdraw", args=[disclosure.pk])
    response = client.post(url, {"reason": "Wrong youth.", "version": disclosure.version})
    assert "Tick the box to confirm" in text(response)
    disclosure.refresh_from_db()
    assert not disclosure.is_withdrawn
    response = client.post(url, {"reason": "Wrong youth.", "confirm": "on", "version": disclosure.version})
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.is_withdrawn and disclosure.withdrawal_reason == "Wrong youth."
    page = text(client.get(reverse("youth_detail", args=[youth_a1.pk])))
    assert "Withdrawn: recorded in error" in page and "Wrong youth." in page and "Not required" in page


def test_a_stale_withdrawal_changes_nothing(client_for, youth_a1, caseworker_a, now):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    correct(caseworker_a, disclosure, reason="Who.", context_note="Told the foster parent")
    response = client_for(caseworker_a).post(
        reverse("disclosure_withdraw", args=[disclosure.pk]), {"reason": "Wrong youth.", "confirm": "on", "version": 1}
    )
    assert response.status_code == 200 and "Someone changed this disclosure" in text(response)
    disclosure.refresh_from_db()
    assert not disclosure.is_withdrawn


def test_the_pages_are_404_to_outsiders(
    client_for, youth_a1, caseworker_a, caseworker_a2, caseworker_b, agency_staff_a, now
):
    disclosure = disclose(caseworker_a, youth_a1, now - H)
    report = disclosure.reports.first()
    urls = [
        reverse("youth_disclosure_create", args=[youth_a1.pk]),
        reverse("disclosure_correct", args=[disclosure.pk]),
        reverse("disclosure_withdraw", args=[disclosure.pk]),
        reverse("disclosure_report_record", args=[report.pk]),
    ]
    for user in (caseworker_a2, caseworker_b, agency_staff_a):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404
            assert client.post(url, {"reason": "x", "confirm": "on", "version": 1}).status_code == 404
    disclosure.refresh_from_db()
    assert disclosure.version == 1 and not disclosure.is_withdrawn
