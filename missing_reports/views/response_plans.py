"""The response plan after a return interview: add an action, correct it, mark it done
(docs/duties.md#response-plan).

Thin: selectors read (scoped through caseapp.access), services.response_plans writes and checks every rule.
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
from ..forms.response_plans import ActionDoneForm, ActionForm
from ..services import response_plans


def _plan_url(debrief):
    return reverse("episode_detail", args=[debrief.episode_id]) + f"#plan-{debrief.pk}"


def response_action_create(request, debrief_id):
    debrief = selectors.get_debrief_or_404(request.user, debrief_id, for_edit=True)
    form = ActionForm(request.POST or None, debrief=debrief, actor=request.user)
    if request.method == "POST" and form.is_valid():
        _, fields = form.service_fields()
        saved = call_service(request, form, response_plans.add_action, debrief_id=debrief.pk, **fields)
        if saved is not None:
            messages.success(request, f"The action is on {saved.owner}'s work list until it is done.")
            note_wording(request, form)
            return redirect(_plan_url(debrief))
    return _render(request, "missing_reports/response_action_form.html", form, debrief, None)


def _versioned_save(request, form, action, make_form, service, success):
    """Call `service` with the version the form carries; on EditConflict the form rebuilt on the saved action
    (caseapp/conflicts.py), on a refusal the form with its message. A redirect when saved, else the form."""
    version, fields = form.service_fields()
    try:
        service(actor=request.user, action_id=action.pk, expected_version=version, ip=client_ip(request), **fields)
    except EditConflict as exc:
        current = exc.current
        return None, conflicts.rebuild(form, lambda initial: make_form(current, initial), current=current)
    except ValidationError as exc:
        add_service_error(form, exc)
        return None, form
    messages.success(request, success)
    note_wording(request, form)
    return redirect(_plan_url(action.debrief)), form


def _action_page(request, action_id, form_class, service, template, success, *, extra):
    action = selectors.get_response_action_or_404(request.user, action_id, for_edit=True)

    def make_form(instance, initial=None, data=None):
        return form_class(data, instance=instance, initial=initial or {}, **extra(instance))

    form = make_form(action, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done, form = _versioned_save(request, form, action, make_form, service, success)
        if done is not None:
            return done
    return _render(request, template, form, action.debrief, action)


def response_action_edit(request, action_id):
    return _action_page(
        request, action_id, ActionForm, response_plans.update_action, "missing_reports/response_action_form.html",
        "The action is updated.", extra=lambda instance: {"debrief": instance.debrief},
    )


def response_action_done(request, action_id):
    return _action_page(
        request, action_id, ActionDoneForm, response_plans.complete_action,
        "missing_reports/response_action_done.html", "The action is marked done.", extra=lambda instance: {},
    )


def _render(request, template, form, debrief, action):
    episode = debrief.episode
    context = {"form": form, "debrief": debrief, "episode": episode, "youth": episode.youth, "action": action}
    return render(request, template, context)
