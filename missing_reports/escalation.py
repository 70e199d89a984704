"""Alerts about the reporting clocks: reminders before a clock runs out, and the overdue mark after
(docs/alerts.md, docs/design.md#rule-clock-data and #rule-idempotent-tasks).

A system task: the sweep looks at every agency's open clocks. Each stage of a clock is an alert
(caseapp.services.alerts.raise_alert): in the app, by email, by SMS where set up, acknowledged by one
tap and escalated along the on-call roster while nobody acknowledges. Each person told still passes
the access gate: nobody is alerted about a youth caseapp.access does not let them open. The agency's
compliance contact is an address, told by email only. Alerts carry the youth's display name and case
number, the clock and its due time in the agency's time zone, and a link; never a restricted field
(Youth.RESTRICTED_FIELDS) or episode details.

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

When a stage finds nobody at all to tell, the first of the youth's on-call chain is told
(caseapp.on_call.on_call_supervisor). A clock is overdue from the first instant after D, never at D
itself (a notice given at D is on time): missing_reports.clock_state decides, for the sweep as for the
pages and reports.

A clock gets only the most advanced stage that applies when the sweep looks at it. The stages it
missed (a clock shorter than the lead, or the sweep was down) are recorded as skipped and never
alerted later: nobody gets "due in 4 h" for a clock that is already overdue. A done clock gets nothing.

Each stage happens once, also when sweeps overlap. The sweep locks the clock
(`select_for_update(skip_locked=True)` on PostgreSQL: an overlapping sweep passes over it) and, in one
transaction, writes the stage's claim row (`Escalation`, `RiskEscalation`; the unique (clock, stage)
constraint decides any race that gets past the lock) and raises its alert (key "notice:<id>:<stage>",
unique too): the alert is the outbox (docs/alerts.md#outbox), so a row exists exactly when its alert
does. A claim row says:

    sent_at set                                 alerted; `recipients` records who was told
    sent_at NULL, recipients == ["(skipped)"]   skipped by catch-up; never alerted

After commit the sweep delivers the alert at once (caseapp.alert_delivery.deliver, already in a
worker); the task queued by raise_alert then finds nothing left to send. Sending is the alerts'
business: each (person, channel) exactly once, a failed email retried with backoff by the minute alert
sweep (docs/alerts.md#delivery).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, Model, OuterRef, Q, prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from caseapp import access, alert_delivery, on_call
from caseapp.local_time import agency_zone, display_time, duration
from caseapp.models import REMINDER_LEAD_CEILING_HOURS, Agency
from caseapp.services.alerts import raise_alert

from . import clock_state, deadlines
from .models import DisclosureEscalation, DisclosureReport, Escalation, EscalationStage, Notification

log = logging.getLogger(__name__)

SKIPPED = "(skipped)"
# Stages from the least to the most advanced.
STAGES = (EscalationStage.LEAD_CASEWORKER, EscalationStage.LEAD_SUPERVISOR, EscalationStage.OVERDUE)
# The episode clocks: the "immediately" clocks have the first-hour stage before the others.
NOTICE_STAGES = (EscalationStage.FIRST_HOUR, *STAGES)
# No agency's lead (nor its first-hour reminder of a clock of at most 24 h) reaches further before
# due than the ceiling: the candidates' bound, whatever each agency has set.
CANDIDATE_WINDOW = datetime.timedelta(hours=REMINDER_LEAD_CEILING_HOURS)
# The agency's reminder leads in the order of Agency.reminder_leads (the reminder stages'): their longest bound the
# candidates.
LEAD_FIELDS = ("reminder_lead_hours_first", "reminder_lead_hours_second")
CASEWORKER = "Assigned caseworker"
COMPLIANCE = "Compliance contact"
ON_CALL = "On call"
ALERT_KIND_REMINDER = "clock_reminder"
ALERT_KIND_OVERDUE = "clock_overdue"


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


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def episode_path(episode_id: int) -> str:
    return reverse("episode_detail", args=[episode_id])


def episode_url(episode_id: int) -> str:
    return settings.APP_BASE_URL.rstrip("/") + episode_path(episode_id)


def youth_path(youth_id: int) -> str:
    """The youth's page, where a disclosure without an episode and its reports are listed."""
    return reverse("youth_detail", args=[youth_id]) + "#disclosures-h"


