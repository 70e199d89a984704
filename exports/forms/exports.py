"""The Reports form. It checks the shape of the input; services.jobs.check_request checks the rules."""

import datetime

from django import forms
from django.utils import timezone

from caseapp.forms.base import DATE_WIDGET
from caseapp.models import MISSING_PLACEMENT_TYPES, PlacementType

from .. import reports
from ..models import ExportFormat
from ..reports.base import ExportFilters, fiscal_year_bounds, fiscal_year_choices, fiscal_year_of
from ..services import jobs as job_services

CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class TeamsField(forms.TypedMultipleChoiceField):
    """The teams a report or a chart covers, from the user's scope (set_team_choices); none ticked means
    every team they can see. `can` ends the refusal: "… is not a team you can <can>."."""

    def __init__(self, *, can, **kwargs):
        super().__init__(
            label="Teams",
            coerce=int,
            required=False,
            widget=CHECKBOXES,
            help_text="None ticked: every team you can see.",
            error_messages={"invalid_choice": f"Choose teams from the list: %(value)s is not a team you can {can}."},
            **kwargs,
        )


def set_team_choices(form, user):
    """Offer `user`'s teams (exports.services.jobs.teams_for: the access gate's scope) in `form`'s teams field."""
    form.fields["teams"].choices = [(team.pk, team.name) for team in job_services.teams_for(user).order_by("name")]


class ExportRequestForm(forms.Form):
    report = forms.ChoiceField(label="Report", choices=(), widget=forms.RadioSelect)
    format = forms.ChoiceField(
        label="Format",
        choices=[(f.value, f.label) for f in ExportFormat],
        initial=ExportFormat.CSV,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    period_start = forms.DateField(label="First day of the period", widget=DATE_WIDGET, required=False)
    period_end = forms.DateField(label="Last day of the period", widget=DATE_WIDGET, required=False)
    fiscal_year = forms.TypedChoiceField(
        label="Federal fiscal year",
        coerce=int,
        required=False,
        help_text="For the annual count of identified victims, which is made per federal fiscal year "
        "(October 1 to September 30): it takes this year instead of the days above.",
        error_messages={"invalid_choice": "Choose a federal fiscal year from the list."},
    )
    teams = TeamsField(can="report on")
    placement_types = forms.MultipleChoiceField(
        label="Placement type at the time",
        required=False,
        widget=CHECKBOXES,
        choices=[(value, label) for value, label in PlacementType.choices if value not in MISSING_PLACEMENT_TYPES],
        help_text="None ticked: every placement type.",
        error_messages={"invalid_choice": "Choose placement types from the list."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["report"].choices = reports.choices()
        # The formats some report is made in (PDF only once a summary report offers it).
        offered = {fmt for report in reports.all_reports() for fmt in report.formats}
        self.fields["format"].choices = [(f.value, f.label) for f in ExportFormat if f.value in offered]
        set_team_choices(self, user)
        if len(reports.REPORTS) == 1:
            self.fields["report"].initial = next(iter(reports.REPORTS))
        # The last full month, the most common request.
        first_of_this_month = timezone.localdate().replace(day=1)
        last_month_end = first_of_this_month - datetime.timedelta(days=1)
        self.fields["period_start"].initial = last_month_end.replace(day=1)
        self.fields["period_end"].initial = last_month_end
        # The fiscal years to choose from; the last whole one is the one usually reported.
        today = timezone.localdate()
        self.fields["fiscal_year"].choices = [("", "Choose a year"), *fiscal_year_choices(today)]
        self.fields["fiscal_year"].initial = fiscal_year_of(today) - 1

    def _period(self):
        """The days of the period: the fiscal year's for a report made per fiscal year, when one is chosen."""
        data = self.cleaned_data
        report = reports.get(data.get("report"))
        if report is not None and report.fiscal_year_only and data.get("fiscal_year"):
            return fiscal_year_bounds(data["fiscal_year"])
        return data.get("period_start"), data.get("period_end")

    def filters(self) -> ExportFilters:
        data = self.cleaned_data
        period_start, period_end = self._period()
        return ExportFilters(
            period_start=period_start,
            period_end=period_end,
            team_ids=tuple(data.get("teams") or ()),
            placement_types=tuple(data.get("placement_types") or ()),
        )
