"""A service referral's page: where it stands, and the form that records its next step
(docs/risk-catalogue.md#referrals).

Thin: risk.selectors reads through caseapp.access (a referral of a youth outside the user's scope is a 404);
risk/services/referrals.py checks every step. Whoever can edit the youth records the steps; agency staff read
the page and get a 403 on a POST, as on the identified-victim report.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse

from caseapp import access, conflicts
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error, note_wording
from caseapp.local_time import display_date
from caseapp.services.errors import EditConflict

from .. import referral_steps, selectors
from ..forms.referrals import ReferralStepForm
from ..services import referrals as referral_services


def referral_page(request, referral_id):
    referral = selectors.get_referral_or_404(request.user, referral_id)
    youth = referral.youth
    can_edit = access.can_edit_youth(request.user, youth)
    has_next = bool(referral_steps.allowed_next(referral.status))
    form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Agency staff read referrals; the youth's team records them.")
        form = ReferralStepForm(request.POST, referral=referral)
        if form.is_valid():
            try:
                saved = referral_services.advance_referral(
                    actor=request.user, referral_id=referral.pk, ip=client_ip(request), **form.service_fields()
                )
            except EditConflict:
                fresh = selectors.get_referral_or_404(request.user, referral.pk)
                if not referral_steps.allowed_next(fresh.status):
                    # Nothing left to merge into: the other save was the referral's last step.
                    messages.warning(
                        request,
                        f"Someone else recorded this referral as {referral_services.status_word(fresh.status)} "
                        "after you opened it; that is its last step, so nothing you entered was saved.",
                    )
                    return redirect("service_referral", fresh.pk)
                form = conflicts.rebuild(
                    form, lambda initial: ReferralStepForm(referral=fresh, initial=initial), current=fresh
                )
                referral = fresh
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    f"{saved.get_service_display()} referral recorded as "
                    f"{referral_services.status_word(saved.status)} on {display_date(form.cleaned_data['on'])}.",
                )
                note_wording(request, form)
                return redirect(reverse("youth_risk", args=[youth.pk]) + "#services-h")
    elif can_edit and has_next:
        form = ReferralStepForm(referral=referral)
    return render(
        request, "risk/referral.html",
        {"referral": referral, "youth": youth, "can_edit": can_edit, "has_next": has_next, "form": form},
    )


urlpatterns = [
    path("risk/referrals/<int:referral_id>/", referral_page, name="service_referral"),
]
