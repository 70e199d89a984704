"""The agency admin's forms for staff accounts, passwords and teams. They check the shape of input;
caseapp.services.staff checks the rules."""

from django import forms

from ..models import Role, Team, User
from .base import ServiceValidatedModelForm


class StaffForm(ServiceValidatedModelForm):
    supervised_teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="For supervisors: the teams whose youth they see.",
    )
    password = forms.CharField(
        widget=forms.PasswordInput, required=False,
        help_text="At least 12 characters. Required for a new account.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "phone", "mobile_phone", "role", "team", "is_active"]

    def __init__(self, *args, agency_id, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(agency_id=agency_id)
        self.fields["team"].queryset = teams
        self.fields["supervised_teams"].queryset = teams
        self.fields["role"].required = True
        self.fields["role"].choices = [("", "Choose a role")] + list(Role.choices)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        if self.instance.pk:
            self.fields["supervised_teams"].initial = list(self.instance.supervised_teams.all())
            del self.fields["password"]
        else:
            self.fields["password"].required = True

    def clean_mobile_phone(self):
        # The model field's validator is the one rule for the number's shape (this form skips model validation).
        value = self.cleaned_data["mobile_phone"].replace(" ", "").replace("-", "")
        if value:
            User._meta.get_field("mobile_phone").run_validators(value)
        return value

    def service_fields(self):
        data = dict(self.cleaned_data)
        teams = list(data.pop("supervised_teams", []))
        return data, teams


class PasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 12 characters.")


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    supervisors = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, agency_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = User.objects.filter(
            agency_id=agency_id, role=Role.SUPERVISOR, is_active=True
        )