# --- Recipients: people, with the reason they are told ---------------------------------------
# A recipient is (user or None, email or "", reason), as caseapp.services.alerts.raise_alert takes it.


def people(users, youth, reason) -> list[tuple]:
    """Those `users` who are active and may open the youth's record (caseapp.access decides, in one
    query), each once, told for `reason`."""
    users = [u for u in users if u is not None and u.is_active]
    if not users:
        return []
    allowed = set(access.users_who_see_youth(youth).filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True))
    out, seen = [], set()
    for user in users:
        if user.pk in allowed and user.pk not in seen:
            seen.add(user.pk)
            out.append((user, "", reason))
    return out


def all_but_actor(told, actor, chain) -> list[tuple]:
    """`told` (recipients) each once, without `actor`, who did what the alert is about and knows; if that
    leaves nobody, the first of the on-call chain who is not `actor` (`chain()`, asked only then), so an
    alert about what somebody just recorded never reaches nobody. The run, the refusal and the disclosure
    alerts all pick their people this way."""
    kept, seen = [], {actor.pk}
    for user, email, reason in told:
        if user.pk not in seen:
            seen.add(user.pk)
            kept.append((user, email, reason))
    if not kept:
        following = next((user for user in chain() if user.pk != actor.pk), None)
        if following is not None:
            kept = [(following, "", ON_CALL)]
    return kept


def supervisors(youth) -> list[tuple]:
    return people(youth.team.supervisors.all(), youth, f"Supervisor of team {youth.team.name}")


def compliance(youth) -> list[tuple]:
    """The agency's compliance contact: an address, told by email only."""
    address = youth.agency.compliance_contact_email
    return [(None, address, COMPLIANCE)] if address else []


def merge(*groups) -> list[tuple]:
    """The groups in order, each person (or address) once; an address already a person's is dropped."""
    out, users, emails = [], set(), set()
    for group in groups:
        for user, email, reason in group:
            if user is not None:
                if user.pk in users:
                    continue
                users.add(user.pk)
                emails.add((user.email or "").lower())
            elif email.lower() in emails:
                continue
            emails.add(email.lower())
            out.append((user, email, reason))
    return out


def clock_recipients(youth, stage, fallback_caseworkers=(), fallback_reason="Logged the run") -> list[tuple]:
    """Who is told at `stage` of a clock about `youth`; each stage falls back so that somebody always
    is, if anyone can be. `fallback_caseworkers` stand in for a youth with no assigned caseworker."""

    def caseworkers():
        return people(youth.assigned_caseworkers.all(), youth, CASEWORKER) or people(
            fallback_caseworkers, youth, fallback_reason
        )

    if stage in (EscalationStage.FIRST_HOUR, EscalationStage.LEAD_CASEWORKER):
        return caseworkers() or supervisors(youth)
    if stage == EscalationStage.LEAD_SUPERVISOR:
        return supervisors(youth) or compliance(youth) or caseworkers()
    return merge(compliance(youth), supervisors(youth)) or caseworkers()


def recipients_for(episode, stage) -> list[tuple]:
    """The episode's clocks: the one who logged the run stands in for missing caseworkers."""
    return clock_recipients(episode.youth, stage, [episode.created_by])


def record_of(recipients) -> list[str]:
    """What the claim row keeps of who was told: each person's address (or username), or the address."""
    return [(user.email or user.username) if user is not None else email for user, email, _ in recipients]


# --- The sweep: one protocol for every kind of clock ----------------------------------------


