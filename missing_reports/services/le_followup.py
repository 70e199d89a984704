"""What follows the report of a run to law enforcement (docs/duties.md#ncic-2h, #le-refused).

- The report recorded starts the "NCIC entry confirmed" clock (deadlines.NCIC_CONFIRMATION): law enforcement
  must enter the youth within 2 h; the agency confirms within its rule (default 24 h). The clock is done when
  the NCIC number or confirmation is recorded, on the clock itself or on the law-enforcement notice: the two
  are kept in step here, so the packets (which read the notice) and the clock agree.
- A refusal ("would not take the report", "would not enter NCIC") is recorded with who, when and the reason,
  and starts the follow-up clocks the agency's rules require (deadlines.LE_REFUSED: the supervisor and the
  state clearinghouse by default; Texas adds the SI program director within 8 h, Kentucky an affidavit), and
  alerts the supervisors and whoever is on call (key "le-refused:<id>", once per refusal).

Each verb runs in the caller's transaction or its own, writes its audit row in it, and raises its alert in
it (the outbox, caseapp.services.alerts.raise_alert).
"""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from caseapp import access, alert_delivery, audit, on_call
from caseapp.local_time import agency_zone, display_time
from caseapp.models import AuditAction
from caseapp.services.alerts import raise_alert
from caseapp.services.errors import EditConflict

from .. import deadlines
from ..escalation import ON_CALL, all_but_actor, episode_path, one_line, supervisors
from ..models import LawEnforcementRefusal, Notification, RefusalKind
from .agency_rules import deadlines_for
from .typed_times import CLOCK_SKEW

ALERT_KIND = "le_refused"
REFUSAL_FIELDS = ("kind", "refused_at", "le_agency", "officer_name", "badge_number", "reason")
CONFIRMED_ON_THE_SPOT = "Confirmed when the report was made"


def is_run_report(notification) -> bool:
    """The law-enforcement notice of a run: the one a refusal or an NCIC confirmation belongs to."""
    return (notification.event, notification.party) == (deadlines.MISSING, deadlines.LAW_ENFORCEMENT)


def _start_clocks(episode, event, start, *, done=None):
    """The clocks `event` starts for the episode, from `start`, but not those it already has (a second
    refusal finds them running). `done`: evidence to create them done with. Returns the new clocks."""
    have = set(episode.notifications.filter(event=event).values_list("party", flat=True))
    new = [
        Notification(
            episode=episode, event=event, party=d.party, due_at=d.due_at, rule_hours=d.hours, rule_unit=d.unit,
            rule_source=d.source, **(done or {}),
        )
        for d in deadlines_for(episode.youth.agency, event, start)
        if d.party not in have
    ]
    for clock in new:
        clock.save()  # one by one: each gets its history row
    return new


# --- The NCIC confirmation clock ------------------------------------------------------------------


def after_notice_recorded(actor, notification, *, was_done):
    """Called by services.episodes.record_notification after a notice is saved, in its transaction."""
    if is_run_report(notification):
        if not was_done:
            _start_ncic_clock(actor, notification)
        elif notification.ncic_confirmed_at:
            _close_ncic_clock(actor, notification)
    elif notification.event == deadlines.NCIC_CONFIRMATION:
        _copy_confirmation_to_report(actor, notification)


def _start_ncic_clock(actor, report):
    """The report to law enforcement was given at `report.done_at`: the confirmation clock runs from then.
    A report recorded with the entry already confirmed starts it done."""
    done = None
    if report.ncic_confirmed_at:
        done = {
            "done_at": report.ncic_confirmed_at, "done_by": actor, "method": report.method,
            "contact_name": report.officer_name, "le_agency": report.le_agency, "ncic_number": report.ncic_number,
            "reference": report.ncic_number, "explanation": "" if report.ncic_number else CONFIRMED_ON_THE_SPOT,
            "ncic_confirmed_at": report.ncic_confirmed_at,
        }
    for clock in _start_clocks(report.episode, deadlines.NCIC_CONFIRMATION, report.done_at, done=done):
        audit.record(
            actor, AuditAction.CREATE, clock, youth=report.episode.youth,
            detail={"event": clock.event, "party": clock.party, "done": clock.is_done},
        )


