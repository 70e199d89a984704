"""Emails about the reporting clocks: the announcement of a run, reminders before a clock runs out,
and the overdue mark after (docs/design.md#rule-clock-data and #rule-idempotent-tasks).

A system task: the sweep looks at every agency's open clocks. Each email still passes the access
gate: a person is emailed about a youth only if caseapp.access lets them open that youth's record.
Emails carry the youth's display name and case number, the clock and its due time in the agency's
time zone, and a link; never a restricted field (Youth.RESTRICTED_FIELDS) or episode details.

The sweep and its stages, for a clock due at D of an agency with the default reminder settings
(Agency.first_hour_reminder_minutes = 60, reminder_lead_hours_first = 4, reminder_lead_hours_second = 1),
the run learned of at L:

    FIRST_HOUR       from L + 1 h   only law enforcement and NCMEC after a run (deadlines.is_immediate:
                                    the law says "immediately", 24 h is the ceiling): the youth's
                                    assigned caseworkers (else the one who logged the run)
    LEAD_CASEWORKER  from D - 4 h   the youth's assigned caseworkers (else the one who logged the run)
    LEAD_SUPERVISOR  from D - 1 h   the team's supervisors (else the compliance contact, else caseworkers)
    OVERDUE          after D        Notification.overdue_at is set; the agency's compliance contact and
                                    the supervisors (else the caseworkers)

A clock is overdue from the first instant after D, never at D itself (a notice given at D is on time):
missing_reports.clock_state decides, for the sweep as for the pages and reports.

A clock gets only the most advanced stage that applies when the sweep looks at it. The stages it
missed (a clock shorter than the lead, or the sweep was down) are recorded as skipped and never sent
later: nobody gets "due in 4 h" for a clock that is already overdue. A done clock gets nothing.

Each stage happens once, also when sweeps overlap. An `Escalation` row is the claim, and its
`recipients` JSON encodes its state (the model has no status column):

    sent_at set                                 sent to `recipients`
    sent_at NULL, recipients == ["(skipped)"]   skipped by catch-up; never sent
    sent_at NULL, anything else                 claimed, email not (yet) sent

The sweep locks the clock (`select_for_update(skip_locked=True)` on PostgreSQL: an overlapping
sweep passes over it), INSERTs the claim (the unique (notification, stage) constraint decides any
race that gets past the lock: IntegrityError means someone else has it) and commits; then it sends,
then sets sent_at. A claim still unsent CLAIM_LEASE after it was made belongs to a sweep that died
(or to a send that failed): a later sweep takes it over with a conditional UPDATE of `created_at`
(so `created_at` is when the stage was last claimed) and sends it. A crash between the send and
sent_at can therefore repeat one email after the lease; nothing can lose one.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, Model, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from caseapp import access
from caseapp.local_time import agency_zone, display_time, duration
from caseapp.models import REMINDER_LEAD_CEILING_HOURS

from . import clock_state, deadlines
from .models import Escalation, EscalationStage, MissingEpisode, Notification

log = logging.getLogger(__name__)

SKIPPED = "(skipped)"
# An unsent claim older than this is taken over by the next sweep. Longer than any email send.
CLAIM_LEASE = datetime.timedelta(minutes=10)
EMAIL_TIMEOUT_SECONDS = 30
# Stages from the least to the most advanced.
STAGES = (EscalationStage.LEAD_CASEWORKER, EscalationStage.LEAD_SUPERVISOR, EscalationStage.OVERDUE)
# The episode clocks: the "immediately" clocks have the first-hour stage before the others.
NOTICE_STAGES = (EscalationStage.FIRST_HOUR, *STAGES)
# No agency's lead (nor its first-hour reminder of a clock of at most 24 h) reaches further before
# due than the ceiling: the candidates' bound, whatever each agency has set.
CANDIDATE_WINDOW = datetime.timedelta(hours=REMINDER_LEAD_CEILING_HOURS)


# --- Pure rules -----------------------------------------------------------------------------


def stage_due(due_at: datetime.datetime, now: datetime.datetime, leads, stages=STAGES, first_from=None):
    """The most advanced stage a clock due at `due_at` has reached at `now`, or None.

    `stages` run from the least to the most advanced; the last is the overdue stage. With
    `first_from` (a time, not a lead), the first stage is reached from that instant on and the
    stages after it are the reminders; otherwise all before the last are. The reminders are paired
    in order with the `leads` (hours before due).
    """
    if clock_state.state(due_at, None, now) is clock_state.OVERDUE:
        return stages[-1]
    reminders = stages[1:-1] if first_from is not None else stages[:-1]
    reached = [
        stage
        for stage, hours in zip(reminders, leads, strict=False)
        if clock_state.state(due_at, None, now, soon=datetime.timedelta(hours=hours)) is clock_state.DUE_SOON
    ]
    if first_from is not None and now >= first_from:
        reached.append(stages[0])
    return max(reached, key=stages.index) if reached else None


def is_skipped(row) -> bool:
    return row.sent_at is None and row.recipients == [SKIPPED]


def is_stale_claim(row, now) -> bool:
    return row.sent_at is None and not is_skipped(row) and row.created_at <= now - CLAIM_LEASE


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def episode_url(episode_id: int) -> str:
    return settings.APP_BASE_URL.rstrip("/") + reverse("episode_detail", args=[episode_id])


# --- Recipients ---------------------------------------------------------------------------


def emails_of(users, youth) -> list[str]:
    """The addresses of those `users` who may open the youth's record (caseapp.access decides)."""
    out = []
    for user in users:
        if not (user and user.is_active and user.email) or user.email in out:
            continue
        if access.youth_visible_to(user).filter(pk=youth.pk).exists():
            out.append(user.email)
    return out


