"""The youth's risk pages: the current assessment and its history, and the forms that record
observations, retractions, structured screenings and external screens.

Thin: caseapp.access gates every page (out of scope is a 404), risk.selectors reads, risk.services
writes and checks every rule; a service's errors are shown on the form and nothing is saved.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path

from caseapp import access
from caseapp.audit import client_ip
from caseapp.forms.base import call_service, note_wording, save_through_service
from caseapp.local_time import short_time
from caseapp.models import Youth
from caseapp.services import youth as youth_services

from .. import selectors
from ..forms.youth import ExternalScreenForm, ObservationForm, RetractForm, ScreeningForm
from ..services import observations as observation_services


def youth_risk(request, youth_id):
    youth = access.get_youth_or_404(
        request.user, youth_id, queryset=Youth.objects.select_related("agency", "team")
    )
    context = selectors.youth_risk_context(youth, request.GET.get("page"))
    context.update(youth=youth, can_edit=access.can_edit_youth(request.user, youth))
    youth_services.record_view(actor=request.user, youth=youth, ip=client_ip(request))
    return render(request, "risk/youth_risk.html", context)


def risk_observe(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    form = ObservationForm(request.POST or None, indicators=selectors.recordable_indicators())
    if request.method == "POST" and form.is_valid():
        observation = call_service(
            request, form, observation_services.record_observation, youth_id=youth.pk, **form.service_fields()
        )
        if observation is not None:
            if observation.indicator.is_tripwire:
                received = short_time(observation.information_received_at)
                messages.warning(
                    request,
                    f"Observation {observation.indicator.code} recorded. This is an identification tripwire: the "
                    "supervisor was asked to review today, and the law-enforcement clock will run from when the "
                    f"information was received ({received}), not from the supervisor's decision.",
                )
            else:
                messages.success(
                    request, f"Observation {observation.indicator.code} recorded. The assessment is being updated."
                )
            note_wording(request, form)
            return redirect("youth_risk", youth_id=youth.pk)
    return render(request, "risk/youth_observe.html", {"form": form, "youth": youth})


def risk_retract(request, observation_id):
    observation = selectors.get_observation_for_edit_or_404(request.user, observation_id)
    youth = observation.youth
    if observation.is_retracted and request.method != "POST":
        messages.info(request, "This observation was already retracted.")
        return redirect("youth_risk", youth_id=youth.pk)
    form = RetractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            request, form, observation_services.retract_observation,
            observation_id=observation.pk, reason=form.cleaned_data["reason"],
        )
        if saved is not None:
            messages.success(
                request,
                f"Observation {observation.indicator.code} retracted. It stays listed with your reason and no "
                "longer counts in the assessment.",
            )
            note_wording(request, form)
            return redirect("youth_risk", youth_id=youth.pk)
    return render(request, "risk/youth_retract.html", {"form": form, "youth": youth, "observation": observation})


def risk_screening(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    episode = selectors.screening_episode_or_404(request.user, youth, request.GET.get("episode"))
    indicators = selectors.recordable_indicators()
    form = ScreeningForm(request.POST or None, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        saved = call_service(
            request, form, observation_services.record_screening,
            youth_id=youth.pk, episode_id=episode.pk if episode else None, **fields,
        )
        if saved is not None:
            found = fields["findings"]
            tripwires = {i.code for i in indicators if i.is_tripwire}
            if found:
                text = f"Screening recorded with {len(found)} indicator{'s' if len(found) != 1 else ''}."
            else:
                text = "Screening recorded."
            if any(f["indicator"] in tripwires for f in found):
                messages.warning(
                    request,
                    f"{text} It includes an identification tripwire: the supervisor was asked to review today, and "
                    "the law-enforcement clock will run from when the information was received (the screening).",
                )
            else:
                messages.success(request, f"{text} The assessment is being updated.")
            note_wording(request, form)
            return redirect("youth_risk", youth_id=youth.pk)
    return render(request, "risk/youth_screening.html", {"form": form, "youth": youth, "episode": episode})


def risk_external_screen(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    form = ExternalScreenForm(request.POST or None)
    if save_through_service(request, form, observation_services.record_external_screen, youth_id=youth.pk) is not None:
        messages.success(request, "External screen result recorded.")
        return redirect("youth_risk", youth_id=youth.pk)
    return render(request, "risk/youth_external.html", {"form": form, "youth": youth})


urlpatterns = [
    path("youth/<int:youth_id>/risk/", youth_risk, name="youth_risk"),
    path("youth/<int:youth_id>/risk/observe/", risk_observe, name="risk_observe"),
    path("youth/<int:youth_id>/risk/screening/", risk_screening, name="risk_screening"),
    path("youth/<int:youth_id>/risk/external/", risk_external_screen, name="risk_external_screen"),
    path("risk/observations/<int:observation_id>/retract/", risk_retract, name="risk_retract"),
]
