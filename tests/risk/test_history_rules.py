"""Episode-history rules (docs/risk-catalogue.md#history-rules: R2 to R11, R13, and C4.1), at and around
every boundary."""

import datetime
import zoneinfo

import pytest

from risk.history_rules import EpisodeFact, RuleHit, evaluate, normalise_address
from tests.risk.test_catalogue import STIGMATISING

UTC = datetime.UTC
H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)
S = datetime.timedelta(seconds=1)
T0 = datetime.datetime(2026, 1, 12, 20, 0, tzinfo=UTC)
NOW = datetime.datetime(2026, 12, 31, 12, 0, tzinfo=UTC)


def ep(id, start, hours=30, **extra):
    """An episode starting at `start`, closed after `hours` (None: still missing). 30 h is neither short nor long."""
    returned = None if hours is None else start + datetime.timedelta(hours=hours)
    return EpisodeFact(id=id, started_at=start, learned_at=start + H, returned_at=returned, **extra)


def series(*offsets, hours=30):
    """Episodes starting at T0 + each offset."""
    return [ep(n, T0 + offset, hours=hours) for n, offset in enumerate(offsets, start=1)]


def hits_of(hits, rule, indicator=None):
    return [h for h in hits if h.rule == rule and (indicator is None or h.indicator == indicator)]


def test_no_history_no_hits():
    assert evaluate([], [], NOW) == []


def test_every_episode_is_a_c41_hit_at_its_start():
    episodes = series(datetime.timedelta(0), 200 * D)
    hits = hits_of(evaluate(episodes, [], NOW), "C4.1")
    assert [(h.indicator, h.at, h.episode_ids) for h in hits] == [
        ("C4.1", T0, (1,)),
        ("C4.1", T0 + 200 * D, (2,)),
    ]
    assert hits[0].note == "Missing episode from 12 Jan"


# --- R2 and R3: counts in a window of starts (closed: exactly 30/90 days apart counts) ---------------------


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ((0 * D,), []),
        ((0 * D, 10 * D), [(2, (1, 2))]),
        ((0 * D, 30 * D), [(2, (1, 2))]),
        ((0 * D, 30 * D + S), []),
        ((0 * D, 29 * D, 58 * D), [(2, (1, 2)), (3, (2, 3))]),
        ((0 * D, 10 * D, 20 * D), [(2, (1, 2)), (3, (1, 2, 3))]),
    ],
    ids=["one", "ten-days", "exactly-30-days", "30-days-and-a-second", "chain", "three-in-20-days"],
)
def test_r2_two_episodes_within_30_days(offsets, expected):
    hits = hits_of(evaluate(series(*offsets), [], NOW), "R2")
    assert all(h.indicator == "C4.2" for h in hits)
    assert [(h.episode_ids[-1], h.episode_ids) for h in hits] == expected
    for hit in hits:
        assert hit.at == T0 + offsets[hit.episode_ids[-1] - 1]


@pytest.mark.parametrize(
    ("offsets", "expected_ids"),
    [
        ((0 * D, 40 * D), []),
        ((0 * D, 40 * D, 89 * D), [(1, 2, 3)]),
        ((0 * D, 40 * D, 90 * D), [(1, 2, 3)]),
        ((0 * D, 40 * D, 90 * D + S), []),
        ((0 * D, 40 * D, 80 * D, 120 * D), [(1, 2, 3), (2, 3, 4)]),
        ((0 * D, 1 * D, 2 * D, 3 * D), [(1, 2, 3), (1, 2, 3, 4)]),
    ],
    ids=["two-episodes", "three-in-89-days", "exactly-90-days", "90-days-and-a-second", "sliding", "four"],
)
def test_r3_three_episodes_within_90_days(offsets, expected_ids):
    hits = hits_of(evaluate(series(*offsets), [], NOW), "R3")
    assert [h.episode_ids for h in hits] == expected_ids
    assert all(h.indicator == "C4.3" for h in hits)


def test_r3_note_lists_the_dates_in_plain_words():
    episodes = [
        ep(1, datetime.datetime(2026, 1, 12, 9, tzinfo=UTC)),
        ep(2, datetime.datetime(2026, 2, 2, 9, tzinfo=UTC)),
        ep(3, datetime.datetime(2026, 3, 20, 9, tzinfo=UTC)),
    ]
    (hit,) = hits_of(evaluate(episodes, [], NOW), "R3")
    assert hit.note == "3 missing episodes in 90 days (12 Jan, 2 Feb, 20 Mar)"
    assert hit.at == datetime.datetime(2026, 3, 20, 9, tzinfo=UTC)


