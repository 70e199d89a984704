"""Risk scoring (docs/risk-catalogue.md#scoring): points, ageing, evidence, caps, bands, flags and explanations."""

import dataclasses
import datetime
import inspect
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk import catalogue, scoring
from risk.history_rules import EpisodeFact, RuleHit, evaluate
from risk.scoring import Assessment, ObservationFact, Reason, ScoringSettings, assess, band_for_score

UTC = datetime.UTC
NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
D = datetime.timedelta(days=1)
H = datetime.timedelta(hours=1)
S = datetime.timedelta(seconds=1)
DEFAULT = ScoringSettings.default()
_ids = iter(range(1, 10**6))


def obs(code, ago=D, evidence="verified", received_ago=None, id=None):
    observed = NOW - ago
    received = NOW - (received_ago if received_ago is not None else ago)
    return ObservationFact(
        id=id or next(_ids), indicator=code, observed_at=observed, received_at=received, evidence=evidence
    )


def hit(rule, indicator="", ago=D, episode_ids=(7,), note="pattern"):
    return RuleHit(rule=rule, indicator=indicator, at=NOW - ago, episode_ids=episode_ids, note=note)


def run(*observations, hits=(), settings=DEFAULT, now=NOW):
    return assess(list(observations), list(hits), settings, now)


def counted(result):
    return [r for r in result.reasons if r.counted]


def check_invariants(result):
    total = sum((r.counted_points for r in result.reasons), Decimal(0))
    assert result.score == total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert result.score.as_tuple().exponent == -1
    assert result.flags == tuple(sorted(set(result.flags)))
    assert (result.band == "urgent") == ("SR_NOW" in result.flags)
    assert all(r.counted_points == 0 for r in result.reasons if not r.counted)


# --- the arithmetic ----------------------------------------------------------------------------------------


def test_nothing_recorded_is_monitor_with_no_reasons():
    result = run()
    assert result == Assessment(
        score=Decimal("0.0"), band="monitor", reasons=(), flags=(), capped={}, band_raised_by=""
    )


@pytest.mark.parametrize(
    ("codes", "score", "band"),
    [
        (("C1.9", "C5.5"), "4.0", "monitor"),
        (("C1.1", "C1.9"), "5.0", "elevated"),
        (("C1.1", "C1.3", "C1.4"), "9.0", "elevated"),
        (("C1.1", "C1.3", "C1.9", "C5.5"), "10.0", "high"),
        (("C1.1", "C1.3", "C1.4", "C1.5", "C1.9"), "14.0", "high"),
        (("C1.1", "C1.3", "C1.4", "C1.5", "C1.7"), "15.0", "urgent"),
    ],
    ids=["4-monitor", "5-elevated", "9-elevated", "10-high", "14-high", "15-urgent"],
)
def test_band_boundaries(codes, score, band):
    result = run(*(obs(code) for code in codes))
    assert result.score == Decimal(score)
    assert result.band == band
    check_invariants(result)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        ("0", "monitor"),
        ("4.9", "monitor"),
        ("5", "elevated"),
        ("9.9", "elevated"),
        ("10", "high"),
        ("14.9", "high"),
        ("15", "urgent"),
        ("40", "urgent"),
    ],
)
def test_band_for_score(score, band):
    assert band_for_score(Decimal(score), catalogue.DEFAULT_THRESHOLDS) == band


def test_half_points_do_not_round_across_a_band_boundary():
    # 3 + 1.5 (reported) = 4.5: still Monitor.
    result = run(obs("C1.1"), obs("C1.3", evidence="reported"))
    assert (result.score, result.band) == (Decimal("4.5"), "monitor")


def test_reported_evidence_counts_half():
    result = run(obs("C1.1", evidence="reported"))
    (reason,) = result.reasons
    assert reason.multiplier == Decimal("0.5")
    assert reason.points == reason.counted_points == Decimal("1.5")
    assert result.score == Decimal("1.5")
    assert "reported" in reason.note


