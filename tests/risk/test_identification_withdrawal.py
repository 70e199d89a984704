"""An identification is a fact that stays (risk/afcars.py, docs/duties.md#afcars): a later "At risk" or
"No current concern" leaves it in AFCARS E106-E111, the annual count and the youth's history; only a
decider's correction "recorded in error", with a reason, withdraws it (risk/services/corrections.py)."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditEvent
from exports import reports
from exports.reports.base import ExportFilters, ReportQuery, fiscal_year_bounds, fiscal_year_of
from risk import escalation as risk_escalation
from risk import selectors
from risk.models import IdentificationReport, Outcome, ReviewDecision
from risk.services import corrections, decisions
from risk.work import identification_reports
from tests.personas import OUTSIDERS

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
README = Path(__file__).resolve().parents[2] / "README.md"


def identify(supervisor, youth, received):
    return decisions.decide(
        actor=supervisor, youth_id=youth.pk, outcome=Outcome.IDENTIFIED, expected_latest_decision_id=None,
        trafficking_type="sex", trafficking_kind="familial", timing="in_care", information_received_at=received,
        referrals=["specialised"],
    )


def at_risk(supervisor, youth, latest):
    return decisions.decide(
        actor=supervisor, youth_id=youth.pk, outcome=Outcome.AT_RISK, expected_latest_decision_id=latest.pk,
        safety_plan="Weekly check-ins with a trusted adult.", referrals=["housing", "connection"],
    )


def afcars(youth):
    return selectors.youth_afcars(youth, selectors.youth_decisions(youth))


def annual_count(user, agency):
    now = timezone.now()
    first, last = fiscal_year_bounds(fiscal_year_of(timezone.localdate(now)))
    query = ReportQuery(
        agency=agency, user=user, filters=ExportFilters(period_start=first, period_end=last), as_of=now
    )
    return reports.get("annual-victim-count").annual_count(query)


@pytest.fixture
def identified_then_at_risk(supervisor_a, youth_a1):
    received = timezone.now() - 2 * HOUR
    identification = identify(supervisor_a, youth_a1, received)
    later = at_risk(supervisor_a, youth_a1, identification)
    return identification, later


def test_identified_then_at_risk_still_counts_in_afcars_and_the_annual_count(
    identified_then_at_risk, youth_a1, agency_staff_a, agency_a, client_for, supervisor_a
):
    elements = afcars(youth_a1)
    assert (elements.e109, elements.e110) == (1, 0)
    assert annual_count(agency_staff_a, agency_a).headline == 1

    page = client_for(supervisor_a).get(reverse("youth_risk", args=[youth_a1.pk])).content.decode()
    assert "Identified: stays in the record and the counts" in page
    assert "Recorded in error?" in page


def test_a_decider_withdraws_it_as_recorded_in_error_with_an_audit_row(
    identified_then_at_risk, youth_a1, supervisor_a, agency_staff_a, agency_a, client_for
):
    identification, _later = identified_then_at_risk
    report = identification.le_report
    client = client_for(supervisor_a)
    url = reverse("risk_withdraw_identification", args=[identification.pk])

    confirm_page = client.get(url).content.decode()
    assert "Withdraw an identification recorded in error" in confirm_page

    response = client.post(url, {"reason": "Recorded for the wrong youth.", "confirm": "on"})
    assert response.status_code == 302

    identification.refresh_from_db()
    assert identification.withdrawn_by == supervisor_a
    assert identification.withdrawal_reason == "Recorded for the wrong youth."
    assert afcars(youth_a1).e109 == 0
    assert annual_count(agency_staff_a, agency_a).headline == 0
    event = AuditEvent.objects.get(object_type="reviewdecision", object_id=str(identification.pk), action="update")
    assert event.actor == supervisor_a and event.detail["withdrawn"] == "recorded in error"
    assert event.detail["le_report_closed"] is True

    # The report clock not made yet is closed: not open work, not overdue, not in the sweep's open clocks.
    assert not IdentificationReport.objects.filter(IdentificationReport.OPEN, pk=report.pk).exists()
    assert identification_reports(youth_a1.__class__.objects.filter(pk=youth_a1.pk), timezone.now()) == []
    IdentificationReport.objects.filter(pk=report.pk).update(due_at=timezone.now() - HOUR)
    page = client.get(reverse("youth_risk", args=[youth_a1.pk])).content.decode()
    assert "Withdrawn: recorded in error" in page
    assert "Recorded for the wrong youth." in page
    assert ">Overdue</span>" not in page
    assert "the identification was withdrawn before the report was made" in page


def test_the_sweep_sends_no_reminder_for_a_report_closed_by_a_withdrawal(
    identified_then_at_risk, supervisor_a, caseworker_a, mailoutbox
):
    identification, _later = identified_then_at_risk
    report = identification.le_report
    corrections.withdraw_identification(
        actor=supervisor_a, decision_id=identification.pk, reason="Recorded for the wrong youth."
    )
    for moment in (report.due_at - 4 * HOUR, report.due_at - HOUR, report.due_at + HOUR):
        risk_escalation.sweep(now=moment)
    assert mailoutbox == []
    report.refresh_from_db()
    assert report.overdue_at is None


def test_a_withdrawal_without_a_reason_or_confirmation_is_refused_and_changes_nothing(
    identified_then_at_risk, supervisor_a, client_for
):
    identification, _later = identified_then_at_risk
    client = client_for(supervisor_a)
    url = reverse("risk_withdraw_identification", args=[identification.pk])

    response = client.post(url, {"reason": "   ", "confirm": "on"})
    assert response.status_code == 200
    assert "Say why the identification was recorded in error." in response.content.decode()
    response = client.post(url, {"reason": "Wrong youth."})
    assert "Tick the box to confirm" in response.content.decode()
    with pytest.raises(ValidationError):
        corrections.withdraw_identification(actor=supervisor_a, decision_id=identification.pk, reason="")
    assert not ReviewDecision.objects.filter(withdrawn_at__isnull=False).exists()


def test_only_an_identification_can_be_withdrawn_and_only_once(identified_then_at_risk, supervisor_a):
    identification, later = identified_then_at_risk
    with pytest.raises(ValidationError, match="Only an identification"):
        corrections.withdraw_identification(actor=supervisor_a, decision_id=later.pk, reason="Wrong.")
    corrections.withdraw_identification(actor=supervisor_a, decision_id=identification.pk, reason="Wrong youth.")
    with pytest.raises(ValidationError, match="already withdrawn"):
        corrections.withdraw_identification(actor=supervisor_a, decision_id=identification.pk, reason="Again.")


@pytest.mark.parametrize("persona", ["caseworker_a", "agency_staff_a", *OUTSIDERS])
def test_a_non_decider_gets_404_and_nothing_changes(identified_then_at_risk, persona, request, client_for):
    identification, _later = identified_then_at_risk
    client = client_for(request.getfixturevalue(persona))
    url = reverse("risk_withdraw_identification", args=[identification.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Wrong youth.", "confirm": "on"}).status_code == 404
    assert not ReviewDecision.objects.filter(withdrawn_at__isnull=False).exists()
    page = client.get(reverse("youth_risk", args=[identification.youth_id]))
    assert "Recorded in error?" not in page.content.decode()


def test_a_done_report_stays_done_and_a_new_identification_after_a_withdrawal_starts_its_own_clock(
    supervisor_a, youth_a1
):
    received = timezone.now() - 3 * HOUR
    identification = identify(supervisor_a, youth_a1, received)
    corrections.withdraw_identification(actor=supervisor_a, decision_id=identification.pk, reason="Wrong youth.")
    again = decisions.decide(
        actor=supervisor_a, youth_id=youth_a1.pk, outcome=Outcome.IDENTIFIED,
        expected_latest_decision_id=identification.pk, trafficking_type="sex", trafficking_kind="familial",
        timing="in_care", information_received_at=received, referrals=["specialised"],
    )
    assert again.le_report.pk != identification.le_report.pk
    assert IdentificationReport.objects.filter(IdentificationReport.OPEN).get() == again.le_report
    assert afcars(youth_a1).e109 == 1


def test_the_readme_says_so():
    text = " ".join(README.read_text().split())
    assert "Only an explicit correction" in text
    assert "withdraws an identification" in text


def test_the_timeliness_report_leaves_out_a_report_closed_by_a_withdrawal(
    identified_then_at_risk, supervisor_a, agency_staff_a, agency_a
):
    from exports.reports.timeliness.period import identification_reports_in_period

    identification, _later = identified_then_at_risk
    now = timezone.now()
    first, last = fiscal_year_bounds(fiscal_year_of(timezone.localdate(now)))
    query = ReportQuery(
        agency=agency_a, user=agency_staff_a, filters=ExportFilters(period_start=first, period_end=last), as_of=now
    )
    assert identification_reports_in_period(query).count() == 1
    corrections.withdraw_identification(actor=supervisor_a, decision_id=identification.pk, reason="Wrong youth.")
    assert identification_reports_in_period(query).count() == 0
