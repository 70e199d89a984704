"""A disclosure routed (docs/duties.md#disclosures).

The youth disclosed abuse or neglect, another crime against them, or online exploitation: at the return
interview or later in an episode (`episode_id`), or with a risk observation at any time, whether or not the
youth was ever missing (`youth_id`, no episode). Recording it starts the reports' evidenced clocks
(deadlines.DISCLOSED, deadlines from the agency's rules: the child abuse hotline and law enforcement, 24 h by
default, 8 h in Texas; the CyberTipline too for online exploitation) and alerts the team's supervisors once (key
"disclosure:<id>"). The clocks of an episode's disclosure are Notification rows of the episode; those of a
disclosure without an episode are DisclosureReport rows of the youth (docs/duties.md#disclosure-clocks). Either
way they are like every notice: on the youth's page (and the episode's), in My work, in the timeliness report,
and escalated by the sweep.

After it is saved, the recorder or a supervisor of the youth (a decider, caseapp.access.youth_reviewable_by) may
correct its time and wording with a reason (`correct_disclosure`, versioned: a stale save is an EditConflict),
and the clocks not yet done follow a corrected time; or withdraw it as recorded in error with a reason
(`withdraw_disclosure`): kept, never deleted, and its clocks not yet done close as not required (the `OPEN`
condition of both clock models). What it is a disclosure of (its kind) decides which reports are owed: a wrong
kind is withdrawn and recorded again, so no report owed is silently dropped.

What the youth said is restricted (Disclosure.RESTRICTED_FIELDS): it goes in no audit row, alert or email.

Each disclosure is reported: its clocks belong to it (Notification.disclosure, one per party of a disclosure),
so a second disclosure in the same episode starts all its own reports, due from its own time, whatever the
first one's clocks are doing.
"""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseapp import access, alert_delivery, audit, on_call
from caseapp.local_time import agency_zone, display_time
from caseapp.models import AuditAction, Youth
from caseapp.services.alerts import raise_alert
from caseapp.services.errors import EditConflict

from .. import clock_state, deadlines
from ..escalation import all_but_actor, episode_path, one_line, supervisors, youth_path
from ..models import (
    Disclosure,
    DisclosureContext,
    DisclosureKind,
    DisclosureReport,
    MissingEpisode,
    Notification,
    NotificationMethod,
)
from .agency_rules import deadlines_for, due_again
from .typed_times import CLOCK_SKEW

ALERT_KIND = "disclosure"
DISCLOSURE_FIELDS = ("kind", "context", "context_note", "disclosed_at", "what_was_said")
# What a correction may change: the time and the wording (the kind decides the reports owed: withdraw instead).
CORRECTABLE_FIELDS = ("disclosed_at", "context", "context_note", "what_was_said")
REPORT_EVIDENCE_FIELDS = (
    "done_at", "method", "contact_name", "reference", "explanation", "le_agency", "officer_name", "badge_number",
)
# The contexts a disclosure without an episode can have: the return interview belongs to an episode.
YOUTH_CONTEXTS = (DisclosureContext.RISK_OBSERVATION, DisclosureContext.OTHER)


def alert_key(disclosure_id: int) -> str:
    return f"disclosure:{disclosure_id}"


def _check(errors, fields, episode, now):
    """The rules of a disclosure's fields; `episode` None for a disclosure without an episode."""
    if episode is not None and episode.is_open:
        errors["__all__"] = "Record the return first: a disclosure is recorded at the return interview or later."
    if fields.get("kind") not in DisclosureKind.values:
        errors["kind"] = "Say what the youth disclosed."
    context = fields.get("context", DisclosureContext.RETURN_INTERVIEW if episode else DisclosureContext.OTHER)
    if context not in DisclosureContext.values:
        errors["context"] = "Say when it came up."
    elif episode is None and context not in YOUTH_CONTEXTS:
        errors["context"] = (
            "A disclosure at the return interview is recorded on that episode's page; here it came with a risk "
            "observation or at another time."
        )
    disclosed_at = fields.get("disclosed_at")
    if not disclosed_at:
        errors["disclosed_at"] = "Give the date and time the youth disclosed it."
    elif disclosed_at > now + CLOCK_SKEW:
        errors["disclosed_at"] = "The time of the disclosure cannot be in the future."
    elif episode is not None and not episode.is_open and disclosed_at < (episode.located_at or episode.returned_at):
        errors["disclosed_at"] = "A disclosure of this episode is made when the youth was found or later."
    if not (fields.get("what_was_said") or "").strip():
        errors["what_was_said"] = "Write down what the youth said, in their words where you can."


