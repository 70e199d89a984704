"""The database fails half-way through a save (docs/design.md#faults): the user gets a calm page saying nothing was
saved (503, never a bare 500 or a traceback), nothing of the record exists afterwards, and the next request works.

On PostgreSQL the request's own database session is ended from a second connection (pg_terminate_backend) right
after the save wrote its audit row, when the record and its clocks are already in the transaction: the connection
is gone mid-save. On any database (SQLite too, which has no server to lose) the save's next statement fails as a
lock that timed out does, the connection intact. The four saves are those with several rows: a run (episode,
clocks, audit, alert), a return (the episode, recovery clocks, audit), a new youth (youth, caseworkers, audit) and a
disclosure (disclosure, its reports' clocks, audits).
"""

import contextlib
import dataclasses
import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError, connection
from django.db.models.signals import post_save
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django.utils import timezone

from caseapp.models import AuditAction, AuditEvent, Youth
from missing_reports.models import Disclosure, EpisodeStatus, MissingEpisode, Notification
from missing_reports.services import episodes as episode_services
from tests.caseapp.test_youth_forms import youth_post
from tests.integration.broker import while_broker_is_down
from tests.missing_reports.test_journey import form_data, local

H = datetime.timedelta(hours=1)
LOST = "Nothing was saved: the connection to the database was lost. Please try again."
NOT_FINISHED = "Nothing was saved: the database could not finish. Please try again."


# --- The faults ------------------------------------------------------------------------------------------------


