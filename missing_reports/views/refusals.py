"""Record that law enforcement would not take the report of a run or enter the youth in NCIC, and correct it
(docs/duties.md#le-refused).

Thin: selectors read (scoped through caseapp.access), services.le_followup writes and checks every rule.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from caseapp import conflicts
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error, call_service, note_wording
from caseapp.services.errors import EditConflict

from .. import selectors
from ..forms.refusals import RefusalForm
from ..services import le_followup


def _clocks_url(episode_id):
    return reverse("episode_detail", args=[episode_id]) + "#refusals-h"


def refusal_create(request, notification_id):
    report = selectors.get_notification_or_404(request.user, notification_id, for_edit=True)
    if not le_followup.is_run_report(report):
        raise Http404("A refusal is recorded on the law-enforcement report of a run.")
    form = RefusalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, fields = form.service_fields()
        saved = call_service(request, form, le_followup.record_refusal, notification_id=report.pk, **fields)
        if saved is not None:
            messages.success(
                request,
                "The refusal is recorded, the follow-up steps have started and the supervisors have been alerted.",
            )
            note_wording(request, form)
            return redirect(_clocks_url(report.episode_id))
    return render(
        request,
        "missing_reports/refusal_form.html",
        {"form": form, "report": report, "episode": report.episode, "refusal": None},
    )


def refusal_edit(request, refusal_id):
    refusal = selectors.get_refusal_or_404(request.user, refusal_id, for_edit=True)
    report = refusal.notification
    if request.method == "POST":
        form = RefusalForm(request.POST, instance=refusal)
        if form.is_valid():
            version, fields = form.service_fields()
            try:
                le_followup.correct_refusal(
                    actor=request.user, refusal_id=refusal.pk, expected_version=version, ip=client_ip(request),
                    **fields,
                )
            except EditConflict as exc:
                current = exc.current
                form = conflicts.rebuild(
                    form, lambda initial: RefusalForm(instance=current, initial=initial), current=current
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "The refusal is corrected.")
                note_wording(request, form)
                return redirect(_clocks_url(report.episode_id))
    else:
        form = RefusalForm(instance=refusal)
    return render(
        request,
        "missing_reports/refusal_form.html",
        {"form": form, "report": report, "episode": report.episode, "refusal": refusal},
    )
