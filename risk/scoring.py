"""Risk scoring: observations and episode-history rule hits -> score, band, flags.

The design: docs/risk-catalogue.md#principles and #scoring.

Why it is shaped like this:

- Decision support, not a finding (principle 1). Every point has a `Reason`, including what did *not* count (too
  old, dated in the future, a repeat of an indicator already counted, cut by a cap), so a supervisor can see
  exactly why a youth is in a band. `ScoringSettings.as_dict()` is stored with each snapshot so a past decision
  stays explainable after an admin changes a weight.
- Identity is never an input (principle 2). `assess` takes observations, rule hits, settings and a time; there is
  no youth object and no field for race, sex, gender identity or sexual orientation, so they cannot change a
  score. Family *rejection* because of identity is scored as an unmet need (C2.5), the identity itself never.
- Vulnerability alone cannot reach Urgent (principle 2). C2 and C3 are capped at 4 points each; the settings
  refuse an Urgent threshold at or below the sum of the caps and an SR-NOW flag on a capped indicator, and the
  "any weight-5 indicator" rule ignores capped categories, so a weight-5 override on a C2/C3 item is still
  capped and never Urgent on its own.

The arithmetic (docs/risk-catalogue.md#scoring):

- points = weight x evidence multiplier (verified 1, reported 0.5) x age multiplier, where age = now - observed_at:
  up to and including 90 days -> 1; more than 90 days up to and including 365 days ("12 months") -> 0.5; older
  -> 0 (listed, not counted). Anything dated after `now` is listed and not counted.
- Each indicator code counts once: its highest-points occurrence (ties: the most recent), across observations
  and rule hits alike. Repeats are listed with counted=False.
- C2 and C3 are then capped. The cap keeps the highest-points indicators first; an indicator that only partly
  fits stays counted with `counted_points` below its `points`; the rest are listed with counted=False. `capped`
  holds, per category, how many points the cap removed (only categories where it removed some).
- score = sum of counted_points, rounded half-up to one decimal place. score == sum(r.counted_points).
- Band by thresholds (monitor < elevated <= ... < high <= ... < urgent <= score). Also Urgent with any counted
  weight-5 indicator outside the capped categories, any SR_NOW flag, or a tripwire.
- R9 (episodes coming closer together) raises the band one step (Urgent stays Urgent); `band_raised_by` is
  "R9" only when it changed the band. R9 describes the current pattern, so it applies only while its hit is at
  most 90 days old; other flag-only rule hits, like indicators, are in effect for 12 months.
- A tripwire (C0, weight None) adds no points: it sets TRIPWIRE and SR_NOW and makes the band Urgent. Because
  the statutory clock runs from when the agency *received* the information
  (docs/risk-catalogue.md#identification), a tripwire stays in effect for 12 months from the later of
  observed_at and received_at: a disclosure today about an event two years ago is today's information.
  `identification_received_at` is the earliest receipt among them.
- R12 (a C4 pattern and any C1, C5 or C7 indicator within 30 days of each other) needs both observations and
  rule hits, so it is computed here, not in risk.history_rules: a "rule" reason with rule "R12", no points, and
  the SR_NOW flag. Both must be in effect (not in the future, at most 12 months old); exactly 30 days apart
  counts. Only the most recent such pair is listed.
- Flags: SR/SR_NOW of counted indicators; CYBERTIP from counted C0.6/C5.4; R4 over 20 days -> PROLONGED;
  R10 -> PLACEMENT_FIT_REVIEW; R11 -> SR; R12 -> SR_NOW; R13 -> MANAGER_ESCALATION; and SR_NOW whenever the
  final band is Urgent (the band table: Urgent means a same-day supervisor review, SR-NOW), so Urgent <=> SR_NOW.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from risk import catalogue
from risk.history_rules import RuleHit

REPORTED = "reported"
VERIFIED = "verified"
EVIDENCE = (REPORTED, VERIFIED)

TRIPWIRE = "TRIPWIRE"
SR_NOW = "SR_NOW"
SR = "SR"
CYBERTIP = "CYBERTIP"
PLACEMENT_FIT_REVIEW = "PLACEMENT_FIT_REVIEW"
MANAGER_ESCALATION = "MANAGER_ESCALATION"
PROLONGED = "PROLONGED"

# Hits that carry no indicator only set a flag (R9 raises the band instead).
RULE_FLAGS = {"R4": PROLONGED, "R10": PLACEMENT_FIT_REVIEW, "R11": SR, "R12": SR_NOW, "R13": MANAGER_ESCALATION}
BAND_RAISE_RULE = "R9"
R12_SIGNAL_CATEGORIES = ("C1", "C5", "C7")
R12_WINDOW = datetime.timedelta(days=30)

ONE = Decimal(1)
ZERO = Decimal(0)
TENTH = Decimal("0.1")
SETTINGS_FORMAT = 1


def _default_cybertip():
    return tuple(i.code for i in catalogue.INDICATORS if i.cybertip)


@dataclass(frozen=True)
class ObservationFact:
    id: int | None
    indicator: str
    observed_at: datetime.datetime
    received_at: datetime.datetime
    evidence: str  # "reported" | "verified"


@dataclass(frozen=True)
class ScoringSettings:
    """The exact weights and thresholds an assessment used. Treat the dicts as read-only."""

    weights: dict[str, int | None]
    flags: dict[str, str]
    categories: dict[str, str]
    thresholds: dict[str, int]
    caps: dict[str, int]
    reported_multiplier: Decimal = Decimal("0.5")
    older_multiplier: Decimal = Decimal("0.5")
    recent_days: int = 90
    max_age_days: int = 365
    cybertip: tuple[str, ...] = field(default_factory=_default_cybertip)

    def __post_init__(self):
        _validate(self)

    @classmethod
    def default(cls) -> "ScoringSettings":
        return cls(
            weights={i.code: i.weight for i in catalogue.INDICATORS},
            flags={i.code: i.flag for i in catalogue.INDICATORS},
            categories={i.code: i.category for i in catalogue.INDICATORS},
            thresholds=dict(catalogue.DEFAULT_THRESHOLDS),
            caps=dict(catalogue.VULNERABILITY_CAPS),
        )

    def with_overrides(
        self, weights: Mapping[str, int | None] | None = None, thresholds: Mapping[str, int] | None = None
    ) -> "ScoringSettings":
        """New settings with an agency admin's weights and thresholds; ValueError names what is wrong."""
        weights = dict(weights or {})
        thresholds = dict(thresholds or {})
        unknown = sorted(set(weights) - set(self.weights))
        if unknown:
            raise ValueError(f"unknown indicator code(s): {', '.join(unknown)}")
        unknown = sorted(set(thresholds) - set(catalogue.DEFAULT_THRESHOLDS))
        if unknown:
            raise ValueError(f"unknown threshold(s): {', '.join(unknown)}; use elevated, high and urgent")
        return replace(self, weights={**self.weights, **weights}, thresholds={**self.thresholds, **thresholds})

    def as_dict(self) -> dict:
        """JSON-safe: store it with a snapshot."""
        return {
            "format": SETTINGS_FORMAT,
            "weights": dict(self.weights),
            "flags": dict(self.flags),
            "categories": dict(self.categories),
            "thresholds": dict(self.thresholds),
            "caps": dict(self.caps),
            "reported_multiplier": str(self.reported_multiplier),
            "older_multiplier": str(self.older_multiplier),
            "recent_days": self.recent_days,
            "max_age_days": self.max_age_days,
            "cybertip": list(self.cybertip),
        }