@pytest.mark.parametrize(
    ("ago", "evidence", "points", "counted_", "words"),
    [
        (0 * D, "verified", "3", True, "within 90 days"),
        (90 * D, "verified", "3", True, "within 90 days"),
        (90 * D + S, "verified", "1.5", True, "90 days to 12 months ago"),
        (365 * D, "verified", "1.5", True, "90 days to 12 months ago"),
        (365 * D + S, "verified", "0", False, "older than 12 months"),
        (200 * D, "reported", "0.75", True, "90 days to 12 months ago"),
        (900 * D, "reported", "0", False, "older than 12 months"),
    ],
)
def test_ageing_over_the_rolling_90_days_and_12_months(ago, evidence, points, counted_, words):
    result = run(obs("C1.1", ago=ago, evidence=evidence))
    (reason,) = result.reasons  # dropped observations are still listed
    assert reason.points == Decimal(points)
    assert reason.counted is counted_
    assert words in reason.note
    check_invariants(result)


def test_score_is_rounded_half_up_to_one_decimal_place():
    # 3 x 0.5 x 0.5 = 0.75 -> 0.8
    assert run(obs("C1.1", ago=200 * D, evidence="reported")).score == Decimal("0.8")


def test_observations_dated_in_the_future_are_listed_but_not_counted():
    result = run(obs("C7.1", ago=-H), obs("C1.1"))
    assert result.score == Decimal("3.0")
    assert result.band == "monitor"
    future = next(r for r in result.reasons if r.indicator == "C7.1")
    assert not future.counted
    assert "dated after" in future.note


def test_each_indicator_counts_once_at_its_highest_points():
    repeated = [
        obs("C1.3", ago=1 * D, evidence="reported", id=1),
        obs("C1.3", ago=10 * D, id=2),
        obs("C1.3", ago=200 * D, id=3),
        obs("C1.3", ago=2 * D, id=4),
    ]
    result = run(*repeated)
    assert result.score == Decimal("3.0")
    (winner,) = counted(result)
    assert winner.source_id == 4  # verified and within 90 days, the most recent of the two worth 3 points
    assert len(result.reasons) == 4
    losers = [r for r in result.reasons if not r.counted]
    assert all("counts once" in r.note for r in losers)


def test_assessment_does_not_depend_on_the_order_of_the_facts():
    facts = [obs("C1.3", id=1), obs("C1.3", id=2), obs("C2.2", id=3), obs("C2.5", id=4), obs("C2.1", id=5)]
    facts += [obs("C7.2", id=6, ago=3 * D), obs("C7.7", id=7, ago=3 * D)]
    hits = [hit("R3", "C4.3"), hit("R2", "C4.2"), hit("R10")]
    assert assess(facts, hits, DEFAULT, NOW) == assess(facts[::-1], hits[::-1], DEFAULT, NOW)


# --- caps on the vulnerability categories ------------------------------------------------------------------


def test_c2_is_capped_at_4_and_the_cut_is_reported():
    # 2 + 2 + 1 + 1 = 6 -> 4; 2 points cut.
    result = run(obs("C2.2"), obs("C2.5"), obs("C2.1"), obs("C2.3"))
    assert result.score == Decimal("4.0")
    assert result.capped == {"C2": Decimal("2.0")}
    kept = sorted(r.indicator for r in counted(result))
    assert kept == ["C2.2", "C2.5"]
    cut = [r for r in result.reasons if not r.counted]
    assert {r.indicator for r in cut} == {"C2.1", "C2.3"}
    assert all("C2 is capped at 4 points" in r.note for r in cut)
    check_invariants(result)


def test_c3_exactly_at_the_cap_cuts_nothing():
    result = run(obs("C3.1"), obs("C3.3"))
    assert result.score == Decimal("4.0")
    assert result.capped == {}


def test_the_cap_keeps_the_highest_points_first():
    # C3.1 2 + C3.6 2 fill the cap; the reported C3.4 (1 point) is cut whole.
    result = run(obs("C3.1", ago=D), obs("C3.6", ago=2 * D), obs("C3.4", evidence="reported"))
    assert result.score == Decimal("4.0")
    assert result.capped == {"C3": Decimal("1.0")}
    cut = next(r for r in result.reasons if r.indicator == "C3.4")
    assert not cut.counted and cut.points == Decimal("1.0") and cut.counted_points == 0
    check_invariants(result)


