"""The supervisor's review queue: which assessments need a person to look, and by when (docs/risk-catalogue.md#bands).

One open review item per youth. A new reason that is more urgent raises the open item (urgency up,
due time earlier); reasons accumulate. After a decision, the same reasons do not come back: only a
reason the deciding supervisor has not seen, or a higher band than they saw, opens a new item.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction

from caseapp.local_time import agency_zone

from . import catalogue
from .models import URGENCY_RANK, Band, ReviewItem, ReviewStatus, Urgency
from .review_due import review_due_at

BAND_URGENCY = {Band.URGENT: Urgency.URGENT, Band.HIGH: Urgency.HIGH, Band.ELEVATED: Urgency.ELEVATED}
FLAG_URGENCY = {
    "TRIPWIRE": Urgency.IDENTIFICATION,
    "SR_NOW": Urgency.URGENT,
    "MANAGER_ESCALATION": Urgency.URGENT,
    "SR": Urgency.HIGH,
    "PLACEMENT_FIT_REVIEW": Urgency.ELEVATED,
}
FLAG_SENTENCES = {
    "TRIPWIRE": "A tripwire indicator was recorded: the identification workflow is open.",
    "SR_NOW": "An indicator or pattern calls for a same-day supervisor review.",
    "SR": "An indicator or pattern calls for a supervisor review.",
    "MANAGER_ESCALATION": "A missing episode was not reported to NCMEC by its due time.",
    "PLACEMENT_FIT_REVIEW": (
        "A missing episode began within 72 hours of a placement change: review the placement's fit."
    ),
    "PROLONGED": "A missing episode lasted more than 20 days.",
    "CYBERTIP": "Online content may be involved: consider a CyberTipline report.",
}


def most_urgent(urgencies):
    urgencies = [u for u in urgencies if u]
    return min(urgencies, key=URGENCY_RANK.__getitem__) if urgencies else None


def reason_key(reason) -> str:
    return f"{reason.get('kind')}:{reason.get('indicator')}:{reason.get('rule')}:{reason.get('source_id')}"


def counted_keys(snapshot) -> set[str]:
    return {reason_key(r) for r in snapshot.reasons if r.get("counted", True)} | {
        f"flag:{flag}" for flag in snapshot.flags
    }


def snapshot_urgency(snapshot):
    return most_urgent([BAND_URGENCY.get(snapshot.band)] + [FLAG_URGENCY.get(f) for f in snapshot.flags])


ASSESSMENT_PREFIX = "Assessment: "
MAX_LISTED_REASONS = 5


def snapshot_sentences(snapshot):
    """What a supervisor reads in the queue: the band, the flags, and the strongest counted reasons."""
    sentences = [f"{ASSESSMENT_PREFIX}{snapshot.get_band_display()} (score {snapshot.score})."]
    sentences += [FLAG_SENTENCES[f] for f in snapshot.flags if f in FLAG_SENTENCES]
    labels = {code: definition.label for code, definition in catalogue.by_code().items()}
    counted = [r for r in snapshot.reasons if r.get("counted", True) and r.get("indicator")]
    counted.sort(key=lambda r: Decimal(str(r.get("points") or 0)), reverse=True)
    for reason in counted[:MAX_LISTED_REASONS]:
        code = reason["indicator"]
        weight = "tripwire" if reason.get("weight") is None else f"weight {reason['weight']}"
        sentences.append(f"{code} {labels.get(code, '')} ({weight}).")
    return sentences


def _merge(old, new):
    """The latest assessment's sentences replace an earlier assessment's; other reasons (a tripwire
    recorded) stay."""
    if any(r.startswith(ASSESSMENT_PREFIX) for r in new):
        old = [r for r in old if not _from_a_snapshot(r)]
    return old + [r for r in new if r not in old]


def _from_a_snapshot(sentence):
    code = sentence.split(" ", 1)[0]
    return sentence.startswith(ASSESSMENT_PREFIX) or sentence in FLAG_SENTENCES.values() or code in _CODES


_CODES = frozenset(catalogue.by_code())


def raise_reviews_for(youth, snapshot, now):
    """Open or raise the youth's review item if `snapshot` calls for one that was not decided already."""
    urgency = snapshot_urgency(snapshot)
    if urgency is None:
        return None
    decision = youth.risk_decisions.select_related("snapshot").order_by("-decided_at", "-id").first()
    if decision is not None and decision.snapshot is not None:
        seen = decision.snapshot
        new_reasons = counted_keys(snapshot) - counted_keys(seen)
        seen_urgency = snapshot_urgency(seen)
        higher = seen_urgency is None or URGENCY_RANK[urgency] < URGENCY_RANK[seen_urgency]
        if not new_reasons and not higher:
            return None
    return raise_review(youth, urgency, snapshot_sentences(snapshot), now=now, snapshot=snapshot)


def raise_review(youth, urgency, reasons, *, now, snapshot=None, tripwire=None):
    """Open the youth's review item, or raise the open one. Call inside a transaction that holds the
    youth's row lock (every caller does), so two raises for one youth cannot race."""
    due = review_due_at(urgency, now, agency_zone(youth.agency))
    item = ReviewItem.objects.select_for_update().filter(youth=youth, status=ReviewStatus.OPEN).first()
    if item is None:
        try:
            with transaction.atomic():
                return ReviewItem.objects.create(
                    youth=youth, urgency=urgency, urgency_rank=URGENCY_RANK[urgency], reasons=list(reasons),
                    raised_at=now, due_at=due, snapshot=snapshot, tripwire=tripwire,
                )
        except IntegrityError:
            item = ReviewItem.objects.select_for_update().get(youth=youth, status=ReviewStatus.OPEN)
    changed = False
    if URGENCY_RANK[urgency] < item.urgency_rank:
        item.urgency, item.urgency_rank, changed = urgency, URGENCY_RANK[urgency], True
    if due < item.due_at:
        item.due_at, changed = due, True
    merged = _merge(item.reasons, list(reasons))
    if merged != item.reasons:
        item.reasons, changed = merged, True
    if snapshot is not None and item.snapshot_id != snapshot.pk:
        item.snapshot, changed = snapshot, True
    if tripwire is not None and item.tripwire_id is None:
        item.tripwire, changed = tripwire, True
    if changed:
        item.save()
    return item
