"""Work items: everything a person must do, gathered from every app into one list (docs/design.md#work).

caseapp never names the apps built on it, so each app registers a *work source* from its AppConfig.ready():
a function that, given the youth in a scope and the time now, returns that app's open work for those youth
as `WorkItem`s. The supervisor's team view asks `items_for` here (every item of a scope); "My work", the home
page's first items and the overdue count in the top bar ask `my_page` (a page of the person's own items and the
counts of all of them); none of them knows what a notice or a review item is.

A source must:
- read only youth of the queryset it is given (the access gate has already scoped it; a source never widens it);
- run a fixed number of queries whatever the number of youth or items: one, with select_related for what it
  draws, plus only what it truly needs (never the owners);
- leave "overdue" to `is_overdue` below: the clock-state rule, registered by the app that owns the clocks
  (with its SQL form, `overdue_q`);
- name whose list each item is on by a *rule* (`owners=CASEWORKERS`, `SUPERVISORS`, ...), never by user ids
  (but ASSIGNEE, the one user the record names): `items_for` resolves the owners of every item of every source
  at once (`resolve_owners`), so "whose work is it" has one rule and a page pays the same few owner queries
  however many kinds of work exist.

A source with many rows a person (a clock, a report, a screening) is a *row source* (`register_row_source`):
`rows(youth, now)`, a queryset annotated with each row's due time as `work_due_at`, and `item(row, now)`. For
My work the registry orders its rows by due time, reads only the first `offset + limit` (LIMIT) and counts the
total and the overdue in the same query (window counts), then merges the sources' ordered pages (`my_page`).
A source whose due time is computed in Python (the search cadence, a photo's age) gives whole lists
(`register_work_source`): keep those to few rows a person.
"""

import datetime
import functools
import heapq
import itertools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from . import access
from .local_time import duration
from .models import Role, Team, User, Youth

logger = logging.getLogger(__name__)

# Whose list an item is on: the rules a source names (WorkItem.owners) and `resolve_owners` applies.
# A caseworker's task: the youth's active assigned caseworkers, else the active supervisors of the youth's team,
# so that nobody's work falls between chairs.
CASEWORKERS = "caseworkers"
# A supervisor's task: the active supervisors of the youth's team.
SUPERVISORS = "supervisors"
# A decision a supervisor or an agency admin may make (access.can_review_youth): the team's active supervisors,
# else, when the team has none, the active admins of the youth's agency.
SUPERVISORS_ELSE_ADMINS = "supervisors_else_admins"
# The team's active supervisors and the active admins of the youth's agency (who manage, say, a 4-hour rule).
SUPERVISORS_AND_ADMINS = "supervisors_and_admins"
# The user the record names (a response plan action's owner): the source sets owner_ids itself and
# resolve_owners keeps them. Any user who can see the youth may be named, so My work asks such a source about
# every youth the person sees.
ASSIGNEE = "assignee"
OWNER_RULES = (CASEWORKERS, SUPERVISORS, SUPERVISORS_ELSE_ADMINS, SUPERVISORS_AND_ADMINS, ASSIGNEE)