def supervisor_emails(youth) -> list[str]:
    return emails_of(youth.team.supervisors.all(), youth)


def compliance_emails(youth) -> list[str]:
    address = youth.agency.compliance_contact_email
    return [address] if address else []


def clock_recipients(youth, stage, fallback_caseworkers=()) -> list[str]:
    """Who is told at `stage` of a clock about `youth`; each stage falls back so that somebody always
    is, if anyone can be. `fallback_caseworkers` stand in for a youth with no assigned caseworker."""

    def caseworkers():
        return emails_of(youth.assigned_caseworkers.all(), youth) or emails_of(fallback_caseworkers, youth)

    if stage in (EscalationStage.FIRST_HOUR, EscalationStage.LEAD_CASEWORKER):
        return caseworkers() or supervisor_emails(youth)
    if stage == EscalationStage.LEAD_SUPERVISOR:
        return supervisor_emails(youth) or compliance_emails(youth) or caseworkers()
    told = compliance_emails(youth) + [e for e in supervisor_emails(youth) if e not in compliance_emails(youth)]
    return told or caseworkers()


def recipients_for(episode, stage) -> list[str]:
    """The episode's clocks: the one who logged the run stands in for missing caseworkers."""
    return clock_recipients(episode.youth, stage, [episode.created_by])


# --- The announcement ---------------------------------------------------------------------


def announce_run(episode_id: int) -> int:
    """Tell the youth's supervisors (and the other assigned caseworkers) at once that a run was logged.

    Returns the number of messages sent (0 or 1). Best effort, not exactly once: nothing records that
    it was sent (the models have no place for it, and Escalation rows are per clock), so a task
    retried after a worker crash may send it twice, and one lost with the broker is never sent. The
    emails the law's deadlines depend on are the sweep's, which are exactly once and never lost.
    """
    episode = (
        MissingEpisode.objects.select_related("youth__team", "youth__agency", "created_by")
        .prefetch_related("youth__assigned_caseworkers", "youth__team__supervisors", "notifications")
        .filter(pk=episode_id)
        .first()
    )
    if episode is None or not episode.is_open:
        return 0
    youth = episode.youth
    people = list(youth.team.supervisors.all()) + list(youth.assigned_caseworkers.all())
    to = emails_of([u for u in people if u.pk != episode.created_by_id], youth)  # not who logged it
    if not to:
        log.info("Run of episode %s logged; nobody to announce it to.", episode.pk)
        return 0
    agency = youth.agency
    zone = agency_zone(agency)
    clocks = [
        {"label": n.label, "due": display_time(n.due_at, zone)}
        for n in episode.notifications.all()
        if n.event == deadlines.MISSING and not n.is_done
    ]
    context = {
        "youth_name": youth.display_name,
        "case_number": youth.case_number,
        "agency_name": agency.name,
        "team_name": youth.team.name,
        "logged_by": str(episode.created_by),
        "learned_at": display_time(episode.agency_learned_at, zone),
        "last_seen_at": display_time(episode.last_seen_at, zone),
        "clocks": clocks,
        "url": episode_url(episode.pk),
    }
    subject = one_line(f"Missing from care: {youth.display_name} (case {youth.case_number})")
    _send(subject, render_to_string("missing_reports/email/announce_run.txt", context), to)
    return 1


# --- The sweep: one protocol for every kind of clock ----------------------------------------


