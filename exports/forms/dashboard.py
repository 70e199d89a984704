"""The reports dashboard's filter (a GET form: period and teams). Bad input is shown in the form and the
default period is drawn meanwhile (exports/views/dashboard.py)."""

from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

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

    def team_checkboxes(self):
        """The teams' checkboxes, as the widget draws them (same names, values, ids and classes), made in one pass:
        a widget template rendered per team took most of the page's time for an agency of 200 teams."""
        field = self["teams"]
        chosen = {str(value) for value in (field.value() or ())}
        invalid = ' aria-invalid="true"' if field.errors else ""
        marks = {True: mark_safe(invalid + " checked"), False: mark_safe(invalid)}  # noqa: S308 (constants)
        return format_html_join(
            "\n",
            '<div class="form-check form-check-inline"><input type="checkbox" name="{}" value="{}" '
            'class="form-check-input" id="{}_{}"{}><label class="form-check-label" for="{}_{}">{}</label></div>',
            (
                (field.html_name, pk, field.auto_id, index, marks[str(pk) in chosen], field.auto_id, index, name)
                for index, (pk, name) in enumerate(self.fields["teams"].choices)
            ),
        )

    def filters(self) -> ExportFilters:
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return ExportFilters(data["period_start"], data["period_end"], tuple(data.get("teams") or ()))
        return ExportFilters(self.default_start, self.default_end)
