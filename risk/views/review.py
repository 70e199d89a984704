"""Risk pages (review): the supervisor's review queue, the decision form, and the identified-victim
law-enforcement report clock.

Thin: selectors read (scoped through caseapp.access), services write and check every rule.

Who sees what:
- the queue and the decision form are for the roles that decide (access.can_review_youth:
  supervisors for the teams they supervise, agency admins). Everyone else has no queue, so the queue
  is a 404 for them, agency staff included: they read and export, they do not decide, and a read-only
  queue would be a second list of flagged youth to keep in step. A caseworker or agency staff member
  who can see the youth gets a 403 on the decision form (the youth exists for them; deciding does
  not); anyone who cannot see the youth gets a 404, a supervisor of another team included.
- the report clock is editable by whoever can edit the youth (the team's caseworkers included: they
  often make the call) and read-only for agency staff; 404 outside the user's scope.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from caseapp import access, conflicts
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error, note_wording
from caseapp.local_time import agency_zone, short_time
from caseapp.services.errors import EditConflict

from .. import selectors
from ..forms.review import DecisionForm, IdentificationReportForm
from ..models import Outcome
from ..services import decisions as decision_services


def _youth_risk_url(youth):
    return reverse("youth_risk", args=[youth.pk])


# --- The queue ------------------------------------------------------------------------------------------------


def review_queue(request):
    if not access.can_review_youth(request.user):
        raise Http404("No review queue for this role.")
    page = selectors.review_queue_page(request.user, request.GET.get("page"))
    reports = selectors.open_identification_reports(request.user)
    return render(request, "risk/review_queue.html", {"page": page, "open_reports": reports})


# --- The decision ---------------------------------------------------------------------------------------------


def _youth_to_decide(user, youth_id):
    """The youth, if this user decides about them; 403 if they only see the youth, 404 otherwise."""
    if not access.can_review_youth(user):
        access.get_youth_or_404(user, youth_id)
        raise PermissionDenied("Only a supervisor or an agency admin can decide.")
    return access.get_youth_or_404(
        user, youth_id, queryset=access.youth_reviewable_by(user).select_related("agency", "team")
    )


def _decision_form(item, latest, initial=None):
    """A new decision's form, based on the latest decision (which saving it supersedes)."""
    base = {"expected_latest_decision_id": latest.pk if latest else None}
    if item and item.tripwire_id:
        base["information_received_at"] = timezone.localtime(item.tripwire.information_received_at)
    return DecisionForm(initial={**base, **(initial or {})})


def _newer_decision_notes(decision):
    """What the page says about a decision saved while this user's form was open."""
    if decision is None:
        return []
    notes = [
        f"A newer decision was saved {conflicts.describe(decision.decided_by, decision.decided_at)}: "
        f"{decision.get_outcome_display()}. Yours would replace it; it stays in the history."
    ]
    if decision.reason:
        notes.append(f"Its reason: {decision.reason}")
    if decision.safety_plan:
        notes.append(f"Its safety and needs plan: {decision.safety_plan}")
    if decision.trafficking_type:
        notes.append(
            f"It identified {decision.get_trafficking_type_display()}, {decision.get_trafficking_kind_display()}, "
            f"{decision.get_timing_display().lower()}."
        )
    return notes


def _received_at(form, item):
    """The information-received time the page previews the clock for: the one typed, else the tripwire's."""
    if form.is_bound:
        typed = form.cleaned_data.get("information_received_at") if hasattr(form, "cleaned_data") else None
        if typed:
            return typed
    elif form.initial.get("information_received_at"):
        return form.initial["information_received_at"]
    return item.tripwire.information_received_at if item and item.tripwire_id else None


