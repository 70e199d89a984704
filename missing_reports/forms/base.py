"""What the missing-episode forms share: the narrative text box and the choices of how a notice was given.
(An initial value for an empty field: caseapp.forms.base.default_initial.)"""

from django import forms

from caseapp.language import CHECK_ATTR

from ..models import NotificationMethod


def narrative(rows):
    """A free-text field for the caseworker's own account: it gets the gentle wording hint (caseapp.language)."""
    return forms.Textarea(attrs={"rows": rows, CHECK_ATTR: True})


def method_choices():
    """How a notice or report was given, after a prompt: the notices here and risk's identification report."""
    return [("", "Choose how")] + list(NotificationMethod.choices)
