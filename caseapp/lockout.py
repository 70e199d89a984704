"""Lockout of repeated failed sign-ins (docs/security.md#lockout), on django-axes.

axes counts failures per account (the username typed) and per address (caseapp.audit.client_ip, the same
REMOTE_ADDR as the audit trail) in its AccessAttempt table; its authentication backend refuses a locked-out
sign-in before any password is checked. This handler changes two things of axes' database handler:

- Two limits. axes compares one number with one limit; an office behind one address shares that address, so
  the address gets a higher limit (SIGN_IN_ADDRESS_FAILURE_LIMIT) than an account (SIGN_IN_FAILURE_LIMIT).
  `get_failures` answers the account's failures, or the address's minus the difference of the two limits,
  whichever is larger: it reaches the account limit exactly when either count reaches its own limit.
- A successful sign-in clears the failures of that account only, not its address's: one working account must
  not let someone wipe an address's count between guesses at other accounts.

The rules an agency admin's pages ask (is this account locked, unlock it) are here too, so the staff page and
axes count the same way.
"""

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _address_allowance() -> int:
    return max(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT - settings.SIGN_IN_FAILURE_LIMIT, 0)


class SignInLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return max(by_account, by_address - _address_allowance())

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def cool_off() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.SIGN_IN_COOL_OFF_MINUTES)


def cool_off_for(request=None) -> datetime.timedelta:
    """AXES_COOLOFF_TIME."""
    return cool_off()


def failure_limit(request=None, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: the account's limit (the address's is folded into get_failures)."""
    return settings.SIGN_IN_FAILURE_LIMIT


def locked_usernames(usernames) -> set[str]:
    """Which of `usernames` are locked out now (as accounts; an address's lockout is not an account's). One
    query, for a page of staff."""
    usernames = [u for u in usernames if u]
    if not usernames or not settings.AXES_ENABLED:
        return set()
    rows = (
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=timezone.now() - cool_off())
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.SIGN_IN_FAILURE_LIMIT)
    )
    return {row["username"] for row in rows}


def clear_account(username: str) -> int:
    """Forget the failed sign-ins of one account (an admin's unlock): the count starts again from zero."""
    count, _ = AccessAttempt.objects.filter(username=username).delete()
    return count
