"""Synthetic missing-episode history for the demo agency (seed_demo), so the missing-now board, the
episode pages, the report packets, the risk rules, the reports and the dashboard have something to
show. seed_demo calls `seed`, which apps.py registers (caseapp/registry.py; caseapp never imports
this app).

Everything goes through the services, as a caseworker's work would: the clocks, the AFCARS missing
spells, the packets and the audit trail are the real ones. Everything is made up (docs/design.md#rule-synthetic-data).
The history itself (who ran when, for how long, which notices were given) is the table of
missing_reports/demo_data.py; this module plays it through the services.
Idempotent: the same youth every run, and a youth who already has an episode gets none, so a second
run adds nothing.

The history has the things the reports look for: notices on time, late and never given; returns with
and without a return interview; an interview without a trafficking screening; and one youth missing
right now (learned of an hour before seeding).
"""

import datetime

from django.test.utils import override_settings
from django.utils import timezone

from caseapp.models import Youth, YouthStatus

from . import deadlines
from .demo_data import AGENCY_CODE, CASEWORKERS, HISTORY, RESPONSES
from .models import Debrief, MissingEpisode, ResponseAction, WhatHelpsMe
from .services import episodes as episode_services
from .services import response_plans, what_helps
from .services import responses as response_services

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def demo_youth(agency):
    """The same youth every run: the agency's first active youth by case number, after Jordan
    Testperson (kept for the browser tests) and the risk demo's youth."""
    return list(
        Youth.objects.filter(agency=agency, status=YouthStatus.ACTIVE)
        .exclude(case_number__endswith="-000001")
        .exclude(risk_observations__isnull=False)
        .select_related("team")
        .order_by("case_number")
        .distinct()[: len(HISTORY)]
    )


def _notify(actor, episode, party, hours, event=deadlines.MISSING, start=None):
    notification = episode.notifications.get(event=event, party=party)
    reference = {"law_enforcement": "ACSO-DEMO-", "ncmec": "NCMEC-DEMO-"}[party] + str(episode.pk)
    extra = {"le_agency": "Alder County Sheriff (synthetic)"} if party == deadlines.LAW_ENFORCEMENT else {}
    episode_services.record_notification(
        actor=actor, notification_id=notification.pk, expected_version=notification.version,
        done_at=(start or episode.agency_learned_at) + hours * HOUR, method="phone",
        contact_name="Duty officer (synthetic)", reference=reference, **extra,
    )


def _episode(actor, youth, now, plan):
    days_ago, away, le_hours, ncmec_hours, found, returned_with, factors, screened = plan
    learned = now - days_ago * DAY
    episode = episode_services.log_run(
        actor=actor, youth_id=youth.pk, last_seen_at=learned - HOUR, agency_learned_at=learned,
        last_seen_location="Near the bus station downtown (synthetic)", reported_by="Foster parent (synthetic)",
        circumstances="Did not come home after school. Synthetic demo episode.",
        clothing="Grey hoodie, black jeans, white trainers",
    )
    if le_hours is not None:
        _notify(actor, episode, deadlines.LAW_ENFORCEMENT, le_hours)
    if ncmec_hours is not None:
        _notify(actor, episode, deadlines.NCMEC, ncmec_hours)
    if away is None:
        return episode
    episode.refresh_from_db()
    returned_at = learned - HOUR + away * HOUR
    episode_services.log_return(
        actor=actor, episode_id=episode.pk, expected_version=episode.version, returned_at=returned_at,
        located_at=returned_at, found_location_type=found, found_address=f"{found.replace('_', ' ')} (synthetic)",
        how_located="self_returned", returned_with=returned_with, condition_on_return="Tired; no injuries seen.",
    )
    if ncmec_hours is not None:  # the episode whose NCMEC report was never made has no recovery notices either
        for party in (deadlines.LAW_ENFORCEMENT, deadlines.NCMEC):
            _notify(actor, episode, party, 2, event=deadlines.RETURNED, start=returned_at)
    if factors is not None:
        episode_services.record_debrief(
            actor=actor, episode_id=episode.pk, interview_at=returned_at + 20 * HOUR, running_direction="from",
            primary_factors=factors, where_stayed="With friends (synthetic).",
            trafficking_screening_done="yes" if screened else "no",
            screening_not_done_reason="" if screened else "The youth asked to talk another day (synthetic).",
        )
    return episode


def seed(*, agencies, staff, log=lambda message: None, now=None) -> dict:
    """Episodes for youth who have none. Returns {"missing episodes": n}."""
    now = now or timezone.now()
    agency = agencies.get(AGENCY_CODE)
    created = 0
    if agency is None:
        return {"missing episodes": 0}
    # The history is made up and long past: nobody is emailed about it (console mail would flood `make run`).
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for position, (youth, plans) in enumerate(zip(demo_youth(agency), HISTORY, strict=False)):
            actor = staff.get(CASEWORKERS.get(youth.team.name, "caseworker"))
            if actor is None or MissingEpisode.objects.filter(youth=youth).exists():
                continue
            for number, plan in enumerate(plans):
                episode = _episode(actor, youth, now, plan)
                created += 1
                response = RESPONSES.get((position, number))
                episode.refresh_from_db()
                if response is not None and episode.returned_at is not None:
                    kinds, decided_by, why = response
                    response_services.record_responses(
                        actor=actor, episode_id=episode.pk, kinds=kinds, decided_by_name=decided_by, reason=why,
                        decided_at=episode.returned_at + 6 * HOUR,
                    )
    log(f"Missing episodes: {created} new (synthetic history)")
    plans = _response_plan(agency, staff, now)
    log(f"Response plan actions: {plans} new; What helps me pages: {plans and 1}")
    return {"missing episodes": created, "response plan actions": plans}


def _response_plan(agency, staff, now) -> int:
    """The latest return interview that named conflict in the placement gets a response plan (one action overdue,
    one due) and its youth a "What helps me" (docs/duties.md#response-plan, #what-helps-me). Nothing when that
    interview already has a plan."""
    debriefs = Debrief.objects.filter(episode__youth__agency=agency).select_related("episode__youth__team")
    debrief = next((d for d in debriefs.order_by("-interview_at") if "conflict" in d.primary_factors), None)
    if debrief is None or ResponseAction.objects.filter(debrief=debrief).exists():
        return 0
    youth = debrief.episode.youth
    actor = staff.get(CASEWORKERS.get(youth.team.name, "caseworker"))
    if actor is None:
        return 0
    for factor, what, due_at in (
        ("conflict", "Mediation with the foster parent about house rules and phone time (synthetic).",
         debrief.interview_at + 7 * DAY),  # long past: overdue on the caseworker's list
        ("other", "Weekly check-in call with the youth, their choice of time (synthetic).", now + 5 * DAY),
    ):
        response_plans.add_action(
            actor=actor, debrief_id=debrief.pk, factor=factor, what=what, owner=actor, due_at=due_at
        )
    if not WhatHelpsMe.objects.filter(youth=youth).exists():
        what_helps.save_what_helps(
            actor=actor, youth_id=youth.pk, expected_version=what_helps.NO_VERSION,
            when_leaving="Let me take a walk and text me after 20 minutes. Don't shout (synthetic).",
            trusted_people="My aunt and my school counselor (synthetic).",
            what_i_need="My phone charged at night and a say in my curfew (synthetic).",
        )
    return 2
