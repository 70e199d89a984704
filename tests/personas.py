"""The outsider personas, defined once (the fixtures of the same names are in tests/conftest.py).

Agency A's records belong to team North (youth_a1, on caseworker_a's caseload). docs/design.md#testing.
"""

# Another team of agency A, agency B's caseworker and admin, an agency-A account with no role: each must
# get 404 for youth_a1 and everything of it, and a POST writes nothing.
OUTSIDERS = ["caseworker_a2", "caseworker_b", "admin_b", "no_role_user"]

# Every role of agency B: nothing of agency A exists for them.
OTHER_AGENCY = ["caseworker_b", "supervisor_b", "agency_staff_b", "admin_b"]

# An account of agency A that was deactivated after signing in: asked to log in again, like an anonymous
# visitor, and then refused.
SIGNED_OUT = ["deactivated_caseworker_a"]
