"""The forms of a response plan's action (docs/duties.md#response-plan): add or correct one, mark it done.
They check input shape; missing_reports.services.response_plans checks the rules (a factor of this interview,
an owner who works with the youth, a due time not before the interview)."""

from django import forms

from caseapp import access
from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import ServiceValidatedModelForm, default_initial
from caseapp.local_time import now_to_the_minute

from ..models import ResponseAction
from ..services.response_plans import factor_choices
from .base import narrative


class ActionForm(ConflictMergeMixin, ServiceValidatedModelForm):
    """What will change for one factor the interview named, who does it and by when. The hidden version
    guards a correction against a stale save."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ResponseAction
        fields = ["factor", "what", "owner", "due_at"]
        widgets = {"what": narrative(3)}
        labels = {
            "factor": "The factor it responds to",
            "what": "What will be done",
            "owner": "Who will do it",
            "due_at": "Due by",
        }
        help_texts = {
            "what": "What changes for the youth, e.g. “Mediation with the foster parent about phone rules”.",
            "owner": "It goes on this person's work list until it is done.",
        }
        error_messages = {
            "factor": {"required": "Choose the factor this action responds to."},
            "what": {"required": "Say what will be done."},
            "owner": {
                "required": "Choose who will do it.",
                "invalid_choice": "Choose a member of staff who works with this youth.",
            },
            "due_at": {"required": "Give the date and time it is due."},
        }

    def __init__(self, *args, debrief, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factor"].choices = [("", "Choose a factor")] + factor_choices(debrief)
        owners = access.work_owners_for(debrief.episode.youth).order_by("last_name", "first_name", "pk")
        self.fields["owner"].queryset = owners
        self.fields["owner"].empty_label = "Choose a person"
        if actor is not None and not self.instance.pk:
            default_initial(self, "owner", actor.pk)
        default_initial(self, "version", self.instance.version)

    def service_fields(self):
        """(the version the user saw, the action's fields) for the service."""
        data = dict(self.cleaned_data)
        return data.pop("version"), data


class ActionDoneForm(ConflictMergeMixin, ServiceValidatedModelForm):
    """When the action was done and what was done; who did it is whoever saves it."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ResponseAction
        fields = ["done_at", "done_note"]
        widgets = {"done_note": narrative(3)}
        labels = {"done_at": "When it was done", "done_note": "What was done"}
        error_messages = {
            "done_at": {"required": "Give the date and time it was done."},
            "done_note": {"required": "Say what was done."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_note"].required = True
        default_initial(self, "done_at", now_to_the_minute())
        default_initial(self, "version", self.instance.version)

    def service_fields(self):
        data = dict(self.cleaned_data)
        return data.pop("version"), data
