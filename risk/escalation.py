"""Alerts about the risk module's deadlines: the supervisor's review items and the identified-victim
report to law enforcement. They escalate exactly like the episode clocks (missing_reports.escalation):
the same stage rule, the same claim protocol (each stage's alert raised with its claim row, keys
"review:<id>:<stage>" and "idreport:<id>:<stage>"), the same access gate; only who is told and what the
alert says differ. This module names the two kinds of clock; the protocol is shared (docs/alerts.md).

Review items (risk.reviews; due per risk.review_due), with the agency's reminder leads (default 4 h and 1 h):

    reminder        from D - 4 h   the supervisors of the youth's team (else the agency admins, who
    last_reminder   from D - 1 h   may decide too; else the compliance contact)
    overdue         after D        ReviewItem.overdue_at is set; the compliance contact and the
                                   supervisors. An identification item is due 4 h after it was raised
                                   (docs/risk-catalogue.md#bands: not confirmed within 4 hours, escalate to the
                                   on-call manager): its overdue email also goes to the agency admins.

Identified-victim reports (IdentificationReport, due 24 h from when the information was received, or
the state's stricter rule) have the stages and recipients of the episode clocks the law says "immediately"
for: a first-hour reminder to the youth's caseworkers (else whoever decided) the agency's
first_hour_reminder_minutes after the information was received, then the youth's caseworkers
(else whoever decided), then the supervisors, then overdue to the compliance contact and supervisors.

A decided review item and a done report get nothing. Each stage happens once, also when sweeps
overlap (RiskEscalation's unique (subject, stage) constraints and the alert's unique key). Alerts carry the youth's
display name and case number, the due time in the agency's zone and a link to the youth's risk page;
never the observations, notes, reasons or restricted fields.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from caseapp.local_time import agency_zone, display_time, duration
from caseapp.models import Role, User
from missing_reports import escalation as clocks
from missing_reports.models import EscalationStage

from .models import IdentificationReport, ReviewItem, ReviewStatus, RiskEscalation, Urgency

REMINDER = "reminder"
LAST_REMINDER = "last_reminder"
OVERDUE = "overdue"
REVIEW_STAGES = (REMINDER, LAST_REMINDER, OVERDUE)
# first_hour, lead_caseworker, lead_supervisor, overdue: the stages of the episode clocks the law says
# "immediately" for (the report is one of them, deadlines.IMMEDIATE_PARTIES).
REPORT_STAGES = clocks.NOTICE_STAGES

REPORT_LABEL = "Identified-victim report to law enforcement"


def youth_risk_path(youth_id: int) -> str:
    return reverse("youth_risk", args=[youth_id])


def youth_risk_url(youth_id: int) -> str:
    return settings.APP_BASE_URL.rstrip("/") + youth_risk_path(youth_id)


# --- Recipients: (user or None, email, reason), as raise_alert takes them ------------------


def _admins(youth) -> list[tuple]:
    """The agency admins: they decide for every team, and are the manager of the 4-hour identification rule
    (docs/risk-catalogue.md#bands)."""
    admins = User.objects.filter(agency_id=youth.agency_id, role=Role.AGENCY_ADMIN, is_active=True).order_by("pk")
    return clocks.people(admins, youth, "Agency admin")


def review_recipients(item, stage) -> list[tuple]:
    youth = item.youth
    supervisors = clocks.supervisors(youth)
    if stage != OVERDUE:
        return supervisors or _admins(youth) or clocks.compliance(youth)
    managers = _admins(youth) if item.urgency == Urgency.IDENTIFICATION else []
    return clocks.merge(clocks.compliance(youth), managers, supervisors) or _admins(youth)


def report_recipients(report, stage) -> list[tuple]:
    return clocks.clock_recipients(report.youth, stage, [report.decision.decided_by], "Recorded the decision")


# --- What the alerts say ---------------------------------------------------------------------------


def _context(youth, due_at, now):
    agency = youth.agency
    return {
        "youth_name": youth.display_name,
        "case_number": youth.case_number,
        "agency_name": agency.name,
        "team_name": youth.team.name,
        "due": display_time(due_at, agency_zone(agency)),
        "time_left": duration(due_at - now),
        "overdue_by": duration(now - due_at),
        "url": youth_risk_url(youth.pk),
    }


def _email(youth, stage, what, template, context) -> tuple[str, str]:
    """Subject and body: "Reminder: <what> due <when> for <youth>" or "Overdue: <what> for <youth>"."""
    who = f"{youth.display_name} (case {youth.case_number})"
    if stage == OVERDUE:
        subject, template = f"Overdue: {what} for {who}", f"{template}_overdue"
    else:
        subject, template = f"Reminder: {what} due {context['due']} for {who}", f"{template}_reminder"
    return clocks.one_line(subject), render_to_string(f"risk/email/{template}.txt", context)


def review_message(item, stage, now) -> tuple[str, str]:
    youth = item.youth
    context = _context(youth, item.due_at, now) | {
        "review": item.get_urgency_display(),
        "identification": item.urgency == Urgency.IDENTIFICATION,
        "raised_at": display_time(item.raised_at, agency_zone(youth.agency)),
    }
    return _email(youth, stage, "supervisor review", "review", context)


def report_message(report, stage, now) -> tuple[str, str]:
    youth = report.youth
    context = _context(youth, report.due_at, now) | {
        "clock": REPORT_LABEL,
        "rule": report.rule_span + (f" ({report.rule_source})" if report.rule_source else ""),
        "received_at": display_time(
            report.decision.information_received_at, agency_zone(youth.agency)
        ),
        "supervisor_stage": stage == EscalationStage.LEAD_SUPERVISOR,
        "after": duration(datetime.timedelta(minutes=youth.agency.first_hour_reminder_minutes)),
    }
    if stage == EscalationStage.FIRST_HOUR:
        who = f"{youth.display_name} (case {youth.case_number})"
        subject = f"Not recorded yet: {REPORT_LABEL} for {who}, due immediately"
        return clocks.one_line(subject), render_to_string("risk/email/report_first_hour.txt", context)
    return _email(youth, stage, REPORT_LABEL, "report", context)


def report_first_hour_from(report):
    """When the first-hour reminder of the report starts: the agency's minutes after it received the
    information (the law says immediately; 24 h is the ceiling)."""
    minutes = report.youth.agency.first_hour_reminder_minutes
    return report.decision.information_received_at + datetime.timedelta(minutes=minutes)


# --- The two kinds of clock, and the sweep ------------------------------------------------

REVIEW_ITEMS = clocks.ClockKind(
    name="review item",
    key="review",
    model=ReviewItem,
    escalations=RiskEscalation,
    subject_field="review_item",
    is_open=Q(status=ReviewStatus.OPEN),
    stages=REVIEW_STAGES,
    recipients=review_recipients,
    message=review_message,
    agency=lambda item: item.youth.agency,
    youth=lambda item: item.youth,
    url=lambda item: youth_risk_path(item.youth_id),
    what=lambda item, stage: clocks.stage_words(stage, "supervisor review"),
    select_related=("youth__team", "youth__agency"),
    prefetch_related=("youth__team__supervisors",),
    candidate_related=("youth__agency",),
)

IDENTIFICATION_REPORTS = clocks.ClockKind(
    name="identification report",
    key="idreport",
    model=IdentificationReport,
    escalations=RiskEscalation,
    subject_field="report",
    is_open=IdentificationReport.OPEN,  # a report of a withdrawn identification is closed, not overdue
    stages=REPORT_STAGES,
    recipients=report_recipients,
    message=report_message,
    agency=lambda report: report.youth.agency,
    youth=lambda report: report.youth,
    url=lambda report: youth_risk_path(report.youth_id),
    what=lambda report, stage: clocks.stage_words(stage, "report to law enforcement"),  # an SMS names no finding
    first_from=report_first_hour_from,
    select_related=("youth__team", "youth__agency", "decision__decided_by"),
    prefetch_related=("youth__assigned_caseworkers", "youth__team__supervisors"),
    candidate_related=("youth__agency", "decision"),  # report_first_hour_from and the leads
)


def candidate_reviews(now):
    return clocks.candidates(REVIEW_ITEMS, now)


def candidate_reports(now):
    return clocks.candidates(IDENTIFICATION_REPORTS, now)


def sweep(now=None) -> dict:
    """Reminder and overdue alerts of open review items and open identified-victim reports due at
    `now`. Returns {"reviews": counts per stage, "reports": counts per stage}. Safe to run concurrently
    and repeatedly (missing_reports.escalation's protocol)."""
    now = now or timezone.now()
    return {
        "reviews": clocks.sweep_kind(REVIEW_ITEMS, candidate_reviews(now), now),
        "reports": clocks.sweep_kind(IDENTIFICATION_REPORTS, candidate_reports(now), now),
    }
