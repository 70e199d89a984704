"""The forms of a required notice (a clock): record it with its evidence, and an update sent after it.
They check input shape; missing_reports.services.episodes checks the rules."""

from django import forms

from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import ServiceValidatedModelForm, default_initial
from caseapp.local_time import now_to_the_minute

from .. import deadlines
from ..models import Notification, NotificationUpdate
from .base import method_choices

LAW_ENFORCEMENT_FIELDS = ("le_agency", "officer_name", "badge_number", "ncic_number", "ncic_confirmed_at")
NCMEC_FIELDS = ("ncmec_case_number",)
NCIC_CONFIRMATION_FIELDS = ("le_agency", "officer_name", "ncic_number")
# The report of a disclosure to law enforcement: who took it; no NCIC entry (docs/duties.md#disclosures).
DISCLOSURE_LE_FIELDS = ("le_agency", "officer_name", "badge_number")


class NoticeEvidenceForm(ConflictMergeMixin, ServiceValidatedModelForm):
    """The evidence that a required notice was given, for any clock that is one (docs/design.md#rule-clock-data):
    the notices here and risk's identified-victim report. When and how are required, when defaults to now,
    and the hidden version guards against a stale save. Subclasses give Meta (done_at, method, ...)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_at"].required = True
        self.fields["method"].required = True
        self.fields["method"].choices = method_choices()
        default_initial(self, "done_at", now_to_the_minute())
        default_initial(self, "version", self.instance.version)

    def service_fields(self):
        """(the version the user saw, the evidence) for the service."""
        data = dict(self.cleaned_data)
        return data.pop("version"), data


class NotificationForm(NoticeEvidenceForm):
    """The evidence that a notice was given. Fields of other parties are left out."""

    class Meta:
        model = Notification
        fields = [
            "done_at", "method", "contact_name", "reference", "explanation",
            *LAW_ENFORCEMENT_FIELDS, *NCMEC_FIELDS,
        ]
        widgets = {
            "explanation": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "done_at": "When the notice was given",
            "method": "How",
            "contact_name": "Who was told",
            "explanation": "Why there is no reference number",
            "le_agency": "Law-enforcement agency",
            "officer_name": "Officer's name",
            "badge_number": "Badge number",
            "ncic_confirmed_at": "When the NCIC entry was confirmed",
        }
        help_texts = {
            "contact_name": "Name and role, e.g. the dispatcher or the intake specialist.",
            "reference": "The case, report or incident number you were given.",
            "explanation": "Only if there is no reference number, e.g. 'The officer would not give one yet'.",
            "ncic_number": "Ask the officer to enter the youth in NCIC and give you the number.",
            "ncic_confirmed_at": "Leave empty until the officer confirms the entry.",
            "ncmec_case_number": "NCMEC's call centre: 1-800-843-5678 (1-800-THE-LOST), open 24 hours.",
        }
        error_messages = {
            "done_at": {"required": "Give the date and time the notice was given."},
            "method": {"required": "Say how the notice was given."},
        }

    def __init__(self, *args, party, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {
            deadlines.LAW_ENFORCEMENT: LAW_ENFORCEMENT_FIELDS,
            deadlines.NCMEC: NCMEC_FIELDS,
        }.get(party, ())
        if event == deadlines.NCIC_CONFIRMATION:
            # The confirmation clock: when and from whom, and the NCIC number (docs/duties.md#ncic-2h).
            keep = NCIC_CONFIRMATION_FIELDS
            self.fields["done_at"].label = "When the NCIC entry was confirmed"
            self.fields["contact_name"].label = "Who confirmed it"
            self.fields["done_at"].error_messages["required"] = "Give the date and time the NCIC entry was confirmed."
        elif event == deadlines.DISCLOSED:
            keep = DISCLOSURE_LE_FIELDS if party == deadlines.LAW_ENFORCEMENT else ()
        for name in (*LAW_ENFORCEMENT_FIELDS, *NCMEC_FIELDS):
            if name not in keep:
                del self.fields[name]


class NotificationUpdateForm(ServiceValidatedModelForm):
    class Meta:
        model = NotificationUpdate
        fields = ["sent_at", "method", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        labels = {"sent_at": "When it was sent", "method": "How", "note": "What the update contained"}
        error_messages = {
            "sent_at": {"required": "Give the date and time the update was sent."},
            "method": {"required": "Say how the update was sent."},
            "note": {"required": "Say what the update contained."},
        }
        help_texts = {"note": "e.g. a new photo, a possible location, medical information."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_initial(self, "sent_at", now_to_the_minute())
        self.fields["method"].choices = method_choices()
