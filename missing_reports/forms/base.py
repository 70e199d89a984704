"""What the missing-episode forms share: the narrative text box, an initial value for an empty field, and
the choices of how a notice was given."""

from django import forms

from caseapp.language import CHECK_ATTR

from ..models import NotificationMethod


def narrative(rows):
    """A free-text field for the caseworker's own account: it gets the gentle wording hint (caseapp.language)."""
    return forms.Textarea(attrs={"rows": rows, CHECK_ATTR: True})


def set_default(form, name, value):
    """A ModelForm's initial data comes from its instance, empty fields included; fill one that is empty."""
    if form.initial.get(name) in (None, ""):
        form.initial[name] = value


def method_choices():
    return [("", "Choose how")] + list(NotificationMethod.choices)
