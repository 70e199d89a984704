"""Forms of the review pages: a supervisor's decision and the identified-victim report's evidence.

They check the shape of the input only; risk.services checks every rule (which fields an outcome
needs, no time in the future, scope) and the views show its errors at the fields (add_service_error).
"""

from django import forms

from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import AgencyLocalDateTimeField
from caseapp.language import CHECK_ATTR
from missing_reports.forms.notifications import NoticeEvidenceForm

from ..models import IdentificationReport, Outcome, Referral, Timing, TraffickingKind, TraffickingType


def _narrative(rows):
    """A free-text field in the supervisor's own words: it gets the gentle wording hint (caseapp.language)."""
    return forms.Textarea(attrs={"rows": rows, CHECK_ATTR: True})


def _choose(label, choices):
    return [("", label)] + list(choices)


class DecisionForm(ConflictMergeMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision."},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=_narrative(3),
        help_text="Needed for 'No current concern': what you looked at and why there is no concern now.",
    )
    safety_plan = forms.CharField(
        label="Safety and needs plan",
        required=False,
        widget=_narrative(4),
        help_text="Needed for 'At risk': what the youth needs and who does what. Needs, not restrictions.",
    )
    referrals = forms.MultipleChoiceField(
        label="Service referrals",
        choices=Referral.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Needed for 'At risk' and 'Identified'; choose every service the youth is referred to. Each one "
        "is tracked as a referral on the youth's risk page.",
    )
    trafficking_type = forms.ChoiceField(
        label="Type of trafficking",
        choices=TraffickingType.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    trafficking_kind = forms.ChoiceField(
        label="Kind of trafficking",
        choices=_choose("Choose the kind", TraffickingKind.choices),
        required=False,
    )
    timing = forms.ChoiceField(
        label="When it happened",
        choices=Timing.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Before entering care is AFCARS E106; while in care or while missing from care is E109.",
    )
    information_received_at = AgencyLocalDateTimeField(
        label="When the agency received the information",
        required=False,
        help_text="The law-enforcement report is due counted from this time, not from your decision.",
    )
    expected_latest_decision_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_fields(self):
        """cleaned_data as services.decisions.decide takes it."""
        data = dict(self.cleaned_data)
        data["reason"] = data.get("reason") or ""
        data["safety_plan"] = data.get("safety_plan") or ""
        data["referrals"] = list(data.get("referrals") or [])
        return data


class IdentificationReportForm(NoticeEvidenceForm):
    """The evidence that the identified victim was reported to law enforcement (docs/design.md#rule-clock-data)."""

    class Meta:
        model = IdentificationReport
        fields = ["done_at", "method", "le_agency", "contact_name", "reference", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "done_at": "When the report was made",
            "method": "How",
            "le_agency": "Law-enforcement agency",
            "contact_name": "Who was told",
            "reference": "Report or case number",
            "explanation": "Why there is no report or case number",
        }
        help_texts = {
            "contact_name": "Name and role, e.g. the officer or the dispatcher.",
            "reference": "The report, case or incident number you were given.",
            "explanation": "Only if there is no number, e.g. 'The officer would not give one yet'.",
        }
        error_messages = {
            "done_at": {"required": "Give the date and time the report was made."},
            "method": {"required": "Say how the report was made."},
        }
