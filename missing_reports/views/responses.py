"""Record how the agency responded to a return, and correct one response (docs/duties.md#return-responses).

Thin: selectors read (scoped through caseapp.access), services.responses writes and checks every rule.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from caseapp import conflicts
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error, call_service, note_wording
from caseapp.services.errors import EditConflict

from .. import selectors
from ..forms.responses import ResponseForm, ResponsesForm
from ..services import responses as response_services


def _section_url(episode_id):
    return reverse("episode_detail", args=[episode_id]) + "#responses-h"


def responses_create(request, episode_id):
    episode = selectors.get_episode_or_404(request.user, episode_id, for_edit=True)
    if request.method != "POST" and episode.is_open:
        messages.warning(request, "Record the return first; then record how the agency responded.")
        return redirect("episode_detail", episode_id=episode.pk)
    form = ResponsesForm(request.POST or None, youth=episode.youth)
    if request.method == "POST" and form.is_valid():
        saved = call_service(request, form, response_services.record_responses, episode_id=episode.pk,
                             **form.cleaned_data)
        if saved is not None:
            messages.success(request, "How the agency responded is recorded." if len(saved) == 1 else
                             f"{len(saved)} responses are recorded.")
            note_wording(request, form)
            return redirect(_section_url(episode.pk))
    return render(request, "missing_reports/response_form.html", {"form": form, "episode": episode, "response": None})


def response_edit(request, response_id):
    response = selectors.get_return_response_or_404(request.user, response_id, for_edit=True)
    episode = response.episode
    if request.method == "POST":
        form = ResponseForm(request.POST, instance=response, youth=episode.youth)
        if form.is_valid():
            version, fields = form.service_fields()
            try:
                response_services.correct_response(
                    actor=request.user, response_id=response.pk, expected_version=version, ip=client_ip(request),
                    **fields,
                )
            except EditConflict as exc:
                current = exc.current
                form = conflicts.rebuild(
                    form,
                    lambda initial: ResponseForm(instance=current, initial=initial, youth=episode.youth),
                    current=current,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "The response is corrected.")
                note_wording(request, form)
                return redirect(_section_url(episode.pk))
    else:
        form = ResponseForm(instance=response, youth=episode.youth)
    return render(
        request, "missing_reports/response_form.html", {"form": form, "episode": episode, "response": response}
    )
