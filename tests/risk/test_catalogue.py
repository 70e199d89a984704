"""The default indicator catalogue matches docs/risk-catalogue.md#catalogue row for row, in trauma-informed words."""

import re

import pytest

from risk import catalogue
from risk.models import Band

# (weight, flag) copied by hand from the catalogue's design; None = tripwire "T" (C0 items are all SR-NOW).
B3 = {
    **{f"C0.{n}": (None, "SR_NOW") for n in range(1, 7)},
    "C1.1": (3, ""),
    "C1.2": (5, "SR_NOW"),
    "C1.3": (3, ""),
    "C1.4": (3, ""),
    "C1.5": (3, ""),
    "C1.6": (3, "SR"),
    "C1.7": (3, ""),
    "C1.8": (3, ""),
    "C1.9": (2, ""),
    "C1.10": (3, "SR"),
    "C2.1": (1, ""),
    "C2.2": (2, ""),
    "C2.3": (1, ""),
    "C2.4": (1, ""),
    "C2.5": (2, ""),
    "C2.6": (1, ""),
    "C2.7": (1, ""),
    "C2.8": (1, ""),
    "C3.1": (2, ""),
    "C3.2": (1, ""),
    "C3.3": (2, ""),
    "C3.4": (2, ""),
    "C3.5": (1, ""),
    "C3.6": (2, ""),
    "C3.7": (1, ""),
    "C3.8": (1, ""),
    "C4.1": (2, ""),
    "C4.2": (3, ""),
    "C4.3": (5, "SR_NOW"),
    "C4.4": (3, ""),
    "C4.5": (5, "SR_NOW"),
    "C4.6": (5, "SR_NOW"),
    "C4.7": (5, "SR_NOW"),
    "C4.8": (3, "SR"),
    "C4.9": (3, ""),
    "C4.10": (3, "SR"),
    "C5.1": (3, ""),
    "C5.2": (3, ""),
    "C5.3": (3, ""),
    "C5.4": (5, "SR_NOW"),
    "C5.5": (2, ""),
    "C5.6": (2, ""),
    "C6.1": (3, ""),
    "C6.2": (2, ""),
    "C6.3": (3, "SR"),
    "C6.4": (5, "SR_NOW"),
    "C6.5": (2, ""),
    "C6.6": (2, ""),
    "C6.7": (3, ""),
    "C7.1": (5, "SR_NOW"),
    "C7.2": (3, ""),
    "C7.3": (5, "SR_NOW"),
    "C7.4": (3, ""),
    "C7.5": (5, "SR_NOW"),
    "C7.6": (3, ""),
    "C7.7": (2, ""),
    "C7.8": (3, ""),
}
C1_TYPES = {
    "C1.1": "PC",
    "C1.2": "PC",
    "C1.3": "PC",
    "C1.4": "GC",
    "C1.5": "FAM",
    "C1.6": "FAM",
    "C1.7": "BP",
    "C1.8": "ANY",
    "C1.9": "ANY",
    "C1.10": "ANY",
}
# docs/risk-catalogue.md#language; "pimp-controlled" is allowed only as NCMEC's type label.
STIGMATISING = re.compile(
    r"\b(runaways?|runners?|pimps?|prostitut\w*|johns?|chronic|frequent fl(ier|yer)s?|awol|child pornography|"
    r"promiscuous|manipulative|non-compliant|rescued|consented|willing|by choice)\b",
    re.IGNORECASE,
)


def test_every_b3_row_is_present_exactly_once_with_its_weight_and_flag():
    codes = [indicator.code for indicator in catalogue.INDICATORS]
    assert len(codes) == len(set(codes)) == 63
    assert set(codes) == set(B3)
    for indicator in catalogue.INDICATORS:
        assert (indicator.weight, indicator.flag) == B3[indicator.code], indicator.code
        assert indicator.category == indicator.code.split(".")[0]


def test_row_counts_per_category():
    counts = {}
    for indicator in catalogue.INDICATORS:
        counts[indicator.category] = counts.get(indicator.category, 0) + 1
    assert counts == {"C0": 6, "C1": 10, "C2": 8, "C3": 8, "C4": 10, "C5": 6, "C6": 7, "C7": 8}


def test_by_code_indexes_every_indicator():
    index = catalogue.by_code()
    assert list(index) == [i.code for i in catalogue.INDICATORS]
    assert index["C4.3"].weight == 5
    assert index["C0.1"].is_tripwire
    assert not index["C1.1"].is_tripwire