def clock_start(disclosure):
    """When the reports' hours run from: the disclosure, never later than when it was recorded (recording it
    late, or correcting its time later, gains no time)."""
    return min(disclosure.recorded_at, disclosure.disclosed_at)


def _start_clocks(disclosure, start):
    """The reports this disclosure calls for, each its own clock of this disclosure: notices of its episode, or
    reports of the youth when it has no episode."""
    episode = disclosure.episode
    due = deadlines.for_disclosure_kind(
        disclosure.kind, deadlines_for(disclosure.youth.agency, deadlines.DISCLOSED, start)
    )
    if episode is None:
        new = [
            DisclosureReport(
                youth=disclosure.youth, disclosure=disclosure, party=d.party, due_at=d.due_at, rule_hours=d.hours,
                rule_unit=d.unit, rule_source=d.source,
            )
            for d in due
        ]
    else:
        new = [
            Notification(
                episode=episode, disclosure=disclosure, event=deadlines.DISCLOSED, party=d.party, due_at=d.due_at,
                rule_hours=d.hours, rule_unit=d.unit, rule_source=d.source,
            )
            for d in due
        ]
    for clock in new:
        clock.save()  # one by one: each gets its history row
    return new


@transaction.atomic
def record_disclosure(*, actor, episode_id=None, youth_id=None, ip=None, **fields) -> Disclosure:
    """Record a disclosure of an episode (`episode_id`) or of the youth without one (`youth_id`), start its
    reports' clocks and alert the supervisors. Bad input changes nothing; out of the actor's scope is a 404."""
    unknown = set(fields) - set(DISCLOSURE_FIELDS)
    if unknown:
        raise TypeError(f"Not disclosure fields: {sorted(unknown)}")
    if (episode_id is None) == (youth_id is None):
        raise TypeError("Give an episode_id or a youth_id, not both.")
    if episode_id is not None:
        episode = access.get_in_scope_or_404(
            MissingEpisode.objects.select_for_update()
            .select_related("youth__agency", "youth__team")
            .filter(youth__in=access.youth_editable_by(actor)),
            episode_id,
        )
        youth = episode.youth
    else:
        episode = None
        youth = access.get_in_scope_or_404(
            Youth.objects.select_related("agency", "team").filter(pk__in=access.youth_editable_by(actor)), youth_id
        )
        fields.setdefault("context", DisclosureContext.RISK_OBSERVATION)
    now = timezone.now()
    errors = {}
    _check(errors, fields, episode, now)
    if errors:
        raise ValidationError(errors)
    disclosure = Disclosure(youth=youth, episode=episode, recorded_by=actor, recorded_at=now, **fields)
    disclosure._history_user = actor
    disclosure.save()
    # Never what was said: the audit trail is read more widely than the restricted fields.
    audit.record(
        actor, AuditAction.CREATE, disclosure, youth=youth, ip=ip,
        detail={"kind": disclosure.kind, "context": disclosure.context},
    )
    for clock in _start_clocks(disclosure, clock_start(disclosure)):
        audit.record(
            actor, AuditAction.CREATE, clock, youth=youth, ip=ip,
            detail={"event": clock.event, "party": clock.party},
        )
    raise_disclosure_alert(disclosure, actor, now)
    return disclosure


# --- Correcting and withdrawing ---------------------------------------------------------------------------------


def may_correct(user, disclosure) -> bool:
    """The one who recorded it, while they may still edit the youth, or a decider of the youth (a supervisor of
    the youth's team, an agency admin)."""
    youth_id = disclosure.youth_id
    if disclosure.recorded_by_id == user.pk and access.youth_editable_by(user).filter(pk=youth_id).exists():
        return True
    return access.youth_reviewable_by(user).filter(pk=youth_id).exists()


