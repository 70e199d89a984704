"""The endangerment rule (missing_reports/endangerment.py), case by case: pure, no database."""

import datetime

import pytest

from missing_reports import endangerment
from missing_reports.endangerment import RecordFacts, merge, reasons_from_record

D = datetime.date


BORN = D(2016, 3, 4)
LEARNED = D(2026, 12, 6)


def facts(born=BORN, learned=LEARNED, medications="", contributed=()):
    return RecordFacts(date_of_birth=born, learned_on=learned, medications=medications, contributed=tuple(contributed))


def test_a_ten_year_old_is_under_13_with_age_and_date_of_birth():
    assert reasons_from_record(facts()) == {"under_13": "Age 10 (born 2016-03-04)"}


@pytest.mark.parametrize(
    ("learned", "under_13", "age"),
    [
        (D(2029, 3, 3), True, 12),  # the day before the 13th birthday
        (D(2029, 3, 4), False, 13),  # the 13th birthday itself: 13, no longer under 13
        (D(2029, 3, 5), False, 13),
    ],
)
def test_the_13th_birthday_on_the_day_learned(learned, under_13, age):
    found = reasons_from_record(facts(born=D(2016, 3, 4), learned=learned))
    assert ("under_13" in found) is under_13
    if under_13:
        assert found["under_13"] == f"Age {age} (born 2016-03-04)"


def test_born_on_29_february_turns_13_on_1_march_of_a_common_year():
    born = D(2012, 2, 29)
    assert "under_13" in reasons_from_record(facts(born=born, learned=D(2025, 2, 28)))
    assert "under_13" not in reasons_from_record(facts(born=born, learned=D(2025, 3, 1)))


def test_a_newborn_and_a_teen():
    assert reasons_from_record(facts(born=D(2026, 12, 6)))["under_13"] == "Age 0 (born 2026-12-06)"
    assert reasons_from_record(facts(born=D(2010, 1, 1))) == {}


def test_no_date_of_birth_or_one_after_the_day_learned_supports_nothing():
    assert reasons_from_record(facts(born=None)) == {}
    assert reasons_from_record(facts(born=D(2027, 1, 1))) == {}


@pytest.mark.parametrize(("medications", "ticked"), [("Insulin, twice daily", True), ("  \n ", False), ("", False)])
def test_medications_recorded_never_names_them(medications, ticked):
    found = reasons_from_record(facts(born=D(2010, 1, 1), medications=medications))
    assert found == ({"prescription_medication": "Medications recorded"} if ticked else {})
    assert "Insulin" not in str(found)


def test_contributions_are_added_in_order_and_the_first_reason_for_a_code_wins():
    found = reasons_from_record(
        facts(
            born=D(2010, 1, 1),
            contributed=[
                ("trafficking_vulnerability", "Risk band High (assessed 2026-12-01)"),
                ("trafficking_vulnerability", "Identification review open since 2026-12-02"),
                ("identified_trafficking_victim", "Identified as a victim of sex trafficking (2026-12-03)"),
                ("out_of_character", "   "),  # no reason, no tick
            ],
        )
    )
    assert found == {
        "trafficking_vulnerability": "Risk band High (assessed 2026-12-01)",
        "identified_trafficking_victim": "Identified as a victim of sex trafficking (2026-12-03)",
    }
    assert list(found) == ["trafficking_vulnerability", "identified_trafficking_victim"]


def test_everything_at_once_in_a_fixed_order():
    found = reasons_from_record(
        facts(medications="Insulin", contributed=[("identified_trafficking_victim", "Identified (2026-12-03)")])
    )
    assert list(found) == ["under_13", "prescription_medication", "identified_trafficking_victim"]


# --- merge: the record meets what the caseworker did --------------------------------------------


def test_merge_ticks_what_the_record_supports_and_keeps_hand_ticks():
    merged = merge(["suicidal"], {}, {}, {"under_13": "Age 10 (born 2016-03-04)"})
    assert merged.codes == ["suicidal", "under_13"]
    assert merged.reasons == {"under_13": "Age 10 (born 2016-03-04)"}
    assert merged.added == ["under_13"]


def test_merge_never_reticks_an_item_a_caseworker_unticked():
    merged = merge([], {"under_13": "Age 12 (born 2014-01-01)"}, {"under_13": {"reason": "DOB was wrong"}},
                   {"under_13": "Age 12 (born 2014-01-01)"})
    assert merged.codes == [] and merged.added == []


def test_merge_keeps_an_item_the_record_no_longer_supports_and_updates_a_reason():
    merged = merge(
        ["trafficking_vulnerability", "under_13"],
        {"trafficking_vulnerability": "Risk band High (assessed 2026-12-01)", "under_13": "Age 10 (born 2016-03-04)"},
        {},
        {"trafficking_vulnerability": "Risk band Urgent (assessed 2026-12-05)"},
    )
    assert merged.codes == ["trafficking_vulnerability", "under_13"]
    assert merged.reasons["trafficking_vulnerability"] == "Risk band Urgent (assessed 2026-12-05)"
    assert merged.reasons["under_13"] == "Age 10 (born 2016-03-04)"
    assert merged.added == []


def test_merge_gives_a_hand_tick_the_records_reason_without_calling_it_new():
    merged = merge(["prescription_medication"], {}, {}, {"prescription_medication": "Medications recorded"})
    assert merged.reasons == {"prescription_medication": "Medications recorded"} and merged.added == []


def test_the_hash_of_codes_ignores_order_and_repeats():
    assert endangerment.codes_hash(["a", "b"]) == endangerment.codes_hash(["b", "a", "a"])
    assert endangerment.codes_hash(["a"]) != endangerment.codes_hash(["a", "b"])
