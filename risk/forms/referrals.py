"""The form that records a service referral's next step (risk/views/referrals.py). It checks the input's shape;
risk/services/referrals.py checks the step itself (allowed transition, date, reason) and its message is shown
on the form."""

from django import forms
from django.utils import timezone

from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import DATE_WIDGET
from caseapp.language import CHECK_ATTR
from caseapp.local_time import zone_name

from .. import referral_steps
from ..models import ReferralStatus
from ..services.referrals import status_word


class NextStatusField(forms.ChoiceField):
    """Offers the referral's allowed next steps, and lets any known status through to the service, whose
    message says which steps are allowed (a stale page may post one that no longer is)."""

    def valid_value(self, value):
        return value in ReferralStatus.values


class ReferralStepForm(ConflictMergeMixin, forms.Form):
    status = NextStatusField(
        label="Next step", widget=forms.RadioSelect,
        error_messages={"required": "Choose the referral's next status.",
                        "invalid_choice": "Choose the referral's next status."},
    )
    on = forms.DateField(
        label="Date of this step", widget=DATE_WIDGET,
        error_messages={"required": "Give the date of this step.", "invalid": "Give the date as month/day/year."},
    )
    provider = forms.CharField(
        label="Provider", required=False, max_length=200,
        help_text="Who provides the service, if you know (e.g. the housing program's name).",
    )
    reason = forms.CharField(
        label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2, CHECK_ATTR: True}),
        help_text="Needed when the service was declined or is not available: why, in a sentence.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, referral, **kwargs):
        self.instance = referral  # ConflictMergeMixin reads the version it was built from
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("version", referral.version)
        initial.setdefault("provider", referral.provider)
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (status, status_word(status).capitalize()) for status in referral_steps.allowed_next(referral.status)
        ]
        zone = timezone.get_current_timezone()
        self.fields["on"].help_text = f"The agency's date ({zone_name(zone)})."
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def service_fields(self):
        data = self.cleaned_data
        return {
            "expected_version": data["version"], "status": data["status"], "on": data["on"],
            "reason": data.get("reason") or "", "provider": data.get("provider") or "",
        }