# Why a listed reason did not count (Reason.not_counted), for the pages to say so in words.
FUTURE = "future"  # dated after the assessment
AGED = "aged"  # older than the scoring window
REPEAT = "repeat"  # the same indicator counts once, from another record
CAPPED = "capped"  # its category's cap was reached


@dataclass(frozen=True)
class Reason:
    kind: str  # "observation" | "rule"
    indicator: str  # "" for a rule hit that only sets a flag
    rule: str  # "R3", ... or "" for an observation
    weight: int | None
    multiplier: Decimal  # evidence x age
    points: Decimal  # weight x multiplier, before the once-per-indicator rule and the caps
    at: datetime.datetime
    source_id: int | None  # the observation id, or the first episode id of a rule hit
    note: str
    counted: bool  # in effect: False when too old, in the future, a repeat, or cut by a cap
    counted_points: Decimal = ZERO  # what it adds to the score (below `points` when a cap cut part of it)
    category: str = ""
    not_counted: str = ""  # why counted is False: FUTURE, AGED, REPEAT or CAPPED ("" when counted)


@dataclass(frozen=True)
class Assessment:
    score: Decimal
    band: str
    reasons: tuple[Reason, ...]
    flags: tuple[str, ...]
    capped: dict[str, Decimal]
    band_raised_by: str = ""
    identification_received_at: datetime.datetime | None = None


