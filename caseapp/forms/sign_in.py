"""The forms of the second factor: one code field, read by caseapp.services.two_factor, which checks it."""

from django import forms


class CodeForm(forms.Form):
    """A code from the authenticator app (or, at sign-in, a recovery code)."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=40,
        help_text="The 6 digits the app shows now for this account.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label
        if help_text:
            self.fields["code"].help_text = help_text


def sign_in_code_form(data=None):
    return CodeForm(
        data,
        label="Code from your authenticator app, or a recovery code",
        help_text="The 6 digits the app shows now. Lost your phone? Enter one of your recovery codes instead.",
    )


class ResetForm(forms.Form):
    """An agency admin confirms the reset of a staff member's second factor; nothing to type."""
