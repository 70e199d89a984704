"""My work and the team view: every app's open work items (caseapp/work.py), scoped by the access gate."""

from collections.abc import Sequence

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from .. import access, registry, work
from ..forms.work import SHOW_OVERDUE, TeamWorkFilter, default_show
from ..models import User

MY_WORK_PER_PAGE = 50
# A worker's group on the team view shows this many items; the rest are one click away (the worker filter).
GROUP_CAP = 25
GROUP_CAP_ONE_WORKER = 200


def my_work(request):
    """A page of the person's own work (MY_WORK_PER_PAGE items), with the counts of all of it: only the page's
    items are read (caseapp/work.py `my_page`, docs/design.md#the-work-registry)."""
    number = _page_number(request.GET.get("page"))
    found = work.for_request(request, offset=(number - 1) * MY_WORK_PER_PAGE, limit=MY_WORK_PER_PAGE)
    page = Paginator(_Counted(found), MY_WORK_PER_PAGE).get_page(number)
    if page.number != number:  # past the last page (the list got shorter): the last page, as Paginator does
        found = work.for_request(request, offset=(page.number - 1) * MY_WORK_PER_PAGE, limit=MY_WORK_PER_PAGE)
        page = Paginator(_Counted(found), MY_WORK_PER_PAGE).get_page(page.number)
    context = {
        "page": page,
        "lines": work.lines(page.object_list, found.now),
        "total": found.total,
        "overdue": found.overdue,
        "query": "",
    }
    # Work that is not about one youth (a provider's review), from the apps that own it (caseapp/registry.py).
    context.update(registry.panel_context(registry.WORK, request.user))
    return render(request, "caseapp/work.html", context)


def _page_number(value) -> int:
    """The page asked for; anything else (a word, zero, nothing) is the first, as Paginator.get_page reads it."""
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


class _Counted(Sequence):
    """What Paginator needs of a list it does not hold: its length (the counted total) and the page's items at
    their place (`work.MyWork` read from its offset)."""

    def __init__(self, found):
        self.found = found

    def __len__(self):
        return self.found.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("Only the page read is here: ask for a slice of it.")
        start = self.found.offset
        return self.found.items[(index.start or 0) - start : (index.stop or 0) - start]


def team_work(request):
    user = request.user
    access.require(access.can_see_team_work(user))
    now = timezone.now()  # the team's list, not the person's own: the top bar's count is kept apart (work.py)
    items = work.team_items(user, now)
    owner_ids = {owner_id for item in items for owner_id in item.owner_ids}
    # The teams' staff, and any owner from outside them (a youth assigned across teams), in one query.
    staff = list(
        User.objects.filter(Q(pk__in=access.staff_in_team_work(user).values("pk")) | Q(pk__in=owner_ids)).order_by(
            "last_name", "first_name", "username"
        )
    )
    workers = {person.pk: person for person in staff}

    data = request.GET.copy()
    default = default_show(user)
    data.setdefault("show", default)
    form = TeamWorkFilter(data, kinds=work.kind_choices(), workers=staff, default=default)
    if not form.is_valid():
        messages.warning(request, "Some filters were not understood and were left out: choose from the lists.")
    chosen = form.choices()
    shown = work.filtered(
        items, now, overdue_only=chosen["show"] == SHOW_OVERDUE, kind=chosen["kind"], owner_id=chosen["worker"]
    )
    cap = GROUP_CAP_ONE_WORKER if chosen["worker"] is not None else GROUP_CAP
    groups = work.group_by_owner(shown, workers, now, cap=cap, only_owner_id=chosen["worker"])
    return render(
        request,
        "caseapp/work_team.html",
        {"form": form, "groups": groups, "shown": len(shown), "total": len(items), "chosen": chosen},
    )
