"""What the risk module tells a missing episode about the youth's danger (docs/packets.md#endangerment).

Registered from RiskConfig.ready() as an endangerment contributor (missing_reports/endangerment_sources.py):
missing_reports never imports risk, it asks its contributors. `contribute(youth)` returns
(code, reason) pairs, each reason in words with no restricted field:

- vulnerable to sex trafficking: the current assessment's band is High or Urgent
  (docs/risk-catalogue.md#bands), or an identification review is open (a tripwire was recorded);
- identified as a victim of trafficking: an identification that stands (risk/afcars.py
  `counting_identifications`: ever made and not withdrawn as recorded in error).

The reasons name dates, never the time of the call, so the packet facts built from them are stable.
`refresh(youth_id, trigger)` asks missing_reports to tick what these now say on the youth's open episode,
in the transaction of the change that says it (missing_reports/services/endangerment.py).
"""

from caseapp.local_time import agency_zone
from missing_reports import endangerment as rules
from missing_reports.services import endangerment as endangerment_services

from . import afcars, selectors
from .models import Band, ReviewStatus, TraffickingType, Urgency

HIGH_BANDS = (Band.HIGH, Band.URGENT)


def _day(moment, youth):
    return moment.astimezone(agency_zone(youth.agency)).date().isoformat()


def contribute(youth) -> list[tuple[str, str]]:
    found = []
    snapshot = selectors.current_snapshot(youth)
    if snapshot is not None and snapshot.band in HIGH_BANDS:
        found.append(
            (rules.TRAFFICKING_VULNERABILITY,
             f"Risk band {Band(snapshot.band).label} (assessed {_day(snapshot.computed_at, youth)})")
        )
    review = (
        youth.risk_review_items.filter(status=ReviewStatus.OPEN, urgency=Urgency.IDENTIFICATION)
        .only("raised_at").first()
    )
    if review is not None:
        found.append(
            (rules.TRAFFICKING_VULNERABILITY,
             f"Identification review open since {_day(review.raised_at, youth)} (a tripwire indicator was recorded)")
        )
    decisions = list(youth.risk_decisions.select_related("le_report").order_by("decided_at", "id"))
    standing = afcars.counting_identifications([selectors.decision_facts(d) for d in decisions])
    if standing:
        latest = standing[-1]
        decided = {d.pk: d for d in decisions}[latest.decision_id]
        kind = TraffickingType(latest.trafficking_type).label.lower() if latest.trafficking_type else "trafficking"
        found.append(
            (rules.IDENTIFIED_TRAFFICKING_VICTIM,
             f"Identified as a victim of {kind} ({_day(decided.decided_at, youth)}, supervisor's decision)")
        )
    return found


def refresh(youth_id, trigger, actor=None, retracted=()):
    """Tick on the youth's open episode what the risk record now supports (nothing without one);
    `retracted`: codes whose cause was withdrawn as recorded in error."""
    return endangerment_services.refresh_open_episode(youth_id, trigger=trigger, actor=actor, retracted=retracted)


def withdrawn(youth_id, actor):
    """An identification withdrawn as recorded in error: its tick goes, unless another one stands."""
    return refresh(youth_id, "Identification withdrawn as recorded in error", actor,
                   retracted=(rules.IDENTIFIED_TRAFFICKING_VICTIM,))
