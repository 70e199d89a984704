"""The deadline sweep against PostgreSQL, Redis and a real Celery worker process.

- Two sweeps at once (two threads, each with its own PostgreSQL connection) alert each stage of each
  clock once, one email per person told: the row lock and the unique (notification, stage) claim and
  alert key decide, not luck.
- `sweep_clocks` through the worker escalates once, however many times it is sent.
- A run saved while the broker is unreachable is saved with its clocks, and the sweep escalates it
  once the worker can be reached (docs/design.md#rule-nothing-lost).

With the console email backend the worker's emails go to its log; these tests read the Escalation,
Alert and AlertRecipient rows and that log. The threads test runs in this process and reads the locmem outbox.
"""

import datetime
import threading
from collections import Counter

import pytest
from django.db import connections
from django.utils import timezone

from caseapp.celery import app
from caseapp.models import Alert, AlertRecipient
from missing_reports import escalation, tasks
from missing_reports.models import Escalation, EscalationStage, MissingEpisode
from missing_reports.services import episodes as services
from tests.factories import PlacementFactory, YouthFactory
from tests.integration.broker import HANG_GUARD, TASK_TIMEOUT, while_broker_is_down

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

H = datetime.timedelta(hours=1)


def run_sweep():
    """`sweep_clocks` through the broker, keeping the result it normally ignores."""
    return tasks.sweep_clocks.apply_async(ignore_result=False)


def log(actor, youth, learned):
    return services.log_run(
        actor=actor, youth_id=youth.pk, agency_learned_at=learned, last_seen_at=learned - H,
        last_seen_location="Near the bus station", reported_by="Foster parent",
    )


@pytest.fixture
def compliance(agency_a):
    agency_a.compliance_contact_email = "compliance@agency-a.example.org"
    agency_a.save()
    return agency_a.compliance_contact_email


def test_two_sweeps_at_once_send_each_stage_once(
    postgres_db, transactional_db, broker_down, compliance, team_a1, caseworker_a, supervisor_a, mailoutbox, monkeypatch
):
    learned = (timezone.now() - 3 * 24 * H).replace(microsecond=0)
    episodes = [
        log(caseworker_a, YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a]), learned)
        for _ in range(8)
    ]
    clocks = [n for e in episodes for n in e.notifications.all()]
    assert len(clocks) == 16  # KS: law enforcement in 2 h, NCMEC in 24 h
    assert mailoutbox == []  # the alerts of the runs wait for the alert sweep: the broker is down

    # Both sweeps read their candidates before either claims anything: the worst overlap.
    barrier = threading.Barrier(2, timeout=30)
    read_candidates = escalation.candidate_clocks

    def candidates_then_wait(now):
        clocks = list(read_candidates(now))
        barrier.wait()
        return clocks

    monkeypatch.setattr(escalation, "candidate_clocks", candidates_then_wait)

    def race(now):
        results, errors = [], []

        def run():
            try:
                results.append(escalation.sweep(now=now))
            except Exception as exc:  # surfaced below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=HANG_GUARD)
        assert not any(t.is_alive() for t in threads)
        assert errors == []
        return Counter(results[0]) + Counter(results[1])

    le_due, ncmec_due = learned + 2 * H, learned + 24 * H
    # Law enforcement's 2 h clock is inside the caseworker lead at once: its first-hour stage is skipped;
    # NCMEC's first-hour reminder goes out an hour after the agency learned.
    expected = {
        learned + datetime.timedelta(minutes=1): {"lead_caseworker": 8, "skipped": 8},
        le_due - 30 * datetime.timedelta(minutes=1): {"first_hour": 8, "lead_supervisor": 8},
        le_due + datetime.timedelta(seconds=1): {"overdue": 8},
        ncmec_due - 4 * H: {"lead_caseworker": 8},
        ncmec_due - H: {"lead_supervisor": 8},
        ncmec_due + H: {"overdue": 8},
    }
    sent_so_far = 0
    for now, counts in expected.items():
        total = race(now)
        assert {k: v for k, v in total.items() if v} == counts, now
        # Overdue tells two: the compliance contact and the supervisor; every other stage one person.
        sent_so_far += sum(n * (2 if stage == "overdue" else 1) for stage, n in counts.items() if stage != "skipped")
        assert len(mailoutbox) == sent_so_far

    rows = Escalation.objects.all()
    assert rows.count() == 16 * 4
    unsent = rows.filter(sent_at__isnull=True)  # only law enforcement's skipped first hours
    assert unsent.count() == 8
    assert all(row.stage == "first_hour" and row.recipients == [escalation.SKIPPED] for row in unsent)
    # One email per clock and stage: no subject/recipient pair twice.
    sent = Counter((m.subject, tuple(m.to)) for m in mailoutbox)
    assert max(sent.values()) == 1
    assert len(mailoutbox) == 72
    assert sum(compliance in m.to for m in mailoutbox) == 16
    assert Alert.objects.filter(key__startswith="notice:").count() == 16 * 4 - 8
    assert AlertRecipient.objects.filter(alert__key__startswith="notice:").count() == 72


