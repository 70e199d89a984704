"""Work items: everything a person must do, gathered from every app into one list (docs/design.md#work).

caseapp never names the apps built on it, so each app registers a *work source* from its AppConfig.ready():
a function that, given the youth in a scope and the time now, returns that app's open work for those youth
as `WorkItem`s. The "My work" page, the supervisor's team view and the overdue count in the top bar all ask
`items_for` here; none of them knows what a notice or a review item is.

A source must:
- read only youth of the queryset it is given (the access gate has already scoped it; a source never widens it);
- run a fixed number of queries whatever the number of youth or items (select_related / prefetch_related);
- leave "overdue" to `is_overdue` below: the clock-state rule, registered by the app that owns the clocks;
- name the owners of each item with `caseworker_owners` or `supervisor_owners`, so that "whose work is it" has
  one rule.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from . import access
from .local_time import duration
from .models import Team, Youth


@dataclass(frozen=True)
class WorkItem:
    """One thing somebody must do, for one youth."""

    kind: str  # the registered source's key, e.g. "notice"; the filter on the team view
    what: str  # what to do, in words a caseworker uses: "Report to NCMEC", "Return interview"
    youth_id: int
    youth_name: str  # Youth.display_name
    case_number: str
    team_id: int
    url: str  # the page with the form that does it (one click)
    owner_ids: tuple[int, ...]  # the users whose list it is on (caseworker_owners / supervisor_owners)
    due_at: datetime.datetime | None = None  # None: no due time (shown after the dated items)
    detail: str = ""  # one short line of context, never a restricted field
    sort_key: tuple = field(default=(), compare=False)  # tie-breaker within the same due time

    def is_overdue(self, now) -> bool:
        return is_overdue(self.due_at, now)


@dataclass(frozen=True)
class WorkSource:
    kind: str
    label: str  # "Notices", "Return interviews", ... (the kind filter's choices)
    items: Callable[..., Iterable[WorkItem]]  # items(youth_queryset, now) -> WorkItem, ...


_sources: list[WorkSource] = []


def register_work_source(kind: str, label: str, items: Callable[..., Iterable[WorkItem]]) -> None:
    """Add a source of work items. `items(youth, now)` gets a queryset of youth (already scoped) and
    returns the open work for them. Registering the same kind twice with the same function is a no-op
    (AppConfig.ready may run twice in a test process)."""
    source = WorkSource(kind, label, items)
    for existing in _sources:
        if existing.kind == kind:
            if existing.items is not items:
                raise ValueError(f"The work source {kind!r} is registered twice, differently.")
            return
    _sources.append(source)


def sources() -> list[WorkSource]:
    return list(_sources)


# The one overdue boundary is the clock-state rule of the app that owns the clocks, which caseapp may not import
# (docs/design.md#dependencies): that app registers it here (`register_overdue_rule`) from its AppConfig.ready(),
# so a work item, its clock on the episode page and the sweep never disagree by a second.
_past_due: Callable[[datetime.datetime, datetime.datetime], bool] | None = None


def register_overdue_rule(past_due: Callable[[datetime.datetime, datetime.datetime], bool]) -> None:
    """`past_due(due_at, moment)`: whether `moment` is after the due time. Registered once."""
    global _past_due
    if _past_due is not None and _past_due is not past_due:
        raise ValueError("The overdue rule is registered twice, differently.")
    _past_due = past_due


def is_overdue(due_at, now) -> bool:
    """Past due, by the registered clock-state rule (a moment equal to the due time is not)."""
    if due_at is None:
        return False
    if _past_due is None:
        raise RuntimeError("No overdue rule is registered: the app that owns the clocks registers it.")
    return _past_due(due_at, now)


def due_words(due_at, now) -> str:
    """'overdue by 3 h', 'due in 40 min', 'due now'; '' with no due time. The wording of
    missing_reports.clock_state.timing for a clock not done, on the same boundary (`is_overdue`), so a work
    item and its clock on the episode page never disagree."""
    if due_at is None:
        return ""
    if is_overdue(due_at, now):
        return f"overdue by {duration(now - due_at)}"
    return f"due in {duration(due_at - now)}"


def caseworker_owners(youth) -> tuple[int, ...]:
    """Whose list a caseworker's task about `youth` is on: the youth's assigned caseworkers (active), else
    the supervisors of the youth's team, so that nobody's work falls between chairs. Needs
    `assigned_caseworkers` and `team__supervisors` prefetched."""
    assigned = tuple(u.pk for u in youth.assigned_caseworkers.all() if u.is_active)
    return assigned or supervisor_owners(youth)


def supervisor_owners(youth) -> tuple[int, ...]:
    """Whose list a supervisor's task about `youth` is on: the active supervisors of the youth's team. Needs
    `team__supervisors` prefetched."""
    return tuple(u.pk for u in youth.team.supervisors.all() if u.is_active)


def youth_for_work(youth_queryset):
    """The youth queryset a source should start from: the prefetches the owner rules need."""
    return youth_queryset.select_related("team").prefetch_related("assigned_caseworkers", "team__supervisors")


def ordered(items: Iterable[WorkItem], now) -> list[WorkItem]:
    """Overdue first (the longest overdue on top), then soonest due, then the undated ones."""

    def key(item):
        if item.due_at is None:
            return (2, datetime.datetime.max.replace(tzinfo=datetime.UTC), item.sort_key, item.youth_name)
        return (0 if item.is_overdue(now) else 1, item.due_at, item.sort_key, item.youth_name)

    return sorted(items, key=key)


def items_for(user, now=None, *, scope=None) -> list[WorkItem]:
    """Every open work item of every source for the youth this user sees (or `scope`, a queryset already cut
    from access.youth_visible_to(user)), ordered. Callers pick the user's own items with `mine`."""
    now = now or timezone.now()
    youth = access.youth_visible_to(user) if scope is None else scope
    found: list[WorkItem] = []
    for source in _sources:
        found.extend(source.items(youth, now))
    return ordered(found, now)


def mine(items: Iterable[WorkItem], user) -> list[WorkItem]:
    return [item for item in items if user.pk in item.owner_ids]


def owned_scope(user):
    """The youth of the user's scope on whose items the user can be an owner: those assigned to them and those
    of the teams they supervise (the owners `caseworker_owners` and `supervisor_owners` name). An agency
    admin can own items of any youth of the agency (a source may name the admins: the identification review
    they manage, a team with no supervisor), so theirs is the whole of what they see; for everyone else "My
    work" and the overdue count ask the sources about these youth only."""
    if access.owns_agency_wide_work(user):
        return access.youth_visible_to(user)
    supervised = Team.objects.filter(supervisors=user).values("pk")
    assigned = Youth.assigned_caseworkers.through.objects.filter(user_id=user.pk).values("youth_id")
    return access.youth_visible_to(user).filter(Q(pk__in=assigned) | Q(team_id__in=supervised))


def my_items(user, now=None) -> list[WorkItem]:
    """This user's own open work, overdue first, then soonest due."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    now = now or timezone.now()
    return mine(items_for(user, now, scope=owned_scope(user)), user)


def for_request(request) -> tuple[list[WorkItem], datetime.datetime]:
    """(`my_items`, the `now` they were computed at) for the signed-in user of `request`, computed once per
    request: the page and the top bar's overdue count (caseapp/context_processors.py) share it."""
    cached = getattr(request, "_my_work", None)
    if cached is None:
        now = timezone.now()
        cached = (my_items(getattr(request, "user", None), now), now)
        request._my_work = cached
    return cached


def overdue_count(items: Iterable[WorkItem], now) -> int:
    return sum(1 for item in items if item.is_overdue(now))


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
