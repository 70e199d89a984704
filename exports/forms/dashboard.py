"""The reports dashboard's filter (a GET form: period and teams). Bad input is shown in the form and the
default period is drawn meanwhile (exports/views/dashboard.py)."""

from django import forms

from caseapp.forms.base import DATE_WIDGET

from .. import dashboard
from ..reports.base import ExportFilters
from .exports import TeamsField, set_team_choices


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
