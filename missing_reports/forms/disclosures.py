"""The forms of a disclosure (docs/duties.md#disclosures): record one (of an episode, or of the youth without
one), correct its time or wording, withdraw it as recorded in error, and record a report of a disclosure without an
episode. They check input shape; missing_reports.services.disclosures checks the rules."""

from django import forms

from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import ServiceValidatedModelForm, default_initial
from caseapp.local_time import now_to_the_minute

from .. import deadlines
from ..models import Disclosure, DisclosureContext, DisclosureReport
from ..services.disclosures import YOUTH_CONTEXTS
from .base import narrative
from .notifications import NoticeEvidenceForm


class DisclosureForm(ServiceValidatedModelForm):
    """What the youth disclosed, when, where it came up, and what they said (restricted)."""

    class Meta:
        model = Disclosure
        fields = ["kind", "disclosed_at", "context", "context_note", "what_was_said"]
        widgets = {"kind": forms.RadioSelect, "context": forms.RadioSelect, "what_was_said": narrative(4)}
        labels = {
            "kind": "What the youth disclosed",
            "disclosed_at": "When the youth disclosed it",
            "context": "When it came up",
            "context_note": "Where, or with whom (optional)",
            "what_was_said": "What the youth said",
        }
        help_texts = {
            "what_was_said": "In the youth's words where you can. Only the youth's caseworkers, their supervisors "
            "and agency admins can read this; it is never put in an alert or an email.",
            "context_note": "E.g. the risk observation it came with, or who the youth told.",
        }
        error_messages = {
            "kind": {"required": "Say what the youth disclosed."},
            "context": {"required": "Say when it came up."},
            "disclosed_at": {"required": "Give the date and time the youth disclosed it."},
            "what_was_said": {"required": "Write down what the youth said, in their words where you can."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_initial(self, "disclosed_at", now_to_the_minute())


class YouthDisclosureForm(DisclosureForm):
    """A disclosure without an episode: with a risk observation, or at another time (the return interview's
    disclosures are recorded on the episode)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["context"].choices = [
            (value, label) for value, label in DisclosureContext.choices if value in YOUTH_CONTEXTS
        ]
        default_initial(self, "context", DisclosureContext.RISK_OBSERVATION)


class DisclosureCorrectionForm(ConflictMergeMixin, ServiceValidatedModelForm):
    """A correction of a disclosure's time or wording, with the reason. The hidden version guards against a
    stale save (caseapp/conflicts.py). What it is a disclosure of is not corrected here: a wrong kind is
    withdrawn and recorded again, so the reports it calls for are started afresh."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why it is corrected",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E.g. 'The time was typed wrong: it was the evening before'. Kept in the disclosure's history.",
        error_messages={"required": "Say why it is corrected."},
    )

    class Meta:
        model = Disclosure
        fields = ["disclosed_at", "context", "context_note", "what_was_said"]
        widgets = {"context": forms.RadioSelect, "what_was_said": narrative(4)}
        labels = DisclosureForm.Meta.labels
        help_texts = {
            "disclosed_at": "The reports not yet made are then due from the corrected time; one already made keeps "
            "its due time.",
            "what_was_said": DisclosureForm.Meta.help_texts["what_was_said"],
        }
        error_messages = DisclosureForm.Meta.error_messages

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_initial(self, "version", self.instance.version)
        if self.instance.episode_id is None:
            self.fields["context"].choices = [
                (value, label) for value, label in DisclosureContext.choices if value in YOUTH_CONTEXTS
            ]

    def service_fields(self):
        """(the version the user saw, the reason, the corrected fields) for the service."""
        data = dict(self.cleaned_data)
        return data.pop("version"), data.pop("reason"), data


class DisclosureWithdrawForm(forms.Form):
    """Withdraw a disclosure recorded in error: the reason and a confirmation. The service checks the rules."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why was this disclosure recorded in error?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: recorded for the wrong youth. The disclosure stays in the record, marked withdrawn, "
        "with this reason; its reports not yet made close as not required.",
        error_messages={"required": "Say why the disclosure was recorded in error."},
    )
    confirm = forms.BooleanField(
        label="I confirm this disclosure was recorded in error. Its reports not yet made will no longer be due.",
        error_messages={"required": "Tick the box to confirm the disclosure was recorded in error."},
    )


class DisclosureReportForm(NoticeEvidenceForm):
    """The evidence that a report of a disclosure without an episode was made: like a notice's."""

    class Meta:
        model = DisclosureReport
        fields = [
            "done_at", "method", "contact_name", "reference", "explanation", "le_agency", "officer_name",
            "badge_number",
        ]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "done_at": "When the report was made",
            "method": "How",
            "contact_name": "Who took the report",
            "explanation": "Why there is no reference number",
            "le_agency": "Law-enforcement agency",
            "officer_name": "Officer's name",
            "badge_number": "Badge number",
        }
        help_texts = {
            "contact_name": "Name and role, e.g. the intake specialist or the officer.",
            "reference": "The intake, report or CyberTipline number you were given.",
            "explanation": "Only if there is no reference number.",
        }
        error_messages = {
            "done_at": {"required": "Give the date and time the report was made."},
            "method": {"required": "Say how the report was made."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.party != deadlines.LAW_ENFORCEMENT:
            for name in ("le_agency", "officer_name", "badge_number"):
                del self.fields[name]