@dataclass(frozen=True)
class ClockKind:
    """What the claim protocol needs to know about one kind of clock.

    The clock model has `due_at` and `overdue_at` and a reverse relation `escalations` to the claim
    model, whose rows have `stage`, `created_at`, `sent_at`, `recipients` and a unique
    (`subject_field`, stage) constraint.
    """

    name: str  # for the logs: "notification", "review item", ...
    key: str  # the alert key's prefix: "notice" gives "notice:<clock id>:<stage>"
    model: type[Model]
    escalations: type[Model]
    subject_field: str  # the claim model's foreign key to the clock
    is_open: Q  # a clock that still escalates (not done, not decided)
    stages: tuple  # least to most advanced; the last is the overdue stage
    recipients: Callable  # (clock, stage) -> [(user or None, email, reason), ...]
    message: Callable  # (clock, stage, now) -> (subject, body)
    agency: Callable  # clock -> its Agency (select_related), whose reminder leads apply
    youth: Callable  # clock -> its Youth (select_related): the alert is about them
    url: Callable  # clock -> the page to act on (a path)
    what: Callable  # (clock, stage) -> the SMS's few words: "Overdue: NCMEC"
    select_related: tuple[str, ...] = ()  # for the claim: the clock is read again with these once locked
    prefetch_related: tuple[str, ...] = ()  # for the recipients, read for a clock being claimed only
    # What `stage_to_alert` reads of a candidate beyond the clock (its agency's leads, what `first_from` reads):
    # the candidates are read with these alone. Empty: `select_related`.
    candidate_related: tuple[str, ...] = ()
    # The columns of those rows it reads (`QuerySet.only`: the relations above among them); empty: all of them.
    candidate_fields: tuple[str, ...] = ()
    # clock -> when its first stage (stages[0]) starts, or None for a clock without that stage.
    first_from: Callable | None = None

    def schedule(self, clock):
        """(the clock's stages, when its first stage starts or None)."""
        first = self.first_from(clock) if self.first_from else None
        if self.first_from and first is None:
            return self.stages[1:], None
        return self.stages, first

    def alert_key(self, clock, stage) -> str:
        return f"{self.key}:{clock.pk}:{stage}"


# Clocks read per query by the sweep: the candidates are read in batches of this many, in due order.
CANDIDATE_BATCH = 500


def candidate_q(kind: ClockKind, now, longest=None) -> Q:
    """The condition of a candidate: open, due within the widest window any agency can set (or past), and not
    finished with for now, as its claim rows tell (one anti-join on them, by the clock's foreign key):

    - its overdue alert raised (sent): finished with;
    - its last reminder stage claimed (sent or skipped; the claim skips the ones before): only the overdue stage
      is left, from its due time;
    - an earlier reminder claimed: the next one is reached no earlier than the longest lead any agency sets for
      it before due (Agency.reminder_leads, in order, each shorter than the one before).

    `longest`: the agencies' longest leads (`longest_leads`), when the caller read them already.

    `overdue_at IS NULL` is what lets the clock's partial index (models.to_escalate_index) hold only the clocks
    still to alert: the overdue stage's claim sets it. The anti-join still rules out a clock whose `overdue_at`
    was cleared (its due time corrected) after its overdue alert. stage_due decides, for each clock read.
    """
    claims = kind.escalations.objects.filter(**{kind.subject_field: OuterRef("pk")})
    via = f"{kind.subject_field}__"  # from a claim row to its clock's own row
    finished = Q(stage=kind.stages[-1], sent_at__isnull=False)
    reminders = kind.stages[1:-1] if kind.first_from else kind.stages[:-1]
    if reminders:
        finished |= Q(stage=reminders[-1]) & clock_state.not_past_due_q(now, via=via)
        longest = longest_leads() if longest is None else longest
        for stage, i in zip(reminders[:-1], range(1, len(LEAD_FIELDS)), strict=False):
            lead = longest[f"lead{i}"]
            hours = REMINDER_LEAD_CEILING_HOURS if lead is None else lead
            finished |= Q(stage=stage) & clock_state.due_after_q(now + datetime.timedelta(hours=hours), via=via)
    not_finished = Q(overdue_at__isnull=True) & ~Exists(claims.filter(finished))
    return kind.is_open & clock_state.due_within_q(now, CANDIDATE_WINDOW) & not_finished


def longest_leads() -> dict:
    """{"lead0": the longest first reminder lead of any agency, "lead1": the second's}, in hours (None: no agency)."""
    return Agency.objects.aggregate(**{f"lead{i}": Max(f) for i, f in enumerate(LEAD_FIELDS)})


