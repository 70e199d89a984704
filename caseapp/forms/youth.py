"""The youth record's form. It checks the shape of input; caseapp.services.youth checks the rules."""

from django import forms
from django.core.validators import MaxValueValidator

from .. import access
from ..conflicts import ConflictMergeMixin
from ..models import Race, Youth
from .base import DATE_WIDGET, ServiceValidatedModelForm

# Upper bounds of the youth's numbers: well above any person, well inside the smallint column.
YOUTH_NUMBER_LIMITS = {"height_inches": (120, "inches"), "weight_pounds": (1500, "pounds")}


class YouthForm(ConflictMergeMixin, ServiceValidatedModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    races = forms.MultipleChoiceField(
        label="Race", choices=Race.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Youth
        fields = [
            "legal_first_name", "legal_middle_name", "legal_last_name", "preferred_name", "aliases",
            "case_number", "team", "assigned_caseworkers", "status", "exited_on", "covered_population",
            "legal_status", "entered_care_on", "date_of_birth", "sex", "gender_identity", "races",
            "hispanic_latino", "primary_language", "height_inches", "weight_pounds", "eye_color",
            "hair_color", "complexion", "eyewear", "has_braces", "scars_marks_tattoos", "piercings",
            *Youth.RESTRICTED_FIELDS,
        ]
        widgets = {
            "date_of_birth": DATE_WIDGET,
            "entered_care_on": DATE_WIDGET,
            "exited_on": DATE_WIDGET,
            "aliases": forms.Textarea(attrs={"rows": 2}),
            "scars_marks_tattoos": forms.Textarea(attrs={"rows": 2}),
            "piercings": forms.Textarea(attrs={"rows": 2}),
            "medical_needs": forms.Textarea(attrs={"rows": 2}),
            "mental_health_needs": forms.Textarea(attrs={"rows": 2}),
            "medications": forms.Textarea(attrs={"rows": 2}),
            "medical_notes": forms.Textarea(attrs={"rows": 3}),
            "assigned_caseworkers": forms.CheckboxSelectMultiple,
        }
        labels = {"height_inches": "Height (inches)", "weight_pounds": "Weight (pounds)"}
        help_texts = {
            "height_inches": "Total inches, e.g. 5 ft 4 in is 64.",
            "ssn": "Only if the agency needs it for a report; shown to few people.",
        }

    def __init__(self, *args, user, agency_id, show_restricted, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's own range check is skipped (_post_clean): without a bound here a huge number
        # reaches the database (a 500 on SQLite, smallint overflow on PostgreSQL).
        for name, (top, unit) in YOUTH_NUMBER_LIMITS.items():
            self.fields[name].max_value = top
            self.fields[name].widget.attrs["max"] = top
            self.fields[name].validators.append(
                MaxValueValidator(top, message=f"Enter at most {top} {unit}.")
            )
        self.fields["team"].queryset = access.teams_for_new_youth(user).filter(agency_id=agency_id)
        self.fields["assigned_caseworkers"].queryset = access.caseworkers_assignable(agency_id)
        self.fields["assigned_caseworkers"].required = False
        if not show_restricted:
            for name in Youth.RESTRICTED_FIELDS:
                del self.fields[name]

    def clean_ssn(self):
        ssn = self.cleaned_data.get("ssn", "").replace("-", "").replace(" ", "")
        if ssn and (len(ssn) != 9 or not ssn.isdigit()):
            raise forms.ValidationError("An SSN has 9 digits, e.g. 123-45-6789.")
        return f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}" if ssn else ""

    def service_fields(self):
        """cleaned_data split into what the youth services take."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        caseworkers = list(data.pop("assigned_caseworkers", []))
        return data, caseworkers
