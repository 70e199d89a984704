"""Which instant a time typed in the agency's local time means (caseapp.local_time), and the form field every
form uses for such a time (caseapp.forms.base.AgencyLocalDateTimeField).

America/Chicago: clocks go back at 2:00 AM CDT on 2026-11-01 (1:00-1:59 AM happens twice) and forward at
2:00 AM CST on 2027-03-14 (2:00-2:59 AM never happens).
"""

import datetime
import zoneinfo

import pytest
from django import forms
from django.utils import timezone

from caseapp import local_time
from caseapp.forms.base import AgencyLocalDateTimeField
from tests.helpers import FrozenClock, posted_form

UTC = datetime.UTC
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
HONOLULU = zoneinfo.ZoneInfo("Pacific/Honolulu")

REPEATED = datetime.datetime(2026, 11, 1, 1, 30)  # a wall time, as typed
FIRST = datetime.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 1:30 AM CDT
SECOND = datetime.datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 1:30 AM CST, an hour later
SKIPPED = datetime.datetime(2027, 3, 14, 2, 30)
GAP_MESSAGE = (
    "2:30 AM on Mar 14, 2027 does not exist in America/Chicago: clocks went from 1:59 AM CST to 3:00 AM CDT. "
    "Enter 1:59 AM or 3:00 AM."
)


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


# --- The rule ----------------------------------------------------------------------------------------


def test_an_ordinary_time_is_its_one_instant_whatever_now_is():
    wall = datetime.datetime(2026, 11, 2, 1, 30)
    for now in (utc(2026, 1, 1), utc(2026, 11, 2, 7, 31), utc(2030, 1, 1)):
        assert local_time.resolve(wall, CHICAGO, now) == utc(2026, 11, 2, 7, 30)


def test_the_repeated_hour_has_two_occurrences_an_hour_apart():
    first, second = local_time.occurrences(REPEATED, CHICAGO)
    assert (first.astimezone(UTC), second.astimezone(UTC)) == (FIRST, SECOND)
    assert (first.tzname(), second.tzname()) == ("CDT", "CST")


@pytest.mark.parametrize(
    "now, meant",
    [
        # Both occurrences past: the most recent.
        (utc(2026, 11, 1, 7, 40), SECOND),  # 1:40 AM CST, the second pass: ten minutes ago, not 70
        (utc(2026, 12, 6, 12, 0), SECOND),  # a month later
        (SECOND, SECOND),  # exactly now is not in the future
        # One past, one still to come: the past one.
        (utc(2026, 11, 1, 6, 40), FIRST),  # 1:40 AM CDT, the first pass
        (utc(2026, 11, 1, 7, 10), FIRST),  # 1:10 AM CST: 1:30 AM CST has not happened yet
        (utc(2026, 11, 1, 7, 29, 59), FIRST),
        # Both still to come: the earlier one.
        (utc(2026, 11, 1, 6, 0), FIRST),  # 1:00 AM CDT
        (utc(2026, 10, 1), FIRST),
    ],
)
def test_a_repeated_time_means_the_most_recent_occurrence_not_in_the_future(now, meant):
    assert local_time.resolve(REPEATED, CHICAGO, now) == meant


def test_the_rule_compares_instants_even_when_now_is_given_in_the_same_zone():
    # Python compares two datetimes of one zone by wall time, fold ignored: the rule compares instants.
    now = utc(2026, 11, 1, 7, 40).astimezone(CHICAGO)
    assert local_time.resolve(REPEATED, CHICAGO, now) == SECOND


def test_a_time_in_the_spring_gap_is_refused_with_the_nearest_valid_times():
    assert local_time.occurrences(SKIPPED, CHICAGO) == []
    with pytest.raises(local_time.NonexistentLocalTime) as refused:
        local_time.resolve(SKIPPED, CHICAGO, utc(2027, 3, 14, 9, 0))
    assert str(refused.value) == GAP_MESSAGE
    before, after = local_time.gap_edges(SKIPPED, CHICAGO)
    assert (before.astimezone(UTC), after.astimezone(UTC)) == (utc(2027, 3, 14, 7, 59), utc(2027, 3, 14, 8, 0))
    assert (before.tzname(), after.tzname()) == ("CST", "CDT")


def test_the_times_either_side_of_the_gap_exist():
    later = utc(2027, 4, 1)
    assert local_time.resolve(datetime.datetime(2027, 3, 14, 1, 59), CHICAGO, later) == utc(2027, 3, 14, 7, 59)
    assert local_time.resolve(datetime.datetime(2027, 3, 14, 3, 0), CHICAGO, later) == utc(2027, 3, 14, 8, 0)


def test_a_gap_of_a_whole_day_names_the_days_it_offers():
    message = local_time.gap_message(datetime.datetime(2011, 12, 30, 12, 0), zoneinfo.ZoneInfo("Pacific/Apia"))
    assert message.endswith("Enter 11:59 PM on Dec 29, 2011 or 12:00 AM on Dec 31, 2011.")


@pytest.mark.parametrize("zone", [HONOLULU, zoneinfo.ZoneInfo("UTC")])
def test_a_zone_without_daylight_saving_time_has_neither_case(zone):
    for wall in (REPEATED, SKIPPED):
        [only] = local_time.occurrences(wall, zone)
        assert local_time.resolve(wall, zone, utc(2026, 1, 1)) == only.astimezone(UTC)
        assert only.replace(tzinfo=None) == wall
    assert local_time.resolve(REPEATED, HONOLULU, utc(2030, 1, 1)) == utc(2026, 11, 1, 11, 30)  # HST, UTC-10


