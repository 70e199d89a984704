"""What is in the period of a timeliness report: the episodes the agency learned of in it, their
required notices, and the identified-victim reports whose information was received in it, each in the
requester's scope (caseapp.access) and filtered by team and placement type. The rows and the figures
both start from these querysets.
"""

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import TruncDate

from caseapp import access
from caseapp.models import Placement
from missing_reports.models import DisclosureReport, MissingEpisode, Notification
from risk.models import IdentificationReport

from ..base import ReportQuery


def _episode_scope(query: ReportQuery, prefix: str = "") -> Q:
    """The period's episodes in the requester's scope, as a filter on a model reaching them by `prefix`."""
    start, end = query.period_bounds()
    filters = query.filters
    scope = Q(
        **{
            f"{prefix}youth__agency_id": query.agency.pk,
            f"{prefix}youth__in": access.youth_visible_to(query.user),
            f"{prefix}agency_learned_at__gte": start,
            f"{prefix}agency_learned_at__lt": end,
        }
    )
    return scope & filters.q(team=f"{prefix}youth__team_id", placement_type=f"{prefix}placement__placement_type")


def episodes_in_period(query: ReportQuery):
    """Episodes the agency learned of in the period, in the requester's scope, filtered."""
    return MissingEpisode.objects.filter(_episode_scope(query))


def notifications_in_period(query: ReportQuery):
    """Every required notice (missing_reports Notification) of the period's episodes; a report of a disclosure
    withdrawn as recorded in error and not made by then is closed as not required, not late, and is left out."""
    return Notification.objects.filter(_episode_scope(query, "episode__")).exclude(
        done_at__isnull=True, disclosure__withdrawn_at__isnull=False
    )


def _reports_of_youth_in_period(model, query: ReportQuery, *, cause: str):
    """The evidenced clocks of `model` (kept per youth, not per episode) whose cause (`cause`, e.g. the disclosure)
    happened in the period, in the requester's scope, by team; a placement-type filter keeps the youth placed in
    one of those types on the day of the cause. A report not made before its cause was withdrawn as recorded in
    error is closed, not late, and is left out."""
    start, end = query.period_bounds()
    filters = query.filters
    at = {"disclosure": "disclosure__disclosed_at", "decision": "decision__information_received_at"}[cause]
    reports = model.objects.filter(
        youth__agency_id=query.agency.pk,
        youth__in=access.youth_visible_to(query.user),
        **{f"{at}__gte": start, f"{at}__lt": end},
    ).exclude(done_at__isnull=True, **{f"{cause}__withdrawn_at__isnull": False})
    if filters.team_ids:
        reports = reports.filter(youth__team_id__in=filters.team_ids)
    if filters.placement_types:
        # The placement the youth was in on the day of the cause (end dates exclusive).
        placed = Placement.objects.filter(
            youth_id=OuterRef("youth_id"),
            placement_type__in=filters.placement_types,
            start_date__lte=OuterRef("cause_day"),
        ).filter(Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("cause_day")))
        reports = reports.annotate(cause_day=TruncDate(at, tzinfo=query.tz)).filter(Exists(placed))
    return reports


def disclosure_reports_in_period(query: ReportQuery):
    """The reports of disclosures without an episode that the youth made in the period
    (missing_reports.models.DisclosureReport)."""
    return _reports_of_youth_in_period(DisclosureReport, query, cause="disclosure")


def identification_reports_in_period(query: ReportQuery):
    """Identified-victim reports to law enforcement whose information the agency received in the period
    (risk.models.IdentificationReport)."""
    return _reports_of_youth_in_period(IdentificationReport, query, cause="decision")


def _labels(choices):
    """{value: label} of a model's choices (the rows' methods, the figures' sexes)."""
    return {value: str(label) for value, label in choices.choices}
