"""Reads of the risk module, always through caseapp.access, with fixed query counts."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst

from caseapp import access, work
from caseapp.local_time import agency_zone, display_date, duration, short_time, zone_name
from caseapp.models import Alert
from caseapp.selectors import alert_trail
from missing_reports import clock_state, deadlines
from missing_reports import selectors as episode_selectors
from missing_reports.services.agency_rules import deadlines_for

from . import afcars, referral_steps
from .models import (
    Category,
    IdentificationReport,
    Indicator,
    Observation,
    Referral,
    ReviewItem,
    ReviewStatus,
    RiskSnapshot,
    ServiceReferral,
)


def reports_visible_to(user):
    return IdentificationReport.objects.filter(youth__in=access.youth_visible_to(user))


# The youth's current assessment is their newest snapshot (risk.models.RiskSnapshot): the order that picks it.
CURRENT_SNAPSHOT_ORDER = ("-computed_at", "-id")


def current_snapshot(youth):
    return youth.risk_snapshots.select_related("scoring_version").order_by(*CURRENT_SNAPSHOT_ORDER).first()


def current_band():
    """The band of each youth's current snapshot (the one current_snapshot returns), as an expression to
    annotate a youth queryset with; None for a youth never assessed. One subquery, whatever the number of youth."""
    return Subquery(
        RiskSnapshot.objects.filter(youth=OuterRef("pk")).order_by(*CURRENT_SNAPSHOT_ORDER).values("band")[:1]
    )


def youth_observations(youth):
    """Every observation of the youth, newest first, retracted ones included (they stay visible)."""
    return list(
        youth.risk_observations.select_related("indicator", "recorded_by", "retracted_by", "screening", "episode")
        .order_by("-observed_at", "-id")
    )


def youth_decisions(youth):
    """The decision history, newest first, each with its law-enforcement report clock if any."""
    return list(
        youth.risk_decisions.select_related(
            "decided_by", "supersedes", "le_report__done_by", "review_item", "withdrawn_by"
        ).order_by("-decided_at", "-id")
    )


def open_review_item(youth, now=None):
    """The youth's open review item (or None), with whether it is overdue (`with_review_clock`)."""
    item = youth.risk_review_items.filter(status=ReviewStatus.OPEN).select_related("tripwire__indicator").first()
    return with_review_clock(item, now or timezone.now()) if item else None


def with_review_clock(item, now):
    """An open review item with `is_overdue` and `overdue_by` ('3 h') at `now`, as clock_state decides.
    An item is done when decided, and only open items are shown with their clock, so it is never done here."""
    overdue_by = clock_state.late_by(item.due_at, None, now)
    item.is_overdue = overdue_by is not None
    item.overdue_by = duration(overdue_by) if item.is_overdue else ""
    return item


def _open_review_items(user):
    return ReviewItem.objects.filter(status=ReviewStatus.OPEN, youth__in=access.youth_reviewable_by(user)).order_by(
        "urgency_rank", "due_at", "raised_at", "id"
    )


def review_queue(user):
    """Open review items of the youth this user may decide about, most urgent and oldest first."""
    return (
        _open_review_items(user)
        .select_related("youth__team", "snapshot", "tripwire__indicator")
        .prefetch_related(Prefetch("youth__assigned_caseworkers"))
        .order_by("urgency_rank", "due_at", "raised_at", "id")
    )


# --- The youth's risk pages (risk/views/youth.py) -------------------------------------------------------------
# Plain words for what a stored snapshot says; the page shows them, it never decides anything itself.

SNAPSHOTS_PER_PAGE = 20

FLAG_WORDS = {
    "TRIPWIRE": "Identification workflow open: a tripwire was recorded",
    "SR_NOW": "Same-day supervisor review",
    "SR": "Supervisor review",
    "CYBERTIP": "Consider a CyberTipline report",
    "PLACEMENT_FIT_REVIEW": "Placement fit review",
    "MANAGER_ESCALATION": "Escalate to a manager: a missing episode was not reported to NCMEC by its due time",
    "PROLONGED": "A missing episode lasted more than 20 days",
}

# Rule hits that add no indicator, only a flag or a band step (docs/risk-catalogue.md#history-rules).
RULE_WORDS = {
    "R4": "A missing episode lasted more than 20 days",
    "R9": "Missing episodes are coming closer together",
    "R10": "A missing episode began within 72 hours of a placement change",
    "R11": "Found at the same address, or with the same person, more than once",
    "R12": "A missing-episode pattern and another sign within 30 days of each other",
    "R13": "A missing episode was not reported to NCMEC by its due time",
}