def assess(
    observations: Iterable[ObservationFact],
    rule_hits: Iterable[RuleHit],
    settings: ScoringSettings,
    now: datetime.datetime,
) -> Assessment:
    """Score, band, flags and reasons at `now` (see the module docstring for every rule)."""
    _require_aware(now, "now")
    candidates = [_from_observation(o, settings, now) for o in observations]
    flag_hits = []
    for hit in rule_hits:
        _require_aware(hit.at, f"rule hit {hit.rule} at")
        if hit.indicator:
            candidates.append(_from_rule_hit(hit, settings, now))
        else:
            flag_hits.append(_flag_hit(hit, settings, now))

    reasons = _once_per_indicator(candidates)
    reasons, capped = _apply_caps(reasons, settings)
    r12 = _r12(reasons)
    if r12:
        flag_hits.append(r12)

    counted = [r for r in reasons if r.counted]
    flags = set()
    received = []
    for reason in counted:
        if reason.weight is None:
            flags.update((TRIPWIRE, SR_NOW))
        if settings.flags.get(reason.indicator):
            flags.add(settings.flags[reason.indicator])
        if reason.indicator in settings.cybertip:
            flags.add(CYBERTIP)
    for reason in candidates:
        if reason.counted and reason.weight is None and reason.kind == "observation":
            received.append(reason._received_at)
    raise_band = False
    for reason in flag_hits:
        if not reason.counted:
            continue
        if reason.rule == BAND_RAISE_RULE:
            raise_band = True
        elif reason.rule in RULE_FLAGS:
            flags.add(RULE_FLAGS[reason.rule])

    score = sum((r.counted_points for r in reasons), ZERO).quantize(TENTH, rounding=ROUND_HALF_UP)
    band = band_for_score(score, settings.thresholds)
    if SR_NOW in flags or any(r.weight == 5 and r.category not in settings.caps for r in counted):
        band = "urgent"
    band_raised_by = ""
    if raise_band and band != "urgent":
        band = catalogue.BANDS[catalogue.BANDS.index(band) + 1]
        band_raised_by = BAND_RAISE_RULE
    if band == "urgent":
        flags.add(SR_NOW)

    everything = [_public(r) for r in reasons + flag_hits]
    # A total order, so the same facts in any input order give the same assessment.
    everything.sort(
        key=lambda r: (
            not r.counted,
            -r.counted_points,
            -r.at.timestamp(),
            r.indicator,
            r.rule,
            r.source_id is None,
            r.source_id or 0,
            r.note,
        )
    )
    return Assessment(
        score=score,
        band=band,
        reasons=tuple(everything),
        flags=tuple(sorted(flags)),
        capped={
            category: amount.quantize(TENTH, rounding=ROUND_HALF_UP) for category, amount in sorted(capped.items())
        },
        band_raised_by=band_raised_by,
        identification_received_at=min(received) if received else None,
    )


def band_for_score(score: Decimal, thresholds: Mapping[str, int]) -> str:
    if score >= thresholds["urgent"]:
        return "urgent"
    if score >= thresholds["high"]:
        return "high"
    if score >= thresholds["elevated"]:
        return "elevated"
    return "monitor"