def _after_decision(request, youth, decision):
    if decision.outcome == Outcome.IDENTIFIED:
        report = selectors.report_of_decision(decision)
        if report is not None:
            zone = agency_zone(youth.agency)
            messages.success(
                request,
                f"Identified as a victim of trafficking. The report to law enforcement is due "
                f"{short_time(report.due_at, zone)} ({report.rule_hours} h after the agency received "
                f"the information). Record it here when it is made.",
            )
            return redirect("identification_report", report.pk)
    messages.success(request, f"Decision recorded: {decision.get_outcome_display()}.")
    return redirect(_youth_risk_url(youth))


def decide(request, youth_id):
    youth = _youth_to_decide(request.user, youth_id)
    item = selectors.open_review_item(youth)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                decision = decision_services.decide(
                    actor=request.user, youth_id=youth.pk, ip=client_ip(request), **form.service_fields()
                )
            except EditConflict as exc:
                # A decision is a new record, not an edit of the newer one: the user's entries are all kept.
                newer = exc.current
                form = conflicts.rebuild(
                    form, lambda initial: _decision_form(item, newer, initial), current=newer,
                    changed_by=(newer.decided_by, newer.decided_at) if newer else None,
                    notes=_newer_decision_notes(newer),
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                note_wording(request, form)
                return _after_decision(request, youth, decision)
    else:
        form = _decision_form(item, decision_services.latest_decision(youth))

    decisions = selectors.youth_decisions(youth)
    superseded = {d.supersedes_id for d in decisions if d.supersedes_id}
    received = _received_at(form, item)
    clock = selectors.identification_clock_preview(youth, received or timezone.now())
    zone = agency_zone(youth.agency)
    return render(
        request,
        "risk/review_decide.html",
        {
            "youth": youth,
            "form": form,
            "item": item,
            "item_due": short_time(item.due_at, zone) if item else "",
            "snapshot": selectors.current_snapshot(youth),
            "decisions": decisions,
            "superseded_ids": superseded,
            "clock": clock,
            "clock_due": short_time(clock.due_at, zone) if received else "",
            "received": short_time(received, zone) if received else "",
            "afcars": selectors.youth_afcars(youth, decisions),
        },
    )


# --- The identified-victim report clock ---------------------------------------------------------------------


def identification_report(request, report_id):
    report = selectors.get_identification_report_or_404(request.user, report_id)
    youth = report.youth
    zone = agency_zone(youth.agency)
    can_edit = access.can_edit_youth(request.user, youth)
    form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Agency staff read this report; the youth's team records it.")
        form = IdentificationReportForm(request.POST, instance=report)
        if form.is_valid():
            version, evidence = form.service_fields()
            try:
                saved = decision_services.record_identification_report(
                    actor=request.user, report_id=report.pk, expected_version=version, ip=client_ip(request),
                    **evidence,
                )
            except EditConflict:
                report = selectors.get_identification_report_or_404(request.user, report.pk)
                form = conflicts.rebuild(
                    form, lambda initial: IdentificationReportForm(instance=report, initial=initial), current=report
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Report to law enforcement recorded as made {short_time(saved.done_at, zone)} "
                    f"({saved.timing()}).",
                )
                return redirect("identification_report", saved.pk)
    elif can_edit:
        form = IdentificationReportForm(instance=report)
    decision = report.decision
    return render(
        request,
        "risk/review_report.html",
        {
            "report": report,
            "youth": youth,
            "decision": decision,
            "state": selectors.report_clock_state(report),
            "due": short_time(report.due_at, zone),
            "received": short_time(decision.information_received_at, zone),
            "done": short_time(report.done_at, zone) if report.done_at else "",
            "decided": short_time(decision.decided_at, zone),
            "can_edit": can_edit,
            "form": form,
            "afcars": selectors.youth_afcars(youth, selectors.youth_decisions(youth)),
        },
    )


urlpatterns = [
    path("risk/review/", review_queue, name="risk_review_queue"),
    path("youth/<int:youth_id>/risk/decide/", decide, name="youth_risk_decide"),
    path("risk/identification-reports/<int:report_id>/", identification_report, name="identification_report"),
]