def test_at_equal_points_the_cap_keeps_the_most_recent():
    result = run(
        obs("C2.1", ago=5 * D),
        obs("C2.3", ago=1 * D),
        obs("C2.4", ago=3 * D),
        obs("C2.6", ago=2 * D),
        obs("C2.7", ago=4 * D),
    )
    assert sorted(r.indicator for r in counted(result)) == ["C2.3", "C2.4", "C2.6", "C2.7"]
    assert result.capped == {"C2": Decimal("1.0")}


def test_a_cap_can_split_one_indicator():
    # C3.1 2 + C3.5 1 + C3.4 (2, counted after the others only if fewer points) ... use 1.5 via reported x aged?
    # reported multiplier 0.5 and aged 0.5 give quarters: 3 x 0.5 = 1.5 needs weight 3, so override C3.6 to 3.
    adjusted = DEFAULT.with_overrides({"C3.6": 3})
    result = run(obs("C3.1"), obs("C3.5"), obs("C3.6", evidence="reported"), settings=adjusted)
    # sorted by points: C3.1 2, C3.6 1.5, C3.5 1 -> 2 + 1.5 = 3.5, C3.5 keeps 0.5 of 1.
    split = next(r for r in result.reasons if r.indicator == "C3.5")
    assert split.counted and split.points == Decimal("1") and split.counted_points == Decimal("0.5")
    assert "0.5 of 1 counted" in split.note
    assert result.capped == {"C3": Decimal("0.5")}
    assert result.score == Decimal("4.0")
    check_invariants(result)


def test_both_caps_together_are_at_most_8():
    everything = [obs(i.code) for i in catalogue.INDICATORS if i.category in ("C2", "C3")]
    result = run(*everything)
    assert result.score == Decimal("8.0")
    assert result.capped == {"C2": Decimal("6.0"), "C3": Decimal("8.0")}
    assert result.band == "elevated"


# --- vulnerability alone never reaches Urgent ---------------------------------------------------------------

VULNERABILITY_CODES = [i.code for i in catalogue.INDICATORS if i.category in ("C2", "C3")]


def test_weight_5_overrides_on_vulnerability_items_are_still_capped_and_never_urgent():
    heavy = DEFAULT.with_overrides(dict.fromkeys(VULNERABILITY_CODES, 5))
    result = run(obs("C2.1"), obs("C3.1"), settings=heavy)
    assert result.score == Decimal("8.0")
    assert result.band == "elevated"
    assert "SR_NOW" not in result.flags


@settings(max_examples=200, deadline=None)
@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(VULNERABILITY_CODES),
            st.integers(min_value=-30, max_value=500),
            st.sampled_from(["reported", "verified"]),
        ),
        max_size=25,
    ),
    weights=st.dictionaries(st.sampled_from(VULNERABILITY_CODES), st.sampled_from([1, 2, 3, 5])),
    elevated=st.integers(min_value=1, max_value=6),
    high_step=st.integers(min_value=1, max_value=4),
    urgent=st.integers(min_value=9, max_value=30),
)
def test_property_vulnerability_alone_never_reaches_urgent(picks, weights, elevated, high_step, urgent):
    high = elevated + high_step
    if not high < urgent:
        return
    chosen = DEFAULT.with_overrides(weights, {"elevated": elevated, "high": high, "urgent": urgent})
    result = run(*(obs(code, ago=days * D, evidence=ev) for code, days, ev in picks), settings=chosen)
    assert result.band != "urgent"
    assert result.score <= 8
    assert "SR_NOW" not in result.flags
    check_invariants(result)


# --- identity is never an input --------------------------------------------------------------------------


