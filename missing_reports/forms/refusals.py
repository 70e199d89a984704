"""The form of a refusal by law enforcement (docs/duties.md#le-refused). It checks input shape;
missing_reports.services.le_followup checks the rules (a reason, a time not in the future)."""

from django import forms

from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import ServiceValidatedModelForm, default_initial
from caseapp.local_time import now_to_the_minute

from ..models import LawEnforcementRefusal
from .base import narrative


class RefusalForm(ConflictMergeMixin, ServiceValidatedModelForm):
    """What law enforcement would not do, who said so, when, and the reason given. The hidden version guards
    a correction against a stale save."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = LawEnforcementRefusal
        fields = ["kind", "refused_at", "le_agency", "officer_name", "badge_number", "reason"]
        widgets = {"kind": forms.RadioSelect, "reason": narrative(3)}
        labels = {
            "kind": "What law enforcement would not do",
            "refused_at": "When they said no",
            "le_agency": "Law-enforcement agency",
            "officer_name": "Officer's name",
            "reason": "The reason they gave",
        }
        help_texts = {
            "reason": "In their words if you can. If they gave none, say so.",
        }
        error_messages = {
            "kind": {"required": "Say what law enforcement would not do."},
            "refused_at": {"required": "Give the date and time law enforcement said no."},
            "le_agency": {"required": "Name the law-enforcement agency."},
            "reason": {"required": "Write down the reason law enforcement gave, or that they gave none."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_initial(self, "refused_at", now_to_the_minute())
        default_initial(self, "version", self.instance.version)

    def service_fields(self):
        """(the version the user saw, the refusal's fields) for the service."""
        data = dict(self.cleaned_data)
        return data.pop("version"), data
