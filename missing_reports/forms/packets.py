"""The form of a packet submission: how it was given, the case number received, and when. It checks input
shape; missing_reports.services.submissions checks the rules."""

from django import forms

from caseapp.forms.base import AgencyLocalDateTimeField
from caseapp.local_time import now_to_the_minute

from ..models import PacketKind
from ..services.submissions import SUBMISSION_CHANNELS

# The reference field as each party calls it: (label, help text, message when it is left empty).
REFERENCE_WORDING = {
    PacketKind.NCMEC: (
        "NCMEC case number", "The number NCMEC's intake specialist or the portal gives you.",
        "Give the NCMEC case number.",
    ),
    PacketKind.LAW_ENFORCEMENT: (
        "Law-enforcement case number", "The report or incident number the officer or dispatcher gives you.",
        "Give the law-enforcement case number.",
    ),
    PacketKind.RECOVERY: (
        "Case number", "The NCMEC or law-enforcement case number of the party you gave the notice to.",
        "Give the case number the party gave you.",
    ),
}


class SubmissionForm(forms.Form):
    """A packet version given to NCMEC or law enforcement: how, the case number they gave, and when."""

    channel = forms.ChoiceField(label="How it was submitted")
    reference = forms.CharField(max_length=100)
    submitted_at = AgencyLocalDateTimeField(
        label="When it was submitted",
        error_messages={"required": "Give the date and time the packet was submitted."},
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        channel.choices = [("", "Choose how")] + [(c.value, c.label) for c in SUBMISSION_CHANNELS[kind]]
        channel.error_messages["required"] = "Say how the packet was submitted."
        reference = self.fields["reference"]
        reference.label, reference.help_text, reference.error_messages["required"] = REFERENCE_WORDING[kind]
        self.fields["submitted_at"].initial = now_to_the_minute()