def test_assess_takes_no_youth_and_facts_have_no_identity_fields():
    assert list(inspect.signature(assess).parameters) == ["observations", "rule_hits", "settings", "now"]
    fields = {f.name for f in dataclasses.fields(ObservationFact)} | {f.name for f in dataclasses.fields(RuleHit)}
    fields |= {f.name for f in dataclasses.fields(EpisodeFact)}
    for identity in ("race", "ethnicity", "sex", "gender", "gender_identity", "sexual_orientation", "lgbtq"):
        assert identity not in fields
    assert "Identity is never an input" in scoring.__doc__


@dataclasses.dataclass(frozen=True)
class ObservationWithIdentity(ObservationFact):
    race: str = ""
    sex: str = ""
    lgbtq: bool = False


@pytest.mark.parametrize(
    "identity",
    [
        {"race": "Black", "sex": "female", "lgbtq": False},
        {"race": "White", "sex": "male", "lgbtq": False},
        {"race": "Native American", "sex": "intersex", "lgbtq": True},
        {"race": "", "sex": "", "lgbtq": True},
    ],
)
def test_identity_never_changes_an_assessment(identity):
    base = [obs("C2.5", id=1), obs("C1.1", id=2), obs("C7.7", id=3, evidence="reported")]
    hits = [hit("R2", "C4.2")]
    plain = assess(base, hits, DEFAULT, NOW)
    with_identity = [ObservationWithIdentity(**dataclasses.asdict(o), **identity) for o in base]
    assert assess(with_identity, hits, DEFAULT, NOW) == plain


# --- tripwires and flags ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [f"C0.{n}" for n in range(1, 7)])
def test_a_tripwire_adds_no_points_but_makes_the_review_same_day(code):
    result = run(obs(code, evidence="reported", received_ago=2 * H))
    assert result.score == Decimal("0.0")
    assert result.band == "urgent"
    assert {"TRIPWIRE", "SR_NOW"} <= set(result.flags)
    assert ("CYBERTIP" in result.flags) is (code == "C0.6")
    assert result.identification_received_at == NOW - 2 * H
    (reason,) = result.reasons
    assert reason.weight is None and reason.points == 0 and reason.counted
    check_invariants(result)


def test_a_disclosure_today_about_an_old_event_is_in_effect():
    result = run(obs("C0.1", ago=700 * D, received_ago=1 * H))
    assert "TRIPWIRE" in result.flags
    assert result.identification_received_at == NOW - H


def test_a_tripwire_received_more_than_12_months_ago_is_listed_not_in_effect():
    result = run(obs("C0.3", ago=400 * D))
    assert result.flags == ()
    assert result.band == "monitor"
    assert result.identification_received_at is None
    assert not result.reasons[0].counted


def test_earliest_receipt_of_the_tripwire_information_starts_the_clock():
    result = run(obs("C0.1", received_ago=5 * H), obs("C0.1", received_ago=1 * H), obs("C0.4", received_ago=3 * H))
    assert result.identification_received_at == NOW - 5 * H


@pytest.mark.parametrize(
    ("code", "flags"),
    [
        ("C1.6", {"SR"}),
        ("C1.10", {"SR"}),
        ("C6.3", {"SR"}),
        ("C4.9", set()),
        ("C1.1", set()),
        ("C5.4", {"SR_NOW", "CYBERTIP"}),
        ("C6.4", {"SR_NOW"}),
        ("C7.1", {"SR_NOW"}),
    ],
)
def test_flags_of_counted_indicators_propagate(code, flags):
    assert set(run(obs(code)).flags) == flags


def test_flags_of_uncounted_indicators_do_not_propagate():
    assert run(obs("C1.6", ago=400 * D), obs("C5.4", ago=-D)).flags == ()


@pytest.mark.parametrize("code", ["C1.2", "C5.4", "C6.4", "C7.1", "C7.3", "C7.5"])
def test_any_weight_5_indicator_is_urgent_even_with_a_low_score(code):
    result = run(obs(code, ago=200 * D, evidence="reported"))  # 1.25 points
    assert result.score == Decimal("1.3")
    assert result.band == "urgent"


def test_a_weight_5_override_makes_an_indicator_urgent_outside_the_vulnerability_categories():
    result = run(obs("C1.9"), settings=DEFAULT.with_overrides({"C1.9": 5}))
    assert result.band == "urgent"
    assert result.flags == ("SR_NOW",)


