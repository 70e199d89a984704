"""The forms of a return and its return interview (debrief). They check input shape;
missing_reports.services.episodes checks the rules."""

from django import forms

from caseapp import access
from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import ServiceValidatedModelForm

from ..models import (
    Debrief,
    FoundLocationType,
    HowLocated,
    MissingEpisode,
    PrimaryFactor,
    ReturnedWith,
    RunningDirection,
    ScreeningDone,
)
from .base import narrative


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
            "condition_on_return": narrative(3),
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
    # The interviewer's account, not the screening: only a structured screening counts the return as screened
    # (docs/duties.md#return-interview); the page links to its form.
    trafficking_screening_done = forms.ChoiceField(
        label="Was the structured screening done at this interview?", choices=ScreeningDone.choices,
        widget=forms.RadioSelect,
        help_text="Your account of this interview. The return counts as screened only when the structured "
        "trafficking screening is recorded on its own form.",
    )
    follow_up_adult = forms.ModelChoiceField(
        label="Trusted adult who will try again: a member of staff", queryset=None, required=False,
        empty_label="Not a member of staff",
        help_text="When the youth declined or it was not possible. A follow-up screening clock starts.",
    )

    class Meta:
        model = Debrief
        fields = [
            "interview_at", "running_direction", "primary_factors", "primary_factors_notes", "where_stayed",
            "basic_needs", "experiences_while_absent", "youth_own_words", "trafficking_screening_done",
            "screening_not_done_reason", "follow_up_adult", "follow_up_adult_name", "services_referrals",
            "placement_response",
        ]
        widgets = {
            "primary_factors_notes": narrative(2),
            "where_stayed": narrative(2),
            "basic_needs": narrative(2),
            "experiences_while_absent": narrative(3),
            # The youth's words are theirs: never checked.
            "youth_own_words": forms.Textarea(attrs={"rows": 3}),
            "screening_not_done_reason": narrative(2),
            "services_referrals": narrative(2),
            "placement_response": narrative(2),
        }
        labels = {
            "primary_factors_notes": "About these factors",
            "screening_not_done_reason": "If no screening was done, why not",
            "follow_up_adult_name": "Or the trusted adult's name and role",
        }
        help_texts = {
            "youth_own_words": "Quote the youth; their words, not a summary.",
            "experiences_while_absent": "What happened while they were away, including anything that harmed them.",
            "screening_not_done_reason": "Required when no screening was done.",
            "placement_response": "What will change in the current or next placement to meet these needs.",
        }

    def __init__(self, *args, youth, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interview_at"].required = True
        # Staff of the youth's agency who work with the youth (the gate's answer); the service checks it again.
        self.fields["follow_up_adult"].queryset = (
            access.users_who_see_youth(youth).filter(agency_id=youth.agency_id).order_by("last_name", "first_name")
        )
