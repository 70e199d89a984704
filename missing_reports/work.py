"""This app's work items for "My work" and the team view (caseapp/work.py; registered in apps.py).

Six sources, each given the youth of a scope the access gate already cut, each one query (the rows, with the
youth and what the due time needs joined). Each item names whose list it is on by rule (caseapp.work.CASEWORKERS
or SUPERVISORS); caseapp.work resolves the owners of every source's items at once. The clocks and the disclosure
reports are row sources (caseapp.work.register_row_source: My work reads a page of them, ordered and counted in
SQL); the search effort and the review, whose due times the cadence computes in Python, one an open episode,
give whole lists.

- "notice": every required notice not yet recorded (law enforcement, NCMEC, the recovery notices, a
  state's extra parties); the return interview is its own kind. Overdue is the clock's own rule
  (caseapp.work.is_overdue, the boundary of clock_state).
  The follow-up trafficking screening (deadlines.SCREENING_FOLLOW_UP) is a notice too; its link is the
  structured screening form, which completes it.
- "disclosure_report": the reports of a disclosure without an episode (DisclosureReport,
  docs/duties.md#disclosure-clocks) not yet made: notices like the episode's, of the youth.
- "return_interview": the return-interview clocks not done; done by recording the debrief.
- "search_effort": for each open episode, the next search effort the agency's cadence asks for
  (work_due.next_search_due; docs/duties.md#missing-protocols).
- "supervisory_review": for each open episode, the supervisor's next review of the absence
  (work_due.review_due), on the supervisors' lists.
- "response_action": each action of a response plan not yet done (docs/duties.md#response-plan), on the list of
  the one person it names (caseapp.work.ASSIGNEE); if that account is no longer active, on the youth's
  caseworkers' (CASEWORKERS), so it falls between no chairs.
"""

import dataclasses

from django.db.models import F, Max, OuterRef, Subquery

from caseapp import work
from caseapp.local_time import agency_zone, duration, short_time

from . import clock_state, deadlines, work_due
from .models import (
    DisclosureReport,
    EpisodeStatus,
    MissingEpisode,
    Notification,
    PrimaryFactor,
    ResponseAction,
    SupervisoryReview,
)

# What to do, in a caseworker's words, for the common parties; other parties get "Notify: <party>".
NOTICE_WHAT = {
    (deadlines.MISSING, deadlines.LAW_ENFORCEMENT): "Report to law enforcement (NCIC entry)",
    (deadlines.MISSING, deadlines.NCMEC): "Report to NCMEC",
    (deadlines.RETURNED, deadlines.LAW_ENFORCEMENT): "Tell law enforcement of the return (clear NCIC entry)",
    (deadlines.RETURNED, deadlines.NCMEC): "Tell NCMEC of the return",
    (deadlines.NCIC_CONFIRMATION, deadlines.LAW_ENFORCEMENT): "Confirm the NCIC entry with law enforcement",
    (deadlines.LE_REFUSED, deadlines.SUPERVISOR): "Tell the supervisor law enforcement said no",
    (deadlines.LE_REFUSED, deadlines.SI_DIRECTOR): "Tell the SI program director law enforcement said no",
    (deadlines.LE_REFUSED, deadlines.STATE_CLEARINGHOUSE): "Tell the state clearinghouse law enforcement said no",
    (deadlines.LE_REFUSED, deadlines.AFFIDAVIT): "Sign the affidavit: youth not entered in NCIC",
    (deadlines.LE_REFUSED, deadlines.NCMEC): "Follow up with NCMEC after law enforcement said no",
    (deadlines.MISSING, deadlines.LAW_ENFORCEMENT_WRITTEN): "Send law enforcement the written notice",
    (deadlines.RETURNED, deadlines.SCREENING_FOLLOW_UP): "Try the trafficking screening again",
    (deadlines.DISCLOSED, deadlines.ABUSE_HOTLINE): "Report the disclosure to the child abuse hotline",
    (deadlines.DISCLOSED, deadlines.LAW_ENFORCEMENT): "Report the disclosure to law enforcement",
    (deadlines.DISCLOSED, deadlines.CYBERTIPLINE): "Report the disclosure to NCMEC's CyberTipline",
}