def candidates(kind: ClockKind, now, batch_size: int | None = None):
    """Open clocks of `kind` that may need an alert at `now`, in due order.

    Read in batches of `batch_size` (CANDIDATE_BATCH) by the partial index, each from where the last ended (due
    time, id): their keys, then their rows with what deciding their stage reads (`candidate_related`), then the
    stages claimed of them (`claimed_stages`, a set on each clock, no claim row made a model): three queries per
    batch, and one for the agencies' longest leads. The rest of a clock's related rows and the people to tell are
    read only for a clock being claimed (`_claim`). A clock whose overdue alert was raised is finished with, and is
    not read at all.
    """
    batch_size = batch_size or CANDIDATE_BATCH
    longest = longest_leads()
    subject = f"{kind.subject_field}_id"
    after = None
    while True:
        # The keys first, by the partial index and the anti-join alone; then only those clocks' rows are joined.
        keys = list(candidate_page(kind, now, after, batch_size, longest=longest).values_list("due_at", "pk"))
        if not keys:
            return
        pks = [pk for _, pk in keys]
        clocks = kind.model.objects.filter(pk__in=pks).select_related(*(kind.candidate_related or kind.select_related))
        if kind.candidate_fields:
            clocks = clocks.only(*kind.candidate_fields)
        clocks = list(clocks.order_by("due_at", "pk"))
        claimed = {pk: set() for pk in pks}
        for pk, stage in kind.escalations.objects.filter(**{f"{subject}__in": pks}).values_list(subject, "stage"):
            claimed[pk].add(stage)
        for clock in clocks:
            clock.claimed_stages = claimed[clock.pk]
            yield clock
        if len(keys) < batch_size:
            return
        after = keys[-1]


def candidate_page(kind: ClockKind, now, after=None, batch_size: int | None = None, longest=None):
    """One batch of candidates (the clock rows only), in due order, after `after` (due time, id) or from the first."""
    page = kind.model.objects.filter(candidate_q(kind, now, longest))
    if after is not None:
        page = page.filter(clock_state.after_in_due_order_q(*after))
    return page.order_by("due_at", "pk")[: batch_size or CANDIDATE_BATCH]


def stage_to_alert(kind: ClockKind, clock, now):
    """(the stage of a candidate `clock` to claim at `now`, the clock's stages), or (None, stages) when nothing
    is due or that stage was alerted (or skipped) already. Reads the stages `candidates` found claimed."""
    stages, first_from = kind.schedule(clock)
    stage = stage_due(clock.due_at, now, kind.agency(clock).reminder_leads, stages, first_from)
    if stage is None or stage in clock.claimed_stages:
        return None, stages
    return stage, stages


def sweep_kind(kind: ClockKind, clocks, now) -> dict:
    """Raise and deliver the reminder and overdue alerts of `clocks` (read by `candidates`) due at
    `now`, at the leads of each clock's agency. Returns counts per stage (alerts raised) and skipped.
    Safe to run concurrently and repeatedly."""
    counts = {str(stage): 0 for stage in kind.stages} | {"skipped": 0}
    for clock in clocks:
        stage, stages = stage_to_alert(kind, clock, now)
        if stage is None:
            continue  # nothing due, or this stage was alerted (or skipped) already
        try:
            alert = _claim(kind, clock, stages, stage, now, counts)
        except Exception:  # one clock's failure must not stop the others' alerts
            log.exception("Escalation %s of %s %s failed; the next sweep retries.", stage, kind.name, clock.pk)
            continue
        if alert is None:
            continue
        try:
            # Committed: send it now. Delivery claims each message, so the queued task sends nothing twice;
            # a failed send stays pending for the alert sweep's retry.
            alert_delivery.deliver(alert.pk, now)
        except Exception:  # the alert is saved: the alert sweep sends it
            log.exception("Delivering alert %s failed; the alert sweep retries.", alert.pk)
    return counts


