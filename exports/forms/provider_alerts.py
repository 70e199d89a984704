"""The review of a provider alert (docs/duties.md#provider-alert): a note, and the version the reviewer saw.
exports.services.provider_alerts checks the rules."""

from django import forms

from caseapp.language import CHECK_ATTR


class ProviderReviewForm(forms.Form):
    review_note = forms.CharField(
        label="What the review found and what follows", required=False,
        widget=forms.Textarea(attrs={"rows": 4, CHECK_ATTR: True}),
        help_text="E.g. a visit to the placement, a support plan with the caregiver, training, a licensing referral.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
