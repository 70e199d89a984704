"""The team view's filters (caseapp/views/work.py): a plain form, so a bad value is a message, never a 500."""

from django import forms

from ..models import Role

SHOW_ALL = "all"
SHOW_OVERDUE = "overdue"


def default_show(user) -> str:
    """Agency staff, the compliance contact, watch what is late: their team view opens on overdue items."""
    return SHOW_OVERDUE if getattr(user, "role", "") == Role.AGENCY_STAFF else SHOW_ALL


class TeamWorkFilter(forms.Form):
    show = forms.ChoiceField(
        label="Show", choices=[(SHOW_ALL, "All items"), (SHOW_OVERDUE, "Overdue only")], required=False
    )
    kind = forms.ChoiceField(label="Kind of work", required=False)
    worker = forms.TypedChoiceField(label="Worker", coerce=int, required=False, empty_value=None)

    def __init__(self, data, *, kinds, workers, default):
        super().__init__(data)
        self.default_show = default
        self.fields["show"].initial = default
        self.fields["kind"].choices = [("", "Any kind"), *kinds]
        self.fields["worker"].choices = [("", "Anyone"), *((user.pk, str(user)) for user in workers)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def choices(self) -> dict:
        """The filters to apply: the valid ones (invalid ones are dropped, and the page says so)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "show": cleaned.get("show") or self.default_show,
            "kind": cleaned.get("kind") or "",
            "worker": cleaned.get("worker"),
        }