@dataclass(frozen=True)
class ReasonRow:
    """One reason of an assessment, in the words the page shows."""

    code: str
    label: str
    rule: str
    weight: str
    evidence: str
    at: datetime.datetime | None
    counted: bool
    status: str
    points: str
    how: str


def recordable_indicators():
    """The indicators people record: active, and not worked out from the episode history (C4.9 is recorded)."""
    return list(Indicator.objects.filter(active=True, derived=False).order_by("sort_order", "code"))


def get_observation_for_edit_or_404(user, observation_id):
    return access.get_in_scope_or_404(
        Observation.objects.filter(youth__in=access.youth_editable_by(user)).select_related(
            "youth", "indicator", "recorded_by"
        ),
        observation_id,
    )


def screening_episode_or_404(user, youth, episode_id):
    """The youth's missing episode a screening follows (`?episode=`), or None when none is named."""
    if episode_id in (None, ""):
        return None
    try:
        episode_id = int(episode_id)
    except (TypeError, ValueError):
        raise Http404("No such episode.") from None
    episode = episode_selectors.get_episode_or_404(user, episode_id, for_edit=True)
    if episode.youth_id != youth.pk:
        raise Http404("No such episode.")
    return episode


NOT_COUNTED_WORDS = {
    "repeat": "Not counted: the same indicator already counts from another record",
    "capped": "Not counted: the category's cap was reached",
    "future": "Not counted: dated after this assessment",
    "aged": "Not counted: too old (kept for the record)",
}


def _reason_status(reason, counted_points, points):
    if reason.get("counted", True):
        if reason.get("weight") is None:
            return "In effect (no points)"
        if counted_points < points:
            return f"Partly counted: {counted_points} of {points} points (the category's cap)"
        return "Counted"
    return NOT_COUNTED_WORDS.get(reason.get("not_counted", ""), "Not counted")


def _plain(note):
    for code, words in FLAG_WORDS.items():
        note = note.replace(f"flag {code}", words.lower())
    return note


def reason_rows(snapshot, observations_by_id, labels):
    """The snapshot's reasons as ReasonRows: counted first, then the ones that did not count."""
    rows = []
    for reason in snapshot.reasons if snapshot else ():
        code = reason.get("indicator") or ""
        rule = reason.get("rule") or ""
        weight = reason.get("weight")
        points = Decimal(str(reason.get("points", 0)))
        counted_points = Decimal(str(reason.get("counted_points", 0)))
        if reason.get("kind") == "observation":
            observation = observations_by_id.get(reason.get("source_id"))
            evidence = observation.get_evidence_display() if observation else ""
        else:
            evidence = "From the missing-episode history"
        at = reason.get("at")
        rows.append(
            ReasonRow(
                code=code,
                label=labels.get(code, "") if code else RULE_WORDS.get(rule, rule),
                rule=rule,
                weight=("Tripwire" if code else "No points") if weight is None else str(weight),
                evidence=evidence,
                at=datetime.datetime.fromisoformat(at) if at else None,
                counted=bool(reason.get("counted", True)),
                status=_reason_status(reason, counted_points, points),
                points=str(counted_points.quantize(Decimal("0.1"))),
                how=_plain(reason.get("note", "")),
            )
        )
    return rows


def snapshot_flag_words(snapshot):
    if snapshot is None:
        return []
    return [FLAG_WORDS.get(flag, flag) for flag in sorted(snapshot.flags, key=lambda f: list(FLAG_WORDS).index(f)
                                                          if f in FLAG_WORDS else len(FLAG_WORDS))]


def capped_words(snapshot):
    if snapshot is None:
        return []
    return [
        f"{Category(category).label}: {points} points over the cap not counted"
        for category, points in sorted(snapshot.capped.items())
    ]


# The state the page gives a report clock closed because its identification was withdrawn, never done.
WITHDRAWN_REPORT = "withdrawn"


def decision_facts(decision):
    """What risk/afcars.py reads of a decision (with its report clock, as youth_decisions() loads it)."""
    try:
        report = decision.le_report
    except ObjectDoesNotExist:
        report = None
    return afcars.DecisionFacts(
        id=decision.pk,
        outcome=decision.outcome,
        decided_at=decision.decided_at,
        timing=decision.timing,
        trafficking_type=decision.trafficking_type,
        information_received_at=decision.information_received_at,
        has_report=report is not None,
        report_done_at=report.done_at if report else None,
        withdrawn=decision.withdrawn_at is not None,
    )


def standing_identifications(decisions):
    """{decision id: Identification} of the identifications that count (risk/afcars.py: ever made, not
    withdrawn), keyed by the decision whose facts count (its latest correction)."""
    return {i.decision_id: i for i in afcars.counting_identifications([decision_facts(d) for d in decisions])}


