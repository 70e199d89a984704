"""Reads of the core records, already scoped and prefetched so a page runs a fixed number of queries."""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.utils import timezone

from . import access
from .filters import CaseloadFilter
from .models import Alert, AlertDelivery, AlertRecipient, AuditAction, AuditEvent, Placement, Race, Youth

logger = logging.getLogger(__name__)


@dataclass
class CaseloadPage:
    """One page of the caseload, read by its sort key (keyset paging) rather than by OFFSET.

    `count` is exact when `count_is_exact`; otherwise it was counted at `counted_at` (at most
    HOME_COUNTS_SECONDS ago) and the page says "about". The rows never depend on the count, so a stale count
    cannot hide a youth. `number` is the page's number when known (carried in the links, for display only).
    """

    object_list: list
    count: int
    count_is_exact: bool
    counted_at: object
    number: int | None
    has_previous: bool
    has_next: bool
    is_last: bool

    @property
    def num_pages(self) -> int | None:
        if not self.count_is_exact:
            return None
        return max(1, -(-self.count // settings.PAGE_SIZE))

    @property
    def count_text(self) -> str:
        return f"{self.count:,}"

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_anchor(self):
        return self.object_list[0].pk if self.object_list else None

    @property
    def next_anchor(self):
        return self.object_list[-1].pk if self.object_list else None

    @property
    def previous_page_number(self) -> int | None:
        return self.number - 1 if self.number and self.number > 1 else None

    @property
    def next_page_number(self) -> int | None:
        return self.number + 1 if self.number else None


CASELOAD_ORDER = ("legal_last_name", "legal_first_name", "id")
# What a caseload row draws (templates/caseapp/caseload.html): a youth has some 50 columns, and reading and building
# them all for 26 rows cost a few ms of every page (docs/design.md#speed).
CASELOAD_COLUMNS = (
    "id", "agency_id", "team", "team__name", "case_number", "status", "date_of_birth", *CASELOAD_ORDER[:2],
    "preferred_name",
)


def _after(key, *, reverse=False):
    """Youth after (or, reversed, before) the sort key (last name, first name, id). The leading `>=` on the
    last name alone lets the database start its walk of the name index at the key instead of filtering
    every row before it."""
    last, first, pk = key
    if reverse:
        return Q(legal_last_name__lte=last) & (
            Q(legal_last_name__lt=last)
            | Q(legal_last_name=last, legal_first_name__lt=first)
            | Q(legal_last_name=last, legal_first_name=first, id__lt=pk)
        )
    return Q(legal_last_name__gte=last) & (
        Q(legal_last_name__gt=last)
        | Q(legal_last_name=last, legal_first_name__gt=first)
        | Q(legal_last_name=last, legal_first_name=first, id__gt=pk)
    )


def _positive_int(text):
    try:
        number = int(text)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _capped_count(key, queryset):
    """(count, exact?, counted at) of a name-ordered list: exact while the matches are few (reading at most
    CASELOAD_EXACT_COUNT_UP_TO + 1 rows); above that, a full count kept for HOME_COUNTS_SECONDS under `key`
    (shared by everyone whose key is the same). A `key` of None (filters that do not parse) is never kept."""
    kept = _cached_counts({key: None}, compute=False).get(key) if key else None
    cap = settings.CASELOAD_EXACT_COUNT_UP_TO
    if kept and kept["count"] > cap:
        # Known to be large: not even the capped count is read again while the kept count lasts.
        return kept["count"], False, kept["at"]
    capped = queryset.order_by()[: cap + 1].count()
    if capped <= cap or key is None:
        return capped, True, None
    counted = _cached_counts({key: lambda: {"count": queryset.count()}})[key]
    # A count cached before youth left the list may be below what was just seen: never say fewer.
    return max(counted["count"], capped), False, counted["at"]


def _caseload_count_key(user, filterset) -> str:
    """The same for everyone who sees the same teams with the same filters ("assigned to me": per person)."""
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    team = cleaned.get("team")
    described = "|".join(
        [
            (cleaned.get("q") or "").strip().upper(),  # the search ignores case
            cleaned.get("status") or "",
            str(team.pk if team else ""),
            cleaned.get("placement_type") or "",
            f"mine:{user.pk}" if cleaned.get("mine") else "",
        ]
    )
    digest = hashlib.sha256(described.encode()).hexdigest()[:24]
    return f"caseload-count:{scope_key(user)}:{digest}"


def name_order_page(params, *, scope, matches, rows, count_key) -> CaseloadPage:
    """One page of youth in name order, read by keyset (`after`/`before` a youth's id, or `page=last`), with
    the count of `matches` capped as `_capped_count` says. The caseload and the "Report a youth missing" picker
    both page this way, so a page reads about PAGE_SIZE + 1 rows of the name index whatever the list's size.

    `scope`: the youth the user may see in this list (the anchor is read within it, so another agency's youth
    cannot place the list); `matches`: the filtered youth; `rows`: what to read with each youth of the page
    (a function of a queryset); `count_key`: the cache key of the large count (None: never kept)."""
    count, exact, counted_at = _capped_count(count_key, matches)

    params = params or {}
    size = settings.PAGE_SIZE
    number = _positive_int(params.get("page"))
    anchor_id, reverse = _positive_int(params.get("after")), False
    if anchor_id is None and _positive_int(params.get("before")):
        anchor_id, reverse = _positive_int(params.get("before")), True
    anchor = scope.filter(pk=anchor_id).values_list(*CASELOAD_ORDER).first() if anchor_id else None
    last = params.get("page") == "last" and anchor is None

    rows = rows(matches)

    def read(key, reverse, limit):
        found = rows.filter(_after(key, reverse=reverse)) if key else rows
        order = [f"-{f}" for f in CASELOAD_ORDER] if reverse else list(CASELOAD_ORDER)
        found = list(found.order_by(*order)[: limit + 1])
        more = len(found) > limit
        found = found[:limit]
        return (found[::-1] if reverse else found), more

    if anchor and not reverse:
        youth, has_next = read(anchor, False, size)
        has_previous, is_last = True, not has_next
    elif anchor:
        youth, has_previous = read(anchor, True, size)
        has_next, is_last = True, False
        number = number if has_previous else 1
    elif last:
        # With an exact count the last page holds the remainder, so its pages line up with paging forward.
        youth, has_previous = read(None, True, (count - 1) % size + 1 if exact and count else size)
        has_next, is_last = False, True
        number = -(-count // size) if exact else None
    else:
        youth, has_next = read(None, False, size)
        has_previous, is_last, number = False, not has_next, 1
    if anchor and not youth:
        # Nothing left beside the anchor (the youth around it changed): show the first page.
        youth, has_next = read(None, False, size)
        has_previous, is_last, number = False, not has_next, 1
    if is_last and exact:
        number = max(1, -(-count // size))
    elif exact and number and number * size >= count + size:
        number = None  # a page number in the link that the list no longer reaches: say none rather than a wrong one
    return CaseloadPage(
        object_list=youth, count=count, count_is_exact=exact, counted_at=counted_at, number=number,
        has_previous=has_previous, has_next=has_next, is_last=is_last,
    )


def caseload_page(user, params):
    """The caseload list: filtered, in name order, one page read by keyset (name_order_page), with the current
    placement prefetched. A fixed number of queries whatever the caseload's size; the count reads at most
    CASELOAD_EXACT_COUNT_UP_TO rows, or a larger list in full once per HOME_COUNTS_SECONDS."""
    filterset = CaseloadFilter(params or None, user=user)
    # Filters that do not parse show nothing rather than everything.
    valid = not filterset.is_bound or filterset.is_valid()
    scope = access.youth_visible_to(user)
    page = name_order_page(
        params,
        scope=scope,
        matches=filterset.qs if valid else scope.none(),
        rows=lambda matches: matches.select_related("team").only(*CASELOAD_COLUMNS).with_current_placement(),
        count_key=_caseload_count_key(user, filterset) if valid else None,
    )
    return filterset, page


def youth_to_report_missing_page(user, params, *, rows):
    """The "Report a youth missing" picker: the youth the user may edit, searched by the caseload's search
    (names and the case number's start, CaseloadFilter.search) and paged and counted as the caseload is
    (name_order_page). `rows`: what the picker reads with each youth (its open episode, missing_reports'
    business). Returns (the search as typed, the page)."""
    q = ((params or {}).get("q") or "").strip()
    editable = access.youth_editable_by(user)
    matches = (CaseloadFilter({"q": q}, user=user).qs & editable) if q else editable
    # Those who may edit see the same youth as they may see (access.youth_editable_by), so the count is shared
    # by everyone with the same teams, as the caseload's is.
    digest = hashlib.sha256(q.upper().encode()).hexdigest()[:24]
    count_key = f"report-missing-count:{scope_key(user)}:{digest}"
    return q, name_order_page(params, scope=editable, matches=matches, rows=rows, count_key=count_key)


@dataclass
class Change:
    at: object
    who: object
    what: str  # "youth record" or the placement's description
    kind: str  # "created", "changed"
    fields: list  # (label, old, new)


def _field_label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name


def _diffs(records, model, hidden):
    """Turn newest-first history records of one object into Change rows, diffing neighbours in Python. A record
    with no history rows (loaded in bulk without them) has no changes to show."""
    if not records:
        return []
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=True):
        if older is None:
            changes.append(Change(newer.history_date, newer.history_user, "", "created", []))
            continue
        fields = []
        for c in newer.diff_against(older).changes:
            if c.field in hidden:
                fields.append((_field_label(model, c.field), "(restricted)", "(restricted)"))
            else:
                fields.append((_field_label(model, c.field), c.old, c.new))
        if fields:
            changes.append(Change(newer.history_date, newer.history_user, "", "changed", fields))
    return changes


def youth_change_history(youth, *, show_restricted):
    """The youth's and its placements' changes, newest first, with field-level diffs."""
    limit = settings.YOUTH_HISTORY_ROWS
    hidden = set() if show_restricted else set(Youth.RESTRICTED_FIELDS)
    youth_records = list(
        youth.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    changes = []
    for change in _diffs(youth_records, Youth, hidden)[:limit]:
        change.what = "Youth record"
        changes.append(change)
    placement_records = list(
        Placement.history.filter(youth_id=youth.pk)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")[: limit * 4]
    )
    by_placement = {}
    for record in placement_records:
        by_placement.setdefault(record.id, []).append(record)
    for records in by_placement.values():
        for change in _diffs(records, Placement, set()):
            change.what = f"Placement: {records[0].get_placement_type_display()}, {records[0].provider_name}"
            changes.append(change)
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]


def recent_access(youth):
    return list(
        AuditEvent.objects.filter(youth=youth, action=AuditAction.VIEW, object_type="youth")
        .select_related("actor")
        .order_by("-at", "-id")[: settings.YOUTH_HISTORY_ROWS]
    )


def youth_detail(user, youth_id):
    """Everything the youth page shows, in a fixed number of queries."""
    youth = access.get_youth_or_404(
        user,
        youth_id,
        queryset=Youth.objects.select_related("team", "agency").prefetch_related(
            "assigned_caseworkers",
            Prefetch("placements", queryset=Placement.objects.order_by("-start_date", "-id")),
            "photos",  # who uploaded each is not drawn here: no join to the staff table
        ),
    )
    show_access = access.can_see_access_log(user, youth)
    # Who sees the access log sees the restricted fields too (access.can_see_restricted): not asked twice.
    show_restricted = show_access or access.can_see_restricted(user, youth)
    placements = list(youth.placements.all())
    photos = list(youth.photos.all())
    return {
        "youth": youth,
        "race_labels": [Race(r).label for r in youth.races if r in Race.values],
        "placements": placements,
        "current_placement": next((p for p in placements if p.is_current), None),
        "photos": photos,
        "current_photo": photos[0] if photos else None,
        "show_restricted": show_restricted,
        "can_edit": access.can_edit_youth(user, youth, seen=True),
        "show_access_log": show_access,
        "recent_access": recent_access(youth) if show_access else [],
        "changes": youth_change_history(youth, show_restricted=show_restricted),
    }


def scope_key(user) -> str:
    """Who sees the same youth gets the same key: the agency and the teams of the user's scope (one query). The
    home page's counts and the reports dashboard's figures are kept under it."""
    if user.is_superuser:
        return "all"
    teams = ",".join(str(pk) for pk in access.teams_visible_to(user).order_by("pk").values_list("pk", flat=True))
    return f"{user.agency_id}:{hashlib.sha256(teams.encode()).hexdigest()[:24]}"


def _cached_counts(keys_and_counts: dict, *, compute=True) -> dict:
    """{cache key: (function computing a dict of counts)} → {cache key: {**counts, "at": when computed}}, read
    from the cache where another request computed them less than HOME_COUNTS_SECONDS ago. An unreachable cache
    is skipped: the counts are computed. With compute=False, only what the cache holds (no key when nothing).
    The home page's counts and the caseload's large counts use it."""
    try:
        found = cache.get_many(list(keys_and_counts))
    except Exception:  # e.g. Redis down: the page still shows the figures
        logger.warning("The cache could not be read; the page's counts are computed.", exc_info=True)
        found = {}
    if not compute:
        return found
    missing = {key: {**count(), "at": timezone.now()} for key, count in keys_and_counts.items() if key not in found}
    if missing:
        try:
            cache.set_many(missing, settings.HOME_COUNTS_SECONDS)
        except Exception:
            logger.warning("The cache could not be written; the page's counts are not kept.", exc_info=True)
    return {**found, **missing}


def dashboard_summary(user):
    """Counts for the home page, in the user's scope (who is missing now is a panel of missing_reports, exact).

    The three counts are not safety-critical and scan the whole scope, so they are kept for
    HOME_COUNTS_SECONDS: per scope (the active youth and those with no current placement, shared by everyone
    who sees the same teams) and per user (those assigned to them). The page says when they were counted.
    """
    youth = access.youth_visible_to(user)
    active = youth.filter(status="active")
    counts_key = f"home-counts:{scope_key(user)}"
    assigned_key = f"home-assigned:{user.pk}:{counts_key}"
    counts = _cached_counts(
        {
            counts_key: lambda: {
                "active_count": active.count(),
                "no_placement_count": active.filter(covered_population="foster_care")
                .exclude(pk__in=Placement.objects.filter(end_date__isnull=True).values("youth_id"))
                .count(),
            },
            assigned_key: lambda: {"assigned_count": active.filter(assigned_caseworkers=user).count()},
        }
    )
    return {
        "active_count": counts[counts_key]["active_count"],
        "no_placement_count": counts[counts_key]["no_placement_count"],
        "assigned_count": counts[assigned_key]["assigned_count"],
        "counts_as_of": min(counts[counts_key]["at"], counts[assigned_key]["at"]),
        "recently_viewed": list(
            Youth.objects.filter(
                pk__in=AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW, object_type="youth")
                .order_by("-at")
                .values("youth_id")[:50]
            )
            .filter(pk__in=youth.values("pk"))
            .select_related("team")[:5]
        ),
    }


# --- Alerts (docs/alerts.md) -----------------------------------------------------------------------------------


def my_alert_copies(user):
    """The user's copies of alerts (AlertRecipient rows) about youth they may still open."""
    if not (user and user.is_authenticated):
        return AlertRecipient.objects.none()
    return AlertRecipient.objects.filter(user=user, alert__youth__in=access.youth_visible_to(user))


def alerts_page(user, page_number):
    """The Alerts page: unacknowledged first, then newest; each row with its alert, youth, who acknowledged
    and everyone told (prefetched: a fixed number of queries whatever the number of alerts)."""
    queryset = (
        my_alert_copies(user)
        .select_related("alert__youth", "alert__acknowledged_by")
        .prefetch_related(
            Prefetch(
                "alert__recipients",
                queryset=AlertRecipient.objects.select_related("user").order_by("told_at", "id"),
                to_attr="everyone_told",
            )
        )
        .order_by(F("alert__acknowledged_at").desc(nulls_first=True), "-told_at", "-id")
    )
    page = Paginator(queryset, settings.PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    for copy in page.object_list:
        copy.others_told = [other for other in copy.alert.everyone_told if other.pk != copy.pk]
    return page


def unread_alert_count(user) -> int:
    """Alerts for this user not yet acknowledged by anyone and not yet read by them: the top bar's count."""
    return my_alert_copies(user).filter(read_at__isnull=True, alert__acknowledged_at__isnull=True).count()


@dataclass
class TrailEntry:
    alert: object
    recipients: list  # AlertRecipient rows, each with `channels`: [(channel label, status label), ...]


def alert_trail(alerts) -> list[TrailEntry]:
    """For a subject (e.g. an episode): each alert, who was told, when, by which channels and with what
    result, and who acknowledged when. `alerts` is a key prefix ("run:12") or a queryset of Alert, already
    scoped by the caller. Three queries whatever the number of alerts."""
    if isinstance(alerts, str):
        alerts = Alert.objects.filter(key__startswith=alerts)
    rows = list(
        alerts.select_related("acknowledged_by")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=AlertRecipient.objects.select_related("user")
                .prefetch_related(Prefetch("deliveries", queryset=AlertDelivery.objects.order_by("channel")))
                .order_by("told_at", "id"),
            )
        )
        .order_by("created_at", "id")
    )
    return [TrailEntry(alert=a, recipients=list(a.recipients.all())) for a in rows]


@dataclass
class NewestFirstPage:
    """One page of a list read newest first by keyset ((at, id) after the last row shown), without a count: the
    audit trail grows with every page view, and counting it on every load would cost more as it grows. The
    links say Newest, Newer and Older; `newer_anchor` and `older_anchor` are the ids of the page's first and
    last rows."""

    object_list: list
    has_newer: bool
    has_older: bool
    newer_anchor: int | None
    older_anchor: int | None

    @property
    def has_other_pages(self) -> bool:
        return self.has_newer or self.has_older


def newest_first_page(rows, params, *, time_field="at") -> NewestFirstPage:
    """A page of `rows` (already scoped and filtered), newest first by (time_field, id): `older=<id>` reads the
    PAGE_SIZE rows after that row, `newer=<id>` those before it. The anchor row is read within `rows`, so a row
    the user may not see cannot position the list; an anchor that is gone shows the newest page. A fixed number
    of queries: the anchor (when given) and the page (twice when paging newer reaches the top, to fill it)."""
    size = settings.PAGE_SIZE
    params = params or {}
    anchor_id, newer = _positive_int(params.get("older")), False
    if anchor_id is None and _positive_int(params.get("newer")):
        anchor_id, newer = _positive_int(params.get("newer")), True
    anchor = rows.filter(pk=anchor_id).values_list(time_field, "id").first() if anchor_id else None

    def read(key, newer, limit):
        if key is None:
            found = rows
        elif newer:
            found = rows.filter(Q(**{f"{time_field}__gte": key[0]}) & (
                Q(**{f"{time_field}__gt": key[0]}) | Q(**{time_field: key[0], "id__gt": key[1]})
            ))
        else:
            # The leading `<=` on the time alone lets the database start its walk of the index at the anchor.
            found = rows.filter(Q(**{f"{time_field}__lte": key[0]}) & (
                Q(**{f"{time_field}__lt": key[0]}) | Q(**{time_field: key[0], "id__lt": key[1]})
            ))
        order = (time_field, "id") if newer else (f"-{time_field}", "-id")
        found = list(found.order_by(*order)[: limit + 1])
        return (found[:limit][::-1] if newer else found[:limit]), len(found) > limit

    if anchor and newer:
        found, has_newer = read(anchor, True, size)
        if has_newer:
            return _newest_first(found, has_newer=True, has_older=True)
        # The top of the list: show the newest page in full rather than the few rows left above the anchor.
    elif anchor:
        found, has_older = read(anchor, False, size)
        if found:
            return _newest_first(found, has_newer=True, has_older=has_older)
    found, has_older = read(None, False, size)
    return _newest_first(found, has_newer=False, has_older=has_older)


def _newest_first(found, *, has_newer, has_older):
    return NewestFirstPage(
        object_list=found, has_newer=has_newer, has_older=has_older,
        newer_anchor=found[0].pk if found else None, older_anchor=found[-1].pk if found else None,
    )


@dataclass
class SignInRow:
    event: AuditEvent
    account: object  # the User the event is about, or None (a username that matched no account)


def sign_in_activity_page(user, params, *, person_id=None, action=""):
    """The sign-in events of the agencies `user` manages (every event, those of no agency too, for a superuser),
    newest first, optionally of one person and one kind; each row with the account it is about. Paged by keyset
    (newest_first_page), never counted: the events are read by the partial indexes on the sign-in rows of the
    audit trail (AuditEvent.Meta). A fixed number of queries: the anchor (when paging), the page (with its actor)
    and the page's accounts."""
    from .models import SIGN_IN_EVENTS, User

    events = access.scope_to_managed_agencies(AuditEvent.objects.filter(SIGN_IN_EVENTS), user)
    if person_id is not None:
        events = events.filter(object_id=str(person_id))
    if action:
        events = events.filter(action=action)
    page = newest_first_page(events.select_related("actor"), params)
    ids = {int(e.object_id) for e in page.object_list if e.object_id.isdigit()}
    accounts = User.objects.in_bulk(ids) if ids else {}
    page.object_list = [
        SignInRow(e, accounts.get(int(e.object_id)) if e.object_id.isdigit() else None) for e in page.object_list
    ]
    return page
