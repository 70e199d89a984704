"""The agency admin's scoring form: a weight for each scored indicator, the three band thresholds and
a reason. Shape only: risk.services.scoring.change_scoring (through risk.scoring) checks every rule, e.g.
that the thresholds increase and stay above what the capped categories can add.
"""

from django import forms

from caseapp.conflicts import ConflictMergeMixin

from .. import catalogue

WEIGHT_CHOICES = [(str(weight), str(weight)) for weight in catalogue.ALLOWED_WEIGHTS]
THRESHOLDS = (("elevated", "Elevated from"), ("high", "High from"), ("urgent", "Urgent from"))


def weight_field_name(code: str) -> str:
    return f"weight_{code}"


class ScoringForm(ConflictMergeMixin, forms.Form):
    """`indicators`: the scored (non-tripwire) Indicator rows, each shown with a select of 1/2/3/5.

    `overrides()` gives what the agency's version stores: only the weights that differ from the
    catalogue's defaults; thresholds in full.
    """

    expected_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the version and in the audit trail, e.g. 'Calibrated on our 2025 cases'.",
        error_messages={"required": "Say why the weights or thresholds change."},
    )

    def __init__(self, *args, indicators, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = [i for i in indicators if i.weight is not None]
        self.current = current  # ScoringSettings now in force for the agency
        for indicator in self.indicators:
            self.fields[weight_field_name(indicator.code)] = forms.TypedChoiceField(
                label=f"Weight of {indicator.code}",
                choices=WEIGHT_CHOICES,
                coerce=int,
                initial=str(current.weights[indicator.code]),
                error_messages={
                    "required": f"Choose a weight for {indicator.code}.",
                    "invalid_choice": f"{indicator.code}: choose a weight of 1, 2, 3 or 5.",
                },
            )
        for name, label in THRESHOLDS:
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=1,
                max_value=999,
                initial=current.thresholds[name],
                error_messages={"required": f"Give the {name} threshold.", "invalid": "Give a whole number."},
            )

    def weight_field(self, indicator):
        return self[weight_field_name(indicator.code)]

    def threshold_fields(self):
        return [self[name] for name, _label in THRESHOLDS]

    def overrides(self):
        """(weights, thresholds) for change_scoring, from the cleaned data."""
        data = self.cleaned_data
        weights = {
            i.code: data[weight_field_name(i.code)]
            for i in self.indicators
            if data[weight_field_name(i.code)] != i.weight
        }
        thresholds = {name: data[name] for name, _label in THRESHOLDS}
        return weights, thresholds

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            chosen = {i.code: cleaned[weight_field_name(i.code)] for i in self.indicators}
            in_force = {i.code: self.current.weights[i.code] for i in self.indicators}
            thresholds = {name: cleaned[name] for name, _label in THRESHOLDS}
            if chosen == in_force and thresholds == self.current.thresholds:
                raise forms.ValidationError("Nothing changed: change a weight or a threshold, or leave the page.")
        return cleaned