@dataclass(frozen=True, kw_only=True)
class WorkItem:
    """One thing somebody must do, for one youth."""

    kind: str  # the registered source's key, e.g. "notice"; the filter on the team view
    what: str  # what to do, in words a caseworker uses: "Report to NCMEC", "Return interview"
    youth_id: int
    youth_name: str  # Youth.display_name
    case_number: str
    team_id: int
    agency_id: int  # the youth's agency: whose admins an admin rule names
    url: str  # the page with the form that does it (one click)
    owners: str  # whose list it is on, by rule: one of OWNER_RULES
    # The users whose list it is on: filled by `resolve_owners`; a source sets them only for ASSIGNEE.
    owner_ids: tuple[int, ...] = ()
    due_at: datetime.datetime | None = None  # None: no due time (shown after the dated items)
    detail: str = ""  # one short line of context, never a restricted field
    sort_key: tuple = field(default=(), compare=False)  # tie-breaker within the same due time

    def __post_init__(self):
        if self.owners not in OWNER_RULES:
            raise ValueError(f"Unknown owner rule {self.owners!r}: use one of caseapp.work.OWNER_RULES.")
        if self.owner_ids and self.owners != ASSIGNEE:
            raise ValueError("Only an ASSIGNEE item names its owners; the other rules are resolved (resolve_owners).")

    def is_overdue(self, now) -> bool:
        return is_overdue(self.due_at, now)

    @classmethod
    def about(
        cls, youth, *, kind, what, url, owners, due_at=None, detail="", sort_key=(), owner_ids=()
    ) -> "WorkItem":
        """An item about `youth` (its name, case number, team and agency taken from the record); `owner_ids`
        only with `owners=ASSIGNEE` (the user the record names)."""
        return cls(
            kind=kind,
            what=what,
            youth_id=youth.pk,
            youth_name=youth.display_name,
            case_number=youth.case_number,
            team_id=youth.team_id,
            agency_id=youth.agency_id,
            url=url,
            owners=owners,
            due_at=due_at,
            detail=detail,
            sort_key=sort_key,
            owner_ids=tuple(owner_ids),
        )


# The youth's columns `WorkItem.about` reads. A source reading thousands of rows loads only these (and what its
# due time needs) with `.only(*item_youth_fields("episode__youth__"))`: whole rows cost most of a list's time.
ITEM_YOUTH_FIELDS = ("id", "preferred_name", "legal_first_name", "legal_last_name", "case_number", "team", "agency")


def item_youth_fields(path: str = "") -> list[str]:
    """ITEM_YOUTH_FIELDS through `path` (e.g. "youth__"), for `.only()`; with the agency's time zone."""
    return [f"{path}{name}" for name in ITEM_YOUTH_FIELDS] + [f"{path}agency__time_zone"]


_URL_ID = 987654321987  # a stand-in id, replaced in the reversed URL


@functools.cache
def _url_pattern(name: str, prefix: str) -> str:
    return reverse(name, args=[_URL_ID]).replace(str(_URL_ID), "{}")


