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
