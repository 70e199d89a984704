"""The reports dashboard page (/reports/dashboard/): charts of the viewer's scope for a period they choose.

Thin: who may see it is exports.selectors.can_export (supervisors for their teams, agency staff and agency
admins for their agency; a 404 for anyone else), the figures are counted off the request and kept per scope
and filters (exports.services.dashboard), and drawn with the time they were counted. The filter is a GET form
(period and teams); bad input is shown in the form and the default period is drawn meanwhile. While nothing is
counted yet the page says so, with the progress, and its script (static/exports/dashboard-status.js) asks the
status endpoint until the figures are there.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import dashboard, selectors
from ..forms.dashboard import DashboardFilterForm
from ..reports.base import ExportFilters
from ..services import dashboard as dashboard_services

# How often the counting page asks for the status.
POLL_MS = 2000


def _form(request, data):
    if not selectors.can_export(request.user):
        raise Http404("No dashboard for this account.")
    now = timezone.now()
    today = timezone.localtime(now, dashboard.query_for(request.user, ExportFilters(), now).tz).date()
    return now, DashboardFilterForm(data or None, user=request.user, today=today)


def _query_string(filters: ExportFilters) -> str:
    params = [("period_start", filters.period_start.isoformat()), ("period_end", filters.period_end.isoformat())]
    params += [("teams", pk) for pk in sorted(filters.team_ids)]
    return urlencode(params)


@require_safe
def reports_dashboard(request):
    now, form = _form(request, request.GET)
    filters = form.filters()
    state = dashboard_services.for_page(request.user, filters, now)
    counted = state.counted
    if not state.reachable:
        counted = dashboard_services.count_in_request(request.user, filters, now)
    query = dashboard.query_for(request.user, filters, now)
    board = dashboard.drawn(query, counted) if counted else None  # None: being counted
    status = state.as_json(now)
    return render(
        request,
        "exports/dashboard.html",
        {
            "form": form,
            "board": board,
            "counted": counted,
            "status": status,
            "stale": counted is not None and state.reachable and not state.is_fresh(now),
            "failed": status["status"] == "failed",
            "query_string": _query_string(filters),
            "team_ids": sorted(filters.team_ids),
            "poll_ms": POLL_MS,
            "period_start": filters.period_start,
            "period_end": filters.period_end,
            "is_default_period": (filters.period_start, filters.period_end) == (form.default_start, form.default_end),
            "days": (filters.period_end - filters.period_start + datetime.timedelta(days=1)).days,
        },
    )


@require_safe
def reports_dashboard_status(request):
    """JSON: whether the figures of these filters are counted, being counted (how far) or failed. Asks for
    nothing: the page does."""
    now, form = _form(request, request.GET)
    state = dashboard_services.read(request.user, form.filters())
    response = JsonResponse(state.as_json(now))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def reports_dashboard_recount(request):
    """"Count again": a recount of these filters now, unless one is running already."""
    _, form = _form(request, request.POST)
    filters = form.filters()
    if dashboard_services.ask_for_count(request.user, filters):
        messages.success(request, "The figures are being counted again.")
    elif dashboard_services.read(request.user, filters).counting:
        messages.info(request, "The figures are already being counted.")
    else:
        messages.warning(request, "The figures could not be counted again just now. Please try again later.")
    return redirect(f"{reverse('reports_dashboard')}?{_query_string(filters)}")
