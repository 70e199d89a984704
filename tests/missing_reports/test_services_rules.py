"""The rules of the run verbs, called as views, tasks and commands call them (missing_reports.services).

log_run, update_episode and record_notification, plus the rules of updates, search efforts and reviews
that the pages rely on. Each refusal is a ValidationError naming the field, and writes nothing.
"""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from caseapp import access
from caseapp.models import AuditAction, AuditEvent, Placement, PlacementType
from caseapp.services.errors import EditConflict
from missing_reports.models import MissingEpisode, Notification
from missing_reports.services import episodes as services
from tests.factories import PlacementFactory

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def now():
    return timezone.now()


def run(actor, youth, now, **fields):
    data = {
        "last_seen_at": now - 2 * HOUR,
        "last_seen_location": "Outside Central High",
        "reported_by": "A. Rivera, foster parent",
        "agency_learned_at": now - HOUR,
    }
    data.update(fields)
    return services.log_run(actor=actor, youth_id=youth.pk, **data)


def refused(call, field):
    """The messages a refused call gives for `field`."""
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict[field]


def local_date(moment, agency):
    return timezone.localtime(moment, zoneinfo.ZoneInfo(agency.time_zone)).date()


# --- log_run -----------------------------------------------------------------------------------------


def test_clocks_are_due_by_the_agencys_rules_from_when_it_learned(caseworker_a, youth_a1, agency_a, now):
    agency_a.state = "KS"
    agency_a.save()
    episode = run(caseworker_a, youth_a1, now)
    due = {n.party: n.due_at - episode.agency_learned_at for n in episode.notifications.all()}
    assert due == {"law_enforcement": 2 * HOUR, "ncmec": 24 * HOUR}
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="missingepisode").count() == 1


def test_without_a_time_learned_the_clocks_start_now(caseworker_a, youth_a1, now):
    episode = run(caseworker_a, youth_a1, now, agency_learned_at=None)
    assert now <= episode.agency_learned_at <= timezone.now()


def test_two_minutes_of_clock_skew_are_allowed(caseworker_a, youth_a1, now):
    episode = run(caseworker_a, youth_a1, now, last_seen_at=now + MINUTE, agency_learned_at=now + 2 * MINUTE)
    assert episode.pk


def test_ten_minutes_in_the_future_are_refused(caseworker_a, youth_a1, now):
    ahead = now + 10 * MINUTE
    messages = refused(lambda: run(caseworker_a, youth_a1, now, agency_learned_at=ahead), "agency_learned_at")
    assert messages == ["The time the agency learned cannot be in the future."]
    messages = refused(lambda: run(caseworker_a, youth_a1, now, last_seen_at=now + 10 * MINUTE), "last_seen_at")
    assert messages == ["The time last seen cannot be in the future."]
    assert MissingEpisode.objects.count() == 0


def test_last_seen_after_the_agency_learned_is_refused(caseworker_a, youth_a1, now):
    messages = refused(lambda: run(caseworker_a, youth_a1, now, last_seen_at=now - HOUR / 2), "last_seen_at")
    assert messages == ["The youth must have been last seen before the agency learned they were missing."]
    assert MissingEpisode.objects.count() == 0


@pytest.mark.parametrize("field", ["last_seen_at", "last_seen_location", "reported_by"])
def test_the_minimum_is_required(caseworker_a, youth_a1, now, field):
    blank = None if field == "last_seen_at" else "  "
    assert refused(lambda: run(caseworker_a, youth_a1, now, **{field: blank}), field)
    assert MissingEpisode.objects.count() == 0


def test_the_placement_must_be_the_youths(caseworker_a, youth_a1, youth_a2, now):
    other = PlacementFactory(youth=youth_a2)
    assert refused(lambda: run(caseworker_a, youth_a1, now, placement=other), "placement")


def test_a_second_open_episode_is_refused(caseworker_a, youth_a1, now):
    first = run(caseworker_a, youth_a1, now)
    with pytest.raises(ValidationError) as info:
        run(caseworker_a, youth_a1, now, last_seen_location="Somewhere else")
    assert f"already recorded as missing (episode {first.pk})" in info.value.messages[0]
    assert MissingEpisode.objects.filter(youth=youth_a1, status="open").count() == 1
    assert Notification.objects.count() == 2