def test_notes_show_the_year_when_it_is_not_the_current_one_and_use_the_agency_zone():
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    # 02:00 UTC on 1 Jan 2026 is still 31 Dec 2025 in Chicago.
    episode = ep(1, datetime.datetime(2026, 1, 1, 2, tzinfo=UTC))
    (hit,) = hits_of(evaluate([episode], [], NOW, tz=chicago), "C4.1")
    assert hit.note == "Missing episode from 31 Dec 2025"


# --- R4: duration ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (24 * H, []),
        (72 * H, []),
        (72 * H + S, [("C4.4", 72 * H)]),
        (7 * D, [("C4.4", 72 * H)]),
        (7 * D + S, [("C4.5", 7 * D)]),
        (20 * D, [("C4.5", 7 * D)]),
        (20 * D + S, [("C4.5", 7 * D), ("", 20 * D)]),
    ],
    ids=["1-day", "exactly-72h", "72h-and-a-second", "exactly-7d", "7d-and-a-second", "exactly-20d", "20d-and-more"],
)
def test_r4_duration(duration, expected):
    episode = ep(1, T0, hours=duration / H)
    hits = hits_of(evaluate([episode], [], NOW), "R4")
    assert sorted((h.indicator, h.at - T0) for h in hits) == sorted(expected)


def test_r4_more_than_20_days_says_so_in_the_note():
    (prolonged,) = [h for h in evaluate([ep(1, T0, hours=21 * 24)], [], NOW) if h.rule == "R4" and not h.indicator]
    assert "more than 20 days" in prolonged.note
    assert "21 days" in prolonged.note


@pytest.mark.parametrize(
    ("missing_for", "expected"),
    [(72 * H, set()), (72 * H + S, {"C4.4"}), (8 * D, {"C4.5"}), (25 * D, {"C4.5", ""})],
)
def test_r4_an_open_episode_counts_until_now(missing_for, expected):
    episode = ep(1, NOW - missing_for, hours=None)
    hits = hits_of(evaluate([episode], [], NOW), "R4")
    assert {h.indicator for h in hits} == expected
    assert all("still missing" in h.note for h in hits)


# --- R5, R6, R7: where the youth was found and what they came back with ----------------------------------