def screening_url(episode) -> str:
    """The structured screening form for this return (the risk app's page, named by its URL only: missing_reports
    does not import risk). Recording it there completes the follow-up screening clock."""
    return f"{work.item_url('risk_screening', episode.youth_id)}?episode={episode.pk}"


def notice_url(clock) -> str:
    if clock.party == deadlines.SCREENING_FOLLOW_UP:
        return screening_url(clock.episode)
    return work.item_url("notification_record", clock.pk)


def notice_what(notification) -> str:
    known = NOTICE_WHAT.get((notification.event, notification.party))
    if known:
        return known
    if notification.event == deadlines.RETURNED:
        return f"Tell of the return: {notification.label}"
    return f"Notify: {notification.label}"


def _open_clocks(youth, *, interviews: bool):
    """The open clocks of the youth, each with its due time as the registry's `work_due_at` (a row source)."""
    # The clocks of the youth's episodes, by the episodes' ids (a semi-join): PostgreSQL then reads the ids from an
    # index and the episode rows only of the few clocks still open, not every episode of the youth.
    episodes = MissingEpisode.objects.filter(youth__in=youth).values("pk")
    clocks = Notification.objects.filter(Notification.OPEN, episode__in=episodes)
    if interviews:
        clocks = clocks.filter(party=deadlines.RETURN_INTERVIEW)
    else:
        clocks = clocks.exclude(party=deadlines.RETURN_INTERVIEW)
    return clocks.select_related("episode__youth", "disclosure").annotate(**{work.DUE: F("due_at")})


def _item(kind, youth, **fields):
    return work.WorkItem.about(youth, kind=kind, **fields)


def notice_rows(youth, now):
    return _open_clocks(youth, interviews=False)


def notice_item(clock, now):
    person = clock.episode.youth
    detail = f"With {clock.contact_name}" if clock.contact_name else ""
    if clock.disclosure is not None:
        # Two disclosures of one episode each have a hotline report: say which one this is.
        detail = f"The disclosure of {short_time(clock.disclosure.disclosed_at)}"
    return _item(
        "notice",
        person,
        what=notice_what(clock),
        url=notice_url(clock),
        detail=detail,
        owners=work.CASEWORKERS,
        due_at=clock.due_at,
        sort_key=(clock.pk,),
    )


def disclosure_report_rows(youth, now):
    """The reports of disclosures without an episode (made with a risk observation, or of a youth never missing):
    notices like the episode's, on the caseworkers' lists (docs/duties.md#disclosure-clocks)."""
    return (
        DisclosureReport.objects.filter(DisclosureReport.OPEN, youth__in=youth)
        .select_related("youth", "disclosure")
        .annotate(**{work.DUE: F("due_at")})
    )


def disclosure_report_item(report, now):
    return _item(
        "disclosure_report",
        report.youth,
        what=notice_what(report),
        url=work.item_url("disclosure_report_record", report.pk),
        detail=f"The disclosure of {short_time(report.disclosure.disclosed_at)}",
        owners=work.CASEWORKERS,
        due_at=report.due_at,
        sort_key=(report.pk,),
    )


def return_interview_rows(youth, now):
    return _open_clocks(youth, interviews=True)


def return_interview_item(clock, now):
    return _item(
        "return_interview",
        clock.episode.youth,
        what="Return interview (debrief)",
        url=work.item_url("debrief_create", clock.episode_id),
        owners=work.CASEWORKERS,
        due_at=clock.due_at,
        sort_key=(clock.pk,),
    )


notice_items = work.items_of_rows(notice_rows, notice_item)
disclosure_report_items = work.items_of_rows(disclosure_report_rows, disclosure_report_item)
return_interview_items = work.items_of_rows(return_interview_rows, return_interview_item)


def _open_episodes(youth):
    return (
        MissingEpisode.objects.filter(status=EpisodeStatus.OPEN, youth__in=youth)
        .select_related("youth__agency")
        .only(
            "id", "youth", "last_seen_at", "agency_learned_at", *work.item_youth_fields("youth__"),
            "youth__agency__search_daily_days", "youth__agency__search_interval_days",
            "youth__agency__search_until_days", "youth__agency__long_absence_review_days",
        )
        .order_by("pk")
    )