@pytest.mark.worker
def test_sweep_clocks_through_the_worker_escalates_once(celery_worker_process, compliance, youth_a1, caseworker_a,
                                                         supervisor_a):
    # Logged 3 hours ago: the 2 h law-enforcement clock is overdue; NCMEC (24 h) is past its first hour.
    episode = log(caseworker_a, youth_a1, timezone.now() - 3 * H)
    le = episode.notifications.get(party="law_enforcement")

    first, second = run_sweep(), run_sweep()
    results = [first.get(timeout=TASK_TIMEOUT), second.get(timeout=TASK_TIMEOUT)]

    assert sorted(r["overdue"] for r in results) == [0, 1]
    assert sorted(r["first_hour"] for r in results) == [0, 1]
    assert Escalation.objects.count() == 5  # law enforcement's four stages, NCMEC's first hour
    overdue = Escalation.objects.get(notification=le, stage=EscalationStage.OVERDUE)
    assert overdue.sent_at is not None
    assert overdue.recipients == [compliance, supervisor_a.email]
    skipped = Escalation.objects.filter(notification=le, sent_at__isnull=True)
    assert sorted(skipped.values_list("stage", flat=True)) == ["first_hour", "lead_caseworker", "lead_supervisor"]
    assert all(row.recipients == [escalation.SKIPPED] for row in skipped)
    le.refresh_from_db()
    assert le.overdue_at is not None
    # The worker sent it (console backend: its log), once to each.
    assert celery_worker_process.log().count(f"Subject: Overdue: {le.label} for") == 2
    alert = Alert.objects.get(key=f"notice:{le.pk}:overdue")
    assert list(alert.recipients.order_by("id").values_list("email", flat=True)) == [compliance, supervisor_a.email]


@pytest.mark.worker
def test_a_run_saved_while_the_broker_is_down_is_escalated_when_the_worker_is_back(
    celery_worker_process, caseworker_a, supervisor_a, team_a1, caplog
):
    youth = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a])
    PlacementFactory(youth=youth)
    assert app.conf.result_backend == app.conf.broker_url
    saved = while_broker_is_down(lambda: log(caseworker_a, youth, timezone.now()), "saving a run")

    # The save neither failed nor lost anything; the run's alert could not be queued.
    episode = MissingEpisode.objects.get(pk=saved.pk)
    assert sorted(episode.notifications.values_list("party", flat=True)) == ["law_enforcement", "ncmec"]
    assert "the periodic sweep will pick it up" in caplog.text
    assert not Escalation.objects.exists()

    # The worker is reachable again: the sweep finds the clock (law enforcement due in 2 h, inside
    # the 4 h caseworker lead) from the database alone.
    result = run_sweep().get(timeout=TASK_TIMEOUT)

    assert result["lead_caseworker"] == 1
    le = episode.notifications.get(party="law_enforcement")
    reminder = Escalation.objects.get(notification=le, sent_at__isnull=False)
    assert reminder.stage == EscalationStage.LEAD_CASEWORKER
    assert reminder.sent_at is not None
    assert reminder.recipients == [caseworker_a.email]
    assert f"Subject: Reminder: {le.label} due" in celery_worker_process.log()


def test_two_sweeps_at_once_send_each_stage_of_a_disclosures_reports_once(
    postgres_db, transactional_db, broker_down, compliance, team_a1, caseworker_a, supervisor_a, mailoutbox, monkeypatch
):
    """The reports of disclosures without an episode escalate by the same claim protocol, and on PostgreSQL a
    withdrawn disclosure's notice (whose open condition reads the nullable disclosure) is passed over, not locked
    into an error (docs/duties.md#disclosure-clocks)."""
    from missing_reports.models import DisclosureEscalation
    from missing_reports.services import disclosures

    disclosed = (timezone.now() - 2 * H).replace(microsecond=0)
    made = [
        disclosures.record_disclosure(
            actor=caseworker_a, youth_id=YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a]).pk,
            kind="crime", disclosed_at=disclosed, what_was_said="Said someone took their phone.",
        )
        for _ in range(4)
    ]
    episode = log(caseworker_a, YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a]), disclosed - 30 * H)
    episode = services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version, returned_at=disclosed - H
    )
    withdrawn = disclosures.record_disclosure(
        actor=caseworker_a, episode_id=episode.pk, kind="crime", disclosed_at=disclosed,
        what_was_said="Said someone took their phone.",
    )
    disclosures.withdraw_disclosure(
        actor=caseworker_a, disclosure_id=withdrawn.pk, expected_version=withdrawn.version, reason="Wrong youth."
    )

    barrier = threading.Barrier(2, timeout=30)
    read_candidates = escalation.candidate_disclosure_reports

    def candidates_then_wait(now):
        reports = list(read_candidates(now))
        barrier.wait()
        return reports

    monkeypatch.setattr(escalation, "candidate_disclosure_reports", candidates_then_wait)
    results, errors = [], []

    def run():
        try:
            results.append(escalation.sweep(now=disclosed + 24 * H + H))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_GUARD)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    rows = DisclosureEscalation.objects.all()
    assert rows.filter(stage="overdue", sent_at__isnull=False).count() == 8  # 4 disclosures, 2 reports each
    assert rows.filter(stage="overdue").count() == 8 and rows.count() == 8 * 3  # the two leads skipped, once
    assert Alert.objects.filter(key__startswith="disclosure-report:", key__endswith=":overdue").count() == 8
    closed = withdrawn.notifications.values_list("pk", flat=True)
    assert not Escalation.objects.filter(notification_id__in=list(closed)).exists()
    assert all(d.reports.filter(overdue_at__isnull=False).count() == 2 for d in made)