def _disclosure_for_change(actor, disclosure_id):
    """The disclosure, locked, if the actor may see it (else 404) and may correct it (else a clear refusal)."""
    disclosure = access.get_in_scope_or_404(
        Disclosure.objects.select_for_update(of=("self",))  # its episode is an outer join: not locked
        .select_related("youth__agency", "youth__team", "episode")
        .filter(youth__in=access.youth_editable_by(actor)),
        disclosure_id,
    )
    if not may_correct(actor, disclosure):
        raise ValidationError(
            "Only the person who recorded this disclosure, or a supervisor of the youth, can correct or withdraw it."
        )
    if disclosure.is_withdrawn:
        raise ValidationError("This disclosure was withdrawn as recorded in error: it can no longer be changed.")
    return disclosure


def clocks_of(disclosure):
    """The disclosure's report clocks: its episode's notices, or its reports without an episode."""
    return disclosure.notifications if disclosure.episode_id else disclosure.reports


@transaction.atomic
def correct_disclosure(*, actor, disclosure_id, expected_version, reason, ip=None, **fields) -> Disclosure:
    """Correct a disclosure's time or wording, with a reason. A stale version is an EditConflict and changes
    nothing. The clocks not yet done follow a corrected time (from `clock_start`, with the hours of the rule they
    were started under); a clock done keeps its due time, so a report made stays judged as it was."""
    unknown = set(fields) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not correctable disclosure fields: {sorted(unknown)}")
    disclosure = _disclosure_for_change(actor, disclosure_id)
    if disclosure.version != expected_version:
        raise EditConflict(current=disclosure)
    merged = {name: getattr(disclosure, name) for name in DISCLOSURE_FIELDS} | fields
    errors = {}
    _check(errors, merged, disclosure.episode, timezone.now())
    changed = sorted(name for name, value in fields.items() if getattr(disclosure, name) != value)
    reason = (reason or "").strip()
    if changed and not reason:
        errors["reason"] = "Say why it is corrected, e.g. 'The time was typed wrong: it was the evening before'."
    if errors:
        raise ValidationError(errors)
    if not changed:
        return disclosure
    for name in changed:
        setattr(disclosure, name, fields[name])
    disclosure.correction_reason = reason
    disclosure.version += 1
    disclosure._history_user = actor
    disclosure._change_reason = "Corrected"
    disclosure.save()
    # Field names only: never what was said, nor the reason (it may repeat it).
    audit.record(
        actor, AuditAction.UPDATE, disclosure, youth=disclosure.youth, ip=ip,
        detail={"changed": changed, "corrected": True},
    )
    if "disclosed_at" in changed:
        start = clock_start(disclosure)
        for clock in clocks_of(disclosure).filter(done_at__isnull=True).order_by("pk"):
            due_at = due_again(disclosure.youth.agency, clock, start)
            if due_at == clock.due_at:
                continue
            was = clock.due_at
            clock.due_at = due_at
            if clock.overdue_at is not None and not clock_state.is_past_due(due_at, timezone.now()):
                clock.overdue_at = None  # no longer overdue: the page must not say it was marked so
            clock.version += 1
            clock._history_user = actor
            clock.save()
            audit.record(
                actor, AuditAction.UPDATE, clock, youth=disclosure.youth, ip=ip,
                detail={"due_at": "follows the corrected disclosure time", "was": was.isoformat(),
                        "now": due_at.isoformat()},
            )
    return disclosure


@transaction.atomic
def withdraw_disclosure(*, actor, disclosure_id, expected_version, reason, ip=None) -> Disclosure:
    """Withdraw a disclosure recorded in error, with a reason. It stays in the record, marked withdrawn; its
    clocks not yet done close as not required (they leave My work, the sweep and the timeliness report); a report
    already made stays as made."""
    disclosure = _disclosure_for_change(actor, disclosure_id)
    if disclosure.version != expected_version:
        raise EditConflict(current=disclosure)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why it was recorded in error, e.g. 'Recorded for the wrong youth'."})
    now = timezone.now()
    closed = list(clocks_of(disclosure).filter(done_at__isnull=True).values_list("pk", flat=True))
    disclosure.withdrawn_at = now
    disclosure.withdrawn_by = actor
    disclosure.withdrawal_reason = reason
    disclosure.version += 1
    disclosure._history_user = actor
    disclosure._change_reason = "Withdrawn: recorded in error"
    disclosure.save()
    audit.record(
        actor, AuditAction.UPDATE, disclosure, youth=disclosure.youth, ip=ip,
        detail={"withdrawn": "recorded in error", "clocks_closed_as_not_required": closed},
    )
    return disclosure