@transaction.atomic
def _claim(kind, clock, stages, stage, now, counts):
    """Claim `stage` of `clock`, skip the stages before it (of the clock's `stages`) and raise the
    stage's alert, in one committed transaction. Returns the alert, or None when another sweep has the
    clock or the stage, or the clock is done."""
    # Only the clock's row is locked (`of`): an open condition may read a nullable relation (a notice's disclosure,
    # Notification.OPEN), whose outer join PostgreSQL will not lock.
    # Read again with everything the alert needs (the candidate was read with what its stage needs only).
    locked = (
        kind.model.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related(*kind.select_related)
        .filter(kind.is_open, pk=clock.pk)
        .first()
    )
    if locked is None:  # done since the candidates were read, or another sweep has it now
        return None
    clock = locked
    done = set(
        kind.escalations.objects.filter(**{f"{kind.subject_field}_id": clock.pk}).values_list("stage", flat=True)
    )
    if stage in done:
        return None  # alerted or skipped by another sweep since the candidates were read
    for earlier in stages[: stages.index(stage)]:
        if earlier not in done and _insert(kind, clock, earlier, now, [SKIPPED]) is not None:
            counts["skipped"] += 1
    prefetch_related_objects([clock], *kind.prefetch_related)
    youth = kind.youth(clock)
    recipients = kind.recipients(clock, stage)
    if not recipients:
        chain_first = on_call.on_call_supervisor(youth, now)
        recipients = [(chain_first, "", ON_CALL)] if chain_first is not None else []
        log.warning(
            "%s %s reached %s with nobody of its own to tell; %s.", kind.name.capitalize(), clock.pk, stage,
            "the first on call is told" if recipients else "the on-call chain is empty too",
        )
    if _insert(kind, clock, stage, now, record_of(recipients), sent_at=now) is None:
        return None
    overdue = stage == kind.stages[-1]
    if overdue:
        # No history row and no version bump: a caseworker's open form must not turn stale for this.
        kind.model.objects.filter(pk=clock.pk, overdue_at__isnull=True).update(overdue_at=now)
    subject, body = kind.message(clock, stage, now)
    agency = kind.agency(clock)
    alert = raise_alert(
        agency=agency,
        youth=youth,
        kind=ALERT_KIND_OVERDUE if overdue else ALERT_KIND_REMINDER,
        key=kind.alert_key(clock, stage),
        subject=subject[:200],
        body=body,
        sms_text=alert_delivery.sms_line(youth, kind.what(clock, stage)),
        url=kind.url(clock),
        recipients=recipients,
        ack_minutes=agency.ack_minutes_reminder,
        now=now,
    )
    counts[str(stage)] += 1
    return alert


def _insert(kind, clock, stage, now, recipients, sent_at=None):
    try:
        with transaction.atomic():
            return kind.escalations.objects.create(
                **{kind.subject_field: clock}, stage=stage, created_at=now, sent_at=sent_at, recipients=recipients
            )
    except IntegrityError:  # another sweep claimed it first
        return None


def stage_words(stage, what: str) -> str:
    """The few words of an SMS about a clock's stage: "Overdue: NCMEC", "Reminder: NCMEC"."""
    if stage == EscalationStage.OVERDUE or stage == "overdue":
        return f"Overdue: {what}"
    if stage == EscalationStage.FIRST_HOUR:
        return f"Not recorded yet: {what}"
    return f"Reminder: {what}"


# --- The notice clocks of the episodes ------------------------------------------------------


def candidate_clocks(now):
    """Open notice clocks that may need an alert at `now`."""
    return candidates(NOTICE_CLOCKS, now)


def candidate_disclosure_reports(now):
    """Open reports of disclosures without an episode that may need an alert at `now`."""
    return candidates(DISCLOSURE_REPORTS, now)


def sweep(now=None) -> dict:
    """Raise and deliver the reminder and overdue alerts due at `now` of the notice clocks and of the reports of
    disclosures without an episode. Returns counts per stage (and skipped), of both. Safe to run concurrently and
    repeatedly: see the module docstring.
    """
    now = now or timezone.now()
    counts = sweep_kind(NOTICE_CLOCKS, candidate_clocks(now), now)
    for stage, count in sweep_kind(DISCLOSURE_REPORTS, candidate_disclosure_reports(now), now).items():
        counts[stage] = counts.get(stage, 0) + count
    return counts


def first_hour_from(clock):
    """When the first-hour reminder of a notice clock starts: the agency's minutes after it learned of
    the run, for the parties the law says "immediately" for; None for the other clocks."""
    if not deadlines.is_immediate(clock.event, clock.party):
        return None
    episode = clock.episode
    return episode.agency_learned_at + datetime.timedelta(minutes=episode.youth.agency.first_hour_reminder_minutes)


