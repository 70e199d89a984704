"""The agency admin's forms on the on-call page: a weekly shift and a one-off swap. They check the shape of
input (people and teams of the admin's own agency only); caseapp.services.on_call checks the rules."""

from django import forms

from ..models import Team, User, Weekday
from ..on_call import hour_label
from .base import AgencyLocalDateTimeField

AGENCY_WIDE = "Agency-wide"


def _people(agency_id):
    return (
        User.objects.filter(agency_id=agency_id, is_active=True)
        .exclude(role="")
        .order_by("last_name", "first_name", "pk")
    )


class _RosterForm(forms.Form):
    def __init__(self, *args, agency_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(agency_id=agency_id).order_by("name")
        self.fields["user"].queryset = _people(agency_id)


class ShiftForm(_RosterForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label=AGENCY_WIDE,
        help_text="A team's roster is asked first; the agency-wide roster after it.",
    )
    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int)
    start_hour = forms.TypedChoiceField(
        label="From",
        choices=[(h, hour_label(h)) for h in range(24)],
        coerce=int,
    )
    end_hour = forms.TypedChoiceField(
        label="To",
        choices=[(h, hour_label(h)) for h in range(1, 25)],
        coerce=int,
        help_text="An end at or before the start runs into the next day (22:00 to 06:00). Agency time.",
    )
    user = forms.ModelChoiceField(label="Person", queryset=User.objects.none())
    position = forms.IntegerField(
        min_value=1, max_value=9, initial=1, help_text="1 is first call, 2 the backup, and so on."
    )
    note = forms.CharField(max_length=200, required=False)


class SwapForm(_RosterForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label=AGENCY_WIDE)
    starts_at = AgencyLocalDateTimeField(label="From")
    ends_at = AgencyLocalDateTimeField(label="To")
    user = forms.ModelChoiceField(label="Person covering", queryset=User.objects.none())
    replaces = forms.ModelChoiceField(
        label="Replacing",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody (added on top of the weekly roster)",
    )
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, agency_id, **kwargs):
        super().__init__(*args, agency_id=agency_id, **kwargs)
        self.fields["replaces"].queryset = _people(agency_id)

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "The swap must end after it starts.")
        return data
