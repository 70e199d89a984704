"""The synthetic missing-episode history of the demo agency (missing_reports/demo.py plays it through
the services). Everything is made up (docs/design.md#rule-synthetic-data)."""

AGENCY_CODE = "alder"
CASEWORKERS = {"North Team": "caseworker", "South Team": "caseworker2"}

# One entry per youth (case-number order of the agency's active youth, Jordan Testperson and the risk
# demo's three youth left out), each a list of episodes:
# (days ago learned, hours away (None: still missing), hours to the LE notice, hours to the NCMEC notice
#  (None: not given), where found, returned with, primary factors (None: no interview), screened).
HISTORY = (
    [(300, 20, 1, 3, "friend", [], ["conflict", "friends_connection"], True),
     (240, 50, 1, 30, "home_relative", [], ["family_connection"], True)],
    [(200, 8, 0.5, 2, "street", [], ["placement_safety"], True)],
    [(150, 96, 3, 20, "motel", ["cash", "new_phone"], ["money", "shelter"], True),
     (120, 30, 1, 5, "unknown_adult_residence", [], ["friends_connection"], False),
     (100, 12, 1, None, "friend", [], None, False)],
    [(90, 4, 1, 2, "placement", [], ["school"], True)],
    [(60, 72, 2, 6, "home_relative", [], ["family_connection", "a_say"], True)],
    [(30, 10, 0.5, 1, "friend", [], ["conflict"], True),
     (12, 28, 1, 3, "vehicle", ["new_clothes"], None, False)],
    [(0.04, None, None, None, "", [], None, False)],
)

# What the agency did after some of those returns (docs/duties.md#return-responses), by (youth, episode) position
# in HISTORY: (responses, who decided it, why), decided 6 hours after the return. Punitive responses precede the
# next run of the first and third youth, so the punitive-responses report has something to show.
RESPONSES = {
    (0, 0): (["restriction", "family_contact_limited"], "Foster parent (synthetic)",
             "House rules after an overnight absence (synthetic)."),
    (1, 0): (["placement_change_need"], "Placement unit (synthetic)",
             "The youth did not feel safe in the placement; moved to a relative (synthetic)."),
    (2, 0): (["placement_change_consequence"], "Placement unit (synthetic)",
             "Moved to a group home after the absence (synthetic)."),
    (3, 0): (["nothing_changed"], "Caseworker (synthetic)", "Returned on their own the same day (synthetic)."),
    (4, 0): (["family_contact_increased"], "Caseworker (synthetic)",
             "Weekly visits with their grandmother, as the youth asked (synthetic)."),
    (5, 0): (["detention"], "Juvenile court (synthetic)", "Held after a charge while away (synthetic)."),
}
