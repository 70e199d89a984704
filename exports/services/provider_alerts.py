"""The provider alert: check every agency's providers, open a review once per provider and period, close it
with a note (docs/duties.md#provider-alert).

The rate is the placement-environment report's (exports/reports/placement_environment.py `figures`): episodes
per 1,000 placement-days by provider, the one home of that figure; nothing here counts it again. The rule:

- the period is the six whole calendar months before the current month in the agency's zone (checked on Dec 7:
  Jun 1 to Nov 30), so a check any day of a month sees the same period and the unique constraint
  (agency, provider, period start) opens each alert once, however often beat runs the check;
- the providers compared are those with at least the agency's `provider_alert_min_placement_days` in the period;
  the median is the median of their rates;
- a provider is alerted when its rate is more than `provider_alert_factor` times that median (strictly more), and
  it had at least one episode. A provider under the minimum is never alerted.

The check is cheap: per agency the report's two aggregate queries, one for the teams of the alerted providers and
one for the alerts already open for the period. Its "viewer" is the agency's first active admin or agency staff
member (as the dashboard's warm-up): their scope is the whole agency. An agency with neither has nobody to review.
"""

import dataclasses
import datetime
import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from caseapp import audit
from caseapp.models import Agency, AuditAction, Role, User
from caseapp.services.errors import EditConflict

from .. import provider_alerts
from ..models import ProviderAlert, ProviderAlertStatus
from ..reports import placement_environment
from ..reports.base import ExportFilters, ReportQuery

PERIOD_MONTHS = 6
CENT = Decimal("0.01")


def period_for(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The six whole calendar months before `today`'s month: (first day, last day)."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    month, year = end.month - PERIOD_MONTHS + 1, end.year
    if month < 1:
        month, year = month + 12, year - 1
    return datetime.date(year, month, 1), end


@dataclasses.dataclass(frozen=True)
class Finding:
    """A provider over the threshold, with the figures behind it."""

    key: str
    name: str
    rate: Decimal
    median: Decimal
    placement_days: int
    episodes: int
    compared: int


def _decimal(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def over_threshold(groups, *, factor: Decimal, min_placement_days: int) -> list[Finding]:
    """The providers of `groups` (placement_environment.Group of kind Provider) whose rate is more than `factor`
    times the median rate of those with at least `min_placement_days`. Pure: no database."""
    compared = [g for g in groups if g.placement_days >= min_placement_days and g.rate is not None]
    if not compared:
        return []
    median = _decimal(statistics.median(Decimal(str(g.rate)) for g in compared))
    threshold = Decimal(factor) * median
    return [
        Finding(
            key=placement_environment.provider_key(g.label), name=g.label, rate=_decimal(g.rate), median=median,
            placement_days=g.placement_days, episodes=g.episodes, compared=len(compared),
        )
        for g in compared
        if g.episodes and Decimal(str(g.rate)) > threshold
    ]


def _viewer(agency):
    return (
        User.objects.filter(agency=agency, is_active=True, role__in=(Role.AGENCY_ADMIN, Role.AGENCY_STAFF))
        .select_related("agency")
        .order_by("pk")
        .first()
    )


def _teams_of(query, keys) -> dict[str, set[int]]:
    """{provider key: team ids} of the providers `keys`, from their placements in the period: one query."""
    first, stop = query.filters.period_start, query.filters.period_end + datetime.timedelta(days=1)
    rows = (
        placement_environment.placements(query)
        .filter(start_date__lt=stop)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=first))
        .values_list("provider_name", "youth__team_id")
        .distinct()
    )
    teams: dict[str, set[int]] = {}
    for name, team_id in rows:
        key = placement_environment.provider_key(name)
        if key in keys:
            teams.setdefault(key, set()).add(team_id)
    return teams


def check_agency(agency, now=None) -> list[ProviderAlert]:
    """Open the alerts of `agency`'s providers over the threshold for the current period; returns those opened now
    (none on a second run)."""
    now = now or timezone.now()
    viewer = _viewer(agency)
    if viewer is None:
        return []
    query = ReportQuery(agency=agency, user=viewer, filters=ExportFilters(), as_of=now)
    start, end = period_for(timezone.localtime(now, query.tz).date())
    query = dataclasses.replace(query, filters=ExportFilters(start, end))
    figures = placement_environment.figures(query)
    findings = over_threshold(
        figures.by_provider, factor=agency.provider_alert_factor,
        min_placement_days=agency.provider_alert_min_placement_days,
    )
    existing = set(
        ProviderAlert.objects.filter(agency=agency, period_start=start).values_list("provider_key", flat=True)
    )
    findings = [f for f in findings if f.key not in existing]
    teams = _teams_of(query, {f.key for f in findings})
    opened = []
    for finding in findings:
        alert = _open(agency, finding, start, end, teams.get(finding.key, set()), agency.provider_alert_factor,
                      agency.provider_alert_min_placement_days, now)
        if alert is not None:
            opened.append(alert)
    return opened


def _open(agency, finding, start, end, team_ids, factor, min_days, now):
    """One alert, in its own transaction; None when another check opened it first (the unique constraint)."""
    try:
        with transaction.atomic():
            alert = ProviderAlert.objects.create(
                agency=agency, provider_key=finding.key, provider_name=finding.name, period_start=start,
                period_end=end, rate=finding.rate, median_rate=finding.median, factor=factor,
                placement_days=finding.placement_days, episodes=finding.episodes,
                providers_compared=finding.compared, min_placement_days=min_days, opened_at=now,
            )
            alert.teams.set(team_ids)
            audit.record(None, AuditAction.CREATE, alert, detail={"provider_alert": finding.key,
                                                                  "period_start": start.isoformat()})
            return alert
    except IntegrityError:
        return None


def check_all(now=None) -> int:
    """Run by beat: check every agency; returns how many alerts were opened."""
    now = now or timezone.now()
    return sum(len(check_agency(agency, now)) for agency in Agency.objects.order_by("pk"))


@transaction.atomic
def close(*, actor, alert_id, expected_version, review_note, ip=None) -> ProviderAlert:
    """Close an open alert with what the review found. Bad input changes nothing; a stale form raises
    EditConflict."""
    alert = provider_alerts.get_or_404(actor, alert_id)
    if not provider_alerts.can_review(actor, alert):
        raise ValidationError("Only the agency admins and the supervisors of the provider's teams review it.")
    alert = ProviderAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.version != expected_version:
        raise EditConflict(current=alert)
    note = (review_note or "").strip()
    errors = {}
    if not alert.is_open:
        errors["__all__"] = "This provider alert is already reviewed."
    if not note:
        errors["review_note"] = "Say what the review found and what follows, e.g. a visit or a support plan."
    if errors:
        raise ValidationError(errors)
    alert.status = ProviderAlertStatus.CLOSED
    alert.closed_at = timezone.now()
    alert.closed_by = actor
    alert.review_note = note
    alert.version += 1
    alert._history_user = actor
    alert.save()
    audit.record(actor, AuditAction.UPDATE, alert, ip=ip, detail={"closed": True})
    return alert
