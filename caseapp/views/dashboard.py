from django.shortcuts import render

from .. import registry, selectors, work

# The home page shows the first items of My work; the rest are on its own page.
HOME_WORK_ITEMS = 5


def dashboard(request):
    """Home: the user's own work first (caseapp/work.py), then the core records' counts and the panels other
    apps add (e.g. who is missing now)."""
    items, now = work.for_request(request)
    context = selectors.dashboard_summary(request.user)
    context.update(
        {
            "work_lines": work.lines(items[:HOME_WORK_ITEMS], now),
            "work_total": len(items),
            "work_overdue": work.overdue_count(items, now),
        }
    )
    context.update(registry.panel_context(registry.HOME, request.user))
    return render(request, "caseapp/dashboard.html", context)
