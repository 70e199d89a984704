"""The form that withdraws an identification as recorded in error (risk/views/corrections.py). It checks
the shape; risk/services/corrections.py checks every rule."""

from django import forms


class WithdrawIdentificationForm(forms.Form):
    reason = forms.CharField(
        label="Why was this identification recorded in error?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: recorded for the wrong youth, or the information it rested on was never true. "
        "The decision stays in the history, marked withdrawn, with this reason.",
        error_messages={"required": "Say why the identification was recorded in error."},
    )
    confirm = forms.BooleanField(
        label="I confirm this identification was recorded in error. It will no longer count in AFCARS or the "
        "annual count.",
        error_messages={"required": "Tick the box to confirm the identification was recorded in error."},
    )