# --- internals -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate(Reason):
    """A reason while it is being decided; `_received_at` is kept for the identification clock."""

    _received_at: datetime.datetime | None = None


def _public(reason) -> Reason:
    values = {name: getattr(reason, name) for name in Reason.__dataclass_fields__}
    return Reason(**values)


def _age_multiplier(at, settings, now):
    """(multiplier, words, why not counted) for something dated `at`."""
    if at > now:
        return ZERO, "dated after this assessment: not counted", FUTURE
    age = now - at
    if age <= datetime.timedelta(days=settings.recent_days):
        return ONE, f"within {settings.recent_days} days", ""
    if age <= datetime.timedelta(days=settings.max_age_days):
        words = f"{settings.recent_days} days to 12 months ago (x{settings.older_multiplier})"
        return settings.older_multiplier, words, ""
    return ZERO, "older than 12 months: no longer counted, kept for the record", AGED


def _known(code, settings):
    if code not in settings.weights:
        raise ValueError(f"unknown indicator code {code!r}: the scoring settings do not define it")
    return settings.weights[code]


def _from_observation(observation, settings, now):
    _require_aware(observation.observed_at, f"observation {observation.id} observed_at")
    _require_aware(observation.received_at, f"observation {observation.id} received_at")
    if observation.evidence not in EVIDENCE:
        raise ValueError(f"observation {observation.id}: evidence must be 'reported' or 'verified'")
    weight = _known(observation.indicator, settings)
    category = settings.categories[observation.indicator]
    if observation.evidence == REPORTED:
        evidence_multiplier, evidence_words = (
            settings.reported_multiplier,
            f"reported (x{settings.reported_multiplier})",
        )
    else:
        evidence_multiplier, evidence_words = ONE, "verified"
    if weight is None:
        return _tripwire(observation, category, evidence_words, settings, now)
    age_multiplier, age_words, why = _age_multiplier(observation.observed_at, settings, now)
    multiplier = evidence_multiplier * age_multiplier
    return _Candidate(
        kind="observation",
        indicator=observation.indicator,
        rule="",
        weight=weight,
        multiplier=multiplier,
        points=weight * multiplier,
        at=observation.observed_at,
        source_id=observation.id,
        note=f"{evidence_words}; {age_words}",
        counted=multiplier > 0,
        category=category,
        not_counted=why,
    )


def _tripwire(observation, category, evidence_words, settings, now):
    received = observation.received_at if observation.received_at <= now else observation.observed_at
    freshest = max(observation.observed_at, received)
    if observation.observed_at > now:
        in_effect, words, why = False, "dated after this assessment: not counted", FUTURE
    elif now - freshest > datetime.timedelta(days=settings.max_age_days):
        in_effect, words = False, "received more than 12 months ago: no longer in effect, kept for the record"
        why = AGED
    else:
        in_effect, words, why = True, "tripwire: opens the identification workflow (no points)", ""
    return _Candidate(
        kind="observation",
        indicator=observation.indicator,
        rule="",
        weight=None,
        multiplier=ONE if in_effect else ZERO,
        points=ZERO,
        at=observation.observed_at,
        source_id=observation.id,
        note=f"{evidence_words}; {words}",
        counted=in_effect,
        category=category,
        not_counted=why,
        _received_at=observation.received_at,
    )


def _from_rule_hit(hit, settings, now):
    weight = _known(hit.indicator, settings)
    multiplier, age_words, why = _age_multiplier(hit.at, settings, now)
    if weight is None:
        raise ValueError(f"rule {hit.rule} cannot derive the tripwire {hit.indicator}")
    return _Candidate(
        kind="rule",
        indicator=hit.indicator,
        rule=hit.rule,
        weight=weight,
        multiplier=multiplier,
        points=weight * multiplier,
        at=hit.at,
        source_id=hit.episode_ids[0] if hit.episode_ids else None,
        note=f"{hit.note}; {age_words}",
        counted=multiplier > 0,
        category=settings.categories[hit.indicator],
        not_counted=why,
    )