def test_the_database_keeps_one_open_episode_per_youth(caseworker_a, youth_a1, now):
    first = run(caseworker_a, youth_a1, now)
    with pytest.raises(IntegrityError), transaction.atomic():
        MissingEpisode.objects.create(
            youth=youth_a1, created_by=caseworker_a, last_seen_at=first.last_seen_at,
            last_seen_location="x", reported_by="y", agency_learned_at=first.agency_learned_at,
        )
    assert MissingEpisode.objects.filter(youth=youth_a1).count() == 1


def test_out_of_scope_youth_is_404(caseworker_a2, youth_a1, now):
    with pytest.raises(Http404):
        run(caseworker_a2, youth_a1, now)
    assert MissingEpisode.objects.count() == 0


def test_the_run_opens_a_missing_spell_in_the_placement_history(caseworker_a, youth_a1, agency_a, now):
    """AFCARS: the current placement ends on the day last seen and a missing spell starts."""
    previous = youth_a1.placements.get()
    episode = run(caseworker_a, youth_a1, now)
    day = local_date(episode.last_seen_at, agency_a)
    previous.refresh_from_db()
    assert (previous.end_date, previous.end_reason) == (day, "missing")
    spell = Placement.objects.get(youth=youth_a1, end_date__isnull=True)
    assert spell.placement_type == PlacementType.MISSING_RUNAWAY
    assert spell.get_placement_type_display() == "Missing from care (left placement)"
    assert spell.start_date == day
    assert episode.living_arrangement == spell
    assert episode.placement == previous
    assert episode.living_arrangement_note == ""


def test_whereabouts_unknown_opens_that_kind_of_spell(caseworker_a, youth_a1, now):
    episode = run(caseworker_a, youth_a1, now, category="whereabouts_unknown")
    assert episode.living_arrangement.placement_type == PlacementType.MISSING_WHEREABOUTS_UNKNOWN


def test_a_spell_that_cannot_be_recorded_leaves_a_note_and_the_run_is_saved(caseworker_a, youth_a1, now):
    # The current placement started today: the missing spell cannot start after it the same day.
    youth_a1.placements.update(start_date=timezone.localdate())
    episode = run(caseworker_a, youth_a1, now, last_seen_at=now - 2 * MINUTE, agency_learned_at=now - MINUTE)
    assert episode.pk and episode.living_arrangement is None
    assert episode.living_arrangement_note.startswith("The placement history could not record the missing spell")
    assert episode.notifications.count() == 2


# --- update_episode ----------------------------------------------------------------------------------


@pytest.fixture
def episode(caseworker_a, youth_a1, now):
    return run(caseworker_a, youth_a1, now)


def test_details_are_completed_later_and_audited(caseworker_a, episode):
    updated = services.update_episode(
        actor=caseworker_a, episode_id=episode.pk, expected_version=1, vehicle="Blue hatchback",
        endangerment=["suicidal"],
    )
    assert (updated.vehicle, updated.endangerment, updated.version) == ("Blue hatchback", ["suicidal"], 2)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="missingepisode")
    assert event.detail == {"changed": ["endangerment", "vehicle"]}


def test_a_stale_version_is_a_conflict(caseworker_a, supervisor_a, episode):
    services.update_episode(actor=supervisor_a, episode_id=episode.pk, expected_version=1, clothing="Red coat")
    with pytest.raises(EditConflict) as info:
        services.update_episode(actor=caseworker_a, episode_id=episode.pk, expected_version=1, clothing="Green")
    assert info.value.current.clothing == "Red coat"
    episode.refresh_from_db()
    assert (episode.clothing, episode.version) == ("Red coat", 2)


def test_when_the_agency_learned_is_not_edited(caseworker_a, episode, now):
    learned = episode.agency_learned_at
    services.update_episode(
        actor=caseworker_a, episode_id=episode.pk, expected_version=1, agency_learned_at=now - 10 * HOUR,
        clothing="Grey hoodie",
    )
    episode.refresh_from_db()
    assert episode.agency_learned_at == learned
    assert {n.due_at - learned for n in episode.notifications.all()} == {2 * HOUR, 24 * HOUR}


