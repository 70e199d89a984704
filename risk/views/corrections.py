"""Withdrawing an identification as recorded in error, from the youth's risk page.

Thin: the service's 404 gate lets only the youth's deciders in (access.youth_reviewable_by); the page is
the confirmation step; risk/services/corrections.py checks every rule and writes the audit row.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path

from caseapp.forms.base import call_service

from ..forms.corrections import WithdrawIdentificationForm
from ..services import corrections


def withdraw_identification(request, decision_id):
    decision = corrections.withdrawable_decision_or_404(request.user, decision_id)
    youth = decision.youth
    form = WithdrawIdentificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        withdrawn = call_service(
            request, form, corrections.withdraw_identification,
            decision_id=decision.pk, reason=form.cleaned_data["reason"],
        )
        if withdrawn is not None:
            messages.success(
                request,
                "The identification was withdrawn as recorded in error. It stays in the history with your reason "
                "and no longer counts in AFCARS or the annual count.",
            )
            return redirect("youth_risk", youth_id=youth.pk)
    return render(
        request, "risk/identification_withdraw.html", {"form": form, "youth": youth, "decision": decision}
    )


urlpatterns = [
    path(
        "risk/decisions/<int:decision_id>/withdraw/", withdraw_identification, name="risk_withdraw_identification"
    ),
]