@dataclass(frozen=True)
class ClockKind:
    """What the claim protocol needs to know about one kind of clock.

    The clock model has `due_at` and `overdue_at` and a reverse relation `escalations` to the claim
    model, whose rows have `stage`, `created_at`, `sent_at`, `recipients` and a unique
    (`subject_field`, stage) constraint.
    """

    name: str  # for the logs: "notification", "review item", ...
    model: type[Model]
    escalations: type[Model]
    subject_field: str  # the claim model's foreign key to the clock
    is_open: Q  # a clock that still escalates (not done, not decided)
    stages: tuple  # least to most advanced; the last is the overdue stage
    recipients: Callable  # (clock, stage) -> list of addresses
    message: Callable  # (clock, stage, now) -> (subject, body)
    agency: Callable  # clock -> its Agency (select_related), whose reminder leads apply
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # clock -> when its first stage (stages[0]) starts, or None for a clock without that stage.
    first_from: Callable | None = None

    def schedule(self, clock):
        """(the clock's stages, when its first stage starts or None)."""
        first = self.first_from(clock) if self.first_from else None
        if self.first_from and first is None:
            return self.stages[1:], None
        return self.stages, first


def candidates(kind: ClockKind, now):
    """Open clocks of `kind` that may need an email at `now`: one query, plus fixed prefetches.

    Bounded by the widest window any agency can set; a clock whose overdue email went out is
    finished with.
    """
    soon = CANDIDATE_WINDOW
    overdue_sent = kind.escalations.objects.filter(
        **{kind.subject_field: OuterRef("pk")}, stage=kind.stages[-1], sent_at__isnull=False
    )
    return (
        kind.model.objects.filter(kind.is_open, clock_state.due_within_q(now, soon))
        .exclude(Exists(overdue_sent))
        .select_related(*kind.select_related)
        .prefetch_related("escalations", *kind.prefetch_related)
        .order_by("due_at", "pk")
    )


def _needs_work(rows: dict, stage, now) -> bool:
    row = rows.get(stage)
    return row is None or is_stale_claim(row, now)


def sweep_kind(kind: ClockKind, clocks, now) -> dict:
    """Send the reminders and overdue emails of `clocks` (read by `candidates`) due at `now`, at the
    leads of each clock's agency. Returns counts per stage (and skipped). Safe to run concurrently
    and repeatedly."""
    counts = {str(stage): 0 for stage in kind.stages} | {"skipped": 0}
    for clock in clocks:
        stages, first_from = kind.schedule(clock)
        stage = stage_due(clock.due_at, now, kind.agency(clock).reminder_leads, stages, first_from)
        if stage is None:
            continue
        if not _needs_work({row.stage: row for row in clock.escalations.all()}, stage, now):
            continue
        try:
            _escalate(kind, clock, stages, stage, now, counts)
        except Exception:  # one clock's failure must not stop the others' emails
            log.exception("Escalation %s of %s %s failed; the next sweep retries.", stage, kind.name, clock.pk)
    return counts


def _escalate(kind, clock, stages, stage, now, counts):
    claim = _claim(kind, clock, stages, stage, now, counts)
    if claim is None:
        return
    if not claim.recipients:
        log.warning(
            "%s %s reached %s but nobody can be emailed (no caseworker, supervisor or compliance contact with "
            "an address); retrying in %s.", kind.name.capitalize(), clock.pk, stage, CLAIM_LEASE,
        )
        return
    try:
        _send(*kind.message(clock, stage, now), claim.recipients)
    except Exception:
        # Release the claim (make it stale at once) so that the next sweep sends it.
        kind.escalations.objects.filter(pk=claim.pk, sent_at__isnull=True, created_at=claim.created_at).update(
            created_at=now - CLAIM_LEASE
        )
        raise
    kind.escalations.objects.filter(pk=claim.pk, sent_at__isnull=True).update(sent_at=now)
    counts[str(stage)] += 1


