"""The forms of signing in: the second factor's one code field (read by caseapp.services.two_factor, which checks
it) and a person's own password change."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms


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


class OwnPasswordForm(auth_forms.PasswordChangeForm):
    """Django's own password change (current password, the new one twice, the password validators), with the
    current password checked through `authenticate`, as at sign-in: a wrong one counts towards the account's
    lockout (caseapp/lockout.py) and is in the sign-in audit, so a session left open is no way to guess it."""

    LOCKED_OUT = "locked_out"

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = "Current password"

    def clean_old_password(self):
        current = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=current) is None:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError("Too many wrong passwords.", code=self.LOCKED_OUT)
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return current

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password2")
        if new and new == cleaned.get("old_password"):
            self.add_error("new_password2", "Choose a password different from your current one.")
        return cleaned

    @property
    def locked_out(self) -> bool:
        return self.has_error("old_password", code=self.LOCKED_OUT)
