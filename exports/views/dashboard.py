"""The reports dashboard page (/reports/dashboard/): charts of the viewer's scope for a period they choose.

Thin: who may see it is exports.selectors.can_export (supervisors for their teams, agency staff and agency
admins for their agency; a 404 for anyone else), the figures come from exports.dashboard. The filter is a GET
form (period and teams); bad input is shown in the form and the default period is drawn meanwhile.
"""

import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import dashboard, selectors
from ..forms.dashboard import DashboardFilterForm
from ..reports.base import ExportFilters


@require_safe
def reports_dashboard(request):
    if not selectors.can_export(request.user):
        raise Http404("No dashboard for this account.")
    now = timezone.now()
    today = timezone.localtime(now, dashboard.query_for(request.user, ExportFilters(), now).tz).date()
    form = DashboardFilterForm(request.GET or None, user=request.user, today=today)
    board = dashboard.build(request.user, form.filters(), now=now)
    filters = board.query.filters
    return render(
        request,
        "exports/dashboard.html",
        {
            "form": form,
            "board": board,
            "period_start": filters.period_start,
            "period_end": filters.period_end,
            "is_default_period": (filters.period_start, filters.period_end) == (form.default_start, form.default_end),
            "days": (filters.period_end - filters.period_start + datetime.timedelta(days=1)).days,
        },
    )
