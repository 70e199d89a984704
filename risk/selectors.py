"""Reads of the risk module, always through caseapp.access, with fixed query counts."""

from django.db.models import Prefetch

from caseapp import access

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