# --- Recording a report of a disclosure without an episode ------------------------------------------------------


@transaction.atomic
def record_disclosure_report(*, actor, report_id, expected_version, ip=None, **evidence) -> DisclosureReport:
    """Mark a report of a disclosure without an episode done with its evidence, or correct that evidence; the
    rules of every notice (docs/design.md#rule-clock-data): when, how, and a reference or why there is none."""
    unknown = set(evidence) - set(REPORT_EVIDENCE_FIELDS)
    if unknown:
        raise TypeError(f"Not evidence fields: {sorted(unknown)}")
    report = access.get_in_scope_or_404(
        DisclosureReport.objects.select_for_update()
        .select_related("youth", "disclosure")
        .filter(youth__in=access.youth_editable_by(actor)),
        report_id,
    )
    if report.version != expected_version:
        raise EditConflict(current=report)
    if report.is_closed:
        raise ValidationError("This report is not required: its disclosure was withdrawn as recorded in error.")
    now = timezone.now()
    errors = {}
    done_at = evidence.get("done_at")
    if not done_at:
        errors["done_at"] = "Give the date and time the report was made."
    elif done_at > now + CLOCK_SKEW:
        errors["done_at"] = "The time of the report cannot be in the future."
    elif done_at < report.disclosure.disclosed_at:
        errors["done_at"] = "The report cannot be before the youth disclosed it."
    if evidence.get("method") not in NotificationMethod.values:
        errors["method"] = "Say how the report was made."
    if not (evidence.get("reference") or "").strip() and not (evidence.get("explanation") or "").strip():
        errors["reference"] = "Give the reference or case number you were given, or explain why there is none."
    if errors:
        raise ValidationError(errors)
    was_done = report.is_done
    for name, value in evidence.items():
        setattr(report, name, value)
    if not was_done:
        report.done_by = actor  # who made it; a later correction keeps it (the history records the corrector)
    report.version += 1
    report._history_user = actor
    report.save()
    audit.record(
        actor, AuditAction.UPDATE, report, youth=report.youth, ip=ip,
        detail={"party": report.party, "event": report.event, "corrected": was_done, "late": report.was_late()},
    )
    return report


def alert_recipients(youth, actor, now) -> list[tuple]:
    """The youth's team supervisors, each once, but not `actor`; if that leaves nobody, the first of the
    on-call chain who is not `actor`, so a disclosure never reaches nobody."""
    return all_but_actor(supervisors(youth), actor, lambda: on_call.escalation_chain(youth, now))


def raise_disclosure_alert(disclosure, actor, now):
    """In the caller's transaction; a second call for the same disclosure returns the first alert. The alert
    names the youth by first name and case number and gives this disclosure's reports' due times: nothing of
    what was said."""
    episode = disclosure.episode
    youth, agency = disclosure.youth, disclosure.youth.agency
    zone = agency_zone(agency)
    open_clocks = list(clocks_of(disclosure).filter(done_at__isnull=True).order_by("due_at", "id"))
    first_name = ((youth.preferred_name or youth.legal_first_name).split() or ["the youth"])[0]
    due = display_time(open_clocks[0].due_at, zone) if open_clocks else "already made"
    summary = f"A disclosure was recorded for {first_name}, case {youth.case_number}: reports due by {due}."
    lines = [summary, "", f"Reports (times in {agency.name}'s time zone):"]
    lines += [f"- {clock.label}: due {display_time(clock.due_at, zone)}" for clock in open_clocks] or ["- none open"]
    page = "episode page" if episode else "youth's page"
    lines += ["", f"Please acknowledge this alert. The details are on the {page}."]
    return raise_alert(
        agency=agency,
        youth=youth,
        kind=ALERT_KIND,
        key=alert_key(disclosure.pk),
        subject=one_line(f"A disclosure was recorded: {first_name} (case {youth.case_number})")[:200],
        body="\n".join(lines) + "\n",
        sms_text=alert_delivery.sms_line(youth, "A disclosure was recorded"),
        url=episode_path(episode.pk) if episode else youth_path(youth.pk),
        recipients=alert_recipients(youth, actor, now),
        ack_minutes=agency.ack_minutes_run,
        now=now,
    )
