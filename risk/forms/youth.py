"""Forms of the youth's risk pages: an observation, a retraction, a structured screening, an external
screen's result. They check the shape of the input; risk.services checks every rule (dates, catalogue,
scope) and its errors are shown on these forms (caseapp.forms.base.add_service_error)."""

from django import forms

from caseapp.forms.base import DATE_WIDGET, AgencyLocalDateTimeField
from caseapp.language import CHECK_ATTR
from caseapp.local_time import now_to_the_minute

from ..models import Category, Evidence, ScreenTool, Source

TRIPWIRE_NOTE = (
    "Recording one opens the identification workflow at once: a supervisor is asked to review today, and the "
    "law-enforcement clock runs from when the information was received."
)
UNKNOWN_INDICATOR = "Choose an indicator from the catalogue."


def _narrative(rows):
    """The caseworker's own words: they get the gentle wording hint (caseapp.language)."""
    return forms.Textarea(attrs={"rows": rows, CHECK_ATTR: True})


def category_heading(category):
    name = Category(category).label
    if category == Category.C0:
        return f"{name}: recording one opens the identification workflow at once"
    return name


def indicator_choices(indicators):
    """The catalogue as <optgroup>s by category, in catalogue order."""
    groups = {}
    for indicator in indicators:
        groups.setdefault(indicator.category, []).append((indicator.code, f"{indicator.code} {indicator.label}"))
    return [("", "Choose an indicator")] + [(category_heading(c), options) for c, options in groups.items()]


class ObservationForm(forms.Form):
    indicator = forms.ChoiceField(
        label="What was observed or reported",
        help_text=f"Patterns of missing episodes are worked out from the episode history. Tripwires: {TRIPWIRE_NOTE}",
        error_messages={"invalid_choice": UNKNOWN_INDICATOR, "required": "Choose an indicator."},
    )
    observed_at = AgencyLocalDateTimeField(
        label="When it was observed or happened",
        help_text="Your best estimate is fine.",
        error_messages={"required": "Give when it was observed or happened."},
    )
    information_received_at = AgencyLocalDateTimeField(
        label="When the agency received the information", required=False,
        help_text="Defaults to now. For a tripwire, the law-enforcement clock runs from this time.",
    )
    source = forms.ChoiceField(
        label="Where the information came from", choices=[("", "Choose a source")] + list(Source.choices),
        error_messages={"required": "Choose where the information came from."},
    )
    evidence = forms.ChoiceField(
        label="Evidence level", choices=[("", "Choose")] + list(Evidence.choices),
        help_text="Reported information counts half in the score until it is verified.",
        error_messages={"required": "Choose whether it was reported or verified."},
    )
    note = forms.CharField(
        label="Note", required=False, widget=_narrative(3),
        help_text="What was seen or said. Put the youth's own words in quotation marks.",
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices(indicators)
        self.tripwire_codes = {i.code for i in indicators if i.category == Category.C0}
        if not self.is_bound:
            self.initial.setdefault("information_received_at", now_to_the_minute())

    def is_tripwire(self):
        return self.cleaned_data.get("indicator") in self.tripwire_codes

    def service_fields(self):
        data = dict(self.cleaned_data)
        data["indicator_code"] = data.pop("indicator")
        return data


class RetractForm(forms.Form):
    reason = forms.CharField(
        label="Why is this observation being retracted?", widget=_narrative(3),
        help_text="For example: recorded for the wrong youth, or the information turned out to be wrong. "
        "The observation stays listed, struck through, with this reason.",
        error_messages={"required": "Say why the observation is being retracted."},
    )


def finding_prefix(code):
    """Field-name prefix of one indicator on the screening form ('C1.2' -> 'f_C1_2')."""
    return "f_" + code.replace(".", "_")


class ScreeningFinding:
    """One indicator's row on the screening form: its checkbox and its evidence, source and note."""

    def __init__(self, form, indicator):
        prefix = finding_prefix(indicator.code)
        self.indicator = indicator
        self.found = form[prefix]
        self.evidence = form[prefix + "_evidence"]
        self.source = form[prefix + "_source"]
        self.note = form[prefix + "_note"]

    @property
    def errors(self):
        return [*self.evidence.errors, *self.source.errors, *self.note.errors]


class ScreeningForm(forms.Form):
    """The structured screening: every indicator people record, grouped by category."""

    conducted_at = AgencyLocalDateTimeField(
        label="When the screening took place",
        error_messages={"required": "Give when the screening took place."},
    )
    no_indicators_found = forms.BooleanField(label="No indicators found", required=False)
    youth_declined = forms.BooleanField(label="The youth declined to talk about it", required=False,
                                        help_text="Plan a follow-up with an adult the youth trusts.")
    notes = forms.CharField(label="Notes", required=False, widget=_narrative(3))

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            prefix = finding_prefix(indicator.code)
            self.fields[prefix] = forms.BooleanField(
                label=f"{indicator.code} {indicator.label}", required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input finding-check"}),
            )
            self.fields[prefix + "_evidence"] = forms.ChoiceField(
                label=f"Evidence for {indicator.code}", choices=Evidence.choices, initial=Evidence.REPORTED,
                required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[prefix + "_source"] = forms.ChoiceField(
                label=f"Source for {indicator.code}", choices=Source.choices, initial=Source.YOUTH, required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[prefix + "_note"] = forms.CharField(
                label=f"Note on {indicator.code}", required=False, max_length=1000,
                widget=forms.TextInput(attrs={CHECK_ATTR: True, "class": "form-control form-control-sm"}),
            )
        if not self.is_bound:
            self.initial.setdefault("conducted_at", now_to_the_minute())

    def categories(self):
        """[(category code, heading, [ScreeningFinding, ...])] in catalogue order: one fieldset each."""
        groups = {}
        for indicator in self.indicators:
            groups.setdefault(indicator.category, []).append(ScreeningFinding(self, indicator))
        return [(c, category_heading(c), rows) for c, rows in groups.items()]

    def findings(self):
        """The ticked indicators as the service takes them."""
        found = []
        for indicator in self.indicators:
            prefix = finding_prefix(indicator.code)
            if self.cleaned_data.get(prefix):
                found.append({
                    "indicator": indicator.code,
                    "evidence": self.cleaned_data.get(prefix + "_evidence") or "",
                    "source": self.cleaned_data.get(prefix + "_source") or "",
                    "note": self.cleaned_data.get(prefix + "_note") or "",
                })
        return found

    def service_fields(self):
        return {
            "conducted_at": self.cleaned_data["conducted_at"],
            "no_indicators_found": self.cleaned_data["no_indicators_found"],
            "youth_declined": self.cleaned_data["youth_declined"],
            "notes": self.cleaned_data["notes"],
            "findings": self.findings(),
        }


class ExternalScreenForm(forms.Form):
    tool = forms.ChoiceField(
        label="Screening tool", choices=[("", "Choose the tool")] + list(ScreenTool.choices),
        error_messages={"required": "Choose the tool."},
    )
    tool_other = forms.CharField(label="Other tool's name", required=False, max_length=120,
                                 help_text="Only if the tool is not in the list.")
    result_category = forms.CharField(
        label="Result category", max_length=60,
        help_text="The tool's final category only, e.g. 'Possible concern'.",
        error_messages={"required": "Give the tool's final category."},
    )
    screened_on = forms.DateField(
        label="Date of the screen", widget=DATE_WIDGET, error_messages={"required": "Give the date of the screen."}
    )
