"""Saving a screening, a decision or a reassessment locks the youth's row and not the agency's.

The Wapiti scan (tests/integration/test_scanner.py) posted screenings of two youth of one agency at once and
PostgreSQL answered "deadlock detected", a server error: `select_for_update()` with `select_related("agency")`
locked the joined agency row as well, so every risk write of an agency queued on that row, in whatever order
each statement took its rows. Each now locks its own row only (`of=("self",)`). Here a second connection
tries both rows without waiting while the first transaction is still open.
"""

import psycopg2
import pytest
from django.db import connection, transaction
from django.utils import timezone

from risk import assessment
from risk.services import observations

pytestmark = pytest.mark.postgres


def locked(table, pk):
    """Is the row locked by another transaction? Asked from a second connection, without waiting."""
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            try:
                cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])  # noqa: S608
            except psycopg2.errors.LockNotAvailable:
                return True
            assert cursor.fetchone() == (pk,), f"{table} {pk} is not visible to the second connection"
            return False
    finally:
        other.rollback()
        other.close()


def test_a_screening_locks_the_youth_and_not_the_agency(postgres_db, transactional_db, caseworker_a, youth_a1):
    with transaction.atomic():
        observations.record_screening(
            actor=caseworker_a, youth_id=youth_a1.pk, conducted_at=timezone.now(), youth_declined=True,
        )
        assert locked("caseapp_youth", youth_a1.pk)
        assert not locked("caseapp_agency", youth_a1.agency_id)


def test_a_reassessment_locks_the_youth_and_not_the_agency(postgres_db, transactional_db, youth_a1):
    with transaction.atomic():
        assessment.reassess(youth_a1.pk, "test")
        assert locked("caseapp_youth", youth_a1.pk)
        assert not locked("caseapp_agency", youth_a1.agency_id)


def test_recording_a_notice_locks_the_notice_and_not_its_episode_or_youth(
    postgres_db, transactional_db, caseworker_a, youth_a1
):
    """A notice recorded while the youth is reassessed deadlocked (seen with live workers): the notice's lock took
    its episode and youth rows too, in the opposite order to the reassessment (youth, then the open episode for
    its endangerment). Recording a notice changes the notice only, so it locks only that row."""
    from missing_reports import deadlines
    from missing_reports.services import episodes

    learned_at = timezone.now() - timezone.timedelta(hours=1)
    episode = episodes.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, category="runaway", last_seen_at=learned_at,
        last_seen_location="Group home", agency_learned_at=learned_at, reported_by="Night staff",
    )
    notice = episode.notifications.filter(event=deadlines.MISSING).first()
    with transaction.atomic():
        episodes.record_notification(
            actor=caseworker_a, notification_id=notice.pk, expected_version=notice.version,
            done_at=timezone.now(), method="phone", reference="RPT-1",
        )
        assert locked("missing_reports_notification", notice.pk)
        assert not locked("missing_reports_missingepisode", episode.pk)
        assert not locked("caseapp_youth", youth_a1.pk)