def _flag_hit(hit, settings, now):
    if hit.rule != BAND_RAISE_RULE and hit.rule not in RULE_FLAGS:
        raise ValueError(f"rule hit {hit.rule!r} has no indicator and no known flag")
    window = settings.recent_days if hit.rule == BAND_RAISE_RULE else settings.max_age_days
    why = ""
    if hit.at > now:
        in_effect, words, why = False, "dated after this assessment: not in effect", FUTURE
    elif now - hit.at > datetime.timedelta(days=window):
        in_effect, words, why = False, f"more than {window} days ago: no longer in effect", AGED
    else:
        in_effect = True
        words = "raises the band one step" if hit.rule == BAND_RAISE_RULE else f"flag {RULE_FLAGS[hit.rule]}"
    return _Candidate(
        kind="rule",
        indicator="",
        rule=hit.rule,
        weight=None,
        multiplier=ONE if in_effect else ZERO,
        points=ZERO,
        at=hit.at,
        source_id=hit.episode_ids[0] if hit.episode_ids else None,
        note=f"{hit.note}; {words}",
        counted=in_effect,
        not_counted=why,
    )


def _once_per_indicator(candidates):
    best = {}
    for candidate in candidates:
        if not candidate.counted:
            continue
        current = best.get(candidate.indicator)
        if current is None or _rank(candidate) > _rank(current):
            best[candidate.indicator] = candidate
    winners = {id(c) for c in best.values()}
    decided = []
    for candidate in candidates:
        if candidate.counted and id(candidate) not in winners:
            candidate = replace(
                candidate,
                counted=False,
                not_counted=REPEAT,
                note=f"{candidate.note}; {candidate.indicator} counts once: a record with more points, or a "
                "more recent one, counts",
            )
        elif candidate.counted:
            candidate = replace(candidate, counted_points=candidate.points)
        decided.append(candidate)
    return decided


def _rank(candidate):
    """Highest points first, then the most recent, then (for a total order) the source and wording."""
    return (
        candidate.points,
        candidate.at,
        candidate.indicator,
        candidate.kind,
        candidate.source_id or 0,
        candidate.note,
    )


def _apply_caps(reasons, settings):
    by_category = defaultdict(list)
    for index, reason in enumerate(reasons):
        if reason.counted and reason.category in settings.caps:
            by_category[reason.category].append(index)
    capped = {}
    reasons = list(reasons)
    for category, indexes in by_category.items():
        cap = Decimal(settings.caps[category])
        total = sum((reasons[i].points for i in indexes), ZERO)
        if total <= cap:
            continue
        capped[category] = total - cap
        room = cap
        indexes.sort(key=lambda i: (-reasons[i].points, -reasons[i].at.timestamp(), reasons[i].indicator))
        for i in indexes:
            reason = reasons[i]
            cap_words = f"{category} is capped at {settings.caps[category]} points"
            if reason.points <= room:
                room -= reason.points
            elif room > 0:
                reasons[i] = replace(
                    reason, counted_points=room, note=f"{reason.note}; {cap_words}: {room} of {reason.points} counted"
                )
                room = ZERO
            else:
                reasons[i] = replace(
                    reason, counted=False, counted_points=ZERO, not_counted=CAPPED, note=f"{reason.note}; {cap_words}"
                )
    return reasons, capped


