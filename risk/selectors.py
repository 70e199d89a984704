"""Reads of the risk module, always through caseapp.access, with fixed query counts."""

import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.utils import timezone

from caseapp import access
from missing_reports import deadlines
from missing_reports.escalation import local_time
from missing_reports.services import rules_for

from . import afcars
from .models import (
    IdentificationReport,
    Observation,
    ReviewDecision,
    ReviewItem,
    ReviewStatus,
    RiskSnapshot,
)


def observations_visible_to(user):
    return Observation.objects.filter(youth__in=access.youth_visible_to(user))


def snapshots_visible_to(user):
    return RiskSnapshot.objects.filter(youth__in=access.youth_visible_to(user))


def decisions_visible_to(user):
    return ReviewDecision.objects.filter(youth__in=access.youth_visible_to(user))


def reports_visible_to(user):
    return IdentificationReport.objects.filter(youth__in=access.youth_visible_to(user))


def current_snapshot(youth):
    return youth.risk_snapshots.select_related("scoring_version").order_by("-computed_at", "-id").first()


def youth_observations(youth):
    """Every observation of the youth, newest first, retracted ones included (they stay visible)."""
    return list(
        youth.risk_observations.select_related("indicator", "recorded_by", "retracted_by", "screening", "episode")
        .order_by("-observed_at", "-id")
    )


def youth_decisions(youth):
    """The decision history, newest first, each with its law-enforcement report clock if any."""
    return list(
        youth.risk_decisions.select_related("decided_by", "supersedes", "le_report__done_by", "review_item")
        .order_by("-decided_at", "-id")
    )


def open_review_item(youth):
    return youth.risk_review_items.filter(status=ReviewStatus.OPEN).select_related("tripwire__indicator").first()


def review_queue(user):
    """Open review items of the youth this user may decide about, most urgent and oldest first."""
    return (
        ReviewItem.objects.filter(status=ReviewStatus.OPEN, youth__in=access.youth_reviewable_by(user))
        .select_related("youth__team", "snapshot", "tripwire__indicator")
        .prefetch_related(Prefetch("youth__assigned_caseworkers"))
        .order_by("urgency_rank", "due_at", "raised_at", "id")
    )


# --- Review pages (risk/views/review.py): the queue, the decision form, the identified-victim report clock ------

REVIEW_QUEUE_PER_PAGE = 25


def review_queue_page(user, page_number=None, now=None):
    """One page of review_queue(user); each item carries its times in its agency's zone and whether it is
    overdue. Fixed query count: the count, the page (with youth, agency, team, snapshot, tripwire), the prefetch."""
    now = now or timezone.now()
    page = Paginator(review_queue(user).select_related("youth__agency"), REVIEW_QUEUE_PER_PAGE).get_page(page_number)
    for item in page.object_list:
        item.raised_local = local_time(item.raised_at, item.youth.agency)
        item.due_local = local_time(item.due_at, item.youth.agency)
        item.is_overdue = item.due_at < now
        item.overdue_by = _duration(now - item.due_at) if item.is_overdue else ""
    return page


def identification_clock_preview(youth, received_at):
    """The law-enforcement report clock an identification would start, if the information was received at
    `received_at`: the same pure function and rules table the decision service uses. None without a time."""
    if received_at is None:
        return None
    clocks = deadlines.deadlines(deadlines.IDENTIFIED, received_at, rules_for(youth.agency))
    return next(c for c in clocks if c.party == deadlines.LAW_ENFORCEMENT)


def get_identification_report_or_404(user, report_id):
    """A report clock of a youth the user sees (with its decision, youth, agency and who recorded it), or 404."""
    return access.get_in_scope_or_404(
        reports_visible_to(user).select_related("youth__agency", "decision__decided_by", "done_by"), report_id
    )


def report_of_decision(decision):
    """The report clock an identification runs under: its own, or (a correction) the one of the identification
    it corrects, found through `supersedes` while the information-received time stays the same."""
    current = decision
    while current is not None:
        report = IdentificationReport.objects.filter(decision=current).first()
        if report is not None:
            return report
        previous = current.supersedes
        if previous is None or previous.information_received_at != current.information_received_at:
            return None
        current = previous
    return None


def _duration(delta):
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes or not parts else []
    return " ".join(parts)


@dataclass(frozen=True)
class ClockState:
    """What the report clock page says about its state: 'open', 'overdue' or 'done', and by how much."""

    state: str
    label: str
    late_by: str


def report_clock_state(report, now=None):
    now = now or timezone.now()
    if report.is_done:
        late_by = _duration(report.done_at - report.due_at) if report.was_late() else ""
        return ClockState("done", f"Done, late by {late_by}" if late_by else "Done, on time", late_by)
    if report.is_overdue(now):
        late_by = _duration(now - report.due_at)
        return ClockState("overdue", f"Overdue by {late_by}: not reported yet", late_by)
    return ClockState("open", f"Open: due in {_duration(report.due_at - now)}", "")


def youth_afcars(youth, decisions, today=None):
    """AFCARS E106-E111 (risk.afcars) from the youth's decisions as youth_decisions() returns them."""
    facts = []
    for decision in decisions:
        try:
            report = decision.le_report
        except ObjectDoesNotExist:
            report = None
        facts.append(
            afcars.DecisionFacts(
                id=decision.pk,
                outcome=decision.outcome,
                decided_at=decision.decided_at,
                timing=decision.timing,
                information_received_at=decision.information_received_at,
                has_report=report is not None,
                report_done_at=report.done_at if report else None,
            )
        )
    zone = _agency_zone(youth.agency)
    today = today or timezone.localtime(timezone.now(), zone).date()
    return afcars.afcars_elements(facts, removal_date=youth.entered_care_on, today=today, zone=zone)


def _agency_zone(agency):
    try:
        return zoneinfo.ZoneInfo(agency.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