# --- rule hits --------------------------------------------------------------------------------------------


def test_a_rule_hit_adds_its_derived_indicator_as_verified():
    result = run(hits=[hit("R3", "C4.3", ago=10 * D, episode_ids=(4, 5, 6), note="3 missing episodes in 90 days")])
    (reason,) = result.reasons
    assert (reason.kind, reason.rule, reason.indicator, reason.weight) == ("rule", "R3", "C4.3", 5)
    assert reason.points == Decimal(5) and reason.source_id == 4
    assert reason.note.startswith("3 missing episodes in 90 days")
    assert result.band == "urgent" and "SR_NOW" in result.flags


def test_rule_hits_age_and_count_once_per_indicator():
    result = run(
        hits=[hit("C4.1", "C4.1", ago=100 * D), hit("C4.1", "C4.1", ago=5 * D), hit("C4.1", "C4.1", ago=400 * D)]
    )
    assert result.score == Decimal("2.0")
    assert len(counted(result)) == 1
    assert len(result.reasons) == 3


def test_a_recorded_c49_and_a_derived_pattern_both_count():
    result = run(obs("C4.9"), hits=[hit("C4.1", "C4.1")])
    assert result.score == Decimal("5.0")


@pytest.mark.parametrize(
    ("rule", "flag"),
    [("R10", "PLACEMENT_FIT_REVIEW"), ("R11", "SR"), ("R13", "MANAGER_ESCALATION"), ("R4", "PROLONGED")],
)
def test_flag_only_rule_hits(rule, flag):
    result = run(hits=[hit(rule)])
    assert result.flags == (flag,)
    assert result.score == Decimal("0.0")
    (reason,) = result.reasons
    assert reason.kind == "rule" and reason.rule == rule and reason.indicator == "" and reason.counted


@pytest.mark.parametrize(("ago", "in_effect"), [(365 * D, True), (365 * D + S, False), (-H, False)])
def test_flag_only_rule_hits_are_in_effect_for_12_months(ago, in_effect):
    result = run(hits=[hit("R11", ago=ago)])
    assert (result.flags == ("SR",)) is in_effect
    assert result.reasons[0].counted is in_effect


@pytest.mark.parametrize(
    ("codes", "base", "raised"),
    [
        ((), "monitor", "elevated"),
        (("C1.1", "C1.9"), "elevated", "high"),
        (("C1.1", "C1.3", "C1.9", "C5.5"), "high", "urgent"),
    ],
)
def test_r9_raises_the_band_one_step(codes, base, raised):
    observations = [obs(code) for code in codes]
    assert run(*observations).band == base
    result = run(*observations, hits=[hit("R9")])
    assert result.band == raised
    assert result.band_raised_by == "R9"
    check_invariants(result)


def test_r9_leaves_urgent_as_it_is():
    result = run(obs("C7.1"), hits=[hit("R9")])
    assert result.band == "urgent"
    assert result.band_raised_by == ""


@pytest.mark.parametrize(("ago", "raised"), [(90 * D, True), (90 * D + S, False)])
def test_r9_applies_while_the_pattern_is_current(ago, raised):
    result = run(hits=[hit("R9", ago=ago)])
    assert (result.band == "elevated") is raised


# --- R12: a missing-episode pattern together with a trafficking, online or control sign --------------------


