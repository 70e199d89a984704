from django.shortcuts import render

from missing_reports import selectors as missing_selectors

from .. import selectors


def dashboard(request):
    """Home: the core records' counts and, from missing_reports' own selector, who is missing now."""
    context = selectors.dashboard_summary(request.user)
    context["missing_now"] = missing_selectors.missing_now(request.user)
    return render(request, "caseapp/dashboard.html", context)