def _r12(reasons):
    """The most recent pair of an in-effect C4 pattern and C1/C5/C7 indicator within 30 days of each other."""
    in_effect = [r for r in reasons if r.multiplier > 0 and r.weight is not None]
    patterns = [r for r in in_effect if r.category == "C4"]
    signals = [r for r in in_effect if r.category in R12_SIGNAL_CATEGORIES]
    pairs = [(p, s) for p in patterns for s in signals if abs(p.at - s.at) <= R12_WINDOW]
    if not pairs:
        return None
    pattern, signal = max(
        pairs, key=lambda pair: (max(pair[0].at, pair[1].at), pair[0].at, pair[1].at, _rank(pair[0]), _rank(pair[1]))
    )
    at = max(pattern.at, signal.at)
    days = abs(pattern.at - signal.at).days
    return _Candidate(
        kind="rule",
        indicator="",
        rule="R12",
        weight=None,
        multiplier=ONE,
        points=ZERO,
        at=at,
        source_id=signal.source_id if signal.kind == "observation" else pattern.source_id,
        note=f"Missing-episode pattern {pattern.indicator} and {signal.indicator} within {days} days of each other "
        "(30 days or less): flag SR_NOW",
        counted=True,
    )


def _require_aware(moment, what):
    if not isinstance(moment, datetime.datetime):
        raise ValueError(f"{what} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (got a naive datetime)")


def _validate(settings):
    codes = set(settings.weights)
    if set(settings.flags) != codes or set(settings.categories) != codes:
        raise ValueError("weights, flags and categories must list the same indicator codes")
    if set(settings.caps) != set(catalogue.VULNERABILITY_CAPS):
        raise ValueError("caps must be given for exactly the vulnerability categories C2 and C3")
    for category, cap in settings.caps.items():
        if not _is_int(cap) or cap <= 0:
            raise ValueError(f"the cap for {category} must be a positive whole number (got {cap!r})")
    for code in sorted(codes):
        category = settings.categories[code]
        if category not in catalogue.CATEGORIES or catalogue.category_of(code) != category:
            raise ValueError(f"{code}: category must be one of C0..C7 and match the code (got {category!r})")
        weight = settings.weights[code]
        if category == "C0":
            if weight is not None:
                raise ValueError(f"{code} is an identification tripwire: it has no weight (got {weight!r})")
        elif weight is None:
            raise ValueError(f"{code}: only C0 identification tripwires may have no weight")
        elif not _is_int(weight) or weight not in catalogue.ALLOWED_WEIGHTS:
            raise ValueError(f"{code}: the weight must be one of 1, 2, 3 or 5 (got {weight!r})")
        flag = settings.flags[code]
        if flag not in catalogue.FLAGS:
            raise ValueError(f"{code}: the flag must be '', 'SR' or 'SR_NOW' (got {flag!r})")
        if flag == SR_NOW and category in settings.caps:
            raise ValueError(f"{code}: a capped vulnerability indicator cannot carry SR_NOW")
    unknown = set(settings.cybertip) - codes
    if unknown:
        raise ValueError(f"cybertip lists unknown indicator code(s): {', '.join(sorted(unknown))}")
    _validate_thresholds(settings.thresholds, sum(settings.caps.values()))
    for name in ("reported_multiplier", "older_multiplier"):
        value = getattr(settings, name)
        if not isinstance(value, Decimal) or not ZERO <= value <= ONE:
            raise ValueError(f"{name} must be a Decimal from 0 to 1 (got {value!r})")
    if not (_is_int(settings.recent_days) and _is_int(settings.max_age_days)) or not (
        0 < settings.recent_days < settings.max_age_days
    ):
        raise ValueError("recent_days and max_age_days must be whole numbers with 0 < recent_days < max_age_days")


def _validate_thresholds(thresholds, vulnerability_points):
    names = ("elevated", "high", "urgent")
    if set(thresholds) != set(names):
        raise ValueError("thresholds must give exactly elevated, high and urgent")
    values = [thresholds[name] for name in names]
    for name, value in zip(names, values, strict=True):
        if not _is_int(value) or value <= 0:
            raise ValueError(f"the {name} threshold must be a positive whole number (got {value!r})")
    if not values[0] < values[1] < values[2]:
        raise ValueError(
            f"thresholds must increase strictly: elevated < high < urgent (got {', '.join(map(str, values))})"
        )
    if values[2] <= vulnerability_points:
        raise ValueError(
            f"the urgent threshold must be above {vulnerability_points}, the most the capped vulnerability "
            "categories can add, so that they alone never reach Urgent"
        )


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)