def test_an_edit_checks_the_same_times(caseworker_a, episode, now):
    edit = lambda **f: services.update_episode(actor=caseworker_a, episode_id=episode.pk, expected_version=1, **f)  # noqa: E731
    assert refused(lambda: edit(last_seen_at=now + HOUR), "last_seen_at") == [
        "The time last seen cannot be in the future."
    ]
    assert refused(lambda: edit(last_seen_at=now - HOUR / 2), "last_seen_at") == [
        "The youth must have been last seen before the agency learned they were missing."
    ]
    assert refused(lambda: edit(last_seen_location=""), "last_seen_location")
    episode.refresh_from_db()
    assert episode.version == 1


def test_an_edit_cannot_point_at_another_youths_placement(caseworker_a, episode, youth_a2):
    other = PlacementFactory(youth=youth_a2)
    assert refused(
        lambda: services.update_episode(actor=caseworker_a, episode_id=episode.pk, expected_version=1, placement=other),
        "placement",
    ) == ["Choose one of this youth's placements."]


def test_an_edit_that_changes_nothing_keeps_the_version(caseworker_a, episode):
    same = services.update_episode(
        actor=caseworker_a, episode_id=episode.pk, expected_version=1, clothing=episode.clothing
    )
    assert same.version == 1


def test_agency_staff_cannot_edit(agency_staff_a, episode):
    with pytest.raises(Http404):
        services.update_episode(actor=agency_staff_a, episode_id=episode.pk, expected_version=1, clothing="x")


# --- record_notification -----------------------------------------------------------------------------


def record(actor, notification, now, **evidence):
    data = {"done_at": now - 10 * MINUTE, "method": "phone", "reference": "TPD-1"}
    data.update(evidence)
    return services.record_notification(
        actor=actor, notification_id=notification.pk, expected_version=notification.version, **data
    )


@pytest.fixture
def le(episode):
    return episode.notifications.get(party="law_enforcement")


def test_a_notice_is_done_with_its_evidence(caseworker_a, le, now):
    done = record(caseworker_a, le, now, ncic_number="M1", le_agency="Topeka Police")
    assert done.is_done and not done.was_late()
    assert (done.done_by, done.reference, done.ncic_number, done.version) == (caseworker_a, "TPD-1", "M1", 2)


def test_notice_clock_skew(caseworker_a, le, now):
    assert record(caseworker_a, le, now, done_at=now + 2 * MINUTE).is_done
    le.refresh_from_db()
    assert refused(lambda: record(caseworker_a, le, now, done_at=now + 10 * MINUTE), "done_at") == [
        "The time of the notice cannot be in the future."
    ]


def test_the_ncic_number_is_the_reference_when_none_is_given(caseworker_a, le, now):
    assert record(caseworker_a, le, now, reference="", ncic_number="M123").reference == "M123"


def test_evidence_is_required(caseworker_a, le, now):
    assert refused(lambda: record(caseworker_a, le, now, reference="", explanation=" "), "reference")
    assert refused(lambda: record(caseworker_a, le, now, done_at=None), "done_at")
    assert refused(lambda: record(caseworker_a, le, now, method=""), "method")
    assert refused(lambda: record(caseworker_a, le, now, done_at=now - 5 * HOUR), "done_at") == [
        "The notice cannot be before the youth was last seen."
    ]
    le.refresh_from_db()
    assert not le.is_done and le.version == 1


def test_a_late_notice_is_recorded_as_late(caseworker_a, youth_a1, now):
    episode = run(caseworker_a, youth_a1, now, last_seen_at=now - 31 * HOUR, agency_learned_at=now - 30 * HOUR)
    le = episode.notifications.get(party="law_enforcement")
    assert record(caseworker_a, le, now).was_late()


def test_a_stale_notice_is_a_conflict(caseworker_a, supervisor_a, le, now):
    record(supervisor_a, le, now, reference="THEIRS")
    with pytest.raises(EditConflict):
        record(caseworker_a, le, now, reference="MINE")  # le still has version 1
    le.refresh_from_db()
    assert le.reference == "THEIRS"


def test_the_return_interview_is_not_a_notice(caseworker_a, episode, now):
    episode = services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version, returned_at=now - MINUTE
    )
    interview = episode.notifications.get(party="return_interview")
    with pytest.raises(ValidationError, match="recording the debrief"):
        record(caseworker_a, interview, now)


def test_an_out_of_scope_notice_is_404(caseworker_b, le, now):
    with pytest.raises(Http404):
        record(caseworker_b, le, now)