@transaction.atomic
def _claim(kind, clock, stages, stage, now, counts):
    """Claim `stage` of `clock` and skip the stages before it (of the clock's `stages`), in one
    committed transaction."""
    locked = kind.model.objects.select_for_update(skip_locked=True).filter(kind.is_open, pk=clock.pk).first()
    if locked is None:  # done since the candidates were read, or another sweep has it now
        return None
    rows = {row.stage: row for row in kind.escalations.objects.filter(**{f"{kind.subject_field}_id": clock.pk})}
    for earlier in stages[: stages.index(stage)]:
        row = rows.get(earlier)
        if row is None:
            if _insert(kind, clock, earlier, now, [SKIPPED]) is not None:
                counts["skipped"] += 1
        elif row.sent_at is None and not is_skipped(row):
            # An unsent claim of an earlier stage is out of date now: never send it.
            counts["skipped"] += kind.escalations.objects.filter(pk=row.pk, sent_at__isnull=True).update(
                recipients=[SKIPPED]
            )
    recipients = kind.recipients(clock, stage)
    row = rows.get(stage)
    if row is None:
        row = _insert(kind, clock, stage, now, recipients)
        if row is None:
            return None
    elif is_stale_claim(row, now):
        taken = kind.escalations.objects.filter(pk=row.pk, sent_at__isnull=True, created_at=row.created_at).update(
            created_at=now, recipients=recipients
        )
        if not taken:
            return None
        row.created_at, row.recipients = now, recipients
        log.info("Taking over the unsent %s claim of %s %s.", stage, kind.name, clock.pk)
    else:
        return None  # sent, skipped, or being sent by another sweep right now
    if stage == kind.stages[-1]:
        # No history row and no version bump: a caseworker's open form must not turn stale for this.
        kind.model.objects.filter(pk=clock.pk, overdue_at__isnull=True).update(overdue_at=now)
    return row


def _insert(kind, clock, stage, now, recipients):
    try:
        with transaction.atomic():
            return kind.escalations.objects.create(
                **{kind.subject_field: clock}, stage=stage, created_at=now, recipients=recipients
            )
    except IntegrityError:  # another sweep claimed it first
        return None


# --- The notice clocks of the episodes ------------------------------------------------------


def candidate_clocks(now):
    """Open notice clocks that may need an email at `now`."""
    return candidates(NOTICE_CLOCKS, now)


def sweep(now=None) -> dict:
    """Send the notice clocks' reminders and overdue emails due at `now`. Returns counts per stage
    (and skipped). Safe to run concurrently and repeatedly: see the module docstring.
    """
    now = now or timezone.now()
    return sweep_kind(NOTICE_CLOCKS, candidate_clocks(now), now)


def first_hour_from(clock):
    """When the first-hour reminder of a notice clock starts: the agency's minutes after it learned of
    the run, for the parties the law says "immediately" for; None for the other clocks."""
    if not deadlines.is_immediate(clock.event, clock.party):
        return None
    episode = clock.episode
    return episode.agency_learned_at + datetime.timedelta(minutes=episode.youth.agency.first_hour_reminder_minutes)


def _message(clock, stage, now) -> tuple[str, str]:
    episode = clock.episode
    youth, agency = episode.youth, episode.youth.agency
    zone = agency_zone(agency)
    who = f"{youth.display_name} (case {youth.case_number})"
    due = display_time(clock.due_at, zone)
    context = {
        "youth_name": youth.display_name,
        "case_number": youth.case_number,
        "agency_name": agency.name,
        "team_name": youth.team.name,
        "clock": clock.label,
        "rule": f"{clock.rule_hours} h" + (f" ({clock.rule_source})" if clock.rule_source else ""),
        "due": due,
        "time_left": duration(clock.due_at - now),
        "overdue_by": duration(now - clock.due_at),
        "learned_at": display_time(episode.agency_learned_at, zone),
        "url": episode_url(episode.pk),
        "party": deadlines.IMMEDIATE_PARTY_NAMES.get(clock.party, clock.label),
        "after": duration(datetime.timedelta(minutes=agency.first_hour_reminder_minutes)),
    }
    if stage == EscalationStage.FIRST_HOUR:
        subject = f"Not recorded yet: {clock.label} for {who}, due immediately"
    elif stage == EscalationStage.OVERDUE:
        subject = f"Overdue: {clock.label} for {who}"
    else:
        subject = f"Reminder: {clock.label} due {due} for {who}"
    body = render_to_string(f"missing_reports/email/{stage.value}.txt", context)
    return one_line(subject), body


def _send(subject: str, body: str, to: list[str]):
    connection = mail.get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT_SECONDS)
    mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection).send()


NOTICE_CLOCKS = ClockKind(
    name="notification",
    model=Notification,
    escalations=Escalation,
    subject_field="notification",
    is_open=Q(done_at__isnull=True),
    stages=NOTICE_STAGES,
    recipients=lambda clock, stage: recipients_for(clock.episode, stage),
    message=_message,
    agency=lambda clock: clock.episode.youth.agency,
    first_from=first_hour_from,
    select_related=("episode__youth__team", "episode__youth__agency", "episode__created_by"),
    prefetch_related=("episode__youth__assigned_caseworkers", "episode__youth__team__supervisors"),
)
