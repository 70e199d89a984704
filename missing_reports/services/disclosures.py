"""A disclosure routed (docs/duties.md#disclosures).

The youth disclosed abuse or neglect, another crime against them, or online exploitation, at the return
interview or later in the episode. Recording it starts the reports' evidenced clocks (deadlines.DISCLOSED,
Notification rows of the episode, deadlines from the agency's rules: the child abuse hotline and law
enforcement, 24 h by default, 8 h in Texas; the CyberTipline too for online exploitation) and alerts the
team's supervisors once (key "disclosure:<id>"). The clocks are then like every notice: on the episode page,
in My work, in the timeliness report, and escalated by the sweep.

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
from caseapp.models import AuditAction
from caseapp.services.alerts import raise_alert

from .. import deadlines
from ..escalation import all_but_actor, episode_path, one_line, supervisors
from ..models import Disclosure, DisclosureContext, DisclosureKind, MissingEpisode, Notification
from .agency_rules import rules_for
from .typed_times import CLOCK_SKEW

ALERT_KIND = "disclosure"
DISCLOSURE_FIELDS = ("kind", "context", "context_note", "disclosed_at", "what_was_said")


def alert_key(disclosure_id: int) -> str:
    return f"disclosure:{disclosure_id}"


def _check(errors, fields, episode, now):
    if episode.is_open:
        errors["__all__"] = "Record the return first: a disclosure is recorded at the return interview or later."
    if fields.get("kind") not in DisclosureKind.values:
        errors["kind"] = "Say what the youth disclosed."
    if fields.get("context", DisclosureContext.RETURN_INTERVIEW) not in DisclosureContext.values:
        errors["context"] = "Say when it came up."
    disclosed_at = fields.get("disclosed_at")
    if not disclosed_at:
        errors["disclosed_at"] = "Give the date and time the youth disclosed it."
    elif disclosed_at > now + CLOCK_SKEW:
        errors["disclosed_at"] = "The time of the disclosure cannot be in the future."
    elif not episode.is_open and disclosed_at < (episode.located_at or episode.returned_at):
        errors["disclosed_at"] = "A disclosure of this episode is made when the youth was found or later."
    if not (fields.get("what_was_said") or "").strip():
        errors["what_was_said"] = "Write down what the youth said, in their words where you can."


def _start_clocks(disclosure, start):
    """The reports this disclosure calls for, each its own clock of this disclosure."""
    episode = disclosure.episode
    new = [
        Notification(
            episode=episode, disclosure=disclosure, event=deadlines.DISCLOSED, party=d.party, due_at=d.due_at,
            rule_hours=d.hours, rule_source=d.source,
        )
        for d in deadlines.disclosure_deadlines(disclosure.kind, start, rules_for(episode.youth.agency))
    ]
    for clock in new:
        clock.save()  # one by one: each gets its history row
    return new


@transaction.atomic
def record_disclosure(*, actor, episode_id, ip=None, **fields) -> Disclosure:
    """Record a disclosure, start its reports' clocks and alert the supervisors. Bad input changes nothing."""
    unknown = set(fields) - set(DISCLOSURE_FIELDS)
    if unknown:
        raise TypeError(f"Not disclosure fields: {sorted(unknown)}")
    episode = access.get_in_scope_or_404(
        MissingEpisode.objects.select_for_update()
        .select_related("youth__agency", "youth__team")
        .filter(youth__in=access.youth_editable_by(actor)),
        episode_id,
    )
    now = timezone.now()
    errors = {}
    _check(errors, fields, episode, now)
    if errors:
        raise ValidationError(errors)
    disclosure = Disclosure(episode=episode, recorded_by=actor, recorded_at=now, **fields)
    disclosure._history_user = actor
    disclosure.save()
    # Never what was said: the audit trail is read more widely than the restricted fields.
    audit.record(
        actor, AuditAction.CREATE, disclosure, youth=episode.youth, ip=ip,
        detail={"kind": disclosure.kind, "context": disclosure.context},
    )
    # The reports run from the disclosure (never later than now: recording it late gains no time).
    for clock in _start_clocks(disclosure, min(now, disclosure.disclosed_at)):
        audit.record(
            actor, AuditAction.CREATE, clock, youth=episode.youth, ip=ip,
            detail={"event": clock.event, "party": clock.party},
        )
    raise_disclosure_alert(disclosure, actor, now)
    return disclosure


def alert_recipients(youth, actor, now) -> list[tuple]:
    """The youth's team supervisors, each once, but not `actor`; if that leaves nobody, the first of the
    on-call chain who is not `actor`, so a disclosure never reaches nobody."""
    return all_but_actor(supervisors(youth), actor, lambda: on_call.escalation_chain(youth, now))


def raise_disclosure_alert(disclosure, actor, now):
    """In the caller's transaction; a second call for the same disclosure returns the first alert. The alert
    names the youth by first name and case number and gives this disclosure's reports' due times: nothing of
    what was said."""
    episode = disclosure.episode
    youth, agency = episode.youth, episode.youth.agency
    zone = agency_zone(agency)
    open_clocks = list(disclosure.notifications.filter(done_at__isnull=True).order_by("due_at", "id"))
    first_name = ((youth.preferred_name or youth.legal_first_name).split() or ["the youth"])[0]
    due = display_time(open_clocks[0].due_at, zone) if open_clocks else "already made"
    summary = f"A disclosure was recorded for {first_name}, case {youth.case_number}: reports due by {due}."
    lines = [summary, "", f"Reports (times in {agency.name}'s time zone):"]
    lines += [f"- {clock.label}: due {display_time(clock.due_at, zone)}" for clock in open_clocks] or ["- none open"]
    lines += ["", "Please acknowledge this alert. The details are on the episode page."]
    return raise_alert(
        agency=agency,
        youth=youth,
        kind=ALERT_KIND,
        key=alert_key(disclosure.pk),
        subject=one_line(f"A disclosure was recorded: {first_name} (case {youth.case_number})")[:200],
        body="\n".join(lines) + "\n",
        sms_text=alert_delivery.sms_line(youth, "A disclosure was recorded"),
        url=episode_path(episode.pk),
        recipients=alert_recipients(youth, actor, now),
        ack_minutes=agency.ack_minutes_run,
        now=now,
    )
