"""The review pages through the test client: the supervisor's queue, the decision form, and the
identified-victim law-enforcement report clock."""

import datetime
import zoneinfo
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditAction, AuditEvent, Role
from risk.models import (
    URGENCY_RANK,
    IdentificationReport,
    Outcome,
    ReviewDecision,
    ReviewItem,
    ReviewStatus,
    Urgency,
)
from risk.services import decisions, observations
from tests.factories import UserFactory, YouthFactory
from tests.helpers import rendered_form
from tests.personas import OUTSIDERS

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
QUEUE = reverse("risk_review_queue")


@pytest.fixture
def now():
    return timezone.now().replace(second=0, microsecond=0)


@pytest.fixture
def supervisor_south(agency_a, team_a2):
    return UserFactory(username="supervisor_south", agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a2])


def decide_url(youth):
    return reverse("youth_risk_decide", args=[youth.pk])


def report_url(report):
    return reverse("identification_report", args=[report.pk])


def local_input(moment):
    """A moment as a datetime-local field sends it, in the agency's zone (America/Chicago)."""
    return moment.astimezone(CHICAGO).strftime("%Y-%m-%dT%H:%M")


def item_for(youth, urgency, *, due_at, raised_at=None, reasons=("A reason",)):
    return ReviewItem.objects.create(
        youth=youth, urgency=urgency, urgency_rank=URGENCY_RANK[urgency], due_at=due_at,
        raised_at=raised_at or timezone.now(), reasons=list(reasons),
    )


def observe_tripwire(actor, youth, received, code="C0.3"):
    return observations.record_observation(
        actor=actor, youth_id=youth.pk, indicator_code=code, observed_at=received - HOUR,
        information_received_at=received, source="external", evidence="verified",
    )


def decision_post(outcome, *, expected="", **fields):
    return {"outcome": outcome, "expected_latest_decision_id": expected, **fields}


def identified_post(received, *, expected="", kind="buyer_perpetrated", timing="while_missing"):
    return decision_post(
        Outcome.IDENTIFIED, expected=expected, trafficking_type="sex", trafficking_kind=kind, timing=timing,
        information_received_at=local_input(received), referrals=["specialised"],
    )


def decide_directly(actor, youth, outcome, expected=None, **extra):
    return decisions.decide(actor=actor, youth_id=youth.pk, outcome=outcome, expected_latest_decision_id=expected,
                            **extra)


def identify_directly(actor, youth, received, **extra):
    return decide_directly(
        actor, youth, Outcome.IDENTIFIED, trafficking_type="sex", trafficking_kind="familial", timing="in_care",
        information_received_at=received, **{"referrals": ["specialised"], **extra},
    )


# --- The queue ------------------------------------------------------------------------------------------------


def test_the_queue_is_ordered_by_urgency_then_due_time(client_for, supervisor_a, team_a1, now):
    names = {}
    # Created in a shuffled order; identification before urgent before high before elevated.
    for label, urgency, due in [
        ("elevated", Urgency.ELEVATED, now + HOUR),
        ("high-later", Urgency.HIGH, now + 5 * HOUR),
        ("identification", Urgency.IDENTIFICATION, now + 4 * HOUR),
        ("high-sooner", Urgency.HIGH, now + 2 * HOUR),
        ("urgent", Urgency.URGENT, now + 3 * HOUR),
    ]:
        youth = YouthFactory(team=team_a1, legal_first_name=f"Youth{label.replace('-', '')}")
        item_for(youth, urgency, due_at=due)
        names[label] = youth.display_name
    html = client_for(supervisor_a).get(QUEUE).content.decode()
    positions = [html.index(names[label]) for label in
                 ("identification", "urgent", "high-sooner", "high-later", "elevated")]
    assert positions == sorted(positions)


def test_a_queue_row_shows_who_why_and_when_in_the_agencys_zone(
    client_for, supervisor_a, youth_a1, caseworker_a, now
):
    observe_tripwire(caseworker_a, youth_a1, now - 6 * HOUR)
    item = ReviewItem.objects.get(youth=youth_a1, status=ReviewStatus.OPEN)
    item.due_at = now - 2 * HOUR  # overdue
    item.save()
    response = client_for(supervisor_a).get(QUEUE)
    html = response.content.decode()
    assert youth_a1.display_name in html and youth_a1.case_number in html
    assert reverse("youth_risk", args=[youth_a1.pk]) in html
    assert "Identification: possible victim of trafficking" in html
    assert "Tripwire recorded: C0.3 " in html
    assert "Overdue by 2 h" in html  # in words, not only in colour
    due = item.due_at.astimezone(CHICAGO)
    assert due.strftime("%H:%M") in html and due.tzname() in html  # CST or CDT, the agency's zone


