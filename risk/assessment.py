"""Reassess a youth: load the facts, call the pure rules and scoring, keep a dated snapshot, and raise
a review when the result calls for one.

The Celery task (risk.tasks.reassess_youth) calls `reassess`. It is idempotent: the youth's row is
locked for the whole computation, and a result identical to the latest snapshot (same score, band,
reasons, flags and scoring version) adds nothing, however often the task runs.
"""

import datetime
import hashlib
import json
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from caseapp.local_time import agency_zone
from caseapp.models import MISSING_PLACEMENT_TYPES, Placement, Youth
from missing_reports import selectors as episode_selectors

from . import endangerment, history_rules, scoring
from .models import Observation, RiskSnapshot, ScoringVersion
from .reviews import raise_reviews_for


def settings_from(weights, thresholds) -> scoring.ScoringSettings:
    """The scoring settings of an agency's overrides; ValueError with a readable message if invalid."""
    return scoring.ScoringSettings.default().with_overrides(dict(weights or {}), dict(thresholds or {}))


def agency_settings(agency):
    """(ScoringVersion or None, ScoringSettings): the agency's current weights, else the defaults."""
    version = ScoringVersion.objects.filter(agency=agency).order_by("-number").first()
    if version is None:
        return None, scoring.ScoringSettings.default()
    return version, settings_from(version.weights, version.thresholds)


def observation_facts(youth_id):
    rows = (
        Observation.objects.filter(youth_id=youth_id, retracted_at__isnull=True)
        .values_list("pk", "indicator__code", "observed_at", "information_received_at", "evidence")
    )
    return [
        scoring.ObservationFact(id=pk, indicator=code, observed_at=seen, received_at=received, evidence=evidence)
        for pk, code, seen, received, evidence in rows
    ]


def episode_facts(youth_id):
    return [
        history_rules.EpisodeFact(
            id=row["id"], started_at=row["last_seen_at"], learned_at=row["agency_learned_at"],
            returned_at=row["returned_at"], found_location_type=row["found_location_type"] or "",
            found_out_of_county=row["found_out_of_county"], found_out_of_state=row["found_out_of_state"],
            found_address=row["found_address"] or "", returned_with=tuple(row["returned_with"]),
            ncmec_due_at=row["ncmec_due_at"], ncmec_done_at=row["ncmec_done_at"],
        )
        for row in episode_selectors.episode_history_for_rules(youth_id)
    ]


def placement_changes(youth):
    """When the youth moved: the start of each real placement (not the missing spells), at local midnight."""
    zone = agency_zone(youth.agency)
    starts = (
        Placement.objects.filter(youth=youth)
        .exclude(placement_type__in=MISSING_PLACEMENT_TYPES)
        .order_by("start_date")
        .values_list("start_date", flat=True)
    )
    return [datetime.datetime.combine(day, datetime.time(), tzinfo=zone) for day in starts]


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def reasons_as_json(result: scoring.Assessment):
    return [{name: _jsonable(value) for name, value in vars(reason).items()} for reason in result.reasons]


def result_hash(result: scoring.Assessment, version) -> str:
    payload = {
        "score": str(result.score),
        "band": result.band,
        "reasons": reasons_as_json(result),
        "flags": list(result.flags),
        "capped": {k: str(v) for k, v in result.capped.items()},
        "band_raised_by": result.band_raised_by,
        "version": version.pk if version else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def compute(youth, now):
    """The pure part's inputs and result for `youth` at `now` (no writes)."""
    version, scoring_settings = agency_settings(youth.agency)
    hits = history_rules.evaluate(episode_facts(youth.pk), placement_changes(youth), now)
    result = scoring.assess(observation_facts(youth.pk), hits, scoring_settings, now)
    return version, scoring_settings, result


@transaction.atomic
def reassess(youth_id, trigger, now=None):
    """Recompute the youth's assessment; store a snapshot if it changed; raise reviews. Returns the
    current snapshot, or None for a youth that no longer exists."""
    now = now or timezone.now()
    # of=("self",): the youth's row only. Without it PostgreSQL locks the joined agency row too, and every
    # reassessment and screening of an agency queued on that one row, deadlocking under concurrent saves
    # (found by the Wapiti scan, docs/security.md#scanner).
    youth = Youth.objects.select_for_update(of=("self",)).select_related("agency").filter(pk=youth_id).first()
    if youth is None:
        return None
    version, scoring_settings, result = compute(youth, now)
    digest = result_hash(result, version)
    latest = youth.risk_snapshots.order_by("-computed_at", "-id").first()
    if latest is not None and latest.result_hash == digest:
        return latest
    snapshot = RiskSnapshot.objects.create(
        youth=youth, computed_at=now, score=result.score, band=result.band, reasons=reasons_as_json(result),
        flags=list(result.flags), capped={k: str(v) for k, v in result.capped.items()},
        band_raised_by=result.band_raised_by, scoring_version=version, settings_used=scoring_settings.as_dict(),
        result_hash=digest, trigger=trigger[:200],
    )
    raise_reviews_for(youth, snapshot, now)
    # A band gone High, or a review opened, may endanger the youth who is missing now (risk/endangerment.py).
    endangerment.refresh(youth.pk, f"Risk assessment: {snapshot.get_band_display()}")
    return snapshot