def test_categories_have_the_agreed_names():
    names = {code: name for code, (name, _description) in catalogue.CATEGORIES.items()}
    assert names == {
        "C0": "Identification tripwires",
        "C1": "Signs of the kinds of child sex trafficking (pimp-controlled, gang-controlled, familial, "
        "buyer-perpetrated)",
        "C2": "Unmet needs",
        "C3": "Unsafe environment and trauma",
        "C4": "Missing-episode patterns",
        "C5": "Online exploitation",
        "C6": "Physical and health signs",
        "C7": "Control and coercion",
    }
    assert all(description for _name, description in catalogue.CATEGORIES.values())


def test_caps_bands_and_thresholds():
    assert catalogue.VULNERABILITY_CAPS == {"C2": 4, "C3": 4}
    assert catalogue.BANDS == ("monitor", "elevated", "high", "urgent")
    assert [Band(b).label for b in catalogue.BANDS] == ["Monitor", "Elevated", "High", "Urgent"]
    assert catalogue.DEFAULT_THRESHOLDS == {"elevated": 5, "high": 10, "urgent": 15}


def test_cst_types_are_on_c1_only():
    for indicator in catalogue.INDICATORS:
        assert indicator.cst_type == C1_TYPES.get(indicator.code, ""), indicator.code
        assert indicator.cst_type in catalogue.CST_TYPES


def test_derived_marks_the_episode_patterns_except_what_people_record():
    derived = {i.code for i in catalogue.INDICATORS if i.derived}
    assert derived == {f"C4.{n}" for n in range(1, 11)} - {"C4.9"}


def test_cybertip_is_for_image_based_indicators():
    assert {i.code for i in catalogue.INDICATORS if i.cybertip} == {"C0.6", "C5.4"}


def test_flags_are_from_the_allowed_set():
    assert {i.flag for i in catalogue.INDICATORS} <= {"", "SR", "SR_NOW"}
    assert all(i.weight in (1, 2, 3, 5, None) for i in catalogue.INDICATORS)
    assert all(i.weight is None for i in catalogue.INDICATORS if i.category == "C0")
    assert all(i.weight is not None for i in catalogue.INDICATORS if i.category != "C0")


def test_every_indicator_cites_its_source():
    for indicator in catalogue.INDICATORS:
        assert isinstance(indicator.source_refs, tuple)
        assert indicator.source_refs[0] == "docs/risk-catalogue.md#catalogue", indicator.code
        assert all(isinstance(ref, str) and ref for ref in indicator.source_refs)


def test_control_signs_keep_the_htcds_attribution():
    for indicator in catalogue.INDICATORS:
        if indicator.category == "C7":
            assert any("HTCDS" in ref and "CC BY 4.0" in ref for ref in indicator.source_refs), indicator.code
    assert "CC BY 4.0" in catalogue.__doc__
    assert "CC BY 4.0" in catalogue.CATEGORIES["C7"][1]


def test_nothing_comes_from_the_cse_it():
    for indicator in catalogue.INDICATORS:
        text = " ".join((indicator.label, *indicator.source_refs)).lower()
        assert "cse-it" not in text and "cse it" not in text, indicator.code


@pytest.mark.parametrize("indicator", catalogue.INDICATORS, ids=lambda i: i.code)
def test_labels_use_no_stigmatising_words(indicator):
    assert indicator.label.strip()
    assert not STIGMATISING.search(indicator.label), indicator.label


def test_category_texts_use_no_stigmatising_words_beyond_the_type_label():
    for name, description in catalogue.CATEGORIES.values():
        text = f"{name} {description}".replace("pimp-controlled", "")
        assert not STIGMATISING.search(text), text


def test_the_stigma_check_itself_catches_the_words():
    for bad in ("chronic runaway", "a runner", "pimp", "child prostitute", "john", "AWOL", "frequent flier"):
        assert STIGMATISING.search(bad), bad
    assert not STIGMATISING.search("Johnson Street")


def test_identity_is_never_an_indicator():
    for indicator in catalogue.INDICATORS:
        label = indicator.label.lower()
        for word in ("lgbt", "transgender", "gay", "race", "black", "ethnic", "girl", "boy"):
            assert not re.search(rf"\b{word}\b", label), (indicator.code, word)
    assert "identity itself is never recorded" in catalogue.by_code()["C2.5"].label


def test_indicator_defs_are_immutable():
    with pytest.raises(AttributeError):
        catalogue.INDICATORS[0].weight = 5