def decision_history(youth, now):
    """youth_decisions() with what the page shows: superseded or not, whether an identification still
    counts (it does after a later decision, until withdrawn as recorded in error), referral words, the LE
    clock's state."""
    decisions = youth_decisions(youth)
    superseded = {d.supersedes_id for d in decisions if d.supersedes_id}
    standing = standing_identifications(decisions)
    counted = {pk for identification in standing.values() for pk in identification.decision_ids}
    referral_words = dict(Referral.choices)
    for decision in decisions:
        decision.is_superseded = decision.pk in superseded
        decision.identification_counts = decision.pk in counted
        # The button "Recorded in error" sits on the decision whose facts count (one per identification).
        decision.withdrawable = decision.pk in standing
        decision.referral_words = [referral_words.get(r, r) for r in decision.referrals]
        try:
            decision.report = decision.le_report
        except ObjectDoesNotExist:
            decision.report = None
        decision.report_state = decision.report.state(now) if decision.report else ""
        if decision.report and not decision.report.is_done and decision.withdrawn_at:
            decision.report_state = WITHDRAWN_REPORT  # closed with its identification: not overdue
    return decisions


def youth_risk_context(youth, page_number=None, now=None):
    """Everything the youth's risk page shows, in a fixed number of queries."""
    now = now or timezone.now()
    snapshot = current_snapshot(youth)
    observations = youth_observations(youth)
    labels = dict(Indicator.objects.values_list("code", "label"))
    snapshots = Paginator(
        youth.risk_snapshots.select_related("scoring_version").order_by("-computed_at", "-id"), SNAPSHOTS_PER_PAGE
    ).get_page(page_number)
    return {
        "snapshot": snapshot,
        "reasons": reason_rows(snapshot, {o.pk: o for o in observations}, labels),
        "flag_words": snapshot_flag_words(snapshot),
        "capped_words": capped_words(snapshot),
        "band_raised_words": RULE_WORDS.get(snapshot.band_raised_by, "") if snapshot else "",
        "review_item": open_review_item(youth, now),
        "decisions": decision_history(youth, now),
        "observations": observations,
        "screenings": list(
            youth.risk_screenings.select_related("conducted_by", "episode")
            .annotate(finding_count=Count("observations"))
            .order_by("-conducted_at", "-id")
        ),
        "external_screens": list(youth.external_screens.select_related("recorded_by").order_by("-screened_on", "-id")),
        "snapshots": snapshots,
        "episode_counts": episode_selectors.episode_counts(youth, now=now),
        "alert_trail": risk_alert_trail(youth),
        "referrals": youth_referrals(youth, now),
    }


def risk_alert_trail(youth):
    """The reminder and overdue alerts of the youth's review items and identified-victim reports (keys
    "review:..." and "idreport:...", risk.escalation): who was told, when, who acknowledged. A fixed number of
    queries (caseapp.selectors.alert_trail)."""
    return alert_trail(
        Alert.objects.filter(Q(key__startswith="review:") | Q(key__startswith="idreport:"), youth_id=youth.pk)
    )


# --- Review pages (risk/views/review.py): the queue, the decision form, the identified-victim report clock ------

REVIEW_QUEUE_PER_PAGE = 25


def review_queue_page(user, page_number=None, now=None):
    """One page of review_queue(user); each item carries its times in its agency's zone and whether it is
    overdue. Fixed query count: the count, the page's ids, their rows (with youth, agency, team, snapshot,
    tripwire), the prefetch. The ids come first from the items alone: joined to the youth, the agency's open items
    were joined to every youth of the agency before the scope cut them (263 ms at 100,000 youth; 8 ms so)."""
    now = now or timezone.now()
    page = Paginator(_open_review_items(user).values_list("pk", flat=True), REVIEW_QUEUE_PER_PAGE).get_page(
        page_number
    )
    rows = {item.pk: item for item in review_queue(user).select_related("youth__agency").filter(pk__in=list(page))}
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]  # one decided since: left out
    for item in page.object_list:
        item.raised_local = short_time(item.raised_at, agency_zone(item.youth.agency))
        item.due_local = short_time(item.due_at, agency_zone(item.youth.agency))
        with_review_clock(item, now)
    return page


def identification_clock_preview(youth, received_at):
    """The law-enforcement report clock an identification would start, if the information was received at
    `received_at`: the same pure function and rules table the decision service uses. None without a time."""
    if received_at is None:
        return None
    clocks = deadlines_for(youth.agency, deadlines.IDENTIFIED, received_at)
    return next(c for c in clocks if c.party == deadlines.LAW_ENFORCEMENT)


