"""Reads of missing episodes, always through caseapp.access, with fixed query counts."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from caseapp import access
from caseapp.models import Alert
from caseapp.selectors import alert_trail

from . import clock_state, deadlines
from .models import (
    Debrief,
    Disclosure,
    DisclosureReport,
    EpisodeStatus,
    LawEnforcementRefusal,
    MissingEpisode,
    Notification,
    PrimaryFactor,
    ResponseAction,
    ReturnResponse,
    WhatHelpsMe,
)


def episodes_visible_to(user):
    return MissingEpisode.objects.filter(youth__in=access.youth_visible_to(user))


def get_episode_or_404(user, episode_id, *, for_edit=False):
    return access.get_record_or_404(
        user,
        MissingEpisode.objects.select_related(
            "youth__team", "youth__agency", "placement", "living_arrangement", "created_by"
        ),
        episode_id,
        youth_path="youth",
        for_edit=for_edit,
        what="episode",
    )


def get_notification_or_404(user, notification_id, *, for_edit=False):
    return access.get_record_or_404(
        user,
        Notification.objects.select_related("episode__youth", "done_by"),
        notification_id,
        youth_path="episode__youth",
        for_edit=for_edit,
        what="notification",
    )


def get_disclosure_or_404(user, disclosure_id, *, for_edit=False):
    return access.get_record_or_404(
        user,
        Disclosure.objects.select_related("youth__agency", "youth__team", "episode", "recorded_by", "withdrawn_by"),
        disclosure_id,
        youth_path="youth",
        for_edit=for_edit,
        what="disclosure",
    )


def get_disclosure_report_or_404(user, report_id, *, for_edit=False):
    return access.get_record_or_404(
        user,
        DisclosureReport.objects.select_related("youth", "disclosure", "done_by"),
        report_id,
        youth_path="youth",
        for_edit=for_edit,
        what="report",
    )


def youth_disclosures(user, youth, now=None):
    """The youth page's disclosures, newest first, each with its reports' clocks as rows (the episode's notices
    for a disclosure of an episode, the youth's reports for one without), in three queries. Scoped: the youth has
    passed the gate; the rows are read through it again."""
    now = now or timezone.now()
    disclosures = list(
        Disclosure.objects.filter(youth__in=access.youth_visible_to(user), youth=youth)
        .select_related("episode", "recorded_by", "withdrawn_by")
        .prefetch_related(
            Prefetch("notifications", queryset=Notification.objects.select_related("done_by").order_by("due_at", "id")),
            Prefetch("reports", queryset=DisclosureReport.objects.select_related("done_by").order_by("due_at", "id")),
        )
        .order_by("-disclosed_at", "-id")
    )
    rows = []
    for disclosure in disclosures:
        clocks = list(disclosure.notifications.all()) if disclosure.episode_id else list(disclosure.reports.all())
        for clock in clocks:
            clock.disclosure = disclosure  # no query for is_closed
        rows.append((disclosure, [DisclosureClockRow.of(clock, now) for clock in clocks]))
    return rows


@dataclass
class DisclosureClockRow:
    """One report of a disclosure as the youth page lists it."""

    clock: object  # a Notification (of the episode) or a DisclosureReport
    state: clock_state.ClockState
    timing: str  # "due in 3 h", "overdue by 2 h", "on time", "not required"
    closed: bool
    record_url: str | None

    @classmethod
    def of(cls, clock, now):
        closed = clock.is_closed
        if closed:
            url = None
        elif isinstance(clock, DisclosureReport):
            url = reverse("disclosure_report_record", args=[clock.pk])
        else:
            url = reverse("notification_record", args=[clock.pk])
        return cls(clock, clock.state(now), "not required" if closed else clock.timing(now), closed, url)


def get_refusal_or_404(user, refusal_id, *, for_edit=False):
    return access.get_record_or_404(
        user,
        LawEnforcementRefusal.objects.select_related("notification__episode__youth", "recorded_by"),
        refusal_id,
        youth_path="notification__episode__youth",
        for_edit=for_edit,
        what="refusal",
    )


def urgency_key(episode, now):
    """Sort key: the episode whose next open clock is due first; overdue ones lead."""
    pending = [n.due_at for n in episode.notifications.all() if not n.is_done]
    return (min(pending) if pending else datetime.datetime.max.replace(tzinfo=datetime.UTC), episode.pk)


def open_episodes(user):
    """The episodes of the user's scope whose youth is missing from care now: the Missing now board's rows."""
    return episodes_visible_to(user).filter(status=EpisodeStatus.OPEN)


def missing_now(user, now=None):
    """Every open episode in the user's scope, most urgent first, with clocks prefetched."""
    now = now or timezone.now()
    episodes = list(
        open_episodes(user)
        .select_related("youth__team", "placement")
        .prefetch_related(Prefetch("notifications", queryset=Notification.objects.order_by("due_at", "id")))
    )
    episodes.sort(key=lambda e: urgency_key(e, now))
    return episodes


def missing_now_per_team(user, *, agency_id, team_ids=()) -> list[tuple[str, int]]:
    """How many of the Missing now board's episodes each team has, as (team name, count), most first: one
    query however many youth are missing (the reports dashboard draws the counts, not the rows)."""
    episodes = open_episodes(user).filter(youth__agency_id=agency_id)
    if team_ids:
        episodes = episodes.filter(youth__team_id__in=team_ids)
    rows = episodes.order_by().values_list("youth__team__name").annotate(n=Count("pk"))
    return sorted(rows, key=lambda item: (-item[1], item[0]))


def episode_counts(youth, now=None):
    """Episodes that started in the last 30, 90 and 365 days (behavioural wording on the page), and in all."""
    now = now or timezone.now()
    starts = list(youth.missing_episodes.values_list("last_seen_at", flat=True))
    counts = {days: sum(1 for s in starts if s >= now - datetime.timedelta(days=days)) for days in (30, 90, 365)}
    return {**counts, "all": len(starts)}


def with_clock_summaries(episodes, now):
    """Each of `episodes` (with their notifications prefetched and `has_interview` annotated) with its
    `clock_summary` and `has_debrief`, for the timelines of the youth page and the youth's episode list."""
    for episode in episodes:
        # A withdrawn disclosure's clock not done is closed as not required: neither done nor overdue.
        states = [n.state(now) for n in episode.notifications.all() if not n.is_closed]
        episode.clock_summary = {
            "total": len(states),
            "done": sum(1 for state in states if state.is_done),
            "late": states.count(clock_state.DONE_LATE),
            "overdue": states.count(clock_state.OVERDUE),
        }
        episode.has_debrief = episode.has_interview
    return episodes


def youth_episodes(user, youth):
    """The youth's episodes as the timelines list them: the open one first, then newest first, each with whether
    it has a return interview and its clocks (one query for the rows and one for the clocks, however sliced)."""
    return (
        episodes_visible_to(user)
        .filter(youth=youth)
        .annotate(
            has_interview=Exists(Debrief.objects.filter(episode_id=OuterRef("pk"))),
            open_first=Case(When(status=EpisodeStatus.OPEN, then=Value(0)), default=Value(1)),
        )
        .prefetch_related(
            Prefetch(
                "notifications", queryset=Notification.objects.select_related("disclosure").order_by("due_at", "id")
            )
        )
        .order_by("open_first", "-last_seen_at", "-id")
    )


def youth_episode_context(user, youth, now=None):
    """The youth page's timeline of missing episodes: the open one and the newest, at most
    YOUTH_EPISODES_SHOWN (a youth with many episodes gets a link to all of them,
    missing_reports/views/runs.py youth_episodes), each with its clock summary.

    Fixed queries: the episodes shown (with whether they have a return interview), their notifications, and the
    30/90/365-day and total counts.
    """
    now = now or timezone.now()
    episodes = with_clock_summaries(list(youth_episodes(user, youth)[: settings.YOUTH_EPISODES_SHOWN]), now)
    return {
        "episodes": episodes,
        "episode_counts": episode_counts(youth, now=now),
        "open_episode": next((e for e in episodes if e.is_open), None),
    }


def episode_history_for_rules(youth_id):
    """A youth's whole episode history as plain rows, oldest first: what the risk module's history
    rules read (docs/design.md#dependencies: risk reads missing_reports through its selectors). A system read, with
    no user scope: the caller has already passed the access gate or is a system task.

    One query for the episodes and one for their NCMEC clocks (the first notice of the run).
    """
    episodes = list(
        MissingEpisode.objects.filter(youth_id=youth_id)
        .order_by("last_seen_at", "id")
        .values(
            "id", "last_seen_at", "agency_learned_at", "returned_at", "found_location_type",
            "found_out_of_county", "found_out_of_state", "found_address", "returned_with",
        )
    )
    ncmec = {
        row["episode_id"]: row
        for row in Notification.objects.filter(
            episode_id__in=[e["id"] for e in episodes], event=deadlines.MISSING, party=deadlines.NCMEC
        ).values("episode_id", "due_at", "done_at")
    }
    for episode in episodes:
        clock = ncmec.get(episode["id"], {})
        episode["ncmec_due_at"] = clock.get("due_at")
        episode["ncmec_done_at"] = clock.get("done_at")
        episode["returned_with"] = list(episode["returned_with"] or [])
    return episodes


def episode_alert_trail(episode):
    """The episode page's "Alerts sent": the run's alert, its clocks' reminder and overdue alerts and the
    alerts of a refusal by law enforcement (keys "run:<episode id>", "notice:<notification id>:<stage>" and
    "le-refused:<refusal id>", and "disclosure:<disclosure id>", docs/alerts.md), who was told, when, and
    who acknowledged. Reads the episode's notifications (prefetched by the page) and then
    caseapp.selectors.alert_trail's fixed number of queries, whatever the number of alerts."""
    keys = Q(key=f"run:{episode.pk}")
    for notification in episode.notifications.all():
        keys |= Q(key__startswith=f"notice:{notification.pk}:")
        for refusal in notification.refusals.all():  # prefetched by the page too
            keys |= Q(key=f"le-refused:{refusal.pk}")
    for disclosure in episode.disclosures.all():  # prefetched by the page too
        keys |= Q(key=f"disclosure:{disclosure.pk}")
    return alert_trail(Alert.objects.filter(keys, youth_id=episode.youth_id))


def endangerment_facts(youth, learned_at):
    """The inputs of missing_reports.endangerment.reasons_from_record for `youth` on a run the agency
    learned of at `learned_at`: the day is the agency's own (its time zone), the contributors are the
    registered ones (missing_reports/endangerment_sources.py)."""
    from caseapp.local_time import agency_zone

    from . import endangerment, endangerment_sources

    return endangerment.RecordFacts(
        date_of_birth=youth.date_of_birth,
        learned_on=timezone.localtime(learned_at, agency_zone(youth.agency)).date(),
        medications=youth.medications or "",
        contributed=endangerment_sources.contributions(youth),
    )


def record_endangerment(youth, learned_at) -> dict[str, str]:
    """{code: reason} of the endangerment items the record supports for a run learned of at `learned_at`."""
    from . import endangerment

    return endangerment.reasons_from_record(endangerment_facts(youth, learned_at))


def youth_pattern_episodes(user, youth):
    """Every episode of the youth in the user's scope, oldest first, with the placement it began in and the primary
    factors of its return interviews (`debriefs`, oldest first): what the youth's pattern timeline draws
    (exports/pattern/). Two queries, whatever the number of episodes."""
    return list(
        episodes_visible_to(user)
        .filter(youth=youth)
        .select_related("placement")
        .prefetch_related(
            Prefetch(
                "debriefs",
                queryset=Debrief.objects.only("id", "episode_id", "interview_at", "primary_factors").order_by(
                    "interview_at", "id"
                ),
            )
        )
        .order_by("last_seen_at", "id")
    )


def youth_leaving_times(user, youth):
    """(last_seen_at, returned_at, found_location_type, found_address) of every episode of the youth in the user's
    scope, oldest first: what the youth page's pattern summary reads (one query)."""
    return list(
        episodes_visible_to(user)
        .filter(youth=youth)
        .order_by("last_seen_at", "id")
        .values_list("last_seen_at", "returned_at", "found_location_type", "found_address")
    )


# --- Response plans and "What helps me" (docs/duties.md#response-plan, #what-helps-me) -----------------------


def get_debrief_or_404(user, debrief_id, *, for_edit=False):
    return access.get_record_or_404(
        user,
        Debrief.objects.select_related("episode__youth"),
        debrief_id,
        youth_path="episode__youth",
        for_edit=for_edit,
        what="return interview",
    )


def get_response_action_or_404(user, action_id, *, for_edit=False):
    return access.get_record_or_404(
        user,
        ResponseAction.objects.select_related("debrief__episode__youth", "owner", "done_by"),
        action_id,
        youth_path="youth",
        for_edit=for_edit,
        what="action",
    )


def open_response_actions(youth):
    """The youth's actions not yet done, soonest due first, with their owners and interviews (one query)."""
    return list(
        ResponseAction.objects.filter(youth=youth, done_at__isnull=True)
        .select_related("owner", "debrief")
        .order_by("due_at", "id")
    )


def what_helps_me(youth):
    """The youth's current "What helps me", or None (one query)."""
    return WhatHelpsMe.objects.filter(youth=youth).select_related("updated_by").first()


def interviews_in_their_words(youth, limit=5):
    """(interview time, the youth's own words) of their latest return interviews that recorded any: what a
    "What helps me" is built from (one query)."""
    rows = (
        Debrief.objects.filter(episode__youth=youth)
        .exclude(youth_own_words="")
        .order_by("-interview_at", "-id")
        .values_list("interview_at", "youth_own_words")[:limit]
    )
    return list(rows)


def earlier_factors(youth, limit=10):
    """The primary factors each of the youth's latest return interviews named, with its placement response,
    newest first: [(debrief, [factor labels])] (one query)."""
    debriefs = Debrief.objects.filter(episode__youth=youth).order_by("-interview_at", "-id")[:limit]
    return [
        (debrief, [PrimaryFactor(v).label for v in debrief.primary_factors if v in PrimaryFactor.values])
        for debrief in debriefs
    ]


def get_return_response_or_404(user, response_id, *, for_edit=False):
    """One response to a return (docs/duties.md#return-responses), in the user's scope, or 404."""
    return access.get_record_or_404(
        user,
        ReturnResponse.objects.select_related("episode__youth__agency", "decided_by", "recorded_by"),
        response_id,
        youth_path="episode__youth",
        for_edit=for_edit,
        what="response",
    )