@pytest.mark.parametrize(
    ("pattern_ago", "signal", "signal_ago", "fires"),
    [
        (10 * D, "C1.3", 10 * D, True),
        (40 * D, "C5.2", 10 * D, True),  # exactly 30 days apart
        (40 * D + S, "C5.2", 10 * D, False),
        (10 * D, "C7.2", 40 * D, True),  # the signal may come first
        (10 * D, "C7.2", 40 * D + S, False),
        (10 * D, "C2.2", 10 * D, False),  # a need is not a trafficking sign
        (10 * D, "C6.1", 10 * D, False),
        (380 * D, "C1.3", 380 * D, False),  # both too old
    ],
)
def test_r12_pattern_plus_sign_within_30_days(pattern_ago, signal, signal_ago, fires):
    result = run(obs(signal, ago=signal_ago, id=99), hits=[hit("R2", "C4.2", ago=pattern_ago)])
    r12 = [r for r in result.reasons if r.rule == "R12"]
    assert bool(r12) is fires
    if fires:
        (reason,) = r12
        assert reason.counted and reason.points == 0 and reason.source_id == 99
        assert reason.at == NOW - min(pattern_ago, signal_ago)
        assert result.band == "urgent" and "SR_NOW" in result.flags
    check_invariants(result)


def test_r12_also_fires_with_a_recorded_c49():
    result = run(obs("C4.9", ago=3 * D), obs("C5.1", ago=5 * D))
    assert any(r.rule == "R12" for r in result.reasons)
    assert result.band == "urgent"


def test_r12_uses_an_older_occurrence_of_a_pattern_too():
    # The latest C4.2 is 60 days after the sign, an earlier one 5 days before it.
    hits = [hit("R2", "C4.2", ago=10 * D), hit("R2", "C4.2", ago=75 * D)]
    result = run(obs("C1.3", ago=70 * D), hits=hits)
    assert any(r.rule == "R12" for r in result.reasons)


# --- the whole chain, from episodes ----------------------------------------------------------------------


def test_from_episode_history_to_an_assessment():
    def episode(id, days_ago, **extra):
        start = NOW - days_ago * D
        return EpisodeFact(id=id, started_at=start, learned_at=start + H, returned_at=start + 30 * H, **extra)

    episodes = [episode(1, 80), episode(2, 50), episode(3, 20, found_location_type="motel")]
    hits = evaluate(episodes, [], NOW)
    result = assess([obs("C2.2")], hits, DEFAULT, NOW)
    codes = {r.indicator for r in counted(result)}
    assert {"C4.1", "C4.2", "C4.3", "C4.7", "C2.2"} <= codes
    # 2 + 3 + 5 + 5 + 2 = 17
    assert result.score == Decimal("17.0")
    assert result.band == "urgent"
    check_invariants(result)


# --- input checks ----------------------------------------------------------------------------------------


def test_unknown_indicator_codes_are_refused():
    with pytest.raises(ValueError, match=r"unknown indicator code 'C9\.9'"):
        run(obs("C9.9"))
    with pytest.raises(ValueError, match="unknown indicator code"):
        run(hits=[hit("R2", "C4.99")])


def test_unknown_flag_only_rules_are_refused():
    with pytest.raises(ValueError, match="no indicator and no known flag"):
        run(hits=[hit("R77")])


def test_bad_evidence_is_refused():
    with pytest.raises(ValueError, match="evidence"):
        run(obs("C1.1", evidence="rumour"))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        assess([], [], DEFAULT, datetime.datetime(2026, 6, 1, 12))
    naive = ObservationFact(1, "C1.1", datetime.datetime(2026, 5, 1), NOW, "verified")
    with pytest.raises(ValueError, match="timezone-aware"):
        assess([naive], [], DEFAULT, NOW)


def test_reasons_are_plain_reasons():
    result = run(obs("C0.1"), obs("C1.1"), hits=[hit("R10")])
    assert all(type(r) is Reason for r in result.reasons)


# --- settings: defaults, overrides, storage ----------------------------------------------------------------


def test_default_settings_come_from_the_catalogue():
    assert DEFAULT.weights == {i.code: i.weight for i in catalogue.INDICATORS}
    assert DEFAULT.flags["C4.3"] == "SR_NOW"
    assert DEFAULT.categories["C4.10"] == "C4"
    assert DEFAULT.thresholds == {"elevated": 5, "high": 10, "urgent": 15}
    assert DEFAULT.caps == {"C2": 4, "C3": 4}
    assert (DEFAULT.reported_multiplier, DEFAULT.older_multiplier) == (Decimal("0.5"), Decimal("0.5"))
    assert (DEFAULT.recent_days, DEFAULT.max_age_days) == (90, 365)
    assert set(DEFAULT.cybertip) == {"C0.6", "C5.4"}


