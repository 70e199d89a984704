"""What a recipient already knows, and what changed between two versions (pure functions, no database)."""

import copy

import pytest

from missing_reports.packets import changes
from missing_reports.packets.pipeline import content_hash


def facts(kind, **youth):
    return {
        "schema_version": "1.0",
        "kind": kind,
        "youth": {"id": 1, "height_inches": 64, "height_display": "5 ft 4 in", "medications": "", **youth},
        "episode": {"clothing": "Grey hoodie", "placement": None},
        "law_enforcement": {"case_number": "", "ncic_number": ""},
        "ncmec": {"case_number": "", "call_centre": "1-800-843-5678"},
        "prior_episodes": [],
        "links": {"episode_id": 3},
    }


def with_value(f, section, key, value):
    changed = copy.deepcopy(f)
    changed[section][key] = value
    return changed


@pytest.mark.parametrize(
    ("kind", "own", "other"),
    [
        ("ncmec", ("ncmec", "case_number"), ("law_enforcement", "case_number")),
        ("law_enforcement", ("law_enforcement", "case_number"), ("ncmec", "case_number")),
    ],
)
def test_the_recipients_own_number_is_no_new_version_the_other_recipients_is(kind, own, other):
    before = facts(kind)
    assert content_hash(with_value(before, *own, "123456")) == content_hash(before)
    assert content_hash(with_value(before, *other, "123456")) != content_hash(before)
    assert changes.changed_fields(before, with_value(before, *own, "123456"), show_restricted=True) == []


def test_the_recovery_notice_counts_both_numbers():
    before = facts("recovery")
    assert content_hash(with_value(before, "ncmec", "case_number", "1")) != content_hash(before)
    assert content_hash(with_value(before, "law_enforcement", "case_number", "1")) != content_hash(before)


def test_what_changed_is_named_by_section_once_per_field():
    before = facts("ncmec")
    after = with_value(before, "youth", "height_inches", 70)
    after["youth"]["height_display"] = "5 ft 10 in"
    after["episode"]["clothing"] = "Red jacket"
    after["law_enforcement"]["case_number"] = "PD-1"
    after["links"]["episode_id"] = 4  # ids of the sending system are no news
    assert changes.changed_fields(before, after, show_restricted=True) == [
        ("Youth", ["height"]),
        ("Missing episode", ["clothing last seen in"]),
        ("Law enforcement", ["law-enforcement case number"]),
    ]


def test_health_fields_are_named_only_for_those_who_may_see_them():
    before = facts("ncmec")
    after = with_value(before, "youth", "medications", "Insulin")
    assert changes.changed_fields(before, after, show_restricted=True) == [("Youth", ["medications"])]
    assert changes.changed_fields(before, after, show_restricted=False) == [
        ("Youth", ["restricted health information"])
    ]


def test_a_check_reads_the_recipients_number_as_recorded_now():
    stored = facts("law_enforcement")
    current = changes.with_current_numbers(
        stored, {("law_enforcement", "case_number"): "PD-9", ("ncmec", "case_number"): "N-1"}
    )
    assert current["law_enforcement"]["case_number"] == "PD-9"
    assert current["ncmec"]["case_number"] == ""  # not law enforcement's own: the version's value
    assert stored["law_enforcement"]["case_number"] == ""  # the stored facts are left alone
