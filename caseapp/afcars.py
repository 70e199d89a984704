"""Placement types mapped to AFCARS living-arrangement elements (docs/duties.md#afcars).

A foster family home is reported under E113 (its kind: relative, non-relative, pre-adoptive);
other settings under E120 with the codes 1..14 as ICF's AXE validators number them. The exact CFR
paragraph numbers are marked [verify] in docs/duties.md#afcars; so is this table.
"""

from typing import NamedTuple


class LivingArrangement(NamedTuple):
    element: str  # "E113" (foster family home) or "E120" (other living arrangement)
    code: int | None  # E120 code, or None for E113 / unmapped
    label: str


# E120 codes, as the AXE validators number them (docs/duties.md#afcars).
E120_GROUP_HOME_STAFF_OPERATED = 2
E120_GROUP_HOME_SHELTER = 3
E120_RESIDENTIAL_TREATMENT = 4
E120_SUPERVISED_INDEPENDENT_LIVING = 8
E120_RUNAWAY = 12
E120_WHEREABOUTS_UNKNOWN = 13
E120_PLACED_AT_HOME = 14

_BY_PLACEMENT_TYPE = {
    "foster_family": LivingArrangement("E113", None, "Foster family home (non-relative)"),
    "relative_kinship": LivingArrangement("E113", None, "Foster family home (relative)"),
    "pre_adoptive": LivingArrangement("E113", None, "Foster family home (pre-adoptive)"),
    "group_home": LivingArrangement("E120", E120_GROUP_HOME_STAFF_OPERATED, "Group home, staff-operated"),
    "shelter": LivingArrangement("E120", E120_GROUP_HOME_SHELTER, "Group home, shelter care"),
    "residential_treatment": LivingArrangement(
        "E120", E120_RESIDENTIAL_TREATMENT, "Residential treatment centre"
    ),
    "sil": LivingArrangement("E120", E120_SUPERVISED_INDEPENDENT_LIVING, "Supervised independent living"),
    "trial_home_visit": LivingArrangement("E120", E120_PLACED_AT_HOME, "Placed at home"),
    # A missing episode is a living arrangement of its own, located "4 = runaway or whereabouts
    # unknown" (E121) by definition.
    "missing_runaway": LivingArrangement("E120", E120_RUNAWAY, "Runaway (E121 = 4)"),
    "missing_unknown": LivingArrangement("E120", E120_WHEREABOUTS_UNKNOWN, "Whereabouts unknown (E121 = 4)"),
}

UNMAPPED = LivingArrangement("", None, "Not mapped: choose the AFCARS setting when reporting")


def living_arrangement(placement_type: str) -> LivingArrangement:
    return _BY_PLACEMENT_TYPE.get(placement_type, UNMAPPED)
