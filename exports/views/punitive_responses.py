"""The punitive-responses page (/reports/punitive-responses/): the report's figures for a period and teams, drawn
in the request (one aggregate query: exports/reports/punitive_responses.py), with a button that starts the same
report as a CSV export.

Thin: who may see it is exports.selectors.can_export (supervisors for their teams, agency staff and admins for
their agency; a 404 for anyone else); the figures start from the requester's scope (caseapp.access). The filter is
the dashboard's GET form: bad input is shown in the form and the default period is drawn meanwhile.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import dashboard, selectors
from ..forms.dashboard import DashboardFilterForm
from ..models import ExportFormat
from ..reports import punitive_responses
from ..reports.base import ExportFilters


@require_safe
def punitive_responses_page(request):
    if not selectors.can_export(request.user):
        raise Http404("No reports for this account.")
    now = timezone.now()
    today = timezone.localtime(now, dashboard.query_for(request.user, ExportFilters(), now).tz).date()
    form = DashboardFilterForm(request.GET or None, user=request.user, today=today)
    filters = form.filters()
    query = dashboard.query_for(request.user, filters, now)
    rows = punitive_responses.figures(query)
    return render(
        request,
        "exports/punitive_responses.html",
        {
            "form": form,
            "rows": rows,
            "report": punitive_responses.PunitiveResponses,
            "csv": ExportFormat.CSV,
            "period_start": filters.period_start,
            "period_end": filters.period_end,
            "team_ids": sorted(filters.team_ids),
            "as_of": now,
        },
    )