# What a clock's hours run from, in an email's words (each event's clocks start at its own moment).
CLOCK_STARTS = {
    deadlines.MISSING: "when the agency learned of it",
    deadlines.RETURNED: "the return",
    deadlines.NCIC_CONFIRMATION: "the report to law enforcement",
    deadlines.LE_REFUSED: "the refusal by law enforcement",
    deadlines.DISCLOSED: "the youth's disclosure",
}


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
        "rule": clock.rule_span + (f" ({clock.rule_source})" if clock.rule_source else ""),
        "due": due,
        "time_left": duration(clock.due_at - now),
        "overdue_by": duration(now - clock.due_at),
        "learned_at": display_time(episode.agency_learned_at, zone),
        "started": CLOCK_STARTS.get(clock.event, CLOCK_STARTS[deadlines.MISSING])
        + (f" ({display_time(clock.started_at, zone)})" if clock.started_at else ""),
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


NOTICE_CLOCKS = ClockKind(
    name="notification",
    key="notice",
    model=Notification,
    escalations=Escalation,
    subject_field="notification",
    is_open=Notification.OPEN,  # a withdrawn disclosure's clock is closed as not required, not overdue
    stages=NOTICE_STAGES,
    recipients=lambda clock, stage: recipients_for(clock.episode, stage),
    message=_message,
    agency=lambda clock: clock.episode.youth.agency,
    youth=lambda clock: clock.episode.youth,
    url=lambda clock: episode_path(clock.episode_id),
    what=lambda clock, stage: stage_words(stage, clock.label),
    first_from=first_hour_from,
    select_related=("episode__youth__team", "episode__youth__agency", "episode__created_by"),
    prefetch_related=("episode__youth__assigned_caseworkers", "episode__youth__team__supervisors"),
    candidate_related=("episode__youth__agency",),  # first_hour_from and the leads
    candidate_fields=(
        "due_at", "event", "party", "episode__agency_learned_at", "episode__youth__agency__first_hour_reminder_minutes",
        *(f"episode__youth__agency__{field}" for field in LEAD_FIELDS),
    ),
)


# --- The reports of a disclosure without an episode ----------------------------------------------------------


def _disclosure_report_message(report, stage, now) -> tuple[str, str]:
    """The notice emails' words, for a report of the youth's disclosure (no episode: no run time)."""
    youth, agency = report.youth, report.youth.agency
    zone = agency_zone(agency)
    who = f"{youth.display_name} (case {youth.case_number})"
    due = display_time(report.due_at, zone)
    started = report.started_at
    context = {
        "youth_name": youth.display_name,
        "case_number": youth.case_number,
        "agency_name": agency.name,
        "team_name": youth.team.name,
        "clock": report.label,
        "rule": report.rule_span + (f" ({report.rule_source})" if report.rule_source else ""),
        "due": due,
        "time_left": duration(report.due_at - now),
        "overdue_by": duration(now - report.due_at),
        "learned_at": display_time(started, zone),
        "started": CLOCK_STARTS[deadlines.DISCLOSED] + (f" ({display_time(started, zone)})" if started else ""),
        "url": settings.APP_BASE_URL.rstrip("/") + youth_path(youth.pk),
        "party": report.label,
        "after": "",
    }
    if stage == EscalationStage.OVERDUE:
        subject = f"Overdue: {report.label} for {who}"
    else:
        subject = f"Reminder: {report.label} due {due} for {who}"
    return one_line(subject), render_to_string(f"missing_reports/email/{stage.value}.txt", context)


DISCLOSURE_REPORTS = ClockKind(
    name="disclosure report",
    key="disclosure-report",
    model=DisclosureReport,
    escalations=DisclosureEscalation,
    subject_field="report",
    is_open=DisclosureReport.OPEN,  # a withdrawn disclosure's report is closed as not required, not overdue
    stages=STAGES,  # no first-hour stage: the law says no "immediately" for these (deadlines.is_immediate)
    recipients=lambda report, stage: clock_recipients(
        report.youth, stage, [report.disclosure.recorded_by], "Recorded the disclosure"
    ),
    message=_disclosure_report_message,
    agency=lambda report: report.youth.agency,
    youth=lambda report: report.youth,
    url=lambda report: youth_path(report.youth_id),
    what=lambda report, stage: stage_words(stage, report.label),
    select_related=("youth__team", "youth__agency", "disclosure__recorded_by"),
    prefetch_related=("youth__assigned_caseworkers", "youth__team__supervisors"),
    candidate_related=("youth__agency",),
)
