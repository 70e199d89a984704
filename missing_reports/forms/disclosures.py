"""The form of a disclosure (docs/duties.md#disclosures). It checks input shape;
missing_reports.services.disclosures checks the rules (a kind, a time not in the future, what was said)."""

from django import forms

from caseapp.forms.base import ServiceValidatedModelForm, default_initial
from caseapp.local_time import now_to_the_minute

from ..models import Disclosure
from .base import narrative


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