def _ncic_clock(episode):
    return (
        Notification.objects.select_for_update(of=("self",))
        .filter(episode=episode, event=deadlines.NCIC_CONFIRMATION, party=deadlines.LAW_ENFORCEMENT)
        .first()
    )


def _close_ncic_clock(actor, report):
    """A correction of the report that adds the confirmation completes the open confirmation clock."""
    clock = _ncic_clock(report.episode)
    if clock is None or clock.is_done:
        return
    clock.done_at = report.ncic_confirmed_at
    clock.done_by = actor
    clock.method = report.method
    clock.ncic_number = report.ncic_number
    clock.ncic_confirmed_at = report.ncic_confirmed_at
    clock.reference = report.ncic_number
    clock.explanation = "" if report.ncic_number else CONFIRMED_ON_THE_SPOT
    clock.version += 1
    clock._history_user = actor
    clock.save()
    audit.record(actor, AuditAction.UPDATE, clock, youth=report.episode.youth, detail={"event": clock.event})


def _copy_confirmation_to_report(actor, clock):
    """The confirmation recorded on its clock fills what the law-enforcement notice lacks (the packets read it)."""
    report = (
        Notification.objects.select_for_update(of=("self",))
        .filter(episode_id=clock.episode_id, event=deadlines.MISSING, party=deadlines.LAW_ENFORCEMENT)
        .first()
    )
    if report is None:
        return
    changed = []
    if not report.ncic_confirmed_at:
        report.ncic_confirmed_at = clock.done_at
        changed.append("ncic_confirmed_at")
    if not report.ncic_number and clock.ncic_number:
        report.ncic_number = clock.ncic_number
        changed.append("ncic_number")
    if not changed:
        return
    report.version += 1
    report._history_user = actor
    report.save()
    audit.record(
        actor, AuditAction.UPDATE, report, youth=clock.episode.youth,
        detail={"party": report.party, "event": report.event, "changed": changed, "from": "NCIC confirmation"},
    )


# --- Refusals -------------------------------------------------------------------------------------


def _check(errors, fields, episode, now):
    if fields.get("kind") not in RefusalKind.values:
        errors["kind"] = "Say what law enforcement would not do."
    refused_at = fields.get("refused_at")
    if not refused_at:
        errors["refused_at"] = "Give the date and time law enforcement said no."
    elif refused_at > now + CLOCK_SKEW:
        errors["refused_at"] = "The time law enforcement said no cannot be in the future."
    elif refused_at < episode.last_seen_at:
        errors["refused_at"] = "The refusal cannot be before the youth was last seen."
    if not (fields.get("le_agency") or "").strip():
        errors["le_agency"] = "Name the law-enforcement agency."
    if not (fields.get("reason") or "").strip():
        errors["reason"] = "Write down the reason law enforcement gave, or that they gave none."


@transaction.atomic
def record_refusal(*, actor, notification_id, ip=None, **fields) -> LawEnforcementRefusal:
    """Record that law enforcement would not take the report of a run or enter the youth in NCIC, start the
    follow-up clocks and alert the supervisors. Bad input changes nothing."""
    unknown = set(fields) - set(REFUSAL_FIELDS)
    if unknown:
        raise TypeError(f"Not refusal fields: {sorted(unknown)}")
    report = access.get_in_scope_or_404(
        Notification.objects.select_for_update(of=("self",))
        .select_related("episode__youth__agency", "episode__youth__team")
        .filter(episode__youth__in=access.youth_editable_by(actor)),
        notification_id,
    )
    if not is_run_report(report):
        raise Http404("A refusal is recorded on the law-enforcement report of a run.")
    episode, now = report.episode, timezone.now()
    errors = {}
    _check(errors, fields, episode, now)
    if not errors and report.refusals.filter(kind=fields["kind"]).exists():
        errors["kind"] = "This refusal is already recorded: correct it from the episode page instead."
    if errors:
        raise ValidationError(errors)
    refusal = LawEnforcementRefusal(notification=report, recorded_by=actor, recorded_at=now, **fields)
    refusal._history_user = actor
    refusal.save()
    audit.record(actor, AuditAction.CREATE, refusal, youth=episode.youth, ip=ip, detail={"kind": refusal.kind})
    # The steps run from the refusal (never later than now: a refusal recorded late gains no time).
    started = _start_clocks(episode, deadlines.LE_REFUSED, min(now, refusal.refused_at))
    for clock in started:
        audit.record(actor, AuditAction.CREATE, clock, youth=episode.youth, ip=ip, detail={"event": clock.event})
    raise_refusal_alert(refusal, actor, now)
    return refusal


