"""Forms of missing episodes (crispy-forms, Bootstrap 5). They check input shape; services check the rules."""

from django import forms

from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms import DATE_WIDGET, AgencyLocalDateTimeField, ServiceValidatedModelForm, default_initial
from caseapp.language import CHECK_ATTR
from caseapp.local_time import now_to_the_minute
from caseapp.models import MISSING_PLACEMENT_TYPES

from . import deadlines
from .models import (
    Debrief,
    Endangerment,
    EpisodeCategory,
    FoundLocationType,
    HowLocated,
    MissingEpisode,
    Notification,
    NotificationMethod,
    NotificationUpdate,
    PacketKind,
    PrimaryFactor,
    ReturnedWith,
    RunningDirection,
    ScreeningDone,
    SearchEffort,
    SupervisoryReview,
)
from .services import RUN_REQUIRED, SUBMISSION_CHANNELS


def _narrative(rows):
    """A free-text field for the caseworker's own account: it gets the gentle wording hint (caseapp.language)."""
    return forms.Textarea(attrs={"rows": rows, CHECK_ATTR: True})


def method_choices():
    """How a notice or report was given, after a prompt: the notices here and risk's identification report."""
    return [("", "Choose how")] + list(NotificationMethod.choices)


# The run (log it, complete or correct it later)

# What a caseworker must give on the night; the rest sits under "More details (can be added later)".
RUN_FIRST_FIELDS = (
    "last_seen_at", "last_seen_location", "reported_by", "agency_learned_at", "category", "placement",
)
RUN_DETAIL_FIELDS = (
    "circumstances", "clothing", "companions", "vehicle", "phones_and_accounts", "possible_locations",
    "belongings_taken", "endangerment", "endangerment_notes",
)
RUN_TEXTAREA = forms.Textarea(attrs={"rows": 2})


