"""The pure rules of a youth's pattern (exports/pattern/words.py): hour bands and weekdays on the agency's clock
(DST included), ties, the median time away, places found more than once, and the sentences."""

import datetime
import zoneinfo

import pytest

from exports.pattern import words

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
HONOLULU = zoneinfo.ZoneInfo("Pacific/Honolulu")
UTC = datetime.UTC
H = datetime.timedelta(hours=1)


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "band, label", [(0, "midnight to 3 AM"), (3, "9 AM to noon"), (4, "noon to 3 PM"), (7, "9 PM to midnight")]
)
def test_band_labels(band, label):
    assert words.band_label(band) == label


@pytest.mark.parametrize("hour, band", [(0, 0), (2, 0), (3, 1), (11, 3), (12, 4), (20, 6), (21, 7), (23, 7)])
def test_hour_band_boundaries(hour, band):
    assert words.hour_band(hour) == band


def test_both_1_30_ams_of_the_night_clocks_go_back_are_the_same_band_and_weekday():
    # 2026-11-01, America/Chicago: 06:30 UTC is 1:30 AM CDT, 07:30 UTC is 1:30 AM CST.
    first, second = at(2026, 11, 1, 6, 30), at(2026, 11, 1, 7, 30)
    assert (first.astimezone(CHICAGO).tzname(), second.astimezone(CHICAGO).tzname()) == ("CDT", "CST")
    pattern = words.summarise([words.Leaving(first, first + H), words.Leaving(second, second + H)], CHICAGO)
    assert pattern.hour_counts[0] == 2 and pattern.busiest_bands == (0,)
    assert pattern.weekday_counts[6] == 2 and pattern.busiest_weekdays == (6,)  # Sunday
    assert "Left most often between midnight and 3 AM (2 of 2 episodes)." in pattern.sentences
    assert "Left most often on a Sunday (2 of 2 episodes)." in pattern.sentences


def test_the_same_utc_hour_is_a_different_local_hour_in_summer_and_winter():
    # 02:30 UTC is 9:30 PM CDT (July) but 8:30 PM CST (January): different bands on the agency's clock.
    summer, winter = at(2026, 7, 10, 2, 30), at(2026, 1, 10, 2, 30)
    pattern = words.summarise([words.Leaving(summer), words.Leaving(winter)], CHICAGO)
    assert pattern.hour_counts[7] == 1 and pattern.hour_counts[6] == 1
    assert pattern.busiest_bands == ()
    # A zone without DST reads both the same.
    assert words.summarise([words.Leaving(summer), words.Leaving(winter)], HONOLULU).busiest_bands == (5,)


def test_ties_are_named_together_and_a_single_occurrence_is_no_pattern():
    leavings = [
        words.Leaving(at(2026, 3, 6, 3, 0)),  # Thu 9 PM CST
        words.Leaving(at(2026, 3, 13, 3, 0)),  # Thu 10 PM CDT
        words.Leaving(at(2026, 3, 7, 19, 0)),  # Sat 1 PM CST
        words.Leaving(at(2026, 3, 14, 19, 0)),  # Sat 2 PM CDT
        words.Leaving(at(2026, 3, 16, 14, 0)),  # Mon 9 AM CDT
    ]
    pattern = words.summarise(leavings, CHICAGO)
    assert pattern.busiest_bands == (4, 7)
    assert "Left most often between noon and 3 PM and between 9 PM and midnight (2 of 5 episodes each)." in (
        pattern.sentences
    )
    assert "Left most often on a Thursday and a Saturday (2 of 5 episodes each)." in pattern.sentences


def test_median_time_away_counts_only_episodes_that_ended():
    start = at(2026, 5, 1, 12, 0)
    pattern = words.summarise(
        [
            words.Leaving(start, start + 2 * H),
            words.Leaving(start + 100 * H, start + 110 * H),
            words.Leaving(start + 200 * H, start + 230 * H),
            words.Leaving(start + 300 * H),  # still missing
        ],
        CHICAGO,
    )
    assert pattern.median_away == 10 * H and pattern.returns == 3 and pattern.still_missing
    assert "Median time away: 10 h (over 3 returns)." in pattern.sentences


def test_places_found_more_than_once_by_kind_and_by_address_as_rule_r11_compares_them():
    start = at(2026, 5, 1, 12, 0)
    leavings = [
        words.Leaving(start, start + H, "friend", "12 Elm St."),
        words.Leaving(start + 50 * H, start + 51 * H, "friend", "12 ELM ST"),
        words.Leaving(start + 90 * H, start + 91 * H, "motel", ""),
        words.Leaving(start + 99 * H, start + 99 * H, "placement", ""),
        words.Leaving(start + 130 * H, start + 131 * H, "placement", ""),
    ]
    pattern = words.summarise(leavings, CHICAGO)
    assert pattern.repeated_kinds == (("Friend's home", 2),)  # "Returned to the placement" names no place
    assert pattern.repeated_addresses == (("12 Elm St.", 2),)
    assert "Found more than once at: friend's home (twice); 12 Elm St. (twice)." in pattern.sentences


def test_no_episode_and_one_episode():
    assert words.summarise([], CHICAGO).sentences == ("No missing episodes recorded.",)
    one = words.summarise([words.Leaving(at(2026, 5, 1, 12, 0))], CHICAGO)
    assert one.sentences == ("One missing episode recorded: no pattern to show yet.",)


def test_nothing_repeating_says_so():
    pattern = words.summarise([words.Leaving(at(2026, 5, 1, 12, 0)), words.Leaving(at(2026, 5, 5, 3, 0))], CHICAGO)
    assert pattern.sentences == ("No hour, weekday or place of leaving repeats yet.",)
