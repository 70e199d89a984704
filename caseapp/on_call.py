"""Who is on call for a youth: the order in which an unacknowledged alert goes from person to person
(docs/alerts.md#escalation).

Placeholder: the on-call roster replaces this body with the roster's people on call at `at`;
the signature and the promise of the docstring stay.
"""

from . import access
from .models import Role, User


def escalation_chain(youth, at) -> list[User]:
    """Who to alert about `youth` at `at`, in order: on-call people (until the roster exists: the active
    supervisors of the youth's team) then agency admins; only active users who may open the youth's record
    (access gate); no duplicates."""
    supervisors = youth.team.supervisors.filter(is_active=True).order_by("last_name", "first_name", "pk")
    admins = User.objects.filter(agency_id=youth.agency_id, role=Role.AGENCY_ADMIN, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
    chain, seen = [], set()
    for user in [*supervisors, *admins]:
        if user.pk in seen or not access.youth_visible_to(user).filter(pk=youth.pk).exists():
            continue
        seen.add(user.pk)
        chain.append(user)
    return chain