def test_times_are_worded_with_the_zone_abbreviation_of_their_occurrence():
    assert local_time.display_time(FIRST, CHICAGO) == "Nov 1, 2026, 1:30 AM CDT"
    assert local_time.display_time(SECOND, CHICAGO) == "Nov 1, 2026, 1:30 AM CST"


def test_pages_word_a_moment_of_the_repeated_hour_with_its_abbreviation():
    from django.template import engines

    page = engines["django"].from_string(
        "{{ first|agency_time }} / {{ second|agency_time_long }} / {{ none|agency_time_long }}"
    )
    with timezone.override(CHICAGO):
        assert page.render({"first": FIRST, "second": SECOND, "none": None}) == (
            "11/01/2026 01:30 CDT / Nov 1, 2026, 1:30 AM CST / "
        )


# --- The form field ----------------------------------------------------------------------------------


class WhenForm(forms.Form):
    when = AgencyLocalDateTimeField(label="When", help_text="Your best estimate is fine.")


@pytest.fixture
def chicago():
    with timezone.override(CHICAGO):
        yield


@pytest.fixture
def clock(monkeypatch):
    return FrozenClock(monkeypatch, utc(2026, 11, 1, 7, 40))  # 1:40 AM CST, the second pass


def clean(data):
    form = WhenForm(data)
    return form.cleaned_data["when"] if form.is_valid() else form.errors["when"]


def test_the_field_reads_a_repeated_time_by_the_rule(chicago, clock):
    assert clean({"when": "2026-11-01T01:30"}) == SECOND
    clock.set(utc(2026, 11, 1, 7, 10))
    assert clean({"when": "2026-11-01T01:30"}) == FIRST


def test_the_field_refuses_a_time_in_the_spring_gap_with_the_nearest_valid_times(chicago, clock):
    clock.set(utc(2027, 3, 14, 9, 0))
    assert clean({"when": "2027-03-14T02:30"}) == [GAP_MESSAGE]
    assert clean({"when": "2027-03-14T03:00"}) == utc(2027, 3, 14, 8, 0)


def test_the_field_still_refuses_what_is_not_a_date_and_time(chicago, clock):
    assert clean({"when": "yesterday-ish"}) == ["Enter a valid date/time."]
    assert clean({"when": "2026-13-01T01:30"}) == ["Enter a valid date/time."]
    assert clean({"when": ""}) == ["This field is required."]
    assert clean({"when": "9999-12-31T23:30"}) == ["Enter a valid date/time."]  # year 10000 in UTC
    assert clean({"when": "2026-11-01T01:30", "when__shown": "0001-01-01T00:00+14:00"}) == SECOND


def test_in_honolulu_the_field_takes_any_time_as_typed(clock):
    with timezone.override(HONOLULU):
        assert clean({"when": "2026-11-01T01:30"}) == utc(2026, 11, 1, 11, 30)
        assert clean({"when": "2027-03-14T02:30"}) == utc(2027, 3, 14, 12, 30)


def test_the_help_names_the_zone_of_the_agency_whose_page_it_is():
    form = WhenForm()
    with timezone.override(CHICAGO):
        assert "Your best estimate is fine. Agency time (America/Chicago)." in str(form["when"].help_text)
        assert "Agency time (America/Chicago)." in form.as_div()
    with timezone.override(HONOLULU):
        assert "Agency time (Pacific/Honolulu)." in form.as_div()


@pytest.mark.parametrize("stored", [FIRST, SECOND, SECOND + datetime.timedelta(seconds=27, microseconds=5)])
def test_a_shown_time_posted_back_unchanged_is_the_same_instant(chicago, clock, stored):
    # Both occurrences show as 1:30 AM; the one the form was filled with is the one saved.
    html = WhenForm(initial={"when": stored}).as_div()
    assert 'value="2026-11-01T01:30"' in html
    data = posted_form(f"<form>{html}</form>", "when")
    assert data["when"] == "2026-11-01T01:30"
    assert clean(data) == stored
    assert not WhenForm(data, initial={"when": stored}).has_changed()


def test_a_shown_time_changed_by_the_user_is_read_by_the_rule(chicago, clock):
    html = WhenForm(initial={"when": SECOND}).as_div()
    # At 1:40 AM CST, 1:35 AM CST is five minutes ago: the rule, not the offset the form happened to show.
    assert clean(posted_form(f"<form>{html}</form>", "when", when="2026-11-01T01:35")) == utc(2026, 11, 1, 7, 35)
    clock.set(utc(2026, 11, 1, 7, 32))
    # At 1:32 AM CST, 1:35 AM CST is still to come: 1:35 AM CDT is meant.
    assert clean(posted_form(f"<form>{html}</form>", "when", when="2026-11-01T01:35")) == utc(2026, 11, 1, 6, 35)


def test_a_forged_shown_instant_cannot_move_a_time_off_its_wall_clock(chicago, clock):
    data = {"when": "2026-11-01T01:30", "when__shown": "2026-11-01T09:00:00+00:00"}
    assert clean(data) == SECOND
    assert clean({"when": "2026-11-01T01:30", "when__shown": "not a time"}) == SECOND


def test_a_form_shown_again_after_an_error_keeps_the_instant_it_showed(chicago, clock):
    class TwoFields(WhenForm):
        note = forms.CharField()

    html = TwoFields(initial={"when": FIRST}).as_div()
    first_post = posted_form(f"<form>{html}</form>", "when")  # the note is left empty: an error
    shown_again = TwoFields(first_post)
    assert not shown_again.is_valid()
    second_post = posted_form(f"<form>{shown_again.as_div()}</form>", "when", note="Filled in")
    assert clean(second_post) == FIRST
