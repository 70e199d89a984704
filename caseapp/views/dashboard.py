from django.shortcuts import render

from .. import registry, selectors


def dashboard(request):
    """Home: the core records' counts and the panels other apps add (e.g. who is missing now)."""
    context = selectors.dashboard_summary(request.user)
    context.update(registry.panel_context(registry.HOME, request.user))
    return render(request, "caseapp/dashboard.html", context)