def item_url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` for a URL with one id in it, reversed once per name (and script prefix):
    a source builds one URL an item, thousands on a team's list, and Django's reverse is most of an item's time."""
    return _url_pattern(name, get_script_prefix()).format(int(pk))


@dataclass(frozen=True)
class WorkSource:
    kind: str
    label: str  # "Notices", "Return interviews", ... (the kind filter's choices)
    items: Callable[..., Iterable[WorkItem]]  # items(youth_queryset, now) -> WorkItem, ...
    owners: tuple[str, ...] = OWNER_RULES  # the rules its items may name (checked as they come)
    # A row source (`register_row_source`): rows(youth, now) -> a queryset annotated with `work_due_at`, and
    # item(row, now) -> its WorkItem. The registry orders, limits and counts those rows in SQL.
    rows: Callable | None = None
    item: Callable | None = None
    # named_youth(user): the ids of the youth whose records name the user (an ASSIGNEE source's, optional): My work
    # asks the source about those and the person's own youth rather than about every youth they see.
    named_youth: Callable | None = None


_sources: list[WorkSource] = []
# The rules that can put an item of any youth of the agency on an agency admin's list.
ADMIN_RULES = (SUPERVISORS_ELSE_ADMINS, SUPERVISORS_AND_ADMINS)
# The rules whose owners a query over the youth can name for one user (`own_scope`): My work asks a source with
# one of these as its only rule about exactly the youth on whose items the person is an owner, so that a page of
# the source's rows, ordered and limited in SQL, is a page of the person's own items.
SCOPED_RULES = (CASEWORKERS, SUPERVISORS)
# The column a row source annotates with each row's due time (NULL: no due time).
DUE = "work_due_at"


def register_work_source(
    kind: str,
    label: str,
    items: Callable[..., Iterable[WorkItem]],
    *,
    owners: Iterable[str] = OWNER_RULES,
    rows: Callable | None = None,
    item: Callable | None = None,
    named_youth: Callable | None = None,
) -> None:
    """Add a source of work items. `items(youth, now)` gets a queryset of youth (already scoped) and
    returns the open work for them. `owners`: the rules its items may name (default any); a source whose items
    never name an admin rule is not asked about a whole agency for an admin's own list (`my_items`), which at
    statewide scale is most of that list's cost. Registering the same kind twice with the same function is a
    no-op (AppConfig.ready may run twice in a test process). A source with many rows a person prefers
    `register_row_source`."""
    owners = tuple(owners)
    unknown = set(owners) - set(OWNER_RULES)
    if unknown:
        raise ValueError(f"Unknown owner rules {sorted(unknown)}: use caseapp.work.OWNER_RULES.")
    if named_youth is not None and ASSIGNEE not in owners:
        raise ValueError(f"The work source {kind!r} gives named_youth but names no ASSIGNEE.")
    source = WorkSource(kind, label, items, owners, rows, item, named_youth)
    for existing in _sources:
        if existing.kind == kind:
            if (existing.rows or existing.items) is not (rows or items):
                raise ValueError(f"The work source {kind!r} is registered twice, differently.")
            return
    _sources.append(source)


def _ordered_rows(rows):
    """A row source's rows in the list's order (`ordered`): soonest due first, the undated last, then by id."""
    return rows.order_by(models.F(DUE).asc(nulls_last=True), "pk")


def _row_items(item, rows, now) -> list[WorkItem]:
    """The items of a row source's rows (already ordered), each with its row's id as tie-breaker: the `ordered`
    key of the items then follows the rows' SQL order, which the merge of the sources relies on."""
    found = []
    for row in rows:
        made = item(row, now)
        object.__setattr__(made, "sort_key", (row.pk,))  # the call's own new item (as resolve_owners fills it)
        found.append(made)
    return found


def items_of_rows(rows: Callable, item: Callable[..., WorkItem]) -> Callable[..., list[WorkItem]]:
    """The `items(youth, now)` of a row source: every row, ordered, as items (the team view's whole list)."""

    def items(youth, now):
        return _row_items(item, _ordered_rows(rows(youth, now)), now)

    return items


def register_row_source(
    kind: str, label: str, rows: Callable, item: Callable[..., WorkItem], *, owners: Iterable[str] = OWNER_RULES
) -> None:
    """Add a source whose items are rows of one query: `rows(youth, now)` returns a queryset of the open rows
    for the youth, each annotated with its due time as `work_due_at` (NULL: none) and with what `item` reads
    joined; `item(row, now)` makes the row's WorkItem (its `due_at` the row's `work_due_at`; one item a row).
    My work then reads only a page of the rows (ordered by due time and limited in SQL) and counts them, the
    total and the overdue, in SQL (`my_page`), however many a person has; the team view reads them all."""
    register_work_source(kind, label, items_of_rows(rows, item), owners=owners, rows=rows, item=item)


def sources() -> list[WorkSource]:
    return list(_sources)


# The one overdue boundary is the clock-state rule of the app that owns the clocks, which caseapp may not import
# (docs/design.md#dependencies): that app registers it here (`register_overdue_rule`) from its AppConfig.ready(),
# so a work item, its clock on the episode page and the sweep never disagree by a second.
_past_due: Callable[[datetime.datetime, datetime.datetime], bool] | None = None
_past_due_q: Callable[[str, datetime.datetime], models.Q] | None = None


def register_overdue_rule(
    past_due: Callable[[datetime.datetime, datetime.datetime], bool],
    past_due_q: Callable[[str, datetime.datetime], models.Q] | None = None,
) -> None:
    """`past_due(due_at, moment)`: whether `moment` is after the due time; `past_due_q(field, moment)`: the same
    boundary as a filter on a column (My work counts the overdue rows of a row source in SQL). Registered once."""
    global _past_due, _past_due_q
    if _past_due is not None and _past_due is not past_due:
        raise ValueError("The overdue rule is registered twice, differently.")
    _past_due, _past_due_q = past_due, past_due_q


def is_overdue(due_at, now) -> bool:
    """Past due, by the registered clock-state rule (a moment equal to the due time is not)."""
    if due_at is None:
        return False
    if _past_due is None:
        raise RuntimeError("No overdue rule is registered: the app that owns the clocks registers it.")
    return _past_due(due_at, now)


def overdue_q(field: str, now) -> models.Q:
    """`is_overdue` as a filter on the column `field` (NULL, no due time, is never overdue)."""
    if _past_due_q is None:
        raise RuntimeError("No overdue filter is registered: the app that owns the clocks registers it.")
    return _past_due_q(field, now)


def due_words(due_at, now) -> str:
    """'overdue by 3 h', 'due in 40 min', 'due now'; '' with no due time. The wording of
    missing_reports.clock_state.timing for a clock not done, on the same boundary (`is_overdue`), so a work
    item and its clock on the episode page never disagree."""
    if due_at is None:
        return ""
    if is_overdue(due_at, now):
        return f"overdue by {duration(now - due_at)}"
    return f"due in {duration(due_at - now)}"


def _ids(ids) -> list[int]:
    """`ids` for an `__in` filter, never empty. Django runs no query at all for an empty `IN ()`, and the owner
    queries must run with no work item as with many, so that a page's query count does not depend on whether
    anyone has work (docs/design.md#work). No row has the id 0; one that did would only be looked up, never
    given to an item."""
    return sorted(ids) or [0]


def resolve_owners(items: Iterable[WorkItem]) -> list[WorkItem]:
    """`items` with `owner_ids` filled by their rules (OWNER_RULES), for every source at once: three queries
    whatever the number or kinds of items (the items' youth's active assigned caseworkers, their teams' active
    supervisors, their agencies' active admins), over the items' own youth, team and agency ids, never the
    whole scope."""
    items = list(items)
    assigned: dict[int, list[int]] = {}
    rows = Youth.assigned_caseworkers.through.objects.filter(
        youth_id__in=_ids({item.youth_id for item in items if item.owners == CASEWORKERS}), user__is_active=True
    )
    for youth_id, user_id in rows.order_by("user_id").values_list("youth_id", "user_id"):
        assigned.setdefault(youth_id, []).append(user_id)
    supervisors: dict[int, list[int]] = {}
    rows = Team.supervisors.through.objects.filter(
        team_id__in=_ids({item.team_id for item in items}), user__is_active=True
    )
    for team_id, user_id in rows.order_by("user_id").values_list("team_id", "user_id"):
        supervisors.setdefault(team_id, []).append(user_id)
    admins: dict[int, list[int]] = {}
    with_admins = {item.agency_id for item in items if item.owners in (SUPERVISORS_ELSE_ADMINS, SUPERVISORS_AND_ADMINS)}
    rows = User.objects.filter(agency_id__in=_ids(with_admins), role=Role.AGENCY_ADMIN, is_active=True)
    for agency_id, user_id in rows.order_by("pk").values_list("agency_id", "pk"):
        admins.setdefault(agency_id, []).append(user_id)

    def owner_ids(item) -> tuple[int, ...]:
        team = supervisors.get(item.team_id, [])
        if item.owners == ASSIGNEE:  # the source named them
            found = list(item.owner_ids)
        elif item.owners == CASEWORKERS:
            found = assigned.get(item.youth_id) or team
        elif item.owners == SUPERVISORS:
            found = team
        elif item.owners == SUPERVISORS_ELSE_ADMINS:
            found = team or admins.get(item.agency_id, [])
        else:  # SUPERVISORS_AND_ADMINS
            found = team + admins.get(item.agency_id, [])
        return tuple(dict.fromkeys(found))  # each owner once (an admin may supervise the team too), in order

    for item in items:
        # The items are this call's own, new from the sources: filled in place (dataclasses.replace would build
        # each again, a good part of a long list's time).
        object.__setattr__(item, "owner_ids", owner_ids(item))
    return items


_NEVER = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _order_key(item):
    """The list's order: soonest due first, so the overdue come first, the longest overdue on top (overdue is
    "due before now", `is_overdue`); the undated last; then the source's tie-breaker, the youth's name, the link."""
    if item.due_at is None:
        return (1, _NEVER, item.sort_key, item.youth_name, item.url)
    return (0, item.due_at, item.sort_key, item.youth_name, item.url)


def ordered(items: Iterable[WorkItem], now) -> list[WorkItem]:
    """Overdue first (the longest overdue on top), then soonest due, then the undated ones."""
    return sorted(items, key=_order_key)


def _items_of(source, youth, now) -> list[WorkItem]:
    return _check_rules(source, list(source.items(youth, now)))


def _check_rules(source, items: list[WorkItem]) -> list[WorkItem]:
    for item in items:
        if item.owners not in source.owners:
            raise ValueError(f"The work source {source.kind!r} named {item.owners!r}, not one of its rules.")
    return items


def items_for(user, now=None, *, scope=None) -> list[WorkItem]:
    """Every open work item of every source for the youth this user sees (or `scope`, a queryset already cut
    from access.youth_visible_to(user)), ordered. Callers pick the user's own items with `mine`."""
    now = now or timezone.now()
    youth = access.youth_visible_to(user) if scope is None else scope
    found: list[WorkItem] = []
    for source in _sources:
        found.extend(_items_of(source, youth, now))
    return ordered(resolve_owners(found), now)


def mine(items: Iterable[WorkItem], user) -> list[WorkItem]:
    return [item for item in items if user.pk in item.owner_ids]


def owned_scope(user):
    """The youth of the user's scope on whose items the user can be an owner by the CASEWORKERS and SUPERVISORS
    rules: those assigned to them and those of the teams they supervise. An agency admin's list also asks the
    sources that name an admin rule (ADMIN_RULES: the identification review they manage, a team with no
    supervisor) about every youth they see."""
    supervised = Team.objects.filter(supervisors=user).values("pk")
    assigned = Youth.assigned_caseworkers.through.objects.filter(user_id=user.pk).values("youth_id")
    # One list of ids (a UNION), not an OR of two subqueries: PostgreSQL reads the OR by scanning every youth
    # of the agency in each source's query (133 ms for an admin's empty list at 100,000 youth; 9 ms so).
    owned = Youth.objects.filter(team__in=supervised).order_by().values("pk").union(assigned.order_by())
    return access.youth_visible_to(user).filter(pk__in=owned)


def own_youth_ids(user) -> dict:
    """For each rule of SCOPED_RULES, the ids of the youth of the user's scope on whose items by that rule the
    user, active, is an owner: `resolve_owners`' rule written as queries over the youth. SUPERVISORS: the youth of
    the teams they supervise. CASEWORKERS: the youth assigned to them, and those of the teams they supervise that
    have no active assigned caseworker (whose work goes up to the team's supervisors). Every item a source gives
    for these youth is the user's own, so a page of its rows is a page of the user's items. Read once, as ids
    (two queries; three for a supervisor): each source's query then plans and runs on a short list of ids rather
    than on these subqueries again. With "supervises": whether they supervise any team."""
    supervised = list(Team.objects.filter(supervisors=user).values_list("pk", flat=True))
    visible = access.youth_visible_to(user)
    through = Youth.assigned_caseworkers.through.objects
    owned = through.filter(user_id=user.pk).order_by().values("youth_id")
    if supervised:
        covered = through.filter(youth_id=models.OuterRef("pk"), user__is_active=True)
        uncovered = Youth.objects.filter(team__in=supervised).exclude(models.Exists(covered)).order_by().values("pk")
        # A UNION of ids, as in owned_scope, not an OR of two subqueries.
        owned = uncovered.union(owned)
    return {
        CASEWORKERS: list(visible.filter(pk__in=owned).values_list("pk", flat=True)),
        SUPERVISORS: list(visible.filter(team__in=supervised).values_list("pk", flat=True)) if supervised else [],
        "supervises": bool(supervised),
    }


def own_scope(user, rule):
    """The youth of `own_youth_ids` for one rule, as a queryset."""
    return Youth.objects.filter(pk__in=own_youth_ids(user)[rule])


@dataclass
class MyWork:
    """A page of a person's own work: `items` (from the `offset`-th, at most `limit`; None: all), ordered, and
    the counts of all of it."""

    items: list[WorkItem]
    total: int
    overdue: int
    now: datetime.datetime
    offset: int = 0
    limit: int | None = None


def _scoped_rule(source) -> str | None:
    """The one rule of SCOPED_RULES a source names, if it names only that one (`own_scope` then is its scope)."""
    return source.owners[0] if len(source.owners) == 1 and source.owners[0] in SCOPED_RULES else None


def _may_name(user, rules, supervises: bool) -> bool:
    """Whether an item by one of `rules` can be on this user's list at all: a supervisor's and an admin's rules
    name nobody who supervises no team and is no agency admin (a caseworker is never asked about review items)."""
    admin = access.owns_agency_wide_work(user)
    return any(rule in (CASEWORKERS, ASSIGNEE) or supervises or admin for rule in rules)


def _row_page(source, youth_ids, now, wanted):
    """A row source's first `wanted` rows (None: all) as items, and the counts of all its rows (total, overdue),
    in one query: the counts are window aggregates over every row, computed before the LIMIT."""
    rows = source.rows(Youth.objects.filter(pk__in=_ids(youth_ids)), now).annotate(
        work_total=models.Window(models.Count("pk")),
        work_overdue=models.Window(models.Count("pk", filter=overdue_q(DUE, now))),
    )
    rows = _ordered_rows(rows)
    rows = list(rows if wanted is None else rows[: max(wanted, 1)])
    counts = (rows[0].work_total, rows[0].work_overdue) if rows else (0, 0)
    return _check_rules(source, _row_items(source.item, rows[:wanted], now)), counts


def my_page(user, now=None, *, offset: int = 0, limit: int | None = None) -> MyWork:
    """This user's own open work: `limit` items from the `offset`-th in the list's order (None: all of them;
    0: the counts only), and the exact counts (total, overdue) of all of it (docs/design.md#the-work-registry).

    Each source is asked only about the youth whose items by its rule are the user's (`own_youth_ids`); a row
    source reads only the first `offset + limit` of its rows, ordered by due time in SQL, with the counts of all
    of them in the same query, so the page costs the same at 10 items as at 10,000. A source given whole lists
    (`register_work_source`) is read whole and counted in Python: keep those to sources with few rows a person
    (an open episode's search effort). A source whose items may name several rules, an admin rule or ASSIGNEE is
    asked as before (the youth the user can own, the agency for an admin's admin rules, every youth they see for
    ASSIGNEE), unless none of its rules can name this user, and its items are kept when `resolve_owners` names
    the user. The sources' ordered lists are then merged. The items a source gave for the user's own youth do not
    get their `owner_ids` (they are the user's; the page shows no owners). Fixed queries whatever the number of
    items: two for the youth (three for a supervisor), one a source asked (a supervisor's sources are not asked
    of someone who supervises no team), three for the owners when a source of several rules was asked."""
    now = now or timezone.now()
    if not access.can_own_work(user):  # agency staff read and export: no item is theirs to do
        return MyWork([], 0, 0, now, offset, limit)
    wanted = None if limit is None else offset + limit
    own = own_youth_ids(user)
    supervises = own["supervises"]
    owned = None
    agency_wide = access.youth_visible_to(user) if access.owns_agency_wide_work(user) else None
    streams: list[list[WorkItem]] = []  # each source's items of the user, in the list's order
    total = overdue = 0
    unscoped: list[WorkItem] = []  # the items whose owners decide whether they are the user's
    asked_unscoped = False
    for source in _sources:
        rule = _scoped_rule(source)
        if rule == SUPERVISORS and not supervises:
            continue  # a supervisor's task is nobody's who supervises no team
        if rule is not None and source.rows is not None:
            found, (count, late) = _row_page(source, own[rule], now, wanted)
            total, overdue = total + count, overdue + late
            streams.append(found)
        elif rule is not None:
            found = ordered(_items_of(source, Youth.objects.filter(pk__in=_ids(own[rule])), now), now)
            total, overdue = total + len(found), overdue + overdue_count(found, now)
            streams.append(found if wanted is None else found[:wanted])
        elif _may_name(user, source.owners, supervises):
            if ASSIGNEE in source.owners and source.named_youth is not None:
                # The youth whose records name the user, and the user's own (whose items by the source's other
                # rules, e.g. an inactive owner's action falling to the caseworkers, are theirs).
                ids = set(source.named_youth(user)) | set(own[CASEWORKERS]) | set(own[SUPERVISORS])
                scope = access.youth_visible_to(user).filter(pk__in=_ids(ids))
            elif ASSIGNEE in source.owners:  # the record may name anyone who sees the youth
                scope = access.youth_visible_to(user)
            elif agency_wide is not None and any(rule in ADMIN_RULES for rule in source.owners):
                scope = agency_wide
            else:
                owned = owned if owned is not None else owned_scope(user)
                scope = owned
            unscoped.extend(_items_of(source, scope, now))
            asked_unscoped = True
    # Which unscoped items are the user's takes their owners (three queries). The others are the user's by their
    # source's scope: their owners are not read (the page does not show them; `owner_ids` stays empty).
    theirs = mine(ordered(resolve_owners(unscoped), now), user) if asked_unscoped else []
    total, overdue = total + len(theirs), overdue + overdue_count(theirs, now)
    merged = heapq.merge(*streams, theirs, key=_order_key)
    items = list(itertools.islice(merged, offset, wanted))
    return MyWork(items, total, overdue, now, offset, limit)


def my_items(user, now=None) -> list[WorkItem]:
    """This user's own open work, all of it, overdue first, then soonest due (`my_page` with no limit)."""
    return my_page(user, now).items


def for_request(request, *, offset: int = 0, limit: int | None = 0) -> MyWork:
    """`my_page` for the signed-in user of `request` (by default the counts only), computed once per request for
    the same page: the page and the top bar's overdue count (caseapp/context_processors.py) share it."""
    cached = getattr(request, "_my_work", None)
    if cached is None or (cached.offset, cached.limit) != (offset, limit):
        cached = my_page(getattr(request, "user", None), timezone.now(), offset=offset, limit=limit)
        request._my_work = cached
    return cached


def overdue_count(items: Iterable[WorkItem], now) -> int:
    return sum(1 for item in items if item.is_overdue(now))


# The top bar's count of the user's overdue items is on every page. Counting asks every source about every youth
# the person can own (a row source counts in SQL, the others are read whole): kept per user for
# WORK_COUNT_SECONDS; a page that counts anyway (My work, the home page) refreshes it, and any request that may
# change something (not GET or HEAD) drops it (`forget_top_bar_count`), so the person's own actions show at once
# and a colleague's within WORK_COUNT_SECONDS. It is not the safety net: an urgent event reaches people as an
# alert, whose count is exact.
def _top_bar_key(user) -> str:
    return f"work-overdue:{user.pk}"


def top_bar_overdue_count(request) -> int:
    """The signed-in user's overdue item count for the top bar: from this request's counts if the page made
    them, else from the cache, else counted (and kept). An unreachable cache is skipped: the count is made."""
    user = request.user
    computed = getattr(request, "_my_work", None)
    count = None
    if computed is None:
        try:
            count = cache.get(_top_bar_key(user))
        except Exception:  # e.g. Redis down: the count is still shown
            logger.warning("The cache could not be read; the overdue count is computed.", exc_info=True)
    if count is None:
        count = for_request(request).overdue if computed is None else computed.overdue
        try:
            cache.set(_top_bar_key(user), count, settings.WORK_COUNT_SECONDS)
        except Exception:
            logger.warning("The cache could not be written; the overdue count is not kept.", exc_info=True)
    return count


def forget_top_bar_count(user) -> None:
    try:
        cache.delete(_top_bar_key(user))
    except Exception:
        logger.warning("The cache could not be written; the overdue count may be a minute old.", exc_info=True)


# --- What the pages show ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A work item as a page lists it: the item, its due time in words and whether it is overdue."""

    item: WorkItem
    due_words: str
    overdue: bool


def lines(items: Iterable[WorkItem], now) -> list[Line]:
    return [Line(item, due_words(item.due_at, now), item.is_overdue(now)) for item in items]


@dataclass
class WorkerGroup:
    """One worker's items on the team view (`worker` None: items nobody's list carries); `more` items of theirs
    were left out by the cap."""

    worker: object
    lines: list[Line]
    overdue: int = 0
    more: int = 0


def filtered(items: Iterable[WorkItem], now, *, overdue_only=False, kind="", owner_id=None) -> list[WorkItem]:
    """The team view's filters: overdue only, one kind, one owner."""
    return [
        item
        for item in items
        if (not overdue_only or item.is_overdue(now))
        and (not kind or item.kind == kind)
        and (owner_id is None or owner_id in item.owner_ids)
    ]


def group_by_owner(
    items: Iterable[WorkItem], workers: dict, now, *, cap: int | None = None, only_owner_id=None
) -> list[WorkerGroup]:
    """The items under each of their owners (an item with several owners is under each), workers by name,
    then the items with no owner; at most `cap` lines a group. `workers`: user id -> user, for every owner of
    `items`. `only_owner_id`: that owner's group only."""
    groups: dict[int | None, list[WorkItem]] = {}
    for item in items:
        for owner_id in item.owner_ids or (None,):
            if only_owner_id is None or owner_id == only_owner_id:
                groups.setdefault(owner_id, []).append(item)
    ordered_ids = sorted(
        (owner_id for owner_id in groups if owner_id is not None),
        key=lambda owner_id: (str(workers.get(owner_id, "")).lower(), owner_id),
    )
    if None in groups:
        ordered_ids.append(None)
    result = []
    for owner_id in ordered_ids:
        owned = groups[owner_id]
        shown = owned if cap is None else owned[:cap]
        result.append(
            WorkerGroup(
                worker=workers.get(owner_id) if owner_id is not None else None,
                lines=lines(shown, now),
                overdue=sum(1 for item in owned if item.is_overdue(now)),
                more=len(owned) - len(shown),
            )
        )
    return result


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every registered source: the team view's kind filter."""
    return [(source.kind, source.label) for source in _sources]


def team_items(user, now) -> list[WorkItem]:
    """Every item of the youth in the user's scope (the teams a supervisor supervises, an agency's youth for
    agency staff and admins), ordered; empty for a role without the team view."""
    if not access.can_see_team_work(user):
        return []
    return items_for(user, now)
