"""The reports dashboard page (/reports/dashboard/): charts of the viewer's scope for a period they choose.

Thin: who may see it is exports.selectors.can_export (supervisors for their teams, agency staff and agency
admins for their agency; a 404 for anyone else), the figures come from exports.dashboard. The filter is a GET
form (period and teams); bad input is shown in the form and the default period is drawn meanwhile.
"""

import datetime

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from caseapp.forms import DATE_WIDGET

from . import dashboard, selectors
from .forms import TeamsField, set_team_choices
from .reports.base import ExportFilters


class DashboardFilterForm(forms.Form):
    period_start = forms.DateField(label="First day", widget=DATE_WIDGET, required=False)
    period_end = forms.DateField(label="Last day", widget=DATE_WIDGET, required=False)
    teams = TeamsField(can="see")

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.default_start, self.default_end = dashboard.default_period(today)
        self.fields["period_start"].initial = self.default_start
        self.fields["period_end"].initial = self.default_end
        set_team_choices(self, user)

    def clean(self):
        data = super().clean()
        start = data.get("period_start") or self.default_start
        end = data.get("period_end") or (self.today if data.get("period_start") else self.default_end)
        if end < start:
            self.add_error("period_end", "The last day must be on or after the first day.")
        elif (end.year - start.year) * 12 + end.month - start.month + 1 > dashboard.MAX_MONTHS:
            self.add_error("period_start", f"Choose a period of at most {dashboard.MAX_MONTHS // 12} years.")
        data["period_start"], data["period_end"] = start, end
        return data

    def filters(self) -> ExportFilters:
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return ExportFilters(data["period_start"], data["period_end"], tuple(data.get("teams") or ()))
        return ExportFilters(self.default_start, self.default_end)


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