def get_identification_report_or_404(user, report_id):
    """A report clock of a youth the user sees (with its decision, youth, agency and who recorded it), or 404."""
    return access.get_in_scope_or_404(
        reports_visible_to(user).select_related("youth__agency", "decision__decided_by", "done_by"), report_id
    )


def report_of_decision(decision):
    """The report clock an identification runs under: its own, or (a correction) the one of the identification
    it corrects, found through `supersedes` while the information-received time stays the same."""
    current = decision
    while current is not None:
        report = IdentificationReport.objects.filter(decision=current).first()
        if report is not None:
            return report
        previous = current.supersedes
        if previous is None or previous.information_received_at != current.information_received_at:
            return None
        current = previous
    return None


@dataclass(frozen=True)
class ReportClock:
    """What the report clock page says about its state, e.g. 'Open: due in 3 h', 'Overdue by 6 h: not reported
    yet', 'Done, on time', 'Done, late by 5 h'; `late_by` is '' when it is not late."""

    state: clock_state.ClockState
    label: str
    late_by: str


def report_clock_state(report, now=None):
    now = now or timezone.now()
    state = report.state(now)
    late = clock_state.late_by(report.due_at, report.done_at, now)
    timing = report.timing(now)
    if state.is_done:
        label = f"Done, {timing}"
    elif state is clock_state.OVERDUE:
        label = f"{capfirst(timing)}: not reported yet"
    else:
        label = f"Open: {timing}"
    return ReportClock(state, label, duration(late) if late else "")


def youth_afcars(youth, decisions, today=None):
    """AFCARS E106-E111 (risk.afcars) from the youth's decisions as youth_decisions() returns them."""
    zone = agency_zone(youth.agency)
    today = today or timezone.localtime(timezone.now(), zone).date()
    return afcars.afcars_elements(
        [decision_facts(d) for d in decisions], removal_date=youth.entered_care_on, today=today, zone=zone
    )


def open_identification_reports(user, now=None, limit=50):
    """Identified-victim reports to law enforcement not yet made, for the youth this user sees: the
    soonest due first, each with its due time in the agency's zone and its state. Two queries."""
    now = now or timezone.now()
    reports = list(
        reports_visible_to(user)
        .filter(IdentificationReport.OPEN)
        .select_related("youth__agency", "youth__team")
        .order_by("due_at", "id")[:limit]
    )
    for report in reports:
        report.due_local = short_time(report.due_at, agency_zone(report.youth.agency))
        report.state = report_clock_state(report, now)
    return reports


# --- Service referrals (docs/risk-catalogue.md#referrals) ----------------------------------------------------


def with_referral_due(referral, zone, now):
    """The referral, carrying what a page and a work item show of its next step: `due_at` (the end of the
    due day in the agency's zone, referral_steps.due_at), `due_text` ("end of Dec 13, 2026 (America/Chicago)"),
    `due_words` ("overdue by 2 days") and `is_overdue`, by the work list's overdue rule."""
    referral.due_at = referral_steps.due_at(referral.next_step_due, zone)
    referral.due_text = (
        f"end of {display_date(referral.next_step_due)} ({zone_name(zone)})" if referral.next_step_due else ""
    )
    referral.due_words = work.due_words(referral.due_at, now)
    referral.is_overdue = work.is_overdue(referral.due_at, now)
    return referral


def youth_referrals(youth, now=None):
    """The youth's service referrals, oldest first, each with its next step's due (one query)."""
    now = now or timezone.now()
    zone = agency_zone(youth.agency)
    referrals = youth.service_referrals.select_related("decision").order_by("sent_on", "id")
    return [with_referral_due(r, zone, now) for r in referrals]


def get_referral_or_404(user, referral_id, now=None):
    """A referral of a youth this user sees (404 otherwise), with its due (referral pages)."""
    referral = access.get_in_scope_or_404(
        ServiceReferral.objects.select_related("youth__agency", "youth__team", "decision__decided_by", "created_by")
        .filter(youth__in=access.youth_visible_to(user)),
        referral_id,
    )
    return with_referral_due(referral, agency_zone(referral.youth.agency), now or timezone.now())


def band_changes(youth, until):
    """[(computed_at, band)] of the youth's snapshots up to `until`, oldest first, keeping only those whose band
    differs from the one before: the risk bands on the youth's pattern timeline (exports/pattern/). A snapshot
    is the assessment from its time until the next one. One query."""
    changes = []
    rows = youth.risk_snapshots.filter(computed_at__lte=until).order_by("computed_at", "id")
    for computed_at, band in rows.values_list("computed_at", "band"):
        if not changes or changes[-1][1] != band:
            changes.append((computed_at, band))
    return changes