def test_overrides_return_new_settings_and_leave_the_old_ones_alone():
    changed = DEFAULT.with_overrides({"C1.9": 3}, {"elevated": 6})
    assert changed.weights["C1.9"] == 3 and changed.thresholds == {"elevated": 6, "high": 10, "urgent": 15}
    assert DEFAULT.weights["C1.9"] == 2 and DEFAULT.thresholds["elevated"] == 5
    assert run(obs("C1.1"), obs("C1.9"), settings=changed).band == "elevated"
    assert run(obs("C1.1"), obs("C1.9", evidence="reported"), settings=changed).band == "monitor"


@pytest.mark.parametrize(
    ("weights", "thresholds", "message"),
    [
        ({"C1.1": 4}, {}, "C1.1: the weight must be one of 1, 2, 3 or 5"),
        ({"C1.1": 0}, {}, "C1.1: the weight must be one of 1, 2, 3 or 5"),
        ({"C1.1": True}, {}, "C1.1: the weight must be one of 1, 2, 3 or 5"),
        ({"C1.1": "3"}, {}, "C1.1: the weight must be one of 1, 2, 3 or 5"),
        ({"C1.1": 2.0}, {}, "C1.1: the weight must be one of 1, 2, 3 or 5"),
        ({"C1.1": None}, {}, "only C0 identification tripwires may have no weight"),
        ({"C0.1": 5}, {}, "C0.1 is an identification tripwire"),
        ({"C9.1": 3}, {}, "unknown indicator code"),
        ({}, {"elevated": 10, "high": 10}, "increase strictly"),
        ({}, {"high": 20}, "increase strictly"),
        ({}, {"elevated": 0}, "positive whole number"),
        ({}, {"elevated": -1}, "positive whole number"),
        ({}, {"elevated": 4.5}, "positive whole number"),
        ({}, {"elevated": True}, "positive whole number"),
        ({}, {"urgent": 8, "high": 7, "elevated": 3}, "urgent threshold must be above 8"),
        ({}, {"severe": 20}, "unknown threshold"),
    ],
)
def test_invalid_overrides_are_refused_with_a_clear_message(weights, thresholds, message):
    with pytest.raises(ValueError, match=message):
        DEFAULT.with_overrides(weights, thresholds)


def test_the_lowest_allowed_urgent_threshold_is_one_above_the_caps():
    assert DEFAULT.with_overrides({}, {"elevated": 1, "high": 2, "urgent": 9}).thresholds["urgent"] == 9


def test_settings_are_stored_as_json():
    changed = DEFAULT.with_overrides({"C1.9": 3, "C4.1": 1}, {"elevated": 4, "high": 9, "urgent": 16})
    stored = json.loads(json.dumps(changed.as_dict()))
    assert stored["reported_multiplier"] == "0.5"


@pytest.mark.parametrize(
    ("records", "hits", "why"),
    [
        ([obs("C7.2", ago=-D)], (), {"C7.2": scoring.FUTURE}),
        ([obs("C7.2", ago=400 * D)], (), {"C7.2": scoring.AGED}),
        ([obs("C0.3", ago=400 * D, received_ago=400 * D)], (), {"C0.3": scoring.AGED}),
        ([obs("C7.2", id=1), obs("C7.2", ago=2 * D, id=2)], (), {"C7.2": scoring.REPEAT}),
        ([obs("C2.2"), obs("C2.5"), obs("C2.1")], (), {"C2.1": scoring.CAPPED}),
        ([], [hit("R3", "C4.3", ago=400 * D)], {"C4.3": scoring.AGED}),
        ([], [hit("R10", ago=-D)], {"": scoring.FUTURE}),
    ],
)
def test_a_reason_that_does_not_count_says_why(records, hits, why):
    result = run(*records, hits=hits)
    not_counted = {r.indicator: r.not_counted for r in result.reasons if not r.counted}
    assert not_counted == why
    assert all(r.not_counted == "" for r in result.reasons if r.counted)