def _terminate_own_session():
    """End this connection's PostgreSQL session from a second connection, as a server restart or a network cut
    would, and wait until it is gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    killer = connection.get_new_connection(connection.get_connection_params())
    try:
        killer.autocommit = True
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits up to 5 s for it to end
            assert cursor.fetchone() == (True,)
    finally:
        killer.close()


def _refuse_next_statement():
    """Make the connection's next statement fail as a lock that timed out does ("database is locked", SQLite's
    OperationalError when another writer holds the database longer than its timeout), once, through Django's
    execute_wrapper hook: the connection stays usable. (SQLite's own interrupt would roll back the test's
    transaction with the save's.)"""

    def refuse(execute, sql, params, many, context):
        connection.execute_wrappers.remove(refuse)
        raise OperationalError("database is locked")

    connection.execute_wrappers.append(refuse)


@contextlib.contextmanager
def fault_after(audited: Callable[[AuditEvent], bool], fault, written: Callable[[], dict]):
    """Cause `fault` right after the first audit row for which `audited(row)` is true is saved, i.e. half-way through
    the save. Yields what the save had written by then (`written()`, read inside its own transaction)."""
    seen = {}

    def hook(sender, instance, created, **kwargs):
        if seen or not created or not audited(instance):
            return
        seen.update(written())
        fault()

    post_save.connect(hook, sender=AuditEvent, weak=False, dispatch_uid="fault_after")
    try:
        yield seen
    finally:
        post_save.disconnect(sender=AuditEvent, dispatch_uid="fault_after")


def _audit_of(action, object_type):
    return lambda row: row.action == action and row.object_type == object_type


# --- The saves -------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Save:
    url: str
    data: dict
    audited: Callable[[AuditEvent], bool]  # the audit row after which the save fails
    written: Callable[[], dict]  # the rows of the record, by kind: all 0 before the save and after it failed
    saved: Callable[[], bool]  # the save went through (on the try after the fault)


def a_run(client, youth, caseworker):
    url = reverse("log_run", kwargs={"youth_id": youth.pk})
    learned_at = timezone.now().replace(second=0, microsecond=0) - H
    data = form_data(
        client.get(url).context["form"], category="runaway", last_seen_at=local(learned_at - H),
        last_seen_location="Bus stop outside Central High", reported_by="A. Rivera, foster parent",
        agency_learned_at=local(learned_at),
    )

    def written():
        return {
            "episodes": MissingEpisode.objects.filter(youth=youth).count(),
            "clocks": Notification.objects.filter(episode__youth=youth).count(),
            "audit rows": AuditEvent.objects.filter(youth=youth, object_type="missingepisode").count(),
        }

    return Save(
        url, data, _audit_of(AuditAction.CREATE, "missingepisode"), written,
        lambda: MissingEpisode.objects.filter(youth=youth).exists(),
    )


def a_return(client, youth, caseworker):
    now = timezone.now().replace(second=0, microsecond=0)
    episode = episode_services.log_run(
        actor=caseworker, youth_id=youth.pk, agency_learned_at=now - 30 * H, last_seen_at=now - 31 * H,
        last_seen_location="Near the bus station", reported_by="Foster parent (Ms. Example)",
    )
    url = reverse("log_return", kwargs={"episode_id": episode.pk})
    data = form_data(
        client.get(url).context["form"], located_at=local(now - 2 * H), returned_at=local(now - H),
        found_address="Friend's apartment, 12 Elm St", found_location_type="friend", how_located="caregiver",
        condition_on_return="Tired, no injuries seen.", continue_previous_placement="on",
    )
    returned = MissingEpisode.objects.filter(pk=episode.pk, status=EpisodeStatus.RETURNED)

    def written():
        return {
            "returned episodes": returned.count(),
            "recovery clocks": Notification.objects.filter(episode=episode, event="returned").count(),
            "audit rows": AuditEvent.objects.filter(
                object_type="missingepisode", object_id=str(episode.pk), action=AuditAction.UPDATE
            ).count(),
        }

    return Save(url, data, _audit_of(AuditAction.UPDATE, "missingepisode"), written, returned.exists)


def a_youth(client, youth, caseworker):
    data = youth_post(youth.team, assigned_caseworkers=[caseworker.pk])
    created = Youth.objects.filter(case_number=data["case_number"])

    def written():
        return {
            "youth": created.count(),
            "assigned caseworkers": Youth.assigned_caseworkers.through.objects.filter(
                youth__case_number=data["case_number"]
            ).count(),
            "audit rows": AuditEvent.objects.filter(object_type="youth", youth__in=created).count(),
        }

    return Save(reverse("youth_create"), data, _audit_of(AuditAction.CREATE, "youth"), written, created.exists)


def a_disclosure(client, youth, caseworker):
    save = a_return(client, youth, caseworker)
    client.post(save.url, save.data)  # the disclosure is recorded on the returned episode
    episode = MissingEpisode.objects.get(youth=youth)
    url = reverse("disclosure_create", args=[episode.pk])
    data = {
        "kind": "crime", "context": "return_interview", "disclosed_at": local(timezone.now() - H),
        "what_was_said": "Said an adult at the house hit them and took their phone.",
    }
    disclosures = Disclosure.objects.filter(episode=episode)

    def written():
        return {
            "disclosures": disclosures.count(),
            "its clocks": Notification.objects.filter(episode=episode, disclosure__isnull=False).count(),
            "audit rows": AuditEvent.objects.filter(object_type="disclosure").count(),
        }

    # Fails after the audit row of its first clock: the disclosure, a clock and two audit rows are written.
    return Save(url, data, _audit_of(AuditAction.CREATE, "notification"), written, disclosures.exists)


SAVES = {"a run": a_run, "a return": a_return, "a new youth": a_youth, "a disclosure": a_disclosure}


def _fails_and_recovers(client, save, fault, message):
    before = save.written()
    assert set(before.values()) == {0}, before
    with fault_after(save.audited, fault, save.written) as half_way:
        response = client.post(save.url, save.data)

    # Half-way: the record was being written when the database failed.
    assert half_way and all(half_way.values()), f"the fault did not come half-way through the save: {half_way}"
    # The user is told, calmly, that nothing was saved.
    assert response.status_code == 503
    page = " ".join(response.content.decode().split())
    assert message in page
    assert "Traceback" not in page and "OperationalError" not in page
    # Nothing of the record exists.
    assert save.written() == before
    # The next requests work: the form again, and the same save.
    assert client.get(save.url).status_code == 200
    assert client.post(save.url, save.data).status_code == 302
    assert save.saved()


# --- PostgreSQL: the connection is lost ------------------------------------------------------------------------


@pytest.mark.parametrize("make", SAVES.values(), ids=SAVES.keys())
def test_the_connection_lost_mid_save_saves_nothing_and_says_so(
    postgres_db, transactional_db, client_for, caseworker_a, youth_a1, make, caplog
):
    client = client_for(caseworker_a)
    save = make(client, youth_a1, caseworker_a)

    _fails_and_recovers(client, save, _terminate_own_session, LOST)

    assert "nothing of the request was saved" in caplog.text  # logged for the admins, with the error


def test_the_database_restarted_between_two_requests_answers_503_once_then_works(
    postgres_db, transactional_db, caseworker_a, youth_a1
):
    client = Client(raise_request_exception=False)
    client.force_login(caseworker_a)
    url = reverse("youth_detail", args=[youth_a1.pk])
    assert client.get(url).status_code == 200
    _terminate_own_session()  # the session and the user are loaded by the middleware, before any view

    response = client.get(url)

    assert response.status_code == 503
    assert LOST in " ".join(response.content.decode().split())
    assert client.get(url).status_code == 200


def test_a_run_logged_from_the_form_while_redis_is_down_is_saved(
    postgres_db, transactional_db, celery_via_redis, client_for, caseworker_a, youth_a1, caplog
):
    """Redis is the other half of a save's work: unreachable, the run is saved all the same and its alert and
    packets wait for the sweep (the sweeps' side: test_packet_worker.py, test_run_alert_worker.py)."""
    client = client_for(caseworker_a)
    save = a_run(client, youth_a1, caseworker_a)

    response = while_broker_is_down(lambda: client.post(save.url, save.data), "logging a run from the form")

    assert response.status_code == 302
    assert save.written() == {"episodes": 1, "clocks": 2, "audit rows": 1}
    assert "the periodic sweep will pick it up" in caplog.text


# --- Any database: a statement fails, the connection stays --------------------------------------------------


@pytest.mark.parametrize("make", SAVES.values(), ids=SAVES.keys())
def test_a_save_the_database_cannot_finish_saves_nothing_and_says_so(db, client_for, caseworker_a, youth_a1, make):
    client = client_for(caseworker_a)
    save = make(client, youth_a1, caseworker_a)

    _fails_and_recovers(client, save, _refuse_next_statement, NOT_FINISHED)


# --- Errors outside the saves ----------------------------------------------------------------------------------


@login_not_required
def _broken_page(request):
    raise RuntimeError("Thessaly Corvina-Testfamily, case KS-2024-0101")


@login_not_required
def _lost_database(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [path("broken/", _broken_page), path("lost/", _lost_database), path("", include("caseapp.urls"))]
handler500 = "caseapp.faults.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_any_other_error_gets_the_calm_500_page_naming_nothing_of_the_request(db):
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page and "Nothing you entered was saved halfway" in page
    assert "Thessaly" not in page and "KS-2024-0101" not in page and "Traceback" not in page


@override_settings(ROOT_URLCONF=__name__)
def test_a_database_error_raised_by_a_view_gets_the_503_page(db):
    response = Client().get("/lost/")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "the database could not finish" in response.content.decode()
