"""The alert of a run: logging a run alerts the youth's assigned caseworkers and whoever is on call at once
(docs/alerts.md#run, docs/design.md#rule-nothing-lost).

Raised inside log_run's transaction (the outbox, caseapp.services.alerts.raise_alert): if the run is saved,
so is its alert, and it is delivered when Redis and a worker can be reached, once per person and channel.
Not acknowledged within the agency's window for a run (Agency.ack_minutes_run, default 15 minutes), it goes
to the next person of the on-call chain (caseapp.on_call.escalation_chain), then the agency admins.
"""

from django.template.loader import render_to_string

from caseapp import alert_delivery, on_call
from caseapp.local_time import agency_zone, display_time
from caseapp.services.alerts import raise_alert

from . import deadlines
from .escalation import CASEWORKER, ON_CALL, all_but_actor, episode_path, one_line, people

KIND = "run_logged"


def key(episode_id: int) -> str:
    return f"run:{episode_id}"


def recipients(episode, actor, now) -> list[tuple]:
    """The youth's assigned caseworkers and the first of the on-call chain (on_call.on_call_supervisor: the
    roster for the youth's team, then its supervisors, then the agency admins), each once and only if they
    may open the youth's record, but not `actor`, who logged the run and knows. If that leaves nobody, the
    next person of the chain who is not `actor`."""
    youth = episode.youth
    chain = on_call.escalation_chain(youth, now)  # on_call_supervisor(youth, now) is its first
    told = people(youth.assigned_caseworkers.all(), youth, CASEWORKER)
    if chain:
        told += [(chain[0], "", ON_CALL)]
    return all_but_actor(told, actor, lambda: chain)


def message(episode) -> tuple[str, str]:
    """Subject and body: who is missing from care, when the agency learned, and the clocks now running, in
    the agency's time zone. No restricted field, no episode details: those stay behind the login."""
    youth = episode.youth
    agency = youth.agency
    zone = agency_zone(agency)
    clocks = [
        {"label": n.label, "due": display_time(n.due_at, zone)}
        for n in episode.notifications.order_by("due_at", "id")
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
    }
    subject = one_line(f"Missing from care: {youth.display_name} (case {youth.case_number})")
    return subject[:200], render_to_string("missing_reports/email/announce_run.txt", context)


def raise_run_alert(episode, actor, now):
    """Raise the alert of a run just logged, in the caller's transaction. Returns the Alert."""
    youth = episode.youth
    subject, body = message(episode)
    return raise_alert(
        agency=youth.agency,
        youth=youth,
        kind=KIND,
        key=key(episode.pk),
        subject=subject,
        body=body,
        sms_text=alert_delivery.sms_line(youth, "Missing from care"),
        url=episode_path(episode.pk),
        recipients=recipients(episode, actor, now),
        ack_minutes=youth.agency.ack_minutes_run,
        now=now,
    )