@pytest.mark.parametrize(
    ("county", "state", "hit"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_r5_found_outside_the_county_or_state(county, state, hit):
    episode = ep(1, T0, found_out_of_county=county, found_out_of_state=state)
    hits = hits_of(evaluate([episode], [], NOW), "R5", "C4.6")
    assert len(hits) == int(hit)
    if hit:
        assert hits[0].at == episode.returned_at


@pytest.mark.parametrize(
    ("location", "hit"),
    [
        ("motel", True),
        ("unknown_adult_residence", True),
        ("vehicle", True),
        ("home_relative", False),
        ("friend", False),
        ("street", False),
        ("hospital", False),
        ("detention", False),
        ("placement", False),
        ("other", False),
        ("unknown", False),
        ("", False),
    ],
)
def test_r6_found_in_a_motel_an_unknown_adults_home_or_a_vehicle(location, hit):
    hits = hits_of(evaluate([ep(1, T0, found_location_type=location)], [], NOW), "R6", "C4.7")
    assert len(hits) == int(hit)


@pytest.mark.parametrize(
    ("items", "words"),
    [
        ((), None),
        (("cash",), "Came back with cash"),
        (("prepaid_card", "hotel_key"), "Came back with a prepaid card, a hotel key"),
        (("new_phone", "new_clothes"), "Came back with a new phone, new clothes"),
    ],
)
def test_r7_came_back_with_unexplained_items(items, words):
    hits = hits_of(evaluate([ep(1, T0, returned_with=items)], [], NOW), "R7", "C4.8")
    if words is None:
        assert hits == []
    else:
        (hit,) = hits
        assert hit.note.startswith(words)


def test_recovery_rules_fall_back_to_the_start_when_no_return_is_recorded():
    episode = ep(1, T0, hours=None, found_location_type="vehicle")
    (hit,) = hits_of(evaluate([episode], [], T0 + H), "R6")
    assert hit.at == T0


# --- R8: short absences and going missing again soon after a return --------------------------------------


@pytest.mark.parametrize(
    ("offsets", "hours", "hit"),
    [
        ((0 * D, 10 * D, 20 * D), 23.99, True),
        ((0 * D, 10 * D, 30 * D), 23.99, True),
        ((0 * D, 10 * D, 30 * D + S), 23.99, False),
        ((0 * D, 10 * D, 20 * D), 24, False),
        ((0 * D, 10 * D), 2, False),
    ],
    ids=["three-short-in-20d", "exactly-30d", "30d-and-a-second", "exactly-24h-is-not-short", "only-two"],
)
def test_r8_three_short_absences_in_30_days(offsets, hours, hit):
    hits = [h for h in hits_of(evaluate(series(*offsets, hours=hours), [], NOW), "R8") if "shorter" in h.note]
    assert len(hits) == int(hit)
    if hit:
        assert hits[0].indicator == "C4.10"
        assert hits[0].episode_ids == (1, 2, 3)
        assert hits[0].at == T0 + offsets[2]
        assert hits[0].note.startswith("3 absences shorter than 24 hours in 30 days (")


def test_r8_an_open_episode_is_not_a_short_absence_yet():
    episodes = [*series(0 * D, 10 * D, hours=2), ep(3, T0 + 20 * D, hours=None)]
    assert [h for h in hits_of(evaluate(episodes, [], T0 + 20 * D + H), "R8") if "shorter" in h.note] == []


@pytest.mark.parametrize(
    ("gap", "hit"),
    [(0 * H, True), (71 * H, True), (72 * H - S, True), (72 * H, False), (5 * D, False)],
)
def test_r8_missing_again_within_72_hours_of_a_return(gap, hit):
    first = ep(1, T0, hours=30)
    second = ep(2, first.returned_at + gap, hours=30)
    hits = [h for h in hits_of(evaluate([first, second], [], NOW), "R8") if "again" in h.note]
    assert len(hits) == int(hit)
    if hit:
        assert hits[0].at == second.started_at
        assert hits[0].episode_ids == (1, 2)
        assert hits[0].indicator == "C4.10"


# --- R9: episodes coming closer together -----------------------------------------------------------------


def _gaps(*days):
    offsets, total = [0 * D], 0 * D
    for gap in days:
        total += gap * D
        offsets.append(total)
    return series(*offsets)


@pytest.mark.parametrize(
    ("gaps", "hit"),
    [
        ((20, 20, 20, 9, 9), True),  # recent 9 < prior 20 / 2
        ((20, 20, 20, 10, 10), False),  # exactly half is not less than half
        ((20, 20, 20, 9.99, 9.99), True),
        ((20, 20, 20, 2, 17), True),  # median of the last two gaps is their mean: 9.5
        ((20, 20, 20, 3, 17), False),  # mean 10
        ((20, 20, 2, 2), False),  # 5 episodes: only 2 earlier gaps, not enough history
        ((40, 20, 20, 20, 9, 9), True),  # prior median of 40, 20, 20, 20 is 20
        ((20, 20, 20, 20, 20), False),
        ((9, 9, 20, 20, 20, 9, 9), True),  # prior median of 9, 9, 20, 20, 20 is 20
    ],
)
def test_r9_median_gap_of_the_last_three_episodes_below_half_the_prior_median(gaps, hit):
    episodes = _gaps(*gaps)
    hits = hits_of(evaluate(episodes, [], NOW), "R9")
    assert len(hits) == int(hit)
    if hit:
        (only,) = hits
        assert only.indicator == ""
        assert only.at == episodes[-1].started_at
        assert only.episode_ids == tuple(e.id for e in episodes[-3:])
        assert "closer together" in only.note


def test_r9_is_about_the_latest_episodes_only():
    # Accelerated at episodes 4-6, then slowed down again: no R9 now.
    assert hits_of(evaluate(_gaps(20, 20, 20, 2, 2, 40, 40), [], NOW), "R9") == []


# --- R10: soon after a placement change ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change_before_start", "hit"),
    [(0 * H, True), (71 * H, True), (72 * H - S, True), (72 * H, False), (-1 * H, False)],
    ids=["same-moment", "71h", "just-under-72h", "exactly-72h", "change-after-the-start"],
)
def test_r10_missing_within_72_hours_of_a_placement_change(change_before_start, hit):
    start = T0 + 10 * D
    hits = hits_of(evaluate([ep(1, start)], [start - change_before_start], NOW), "R10")
    assert len(hits) == int(hit)
    if hit:
        assert hits[0].indicator == ""
        assert hits[0].at == start
        assert "placement change" in hits[0].note


def test_r10_ignores_placement_changes_in_the_future():
    start = NOW - H
    assert hits_of(evaluate([ep(1, start, hours=None)], [NOW + H], NOW), "R10") == []


# --- R11: found at the same address again ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("addresses", "hits"),
    [
        (("12 Oak St.", "12 oak st"), 1),
        (("12 Oak St, Apt 3", "  12  OAK st apt. 3 "), 1),
        (("12 Oak St", "14 Oak St"), 0),
        (("", ""), 0),
        (("  ", ".,"), 0),
        (("12 Oak St", "", "12 OAK ST", "12 oak st"), 2),
    ],
)
def test_r11_the_same_address_in_two_or_more_episodes(addresses, hits):
    episodes = [ep(n, T0 + n * 40 * D, found_address=a) for n, a in enumerate(addresses, start=1)]
    found = hits_of(evaluate(episodes, [], NOW), "R11")
    assert len(found) == hits
    if hits:
        assert found[0].indicator == ""
        assert len(found[0].episode_ids) == 2
        assert found[-1].at == episodes[-1].returned_at