# --- Updates, search efforts, reviews ----------------------------------------------------------------


def test_an_update_needs_the_first_notice_and_comes_after_it(caseworker_a, le, now):
    update = lambda sent_at: services.add_notification_update(  # noqa: E731
        actor=caseworker_a, notification_id=le.pk, sent_at=sent_at, method="written", note="New photo"
    )
    assert refused(lambda: update(now - MINUTE), "sent_at") == ["Record the first notice before its updates."]
    record(caseworker_a, le, now, done_at=now - 10 * MINUTE)
    assert refused(lambda: update(now - 20 * MINUTE), "sent_at") == [
        "An update cannot be sent before the first notice was given."
    ]
    assert update(now - MINUTE).note == "New photo"


def test_a_search_effort_is_between_last_seen_and_now(caseworker_a, episode, now):
    effort = lambda made_at: services.add_search_effort(  # noqa: E731
        actor=caseworker_a, episode_id=episode.pk, made_at=made_at, contact_type="friends", outcome="No answer"
    )
    assert refused(lambda: effort(now + HOUR), "made_at")
    assert refused(lambda: effort(now - 3 * HOUR), "made_at")
    assert refused(lambda: effort(None), "made_at")
    assert effort(now - MINUTE).outcome == "No answer"


def test_only_supervisors_and_admins_review(caseworker_a, supervisor_a, agency_admin_a, episode):
    with pytest.raises(PermissionDenied):
        services.add_supervisory_review(actor=caseworker_a, episode_id=episode.pk, notes="Reviewed")
    assert access.can_review_youth(supervisor_a) and access.can_review_youth(agency_admin_a)
    assert not access.can_review_youth(caseworker_a)
    assert services.add_supervisory_review(actor=supervisor_a, episode_id=episode.pk, notes="Reviewed").pk


def test_a_correction_keeps_who_gave_the_notice(caseworker_a, supervisor_a, le, now):
    done = record(caseworker_a, le, now)
    corrected = services.record_notification(
        actor=supervisor_a, notification_id=done.pk, expected_version=done.version,
        done_at=done.done_at, method="phone", reference="TPD-1-CORRECTED",
    )
    assert (corrected.done_by, corrected.reference) == (caseworker_a, "TPD-1-CORRECTED")
    assert corrected.history.first().history_user == supervisor_a


def test_ncic_cannot_be_confirmed_before_the_report(caseworker_a, le, now):
    assert refused(
        lambda: record(caseworker_a, le, now, ncic_number="M9", ncic_confirmed_at=now - HOUR), "ncic_confirmed_at"
    ) == ["NCIC entry cannot be confirmed before the report to law enforcement."]


def test_a_search_effort_cannot_be_after_the_return(caseworker_a, episode, now):
    episode = services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version, returned_at=now - 30 * MINUTE
    )
    assert refused(
        lambda: services.add_search_effort(
            actor=caseworker_a, episode_id=episode.pk, made_at=now - 10 * MINUTE, contact_type="friends",
            outcome="Found at a friend's",
        ),
        "made_at",
    ) == ["A search effort cannot be after the youth returned."]


def test_changing_the_category_changes_the_missing_spell(caseworker_a, episode):
    assert episode.living_arrangement.placement_type == PlacementType.MISSING_RUNAWAY
    episode = services.update_episode(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version, category="whereabouts_unknown"
    )
    episode.living_arrangement.refresh_from_db()
    assert episode.living_arrangement.placement_type == PlacementType.MISSING_WHEREABOUTS_UNKNOWN
    assert episode.living_arrangement_note == ""


def test_last_seen_before_the_date_of_birth_is_refused(caseworker_a, youth_a1, now):
    long_ago = datetime.datetime(1990, 1, 1, 12, 0, tzinfo=datetime.UTC)
    assert refused(lambda: run(caseworker_a, youth_a1, now, last_seen_at=long_ago), "last_seen_at") == [
        "The time last seen cannot be before the youth's date of birth."
    ]
    assert not MissingEpisode.objects.filter(youth=youth_a1).exists()


def test_a_deactivated_supervisor_reviews_nothing(supervisor_a, episode):
    supervisor_a.is_active = False
    supervisor_a.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        services.add_supervisory_review(actor=supervisor_a, episode_id=episode.pk, notes="Reviewed")
    assert not episode.reviews.exists()