class RunForm(ServiceValidatedModelForm):
    """Report a youth missing from care. Only where and when last seen, and who reported it, are required."""

    endangerment = forms.MultipleChoiceField(
        label="Is the youth in particular danger?", choices=Endangerment.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that apply. Law enforcement and NCMEC give an endangered child priority.",
    )
    placement = forms.ModelChoiceField(
        label="Placement at the time", queryset=None, required=False, empty_label="None recorded",
        help_text="Where the youth was living when they went missing.",
    )

    class Meta:
        model = MissingEpisode
        fields = [*RUN_FIRST_FIELDS, *RUN_DETAIL_FIELDS]
        widgets = {
            "circumstances": _narrative(3),
            "clothing": RUN_TEXTAREA,
            "companions": _narrative(2),
            "vehicle": RUN_TEXTAREA,
            "phones_and_accounts": RUN_TEXTAREA,
            "possible_locations": _narrative(2),
            "belongings_taken": RUN_TEXTAREA,
            "endangerment_notes": _narrative(2),
        }
        labels = {
            "last_seen_at": "When last seen",
            "last_seen_location": "Where last seen",
            "reported_by": "Who reported it",
            "agency_learned_at": "When the agency learned",
            "circumstances": "What happened",
            "belongings_taken": "Belongings taken",
        }
        help_texts = {
            "last_seen_at": "Your best estimate is fine; you can correct it later.",
            "last_seen_location": "An address, or a description such as 'bus stop outside the school'.",
            "reported_by": "Name and relationship, e.g. 'A. Rivera, foster parent'.",
            "agency_learned_at": "This starts the reporting clocks.",
            "category": "The category law enforcement and NCMEC use for the report.",
            "circumstances": "Observable facts: what was said or seen before they left.",
            "phones_and_accounts": "Phone numbers, email and social-media accounts the youth uses.",
        }
        error_messages = {name: {"required": message} for name, message in RUN_REQUIRED.items()}

    def __init__(self, *args, youth, **kwargs):
        super().__init__(*args, **kwargs)
        placements = youth.placements.exclude(placement_type__in=MISSING_PLACEMENT_TYPES)
        self.fields["placement"].queryset = placements
        self.fields["placement"].label_from_instance = _placement_label
        if "agency_learned_at" in self.fields:
            self.fields["agency_learned_at"].required = False
            default_initial(self, "agency_learned_at", now_to_the_minute())
        if self.instance.pk is None:
            current = placements.filter(end_date__isnull=True).values_list("pk", flat=True).first()
            default_initial(self, "placement", current)
        self.fields["category"].required = False
        for name in ("last_seen_location", "reported_by"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean_category(self):
        # A select always posts a value; a bare POST (a script, an old form) gets the default.
        return self.cleaned_data.get("category") or EpisodeCategory.RUNAWAY

    def first_fields(self):
        return [self[name] for name in RUN_FIRST_FIELDS if name in self.fields]

    def detail_fields(self):
        return [self[name] for name in RUN_DETAIL_FIELDS]

    def details_have_errors(self):
        return any(name in self.errors for name in RUN_DETAIL_FIELDS)

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if data.get("agency_learned_at") is None:
            data.pop("agency_learned_at", None)  # the service starts the clocks now
        return data


def _placement_label(placement):
    until = f"{placement.end_date:%m/%d/%Y}" if placement.end_date else "now"
    since = f"{placement.start_date:%m/%d/%Y}"
    return f"{placement.get_placement_type_display()}: {placement.provider_name} ({since} – {until})"


class EpisodeForm(ConflictMergeMixin, RunForm):
    """Complete or correct a run later. When the agency learned is not editable: the clocks started then."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(RunForm.Meta):
        fields = [name for name in RunForm.Meta.fields if name != "agency_learned_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_initial(self, "version", self.instance.version)


# Required notices (the clocks)

LAW_ENFORCEMENT_FIELDS = ("le_agency", "officer_name", "badge_number", "ncic_number", "ncic_confirmed_at")
NCMEC_FIELDS = ("ncmec_case_number",)


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

    def __init__(self, *args, party, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {
            deadlines.LAW_ENFORCEMENT: LAW_ENFORCEMENT_FIELDS,
            deadlines.NCMEC: NCMEC_FIELDS,
        }.get(party, ())
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


# Search efforts and supervisory reviews


class SearchEffortForm(ServiceValidatedModelForm):
    class Meta:
        model = SearchEffort
        fields = ["made_at", "contact_type", "contact_name", "outcome"]
        widgets = {"outcome": _narrative(3)}
        labels = {
            "made_at": "When",
            "contact_type": "Who or what was checked",
            "contact_name": "Name",
            "outcome": "What came of it",
        }
        help_texts = {
            "contact_name": "Optional: the person, school or account.",
            "outcome": "Even 'no answer' or 'not seen since Friday' helps the next person searching.",
        }
        error_messages = {
            "made_at": {"required": "Give the date and time of the search effort."},
            "contact_type": {"required": "Choose who or what was checked."},
            "outcome": {"required": "Say what came of it, even if nothing did."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_initial(self, "made_at", now_to_the_minute())
        self.fields["contact_type"].choices = [("", "Choose one")] + list(self.fields["contact_type"].choices)[1:]


class ReviewForm(ServiceValidatedModelForm):
    class Meta:
        model = SupervisoryReview
        fields = ["notes", "next_review_due"]
        widgets = {"notes": _narrative(4), "next_review_due": DATE_WIDGET}
        labels = {"notes": "What was reviewed and decided", "next_review_due": "Next review due"}
        help_texts = {"next_review_due": "Optional."}
        error_messages = {"notes": {"required": "Record what was reviewed and decided."}}


# Return and debrief


class ReturnForm(ConflictMergeMixin, ServiceValidatedModelForm):
    """The return: when, where and how the youth was found, and what came back with them."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    found_location_type = forms.ChoiceField(
        label="Where found: kind of place", choices=[("", "Choose one")] + list(FoundLocationType.choices)
    )
    how_located = forms.ChoiceField(label="How located", choices=[("", "Choose one")] + list(HowLocated.choices))
    returned_with = forms.MultipleChoiceField(
        label="Returned with", choices=ReturnedWith.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Tick what the youth had that they did not have before. Ask about it in the return interview.",
    )
    recovery_photo = forms.FileField(
        label="Photo on return", required=False,
        help_text="Optional. NCMEC asks for a current photo on recovery; it becomes the youth's current photo.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    continue_previous_placement = forms.BooleanField(
        label="The youth returned to the same placement", required=False,
        help_text="Records the placement again in the placement history from the day of the return.",
    )

    class Meta:
        model = MissingEpisode
        fields = [
            "located_at", "returned_at", "found_address", "found_location_type", "found_out_of_county",
            "found_out_of_state", "how_located", "condition_on_return", "returned_with", "new_marks_tattoos",
        ]
        widgets = {
            "condition_on_return": _narrative(3),
            "new_marks_tattoos": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "located_at": "Leave empty if the youth was located when they returned.",
            "found_address": "As exact as known, e.g. street address, motel and room, or the intersection.",
            "condition_on_return": "Observable facts: injuries, health, clothing, how they seemed.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["returned_at"].required = True

    def service_fields(self):
        """cleaned_data split into the service's keywords: (version, photo, same placement, fields)."""
        data = dict(self.cleaned_data)
        return (
            data.pop("version"), data.pop("recovery_photo", None) or None,
            data.pop("continue_previous_placement", False), data,
        )


class DebriefForm(ServiceValidatedModelForm):
    """The return interview, centred on the youth: why they left, what happened, what changes now."""

    running_direction = forms.ChoiceField(
        label="Running from or to", choices=RunningDirection.choices, widget=forms.RadioSelect,
    )
    primary_factors = forms.MultipleChoiceField(
        label="Primary factors (at least one)", choices=PrimaryFactor.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The reasons and unmet needs behind leaving, as the youth describes them.",
    )
    trafficking_screening_done = forms.ChoiceField(
        label="Was a trafficking screening done?", choices=ScreeningDone.choices, widget=forms.RadioSelect,
    )

    class Meta:
        model = Debrief
        fields = [
            "interview_at", "running_direction", "primary_factors", "primary_factors_notes", "where_stayed",
            "basic_needs", "experiences_while_absent", "youth_own_words", "trafficking_screening_done",
            "screening_not_done_reason", "services_referrals", "placement_response",
        ]
        widgets = {
            "primary_factors_notes": _narrative(2),
            "where_stayed": _narrative(2),
            "basic_needs": _narrative(2),
            "experiences_while_absent": _narrative(3),
            # The youth's words are theirs: never checked.
            "youth_own_words": forms.Textarea(attrs={"rows": 3}),
            "screening_not_done_reason": _narrative(2),
            "services_referrals": _narrative(2),
            "placement_response": _narrative(2),
        }
        labels = {
            "primary_factors_notes": "About these factors",
            "screening_not_done_reason": "If no screening was done, why not",
        }
        help_texts = {
            "youth_own_words": "Quote the youth; their words, not a summary.",
            "experiences_while_absent": "What happened while they were away, including anything that harmed them.",
            "screening_not_done_reason": "Required when no screening was done.",
            "placement_response": "What will change in the current or next placement to meet these needs.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interview_at"].required = True


# Packets

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