def test_the_empty_queue_says_so(client_for, supervisor_a):
    assert "Nobody is waiting for a review." in client_for(supervisor_a).get(QUEUE).content.decode()


def test_the_queue_runs_a_fixed_number_of_queries(client_for, supervisor_a, team_a1, now):
    client = client_for(supervisor_a)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(QUEUE).status_code == 200
        return len(ctx.captured_queries)

    item_for(YouthFactory(team=team_a1), Urgency.HIGH, due_at=now + HOUR)
    one = queries()
    for _ in range(14):
        item_for(YouthFactory(team=team_a1), Urgency.HIGH, due_at=now + HOUR)
    assert queries() == one


def test_the_queue_has_pages_of_25(client_for, supervisor_a, team_a1, now):
    for minutes in range(26):
        item_for(YouthFactory(team=team_a1), Urgency.ELEVATED, due_at=now + minutes * datetime.timedelta(minutes=1))
    client = client_for(supervisor_a)
    first = client.get(QUEUE).content.decode()
    assert first.count(">Decide<") == 25 and "Page 1 of 2" in first
    assert client.get(QUEUE, {"page": 2}).content.decode().count(">Decide<") == 1


@pytest.mark.parametrize("persona", ["caseworker_a", "agency_staff_a", "no_role_user", "caseworker_b"])
def test_roles_that_do_not_decide_have_no_queue(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(QUEUE).status_code == 404


def test_a_supervisor_sees_only_their_teams_and_agency(
    client_for, supervisor_south, admin_b, agency_admin_a, youth_a1, now
):
    item_for(youth_a1, Urgency.URGENT, due_at=now + HOUR)
    for outsider in (supervisor_south, admin_b):
        html = client_for(outsider).get(QUEUE).content.decode()
        assert youth_a1.display_name not in html and "Nobody is waiting for a review." in html
    assert youth_a1.display_name in client_for(agency_admin_a).get(QUEUE).content.decode()


def test_the_nav_offers_the_queue_to_deciders_only(client_for, supervisor_a, caseworker_a, agency_staff_a):
    assert QUEUE in client_for(supervisor_a).get(reverse("dashboard")).content.decode()
    for user in (caseworker_a, agency_staff_a):
        assert QUEUE not in client_for(user).get(reverse("dashboard")).content.decode()


# --- Deciding -------------------------------------------------------------------------------------------------


def test_no_concern_with_a_reason(client_for, supervisor_a, youth_a1, now):
    item = item_for(youth_a1, Urgency.HIGH, due_at=now + DAY)
    response = client_for(supervisor_a).post(
        decide_url(youth_a1), decision_post(Outcome.NO_CONCERN, reason="Explained by a school trip"), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("youth_risk", args=[youth_a1.pk])
    assert "Decision recorded: No current concern." in response.content.decode()
    decision = ReviewDecision.objects.get(youth=youth_a1)
    assert (decision.outcome, decision.reason, decision.decided_by) == (
        Outcome.NO_CONCERN, "Explained by a school trip", supervisor_a
    )
    item.refresh_from_db()
    assert item.status == ReviewStatus.DECIDED
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="reviewdecision").count() == 1


def test_at_risk_with_a_plan_and_referrals(client_for, agency_admin_a, youth_a1):
    client_for(agency_admin_a).post(
        decide_url(youth_a1),
        decision_post(Outcome.AT_RISK, safety_plan="Weekly time with her mentor", referrals=["housing", "connection"]),
    )
    decision = ReviewDecision.objects.get(youth=youth_a1)
    assert (decision.outcome, decision.safety_plan, decision.referrals) == (
        Outcome.AT_RISK, "Weekly time with her mentor", ["housing", "connection"]
    )
    assert not IdentificationReport.objects.exists()


def test_the_form_is_prefilled_from_the_tripwire_and_previews_the_clock(
    client_for, supervisor_a, caseworker_a, youth_a1, now
):
    received = now - 3 * HOUR
    observe_tripwire(caseworker_a, youth_a1, received)
    html = client_for(supervisor_a).get(decide_url(youth_a1)).content.decode()
    assert f'value="{local_input(received)}"' in html
    assert "Tripwire recorded: C0.3 " in html  # the open item's reasons
    due = (received + 24 * HOUR).astimezone(CHICAGO)
    assert "24 h after the agency received the information" in html
    assert "Federal: SSA §471(a)(34)(A)" in html
    assert due.strftime("%H:%M") in html


def test_identification_starts_the_federal_24_hour_clock_in_kansas(client_for, supervisor_a, youth_a1, now):
    received = now - 2 * HOUR
    response = client_for(supervisor_a).post(decide_url(youth_a1), identified_post(received), follow=True)
    report = IdentificationReport.objects.get(youth=youth_a1)
    assert report.due_at == received + 24 * HOUR
    assert (report.rule_hours, report.rule_source) == (24, "Federal: SSA §471(a)(34)(A)")
    assert response.redirect_chain[-1][0] == report_url(report)
    html = response.content.decode()
    due = report.due_at.astimezone(CHICAGO)
    assert "The report to law enforcement is due" in html and due.strftime("%H:%M") in html
    decision = report.decision
    assert (decision.trafficking_type, decision.trafficking_kind, decision.timing) == (
        "sex", "buyer_perpetrated", "while_missing"
    )


def test_identification_in_texas_is_due_in_8_hours(client_for, supervisor_a, youth_a1, agency_a, now):
    agency_a.state = "TX"
    agency_a.save()
    received = now - HOUR
    client_for(supervisor_a).post(decide_url(youth_a1), identified_post(received))
    report = IdentificationReport.objects.get(youth=youth_a1)
    assert report.due_at == received + 8 * HOUR
    assert report.rule_hours == 8 and report.rule_source.startswith("TX")


@pytest.mark.parametrize("persona", ["caseworker_a", "agency_staff_a"])
def test_who_sees_the_youth_but_does_not_decide_gets_403(request, client_for, youth_a1, now, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(decide_url(youth_a1)).status_code == 403
    response = client.post(decide_url(youth_a1), decision_post(Outcome.NO_CONCERN, reason="Fine"))
    assert response.status_code == 403
    assert not ReviewDecision.objects.exists()


def test_bad_input_gets_clear_errors_and_writes_nothing(client_for, supervisor_a, youth_a1, now):
    client = client_for(supervisor_a)
    no_kind = identified_post(now - HOUR, kind="")
    html = client.post(decide_url(youth_a1), no_kind).content.decode()
    assert "Choose the kind of trafficking." in html and "Nothing was saved" in html
    future = identified_post(now + DAY)
    html = client.post(decide_url(youth_a1), future).content.decode()
    assert "When the agency received the information cannot be in the future." in html
    html = client.post(decide_url(youth_a1), decision_post(Outcome.AT_RISK)).content.decode()
    assert "Write the safety and needs plan." in html and "Choose at least one service referral." in html
    assert not ReviewDecision.objects.exists() and not IdentificationReport.objects.exists()


def test_a_superseded_decision_stays_in_the_history(client_for, supervisor_a, youth_a1):
    client = client_for(supervisor_a)
    client.post(decide_url(youth_a1), decision_post(Outcome.AT_RISK, safety_plan="Mentor", referrals=["food"]))
    first = ReviewDecision.objects.get()
    client.post(decide_url(youth_a1), decision_post(Outcome.NO_CONCERN, expected=first.pk, reason="Settled at home"))
    second = ReviewDecision.objects.exclude(pk=first.pk).get()
    assert second.supersedes == first
    html = client.get(decide_url(youth_a1)).content.decode()
    assert "Settled at home" in html and "Mentor" in html and "Superseded" in html
    html = client.get(reverse("youth_risk", args=[youth_a1.pk])).content.decode()
    assert "Settled at home" in html and "Mentor" in html


def test_a_stale_form_shows_the_newer_decision_and_keeps_the_entries(
    client_for, supervisor_a, agency_admin_a, youth_a1
):
    client = client_for(supervisor_a)
    page = client.get(decide_url(youth_a1))
    assert 'name="expected_latest_decision_id"' in page.content.decode()
    newer = decide_directly(agency_admin_a, youth_a1, Outcome.NO_CONCERN, reason="Seen by the admin first")
    stale = rendered_form(page, outcome=Outcome.AT_RISK, safety_plan="My own plan", referrals=["medical"])
    response = client.post(decide_url(youth_a1), stale)
    html = unescape(response.content.decode())
    assert "Someone else saved this youth's decision after you opened it" in html
    assert f"A newer decision was saved by {agency_admin_a.get_full_name()} at " in html
    assert "Its reason: Seen by the admin first" in html  # the newer decision is shown
    assert "My own plan" in html  # the user's entries are kept
    assert f'name="expected_latest_decision_id" value="{newer.pk}"' in html  # saving again is a choice
    assert list(ReviewDecision.objects.values_list("pk", flat=True)) == [newer.pk]

    assert client.post(decide_url(youth_a1), rendered_form(response)).status_code == 302
    latest = ReviewDecision.objects.latest("pk")
    assert (latest.outcome, latest.safety_plan, latest.supersedes) == (Outcome.AT_RISK, "My own plan", newer)


@pytest.mark.parametrize("persona", [*OUTSIDERS, "supervisor_south"])
def test_out_of_scope_users_get_404_on_every_page_and_post(
    request, client_for, supervisor_a, youth_a1, now, persona
):
    report = identify_directly(supervisor_a, youth_a1, now - HOUR).le_report
    client = client_for(request.getfixturevalue(persona))
    assert client.get(decide_url(youth_a1)).status_code == 404
    assert client.post(decide_url(youth_a1), decision_post(Outcome.NO_CONCERN, reason="x")).status_code == 404
    assert client.get(report_url(report)).status_code == 404
    evidence = {"version": 1, "done_at": local_input(now), "method": "phone", "le_agency": "PD", "reference": "1"}
    assert client.post(report_url(report), evidence).status_code == 404
    assert ReviewDecision.objects.count() == 1
    report.refresh_from_db()
    assert not report.is_done


# --- The youth's risk page (the decision actions partial) and AFCARS ----------------------------------------------


def test_the_risk_page_offers_decide_to_deciders_and_links_the_report_clock(
    client_for, supervisor_a, caseworker_a, youth_a1, now
):
    report = identify_directly(supervisor_a, youth_a1, now - HOUR).le_report
    page = reverse("youth_risk", args=[youth_a1.pk])
    html = client_for(supervisor_a).get(page).content.decode()
    assert decide_url(youth_a1) in html and report_url(report) in html
    html = client_for(caseworker_a).get(page).content.decode()
    assert decide_url(youth_a1) not in html and report_url(report) in html


def test_the_decision_page_shows_the_afcars_elements(client_for, supervisor_a, youth_a1, now):
    identify_directly(supervisor_a, youth_a1, now - HOUR)
    html = client_for(supervisor_a).get(decide_url(youth_a1)).content.decode()
    assert "AFCARS sex-trafficking elements" in html
    assert "<td>E109</td><td>Victim of sex trafficking while in foster care</td><td>1</td>" in html
    assert "<td>E110</td><td>Reported to law enforcement</td><td>0</td>" in html


# --- The identified-victim report clock -------------------------------------------------------------------------


def evidence_post(report, done_at, **extra):
    data = {
        "version": report.version, "done_at": local_input(done_at), "method": "phone",
        "le_agency": "County Sheriff", "contact_name": "Deputy Example", "reference": "CS-2026-118",
    }
    data.update(extra)
    return data


def test_the_team_caseworker_records_the_report_and_the_clock_is_done(
    client_for, supervisor_a, caseworker_a, youth_a1, now
):
    report = identify_directly(supervisor_a, youth_a1, now - 2 * HOUR).le_report
    client = client_for(caseworker_a)
    html = client.get(report_url(report)).content.decode()
    assert "Open: due in" in html and "Federal: SSA §471(a)(34)(A)" in html and "Record as done" in html
    response = client.post(report_url(report), evidence_post(report, now - HOUR), follow=True)
    html = response.content.decode()
    assert "Report to law enforcement recorded as made" in html and "(on time)" in html
    assert "Done, on time" in html and "CS-2026-118" in html
    report.refresh_from_db()
    assert report.is_done and report.done_by == caseworker_a and report.version == 2
    assert "<td>E111</td>" in html and f"<td>{timezone.localtime(report.done_at, CHICAGO):%Y%m%d}</td>" in html


def test_a_late_report_says_by_how_much(client_for, supervisor_a, caseworker_a, youth_a1, now):
    report = identify_directly(supervisor_a, youth_a1, now - 30 * HOUR).le_report  # due 6 h ago
    client = client_for(caseworker_a)
    assert "Overdue by 6 h" in client.get(report_url(report)).content.decode()
    html = client.post(report_url(report), evidence_post(report, now - HOUR), follow=True).content.decode()
    assert "Done, late by 5 h" in html and "(late by 5 h)" in html


def test_the_report_needs_evidence(client_for, supervisor_a, caseworker_a, youth_a1, now):
    report = identify_directly(supervisor_a, youth_a1, now - 2 * HOUR).le_report
    html = client_for(caseworker_a).post(
        report_url(report), evidence_post(report, now - HOUR, le_agency="", reference="")
    ).content.decode()
    assert "Name the law-enforcement agency." in html
    assert "Give the report or case number you were given, or explain why there is none." in html
    report.refresh_from_db()
    assert not report.is_done


def test_agency_staff_read_the_report_clock_but_do_not_record_it(
    client_for, supervisor_a, agency_staff_a, youth_a1, now
):
    report = identify_directly(supervisor_a, youth_a1, now - 2 * HOUR).le_report
    client = client_for(agency_staff_a)
    html = client.get(report_url(report)).content.decode()
    assert "Open: due in" in html and "Record as done" not in html
    assert client.post(report_url(report), evidence_post(report, now - HOUR)).status_code == 403
    report.refresh_from_db()
    assert not report.is_done


def test_a_stale_report_form_keeps_the_saved_report_and_adds_only_the_users_changes(
    client_for, supervisor_a, caseworker_a, youth_a1, now
):
    report = identify_directly(supervisor_a, youth_a1, now - 3 * HOUR).le_report
    supervisor, caseworker = client_for(supervisor_a), client_for(caseworker_a)
    page_s, page_c = supervisor.get(report_url(report)), caseworker.get(report_url(report))
    done = local_input(now - 2 * HOUR)
    typed = {"done_at": done, "method": "phone", "le_agency": "City Police"}
    assert supervisor.post(report_url(report), rendered_form(page_s, **typed, reference="CP-1")).status_code == 302

    stale = caseworker.post(
        report_url(report), rendered_form(page_c, **typed, reference="CS-2026-118", contact_name="Deputy Example")
    )

    html = unescape(stale.content.decode())
    assert "Someone else saved this report after you opened it" in html
    assert "You entered Who was told: Deputy Example." in html
    assert "Report or case number: you both changed it. Which value should be saved?" in html
    assert "CP-1" in html and "CS-2026-118" in html  # now saved vs. your entry
    report.refresh_from_db()
    assert (report.reference, report.contact_name, report.version, report.done_by) == ("CP-1", "", 2, supervisor_a)

    again = caseworker.post(report_url(report), rendered_form(stale, keep__reference="saved"))
    assert again.status_code == 302
    report.refresh_from_db()
    assert (report.le_agency, report.reference, report.contact_name, report.version) == (
        "City Police", "CP-1", "Deputy Example", 3,
    )


def test_the_queue_lists_identified_victims_whose_report_is_not_yet_made(
    client_for, supervisor_a, supervisor_south, youth_a1, youth_a2, now
):
    overdue = identify_directly(supervisor_a, youth_a1, now - 30 * HOUR)
    html = client_for(supervisor_a).get(QUEUE).content.decode()
    assert "law-enforcement reports not yet made" in html
    assert reverse("identification_report", args=[overdue.le_report.pk]) in html
    assert "Overdue by 6 h" in html
    # Another team's supervisor does not see it; once the report is made it leaves the list.
    assert youth_a1.display_name not in client_for(supervisor_south).get(QUEUE).content.decode()
    decisions.record_identification_report(
        actor=supervisor_a, report_id=overdue.le_report.pk, expected_version=1, done_at=now, method="phone",
        le_agency="County Sheriff", reference="CS-1",
    )
    assert "law-enforcement reports not yet made" not in client_for(supervisor_a).get(QUEUE).content.decode()
