"""The forms of a run: log it, complete or correct it later, add a search effort or a supervisory review.
They check input shape; missing_reports.services.episodes checks the rules."""

from django import forms

from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import DATE_WIDGET, ServiceValidatedModelForm, default_initial
from caseapp.local_time import now_to_the_minute
from caseapp.models import MISSING_PLACEMENT_TYPES

from ..models import Endangerment, EpisodeCategory, MissingEpisode, SearchEffort, SupervisoryReview
from ..services.endangerment import agency_choices
from ..services.episodes import RUN_REQUIRED
from .base import narrative

# The run (log it, complete or correct it later)

# What a caseworker must give on the night; the rest sits under "More details (can be added later)".
RUN_FIRST_FIELDS = (
    "last_seen_at", "last_seen_location", "reported_by", "agency_learned_at", "category", "placement",
)
RUN_DETAIL_FIELDS = (
    "circumstances", "clothing", "companions", "vehicle", "phones_and_accounts", "possible_locations",
    "belongings_taken", "endangerment", "agency_items", "endangerment_untick_reason", "endangerment_notes",
)
RUN_TEXTAREA = forms.Textarea(attrs={"rows": 2})


class RunForm(ServiceValidatedModelForm):
    """Report a youth missing from care. Only where and when last seen, and who reported it, are required."""

    endangerment = forms.MultipleChoiceField(
        label="Is the youth in particular danger?", choices=Endangerment.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that apply. Law enforcement and NCMEC give an endangered child priority.",
    )
    # The agency's own items (AgencyEndangermentItem); the field is dropped when the agency has none.
    agency_items = forms.MultipleChoiceField(
        label="Your agency's own endangerment items", choices=(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text="Tick all that apply.",
    )
    endangerment_untick_reason = forms.CharField(
        label="Why untick an item the record supports", required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only if you untick an item marked “from the record”. It is kept with your name, and the "
        "record will not tick it again.",
    )
    placement = forms.ModelChoiceField(
        label="Placement at the time", queryset=None, required=False, empty_label="None recorded",
        help_text="Where the youth was living when they went missing.",
    )

    class Meta:
        model = MissingEpisode
        fields = [*RUN_FIRST_FIELDS, *RUN_DETAIL_FIELDS]
        widgets = {
            "circumstances": narrative(3),
            "clothing": RUN_TEXTAREA,
            "companions": narrative(2),
            "vehicle": RUN_TEXTAREA,
            "phones_and_accounts": RUN_TEXTAREA,
            "possible_locations": narrative(2),
            "belongings_taken": RUN_TEXTAREA,
            "endangerment_notes": narrative(2),
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

    def __init__(self, *args, youth, record_reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        # {code: reason} of the items the record supports (services/endangerment.py): ticked, each with its reason.
        self.record_reasons = dict(record_reasons or {})
        self.unticked = {}
        self.fields["endangerment"].choices = [
            (code, f"{name} (from the record: {self.record_reasons[code]})" if code in self.record_reasons else name)
            for code, name in Endangerment.choices
        ]
        if self.record_reasons and not self.is_bound:
            ticked = list(self.initial.get("endangerment") or self.instance.endangerment or [])
            self.initial["endangerment"] = ticked + [c for c in self.record_reasons if c not in ticked]
        self._agency_items(youth)
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

    def _agency_items(self, youth):
        stored = self.instance.agency_endangerment or []
        choices = agency_choices(youth.agency_id, stored)
        if not choices:
            del self.fields["agency_items"]
            return
        self.fields["agency_items"].choices = choices
        if not self.is_bound:
            self.initial.setdefault("agency_items", [str(item["id"]) for item in stored])

    def clean_category(self):
        # A select always posts a value; a bare POST (a script, an old form) gets the default.
        return self.cleaned_data.get("category") or EpisodeCategory.RUNAWAY

    def clean(self):
        data = super().clean()
        ticked = data.get("endangerment") or []
        why = " ".join((data.get("endangerment_untick_reason") or "").split())
        removed = [code for code in self.record_reasons if code not in ticked]
        if removed and not why:
            from ..services.endangerment import untick_message

            for code in removed:
                self.add_error("endangerment", untick_message(code, self.record_reasons[code]))
        self.unticked = dict.fromkeys(removed, why)
        return data

    def record_items(self):
        """[(label, reason)] of the items the record supports, for the sentence above the details."""
        reasons = self.record_reasons.items()
        return [(Endangerment(code).label, why) for code, why in reasons if code in Endangerment.values]

    def first_fields(self):
        return [self[name] for name in RUN_FIRST_FIELDS if name in self.fields]

    def detail_fields(self):
        return [self[name] for name in RUN_DETAIL_FIELDS if name in self.fields]

    def details_have_errors(self):
        return any(name in self.errors for name in RUN_DETAIL_FIELDS)

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("endangerment_untick_reason", None)
        data["endangerment_unticked"] = dict(self.unticked)
        if "agency_items" in data:
            data["agency_endangerment"] = data.pop("agency_items")
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


# Search efforts and supervisory reviews


class SearchEffortForm(ServiceValidatedModelForm):
    class Meta:
        model = SearchEffort
        fields = ["made_at", "contact_type", "contact_name", "outcome"]
        widgets = {"outcome": narrative(3)}
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
        widgets = {"notes": narrative(4), "next_review_due": DATE_WIDGET}
        labels = {"notes": "What was reviewed and decided", "next_review_due": "Next review due"}
        help_texts = {"next_review_due": "Optional."}
        error_messages = {"notes": {"required": "Record what was reviewed and decided."}}
