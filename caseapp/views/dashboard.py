from django.shortcuts import render

from .. import registry, selectors, work

# The home page shows the first items of My work; the rest are on its own page.
HOME_WORK_ITEMS = 5


def dashboard(request):
    """Home: the user's own work first (caseapp/work.py), then the core records' counts and the panels other
    apps add (e.g. who is missing now)."""
    found = work.for_request(request, limit=HOME_WORK_ITEMS)  # the first items only, with the counts
    context = selectors.dashboard_summary(request.user)
    context.update(
        {"work_lines": work.lines(found.items, found.now), "work_total": found.total, "work_overdue": found.overdue}
    )
    context.update(registry.panel_context(registry.HOME, request.user))
    return render(request, "caseapp/dashboard.html", context)
