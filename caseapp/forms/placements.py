"""The placement forms (add or correct one, end one). They check the shape of input;
caseapp.services.placements checks the rules."""

from django import forms

from ..conflicts import ConflictMergeMixin
from ..models import MISSING_PLACEMENT_TYPES, Placement, PlacementEndReason
from .base import DATE_WIDGET, ServiceValidatedModelForm


class PlacementForm(ConflictMergeMixin, ServiceValidatedModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    end_current_with_reason = forms.ChoiceField(
        label="When this placement starts, the current placement ends because",
        choices=[("", "Do not end the current placement")] + list(PlacementEndReason.choices),
        required=False,
    )

    class Meta:
        model = Placement
        fields = [
            "placement_type", "provider_name", "provider_phone", "address", "city", "state",
            "postal_code", "start_date", "end_date", "end_reason", "notes",
        ]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"end_date": "Leave empty while the youth still lives here."}

    def __init__(self, *args, offer_end_current=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not offer_end_current:
            del self.fields["end_current_with_reason"]
        # Missing spells are written when a run or a return is logged, not chosen here.
        if not (self.instance.pk and self.instance.is_missing_spell):
            self.fields["placement_type"].choices = [
                c for c in self.fields["placement_type"].choices if c[0] not in MISSING_PLACEMENT_TYPES
            ]

    def clean_state(self):
        return self.cleaned_data.get("state", "").upper()

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class EndPlacementForm(ConflictMergeMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    end_date = forms.DateField(widget=DATE_WIDGET, help_text="The day the youth left this placement.")
    end_reason = forms.ChoiceField(choices=[("", "Choose a reason")] + list(PlacementEndReason.choices))