def _missing_for(episode, now) -> str:
    return f"Missing for {duration(now - episode.last_seen_at)}"


def search_effort_items(youth, now):
    episodes = _open_episodes(youth).annotate(last_effort_at=Max("search_efforts__made_at"))
    for episode in episodes:
        agency = episode.youth.agency
        due_at = work_due.next_search_due(
            episode.agency_learned_at,
            episode.last_effort_at,
            daily_days=agency.search_daily_days,
            interval_days=agency.search_interval_days,
            until_days=agency.search_until_days,
        )
        if due_at is None:
            continue
        yield _item(
            "search_effort",
            episode.youth,
            what="Search effort",
            url=work.item_url("search_effort_create", episode.pk),
            owners=work.CASEWORKERS,
            due_at=due_at,
            detail=_missing_for(episode, now),
            sort_key=(episode.pk,),
        )


def supervisory_review_items(youth, now):
    latest = SupervisoryReview.objects.filter(episode=OuterRef("pk")).order_by("-reviewed_at", "-id")
    episodes = _open_episodes(youth).annotate(
        latest_review_at=Subquery(latest.values("reviewed_at")[:1]),
        latest_next_review_due=Subquery(latest.values("next_review_due")[:1]),
    )
    for episode in episodes:
        agency = episode.youth.agency
        due_at = work_due.review_due(
            episode.agency_learned_at,
            episode.latest_review_at,
            episode.latest_next_review_due,
            first_after_days=agency.long_absence_review_days,
            zone=agency_zone(agency),
        )
        yield _item(
            "supervisory_review",
            episode.youth,
            what="Supervisory review of the absence",
            url=work.item_url("review_create", episode.pk),
            owners=work.SUPERVISORS,
            due_at=due_at,
            detail=_missing_for(episode, now),
            sort_key=(episode.pk,),
        )


def _one_line(text, limit=80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def response_action_items(youth, now):
    actions = (
        ResponseAction.objects.filter(done_at__isnull=True, youth__in=youth)
        .select_related("youth__agency", "owner")
        .only(
            "id", "youth", "factor", "what", "due_at", "owner__is_active", *work.item_youth_fields("youth__"),
        )
        .order_by("due_at", "id")
    )
    for action in actions:
        item = _item(
            "response_action",
            action.youth,
            what=f"Response plan: {_one_line(action.what)}",
            url=work.item_url("response_action_done", action.pk),
            detail=f"For: {PrimaryFactor(action.factor).label}",
            owners=work.ASSIGNEE if action.owner.is_active else work.CASEWORKERS,
            due_at=action.due_at,
            sort_key=(action.pk,),
        )
        if action.owner.is_active:
            item = dataclasses.replace(item, owner_ids=(action.owner_id,))
        yield item


def response_actions_naming(user):
    """The ids of the youth with an open action this user owns (caseapp.work ASSIGNEE's `named_youth`; one query)."""
    return ResponseAction.objects.filter(owner_id=user.pk, done_at__isnull=True).values_list("youth_id", flat=True)


def register():
    # The overdue boundary of every work item is the clocks' own (clock_state.is_past_due).
    work.register_overdue_rule(clock_state.is_past_due, clock_state.past_due_filter)
    caseworkers, supervisors = [work.CASEWORKERS], [work.SUPERVISORS]  # the rules each source's items name
    # The clocks and reports are row sources: My work reads a page of them, ordered and counted in SQL.
    work.register_row_source("notice", "Notices", notice_rows, notice_item, owners=caseworkers)
    work.register_row_source(
        "disclosure_report", "Disclosure reports", disclosure_report_rows, disclosure_report_item, owners=caseworkers
    )
    work.register_row_source(
        "return_interview", "Return interviews", return_interview_rows, return_interview_item, owners=caseworkers
    )
    work.register_work_source("search_effort", "Search efforts", search_effort_items, owners=caseworkers)
    work.register_work_source("supervisory_review", "Supervisory reviews", supervisory_review_items, owners=supervisors)
    work.register_work_source(
        "response_action", "Response plan actions", response_action_items,
        owners=[work.ASSIGNEE, work.CASEWORKERS], named_youth=response_actions_naming,
    )
