"""Record a disclosure (docs/duties.md#disclosures): of a returned episode, or of the youth without an episode (with
a risk observation, or at another time); correct its time or wording; withdraw it as recorded in error; record a
report of a disclosure without an episode. Editors of the youth only; anyone else gets a 404.

Thin: selectors read (scoped through caseapp.access), services.disclosures writes and checks every rule.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from caseapp import access, conflicts
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error, call_service, note_wording
from caseapp.local_time import short_time
from caseapp.services.errors import EditConflict

from .. import selectors, work
from ..escalation import youth_path
from ..forms.disclosures import (
    DisclosureCorrectionForm,
    DisclosureForm,
    DisclosureReportForm,
    DisclosureWithdrawForm,
    YouthDisclosureForm,
)
from ..services import disclosures

RECORDED = "The disclosure is recorded, its reports' clocks have started and the supervisors are alerted."


def page_of(disclosure) -> str:
    """Where a disclosure is listed: its episode's page, or the youth's page."""
    if disclosure.episode_id:
        return reverse("episode_detail", args=[disclosure.episode_id]) + "#disclosures-h"
    return youth_path(disclosure.youth_id)


def disclosure_create(request, episode_id):
    episode = selectors.get_episode_or_404(request.user, episode_id, for_edit=True)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = call_service(request, form, disclosures.record_disclosure, episode_id=episode.pk, **form.cleaned_data)
        if saved is not None:
            messages.success(request, RECORDED)
            note_wording(request, form)
            return redirect(reverse("episode_detail", args=[episode.pk]) + "#disclosures-h")
    return render(request, "missing_reports/disclosure_form.html", {"form": form, "episode": episode})


def youth_disclosure_create(request, youth_id):
    """A disclosure with a risk observation or at another time, missing or never missing: no episode."""
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    form = YouthDisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = call_service(request, form, disclosures.record_disclosure, youth_id=youth.pk, **form.cleaned_data)
        if saved is not None:
            messages.success(request, RECORDED)
            note_wording(request, form)
            return redirect(page_of(saved))
    return render(request, "missing_reports/youth_disclosure_form.html", {"form": form, "youth": youth})


def _refuse_unless_may_correct(request, disclosure):
    """The page is for the recorder and the youth's deciders; others who may edit the youth get a clear page."""
    if disclosure.is_withdrawn:
        return "This disclosure was withdrawn as recorded in error: it can no longer be changed."
    if not disclosures.may_correct(request.user, disclosure):
        return "Only the person who recorded this disclosure, or a supervisor of the youth, can correct or withdraw it."
    return None


def disclosure_correct(request, disclosure_id):
    disclosure = selectors.get_disclosure_or_404(request.user, disclosure_id, for_edit=True)
    refused = _refuse_unless_may_correct(request, disclosure)
    form = None
    if refused is None and request.method == "POST":
        form = DisclosureCorrectionForm(request.POST, instance=disclosure)
        if form.is_valid():
            version, reason, fields = form.service_fields()
            try:
                disclosures.correct_disclosure(
                    actor=request.user, disclosure_id=disclosure.pk, expected_version=version, reason=reason,
                    ip=client_ip(request), **fields,
                )
            except EditConflict as exc:
                current = exc.current
                form = conflicts.rebuild(
                    form, lambda initial: DisclosureCorrectionForm(instance=current, initial=initial), current=current
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, "The disclosure is corrected; the reports not yet made follow its time."
                )
                note_wording(request, form)
                return redirect(page_of(disclosure))
    elif refused is None:
        form = DisclosureCorrectionForm(instance=disclosure)
    return render(
        request,
        "missing_reports/disclosure_correct.html",
        {"form": form, "disclosure": disclosure, "youth": disclosure.youth, "refused": refused,
         "back_url": page_of(disclosure), "history": disclosure.history.select_related("history_user")[:20]},
        status=403 if refused else 200,
    )


def disclosure_withdraw(request, disclosure_id):
    disclosure = selectors.get_disclosure_or_404(request.user, disclosure_id, for_edit=True)
    refused = _refuse_unless_may_correct(request, disclosure)
    form = None
    if refused is None:
        form = DisclosureWithdrawForm(request.POST or None, initial={"version": disclosure.version})
        if request.method == "POST" and form.is_valid():
            try:
                disclosures.withdraw_disclosure(
                    actor=request.user, disclosure_id=disclosure.pk, expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"], ip=client_ip(request),
                )
            except EditConflict:
                form.add_error(
                    None,
                    "Someone changed this disclosure since you opened the page. Read it again below, then withdraw "
                    "it if it is still recorded in error.",
                )
                form.data = form.data.copy()
                form.data["version"] = selectors.get_disclosure_or_404(request.user, disclosure.pk).version
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    "The disclosure was withdrawn as recorded in error. It stays in the record with your reason; its "
                    "reports not yet made are no longer due.",
                )
                return redirect(page_of(disclosure))
    return render(
        request,
        "missing_reports/disclosure_withdraw.html",
        {"form": form, "disclosure": disclosure, "youth": disclosure.youth, "refused": refused,
         "back_url": page_of(disclosure)},
        status=403 if refused else 200,
    )


def disclosure_report_record(request, disclosure_report_id):
    report = selectors.get_disclosure_report_or_404(request.user, disclosure_report_id, for_edit=True)
    if request.method == "POST":
        form = DisclosureReportForm(request.POST, instance=report)
        if form.is_valid():
            version, evidence = form.service_fields()
            try:
                saved = disclosures.record_disclosure_report(
                    actor=request.user, report_id=report.pk, expected_version=version, ip=client_ip(request),
                    **evidence,
                )
            except EditConflict as exc:
                current = exc.current
                form = conflicts.rebuild(
                    form, lambda initial: DisclosureReportForm(instance=current, initial=initial), current=current
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"{saved.label}: recorded as made {short_time(saved.done_at)} ({saved.timing()})."
                )
                return redirect(youth_path(report.youth_id))
    else:
        form = DisclosureReportForm(instance=report)
    return render(
        request,
        "missing_reports/disclosure_report_form.html",
        {"form": form, "report": report, "youth": report.youth, "what": work.notice_what(report),
         "closed": report.is_closed},
    )