def test_normalise_address():
    assert normalise_address(" 12  Oak St., Apt #3 ") == "12 oak st apt 3"
    assert normalise_address("...") == ""


# --- R13: NCMEC report not made on time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "done", "now", "hit"),
    [
        (T0 + 24 * H, None, T0 + 25 * H, True),
        (T0 + 24 * H, None, T0 + 24 * H, False),  # not overdue yet at the due moment
        (T0 + 24 * H, T0 + 24 * H, NOW, False),  # on time
        (T0 + 24 * H, T0 + 23 * H, NOW, False),
        (T0 + 24 * H, T0 + 29 * H, NOW, True),  # late
        (None, None, NOW, False),
    ],
    ids=["overdue", "at-the-due-moment", "done-exactly-on-time", "done-early", "done-late", "no-due-time"],
)
def test_r13_ncmec_report_not_made_by_its_due_time(due, done, now, hit):
    episode = ep(1, T0, ncmec_due_at=due, ncmec_done_at=done)
    hits = hits_of(evaluate([episode], [], now), "R13")
    assert len(hits) == int(hit)
    if hit:
        assert hits[0].at == due
        assert hits[0].indicator == ""
        assert "NCMEC report" in hits[0].note
    if hit and done:
        assert "5 h after its due time" in hits[0].note


# --- general ----------------------------------------------------------------------------------------------


def test_episodes_starting_after_now_are_ignored():
    assert evaluate([ep(1, NOW + H)], [], NOW) == []


@pytest.mark.parametrize("naive_field", ["now", "started_at", "returned_at", "ncmec_due_at", "placement"])
def test_naive_datetimes_are_refused(naive_field):
    naive = datetime.datetime(2026, 1, 12, 20, 0)
    now = naive if naive_field == "now" else NOW
    extra = {naive_field: naive} if naive_field in ("returned_at", "ncmec_due_at") else {}
    episode = EpisodeFact(
        id=1,
        started_at=naive if naive_field == "started_at" else T0,
        learned_at=T0,
        **extra,
    )
    changes = [naive] if naive_field == "placement" else []
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate([episode], changes, now)


def test_hits_are_sorted_by_time_and_immutable_and_order_of_input_does_not_matter():
    episodes = series(0 * D, 5 * D, 8 * D)
    hits = evaluate(episodes, [], NOW)
    assert hits == sorted(hits, key=lambda h: (h.at, h.rule, h.indicator, h.episode_ids))
    assert evaluate(list(reversed(episodes)), [], NOW) == hits
    assert all(isinstance(h, RuleHit) for h in hits)
    with pytest.raises(AttributeError):
        hits[0].rule = "R1"


def test_notes_describe_behaviour_without_stigmatising_words():
    episodes = [
        ep(1, T0, hours=22 * 24, found_address="12 Oak St", ncmec_due_at=T0 + D),
        ep(2, T0 + 25 * D, hours=2, found_address="12 oak st", returned_with=("cash",)),
        ep(3, T0 + 50 * D, hours=2, found_location_type="motel", found_out_of_state=True),
        ep(4, T0 + 75 * D, hours=2),
        ep(5, T0 + 78 * D, hours=2),
        ep(6, T0 + 81 * D, hours=2),
    ]
    hits = evaluate(episodes, [T0 + 77 * D], NOW)
    assert {h.rule for h in hits} == {"C4.1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R13"}
    for hit in hits:
        assert hit.note and not STIGMATISING.search(hit.note), hit.note
