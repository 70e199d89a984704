"""How the agency responded to a return: the fixed list of responses and which of them are punitive.

The one home of "punitive" (docs/duties.md#return-responses): the episode page, the punitive-responses report
(exports/reports/punitive_responses.py) and the demo data all ask `PUNITIVE` or `punitive_q` here. No database.

A youth who leaves placement is usually running from something unsafe, an unmet need or a trauma response, and
the greatest vulnerability is a response that puts the blame on the youth. A restriction of privileges,
detention, charges and limiting contact with family always answer the run with a consequence. A placement or
school change can be either: a move away from the placement the youth ran from is what the law asks
(§471(a)(35)(A)(ii): respond to the primary factors in the current and later placements), a move to a more
restrictive setting because the youth ran is a punishment. So the person recording it says which, by choosing
one of two entries; an agency-wide rule would count one of the two wrongly.
"""

from django.db import models
from django.db.models import Q


class ResponseKind(models.TextChoices):
    RESTRICTION = "restriction", "Privileges restricted"
    DETENTION = "detention", "Detention"
    PLACEMENT_CHANGE_NEED = "placement_change_need", "Placement changed to meet a need the youth named"
    PLACEMENT_CHANGE_CONSEQUENCE = "placement_change_consequence", "Placement changed as a consequence of leaving"
    SCHOOL_CHANGE_NEED = "school_change_need", "School changed to meet a need the youth named"
    SCHOOL_CHANGE_CONSEQUENCE = "school_change_consequence", "School changed as a consequence of leaving"
    CHARGES = "charges", "Charges filed"
    FAMILY_CONTACT_LIMITED = "family_contact_limited", "Contact with family limited"
    FAMILY_CONTACT_INCREASED = "family_contact_increased", "Contact with family increased"
    NOTHING_CHANGED = "nothing_changed", "Nothing changed"
    OTHER_SUPPORT = "other_support", "Another change to meet the youth's needs (describe)"
    OTHER_CONSEQUENCE = "other_consequence", "Another consequence of leaving (describe)"


# The responses that answer a run with a consequence for the youth (docs/duties.md#return-responses).
PUNITIVE = frozenset(
    {
        ResponseKind.RESTRICTION,
        ResponseKind.DETENTION,
        ResponseKind.PLACEMENT_CHANGE_CONSEQUENCE,
        ResponseKind.SCHOOL_CHANGE_CONSEQUENCE,
        ResponseKind.CHARGES,
        ResponseKind.FAMILY_CONTACT_LIMITED,
        ResponseKind.OTHER_CONSEQUENCE,
    }
)

# The entries that need a few words of what it was.
DESCRIBED = frozenset({ResponseKind.OTHER_SUPPORT, ResponseKind.OTHER_CONSEQUENCE})


def is_punitive(kind: str) -> bool:
    return kind in PUNITIVE


def punitive_q(path: str = "") -> Q:
    """The responses that are punitive, as a filter on ReturnResponse (through `path`, e.g. "responses__")."""
    return Q(**{f"{path}kind__in": sorted(PUNITIVE)})
