"""The limits of a signed-in session (docs/security.md#sessions): one home for the rules that the middleware,
the idle-warning endpoint and the page's warning all ask.

- Idle: a session with no activity for the agency's `session_idle_minutes` is signed out by the server.
  Activity is a request the person made; a page's background poll (sent with the BACKGROUND_HEADER, e.g.
  static/js/packet-status.js, the export and dashboard progress polls, the warning's own status check) is not.
- Absolute: a session ends SESSION_ABSOLUTE_HOURS after its sign-in, whatever the activity.
- All of a user's sessions end at once when their password changes or their account is deactivated
  (`end_sessions_of`, from the User save receiver in caseapp/signin_events.py): Django would otherwise only
  refuse them at their next request's password-hash check, and never for a deactivation until then.
"""

import datetime
from importlib import import_module

from django.conf import settings

from .models import UserSession

SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVITY = "last_activity_at"
# A request sent by a page on its own (a poll), not by the person: it does not count as activity.
BACKGROUND_HEADER = "X-Background-Request"
BACKGROUND_META = "HTTP_X_BACKGROUND_REQUEST"

IDLE = "idle"
ABSOLUTE = "absolute"


def idle_minutes(user) -> int:
    agency = getattr(user, "agency", None)
    return agency.session_idle_minutes if agency is not None else settings.SESSION_IDLE_MINUTES_DEFAULT


def warning_seconds(idle_minutes_: int) -> int:
    """How long before the idle sign-out the page warns: the setting, at most half the idle time."""
    return min(settings.SESSION_IDLE_WARNING_SECONDS, idle_minutes_ * 30)


def absolute_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)


def _stamp(moment: datetime.datetime) -> float:
    return moment.timestamp()


def _moment(stamp) -> datetime.datetime | None:
    if stamp is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(float(stamp), tz=datetime.UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def expiry(session, user, now: datetime.datetime) -> str | None:
    """IDLE or ABSOLUTE when the session is over at `now`, else None. A session without its marks (signed in
    before they existed) counts from now."""
    signed_in = _moment(session.get(SIGNED_IN_AT))
    last = _moment(session.get(LAST_ACTIVITY))
    if signed_in is not None and now - signed_in >= absolute_lifetime():
        return ABSOLUTE
    if last is not None and now - last >= datetime.timedelta(minutes=idle_minutes(user)):
        return IDLE
    return None


def seconds_left(session, user, now: datetime.datetime) -> int:
    """Seconds until the session ends by either limit (0 when it has)."""
    idle_end = _moment(session.get(LAST_ACTIVITY)) or now
    idle_end += datetime.timedelta(minutes=idle_minutes(user))
    ends = idle_end
    signed_in = _moment(session.get(SIGNED_IN_AT))
    if signed_in is not None:
        ends = min(ends, signed_in + absolute_lifetime())
    return max(int((ends - now).total_seconds()), 0)


def start(session, now: datetime.datetime):
    """Mark a new sign-in's session."""
    session[SIGNED_IN_AT] = _stamp(now)
    session[LAST_ACTIVITY] = _stamp(now)


def touch(session, now: datetime.datetime):
    """Record activity (a request the person made). Every such request saves the session: one small write, the
    same on every page (writing only every few seconds would make a page's queries depend on the time since the
    last one)."""
    session[LAST_ACTIVITY] = _stamp(now)
    session.setdefault(SIGNED_IN_AT, _stamp(now))


def is_background(request) -> bool:
    return request.META.get(BACKGROUND_META) == "1"


TRACKED_KEY = "tracked_session_key"


def track(user, session):
    """Remember that `session` belongs to `user`, once per session key (a sign-in and a password change give
    the session a new key)."""
    key = session.session_key
    if key and session.get(TRACKED_KEY) != key:
        UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
        session[TRACKED_KEY] = key


def end_sessions_of(user) -> int:
    """End every session of `user` now. Someone changing their own password stays signed in: Django renews
    their session (update_session_auth_hash) after this. Works with any session store that deletes by key
    (database, cache); a signed-cookie session cannot be ended early."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user=user)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    rows.delete()
    return len(keys)


def forget_finished(user, now: datetime.datetime):
    """Drop the keys of the user's sessions that are over by the absolute lifetime (closed browsers leave theirs
    behind), so the table holds at most a lifetime's sign-ins."""
    UserSession.objects.filter(user=user, created_at__lt=now - absolute_lifetime()).delete()


def forget(session_key: str | None):
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()

