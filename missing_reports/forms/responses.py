"""The forms of how the agency responded to a return (docs/duties.md#return-responses). They check input shape;
missing_reports.services.responses checks the rules."""

from django import forms

from caseapp import access
from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import AgencyLocalDateTimeField, ServiceValidatedModelForm, default_initial
from caseapp.local_time import now_to_the_minute

from ..models import ReturnResponse
from ..responses import ResponseKind
from .base import narrative

LABELS = {
    "description": "If another response: what it was",
    "decided_at": "When it was decided",
    "decided_by_name": "Or their name and role",
    "reason": "Why, as the person who decided it explained it",
}
HELP = {
    "description": "A few words, e.g. “weekly visits with the youth's aunt”.",
    "decided_by_name": "E.g. “Judge Alvarez, juvenile court” or “J. Smith, foster parent”.",
}


def _staff_choices(field, youth):
    # Staff of the youth's agency who may open the youth's record; the service checks the agency again.
    field.queryset = (
        access.users_who_see_youth(youth).filter(agency_id=youth.agency_id).order_by("last_name", "first_name")
    )


class ResponsesForm(forms.Form):
    """What followed a return: one or more entries of the fixed list, who decided, why and when."""

    kinds = forms.MultipleChoiceField(
        label="What followed the return (choose every one that applies)", choices=ResponseKind.choices,
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text="A placement or school change is a response to a need when it moves the youth away from what "
        "they ran from, and a consequence when it is because they left.",
    )
    description = forms.CharField(label=LABELS["description"], help_text=HELP["description"], required=False,
                                  max_length=300)
    decided_at = AgencyLocalDateTimeField(label=LABELS["decided_at"])
    decided_by = forms.ModelChoiceField(
        label="Who decided it: a member of staff", queryset=None, required=False, empty_label="Not a member of staff",
    )
    decided_by_name = forms.CharField(label=LABELS["decided_by_name"], help_text=HELP["decided_by_name"],
                                      required=False, max_length=200)
    reason = forms.CharField(label=LABELS["reason"], widget=narrative(3), required=False)

    def __init__(self, *args, youth, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_choices(self.fields["decided_by"], youth)
        self.initial.setdefault("decided_at", now_to_the_minute())


class ResponseForm(ConflictMergeMixin, ServiceValidatedModelForm):
    """Correct one response. The hidden version guards against a stale save."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ReturnResponse
        fields = ["kind", "description", "decided_at", "decided_by", "decided_by_name", "reason"]
        widgets = {"kind": forms.RadioSelect, "reason": narrative(3)}
        labels = {"kind": "What followed the return", "decided_by": "Who decided it: a member of staff", **LABELS}
        help_texts = HELP

    def __init__(self, *args, youth, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_choices(self.fields["decided_by"], youth)
        self.fields["decided_by"].empty_label = "Not a member of staff"
        default_initial(self, "version", self.instance.version)

    def service_fields(self):
        """(the version the user saw, the response's fields) for the service."""
        data = dict(self.cleaned_data)
        return data.pop("version"), data