@transaction.atomic
def correct_refusal(*, actor, refusal_id, expected_version, ip=None, **fields) -> LawEnforcementRefusal:
    """Correct a refusal's details. Its clocks keep their due times and no second alert is raised."""
    unknown = set(fields) - set(REFUSAL_FIELDS)
    if unknown:
        raise TypeError(f"Not refusal fields: {sorted(unknown)}")
    refusal = access.get_in_scope_or_404(
        LawEnforcementRefusal.objects.select_for_update()
        .select_related("notification__episode__youth")
        .filter(notification__episode__youth__in=access.youth_editable_by(actor)),
        refusal_id,
    )
    if refusal.version != expected_version:
        raise EditConflict(current=refusal)
    episode = refusal.notification.episode
    merged = {name: getattr(refusal, name) for name in REFUSAL_FIELDS} | fields
    errors = {}
    _check(errors, merged, episode, timezone.now())
    kind = merged["kind"]
    if not errors and kind != refusal.kind and refusal.notification.refusals.filter(kind=kind).exists():
        errors["kind"] = "That refusal is already recorded: correct that one instead."
    if errors:
        raise ValidationError(errors)
    changed = sorted(name for name, value in fields.items() if getattr(refusal, name) != value)
    if not changed:
        return refusal
    for name in changed:
        setattr(refusal, name, fields[name])
    refusal.version += 1
    refusal._history_user = actor
    refusal.save()
    audit.record(actor, AuditAction.UPDATE, refusal, youth=episode.youth, ip=ip, detail={"changed": changed})
    return refusal


# --- The alert of a refusal -----------------------------------------------------------------------


def alert_key(refusal_id: int) -> str:
    return f"le-refused:{refusal_id}"


def alert_recipients(youth, actor, now) -> list[tuple]:
    """The youth's team supervisors and the first of the on-call chain, each once, but not `actor`, who
    recorded it; if that leaves nobody, the next of the chain who is not `actor` (as the run alert)."""
    chain = on_call.escalation_chain(youth, now)
    told = supervisors(youth) + ([(chain[0], "", ON_CALL)] if chain else [])
    return all_but_actor(told, actor, lambda: chain)


def raise_refusal_alert(refusal, actor, now):
    """In the caller's transaction; a second call for the same refusal returns the first alert."""
    report = refusal.notification
    episode = report.episode
    youth, agency = episode.youth, episode.youth.agency
    zone = agency_zone(agency)
    clocks = [
        {"label": n.label, "due": display_time(n.due_at, zone)}
        for n in episode.notifications.filter(event=deadlines.LE_REFUSED, done_at__isnull=True).order_by("due_at")
    ]
    ncmec = episode.notifications.filter(event=deadlines.MISSING, party=deadlines.NCMEC).first()
    context = {
        "youth_name": youth.display_name,
        "case_number": youth.case_number,
        "agency_name": agency.name,
        "what": refusal.get_kind_display().lower(),
        "le_agency": refusal.le_agency,
        "refused_at": display_time(refusal.refused_at, zone),
        "recorded_by": str(actor),
        "clocks": clocks,
        "ncmec_open": ncmec is not None and not ncmec.is_done,
    }
    subject = one_line(f"Law enforcement said no: {youth.display_name} (case {youth.case_number})")
    return raise_alert(
        agency=agency,
        youth=youth,
        kind=ALERT_KIND,
        key=alert_key(refusal.pk),
        subject=subject[:200],
        body=render_to_string("missing_reports/email/le_refused.txt", context),
        sms_text=alert_delivery.sms_line(youth, "Law enforcement said no"),
        url=episode_path(episode.pk),
        recipients=alert_recipients(youth, actor, now),
        ack_minutes=agency.ack_minutes_run,
        now=now,
    )
