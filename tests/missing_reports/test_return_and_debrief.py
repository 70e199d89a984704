"""Logging a return and recording the return interview, through the test client.

The pages call missing_reports.services; these tests check what a caseworker sees (the message, the
form error) and what the database then holds (status, clocks, placements, photos, audit rows).
"""

import datetime
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditEvent, Placement, YouthPhoto
from caseapp.services import photos as photo_services
from missing_reports import deadlines, signals
from missing_reports.models import Debrief, MissingEpisode, Notification
from missing_reports.services import episodes as services
from tests.helpers import jpeg_upload, rendered_form

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")  # agency A's time zone


def local(moment):
    """What a datetime-local input in agency A's time zone sends."""
    return timezone.localtime(moment, CHICAGO).strftime("%Y-%m-%dT%H:%M")


def to_minute(moment):
    return moment.replace(second=0, microsecond=0)



def page_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def episode(caseworker_a, youth_a1):
    """youth_a1 missing since two days ago; the agency learned an hour after."""
    now = timezone.now()
    return services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, category="runaway",
        last_seen_at=now - datetime.timedelta(days=2), last_seen_location="Foster home, Topeka",
        agency_learned_at=now - datetime.timedelta(days=2) + datetime.timedelta(hours=1),
        reported_by="Foster parent",
    )


def return_data(episode, **overrides):
    now = timezone.now()
    data = {
        "version": episode.version,
        "located_at": local(now - datetime.timedelta(hours=3)),
        "returned_at": local(now - datetime.timedelta(hours=2)),
        "found_address": "Motel 8, room 12, Highway 40",
        "found_location_type": "motel",
        "found_out_of_county": "on",
        "how_located": "law_enforcement",
        "condition_on_return": "Tired and hungry; no visible injuries.",
        "returned_with": ["hotel_key", "new_phone"],
        "new_marks_tattoos": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def returned(episode, caseworker_a):
    """The same episode with its return logged (through the service) two hours ago."""
    now = timezone.now()
    return services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        located_at=now - datetime.timedelta(hours=3), returned_at=now - datetime.timedelta(hours=2),
        found_location_type="friend", how_located="self_returned",
    )


def debrief_data(**overrides):
    data = {
        "interview_at": local(timezone.now() - datetime.timedelta(hours=1)),
        "running_direction": "from",
        "primary_factors": ["placement_safety", "friends_connection"],
        "primary_factors_notes": "Arguments at home over curfew.",
        "where_stayed": "With an older friend's cousin.",
        "basic_needs": "The cousin bought food.",
        "experiences_while_absent": "Was given a phone by an adult they had just met.",
        "youth_own_words": "\u201cI just needed to breathe for a bit.\u201d",
        "trafficking_screening_done": "yes",
        "screening_not_done_reason": "",
        "services_referrals": "Counselling referral.",
        "placement_response": "Agree a curfew plan with the youth and foster parent.",
    }
    data.update(overrides)
    return data


def state(episode):
    """Everything a return or debrief POST could write."""
    return {
        "episode": MissingEpisode.objects.filter(pk=episode.pk).values().get(),
        "notifications": list(Notification.objects.filter(episode=episode).order_by("pk").values()),
        "placements": list(Placement.objects.filter(youth_id=episode.youth_id).order_by("pk").values()),
        "photos": list(YouthPhoto.objects.filter(youth_id=episode.youth_id).values_list("pk", flat=True)),
        "debriefs": Debrief.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "history_rows": MissingEpisode.history.count() + Notification.history.count() + Placement.history.count(),
        "stored_files": sorted(str(p) for p in Path(django_settings.MEDIA_ROOT).rglob("*") if p.is_file()),
    }


def return_url(episode):
    return reverse("log_return", kwargs={"episode_id": episode.pk})


def debrief_url(episode):
    return reverse("debrief_create", kwargs={"episode_id": episode.pk})


def episode_url(episode):
    return reverse("episode_detail", kwargs={"episode_id": episode.pk})


# --- Log the return: the happy path ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_admin_a"])
def test_editors_in_scope_open_the_return_form(request, client_for, episode, persona):
    response = client_for(request.getfixturevalue(persona)).get(return_url(episode))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The youth returned to the same placement" in page
    assert 'type="datetime-local"' in page
    assert 'enctype="multipart/form-data"' in page


def test_log_return_closes_the_episode_and_starts_the_recovery_clocks(client_for, caseworker_a, episode):
    before_audit = AuditEvent.objects.count()
    data = return_data(episode, continue_previous_placement="on")
    response = client_for(caseworker_a).post(return_url(episode), data)

    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == episode_url(episode)
    [message] = page_messages(response)
    assert "recovery notices" in message and "return-interview clock" in message

    episode.refresh_from_db()
    returned_at = datetime.datetime.fromisoformat(data["returned_at"]).replace(tzinfo=CHICAGO)
    assert episode.status == "returned"
    assert episode.returned_at == returned_at
    assert episode.located_at == returned_at - datetime.timedelta(hours=1)
    assert episode.found_location_type == "motel"
    assert episode.found_out_of_county is True and episode.found_out_of_state is False
    assert episode.how_located == "law_enforcement"
    assert episode.returned_with == ["hotel_key", "new_phone"]
    assert episode.version == 2

    recovery = {n.party: n for n in episode.notifications.filter(event=deadlines.RETURNED)}
    assert set(recovery) == {deadlines.LAW_ENFORCEMENT, deadlines.NCMEC, deadlines.RETURN_INTERVIEW}
    assert recovery[deadlines.LAW_ENFORCEMENT].due_at == returned_at + datetime.timedelta(hours=24)
    assert recovery[deadlines.NCMEC].due_at == returned_at + datetime.timedelta(hours=24)
    assert recovery[deadlines.RETURN_INTERVIEW].due_at == returned_at + datetime.timedelta(hours=72)
    assert not any(n.is_done for n in recovery.values())
    # The clocks of the run itself are untouched.
    assert episode.notifications.filter(event=deadlines.MISSING).count() == 2

    spell = episode.living_arrangement
    spell.refresh_from_db()
    assert spell.is_missing_spell
    assert spell.end_date == timezone.localtime(returned_at, CHICAGO).date()
    assert spell.end_reason == "returned"
    continuation = Placement.objects.get(youth=episode.youth, end_date__isnull=True)
    assert continuation.placement_type == episode.placement.placement_type
    assert continuation.provider_name == episode.placement.provider_name
    assert continuation.start_date == spell.end_date
    assert episode.living_arrangement_note == ""

    assert AuditEvent.objects.filter(object_type="missingepisode", object_id=str(episode.pk), action="update").exists()
    assert AuditEvent.objects.count() > before_audit


def test_without_same_placement_no_new_placement_is_opened(client_for, caseworker_a, episode):
    response = client_for(caseworker_a).post(return_url(episode), return_data(episode))
    assert response.status_code == 302
    assert not Placement.objects.filter(youth=episode.youth, end_date__isnull=True).exists()


def test_the_return_form_of_a_returned_episode_redirects(client_for, caseworker_a, returned):
    response = client_for(caseworker_a).get(return_url(returned))
    assert response.status_code == 302
    assert response["Location"] == episode_url(returned)
    assert page_messages(response) == ["This episode already has a return recorded."]


# --- Log the return: bad input, each with a clear message and nothing written ----------------------


def _post_bad_return(client, episode, **overrides):
    before = state(episode)
    response = client.post(return_url(episode), return_data(episode, **overrides))
    assert response.status_code == 200
    assert state(episode) == before
    assert MissingEpisode.objects.get(pk=episode.pk).status == "open"
    return response


def test_returned_in_the_future_is_refused(client_for, caseworker_a, episode):
    later = timezone.now() + datetime.timedelta(hours=3)
    response = _post_bad_return(client_for(caseworker_a), episode, returned_at=local(later), located_at="")
    assert response.context["form"].errors["returned_at"] == ["The time returned cannot be in the future."]
    assert "cannot be in the future" in response.content.decode()


def test_located_after_returned_is_refused(client_for, caseworker_a, episode):
    now = timezone.now()
    response = _post_bad_return(
        client_for(caseworker_a), episode,
        located_at=local(now - datetime.timedelta(hours=1)), returned_at=local(now - datetime.timedelta(hours=2)),
    )
    assert response.context["form"].errors["located_at"] == [
        "The youth must have been located before, or when, they returned."
    ]


def test_returned_before_last_seen_is_refused(client_for, caseworker_a, episode):
    earlier = episode.last_seen_at - datetime.timedelta(hours=5)
    response = _post_bad_return(client_for(caseworker_a), episode, returned_at=local(earlier), located_at="")
    assert response.context["form"].errors["returned_at"] == [
        "The return cannot be before the youth was last seen."
    ]


def test_missing_return_time_is_refused(client_for, caseworker_a, episode):
    response = _post_bad_return(client_for(caseworker_a), episode, returned_at="")
    assert "returned_at" in response.context["form"].errors


def test_a_second_return_is_refused(client_for, caseworker_a, returned):
    before = state(returned)
    response = client_for(caseworker_a).post(return_url(returned), return_data(returned))
    assert response.status_code == 200
    assert "This episode already has a return recorded." in response.context["form"].non_field_errors()
    assert state(returned) == before


def test_a_return_from_a_stale_form_on_a_returned_episode_says_so(client_for, caseworker_a, episode, returned):
    """The form was opened while the youth was missing; someone else logged the return meanwhile."""
    before = state(returned)
    response = client_for(caseworker_a).post(return_url(episode), return_data(episode, version=1))
    assert response.status_code == 200
    assert "This episode already has a return recorded." in response.context["form"].non_field_errors()
    assert state(returned) == before


def test_an_edit_in_between_is_a_conflict_not_a_silent_overwrite(client_for, caseworker_a, supervisor_a, episode):
    client = client_for(caseworker_a)
    page = client.get(return_url(episode))
    episode = services.update_episode(
        actor=supervisor_a, episode_id=episode.pk, expected_version=episode.version, clothing="Grey hoodie"
    )
    before = state(episode)
    typed = {k: v for k, v in return_data(episode).items() if k != "version"}
    response = client.post(return_url(episode), {**rendered_form(page, **typed), "recovery_photo": jpeg_upload()})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Someone else saved this episode after you opened it" in text
    assert "Photo on return: a file cannot be kept on this page. Attach it again before you save." in text
    assert state(episode) == before
    # The form now holds the return as typed on the saved episode: saving again records it, and keeps the clothing.
    assert client.post(return_url(episode), rendered_form(response)).status_code == 302
    episode.refresh_from_db()
    assert (episode.status, episode.clothing, episode.found_address) == (
        "returned", "Grey hoodie", "Motel 8, room 12, Highway 40",
    )


# --- The photo on return ----------------------------------------------------------------------------


def test_the_recovery_photo_becomes_the_current_photo(client_for, caseworker_a, episode, youth_a1):
    older = photo_services.add_photo(
        actor=caseworker_a, youth_id=youth_a1.pk, image=jpeg_upload("school.jpg"),
        taken_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    client = client_for(caseworker_a)
    response = client.post(return_url(episode), return_data(episode, recovery_photo=jpeg_upload()))
    assert response.status_code == 302
    episode.refresh_from_db()
    photo = episode.recovery_photo
    assert photo is not None and photo.youth_id == youth_a1.pk
    assert photo.caption == "Photo on return"
    assert photo.content_type == "image/jpeg"
    youth_page = client.get(reverse("youth_detail", kwargs={"youth_id": youth_a1.pk}))
    assert youth_page.context["current_photo"] == photo
    assert older in youth_page.context["photos"]


def test_a_recovery_photo_that_is_not_an_image_writes_nothing(client_for, caseworker_a, episode):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = _post_bad_return(client_for(caseworker_a), episode, recovery_photo=fake)
    assert response.context["form"].errors["recovery_photo"] == [
        "This file is not a photo we can read. Upload a JPEG, PNG or WebP image."
    ]
    assert not YouthPhoto.objects.exists()
    assert not Notification.objects.filter(episode=episode, event=deadlines.RETURNED).exists()


# --- The return interview (debrief) -------------------------------------------------------------------


def test_the_debrief_form_asks_for_the_youths_own_words(client_for, caseworker_a, returned):
    response = client_for(caseworker_a).get(debrief_url(returned))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Quote the youth; their words, not a summary" in page
    assert "Running from something" in page and "Running to something or someone" in page
    assert "Not feeling safe in the placement" in page
    assert "chronic" not in page.lower() and "runner" not in page.lower()


def test_the_debrief_form_before_the_return_sends_back_with_a_message(client_for, caseworker_a, episode):
    response = client_for(caseworker_a).get(debrief_url(episode))
    assert response.status_code == 302
    assert page_messages(response) == ["Record the return before the return interview."]


def test_a_debrief_before_the_return_is_refused(client_for, caseworker_a, episode):
    before = state(episode)
    response = client_for(caseworker_a).post(debrief_url(episode), debrief_data())
    assert response.status_code == 200
    assert "Record the return before the return interview." in response.context["form"].non_field_errors()
    assert state(episode) == before


def test_the_debrief_completes_the_return_interview_clock(client_for, caseworker_a, returned):
    data = debrief_data()
    response = client_for(caseworker_a).post(debrief_url(returned), data)
    assert response.status_code == 302, response.context["form"].errors
    # A screening was done: the next page records what it found (the risk module's structured screening).
    assert response["Location"] == reverse("risk_screening", args=[returned.youth_id]) + f"?episode={returned.pk}"
    assert "return-interview clock is done" in page_messages(response)[0]

    debrief = Debrief.objects.get(episode=returned)
    interview_at = datetime.datetime.fromisoformat(data["interview_at"]).replace(tzinfo=CHICAGO)
    assert debrief.interview_at == interview_at
    assert debrief.interviewer == caseworker_a
    assert debrief.running_direction == "from"
    assert debrief.primary_factors == ["placement_safety", "friends_connection"]
    assert debrief.youth_own_words == data["youth_own_words"]
    assert debrief.trafficking_screening_done == "yes"

    interview = returned.notifications.get(event=deadlines.RETURNED, party=deadlines.RETURN_INTERVIEW)
    assert interview.done_at == interview_at
    assert interview.done_by == caseworker_a
    assert interview.reference == f"Debrief {debrief.pk}"
    assert not interview.was_late()
    assert AuditEvent.objects.filter(object_type="debrief", object_id=str(debrief.pk), action="create").exists()
    # The recovery notices are still open: a debrief is not a notice to law enforcement or NCMEC.
    assert not returned.notifications.get(event=deadlines.RETURNED, party=deadlines.NCMEC).is_done


def test_a_debrief_without_factors_is_refused(client_for, caseworker_a, returned):
    before = state(returned)
    response = client_for(caseworker_a).post(debrief_url(returned), debrief_data(primary_factors=[]))
    assert response.status_code == 200
    assert response.context["form"].errors["primary_factors"] == [
        "Choose at least one factor, or 'Other' and describe it."
    ]
    assert state(returned) == before


@pytest.mark.parametrize("answer", ["no", "declined"])
def test_no_screening_needs_a_reason(client_for, caseworker_a, returned, answer):
    before = state(returned)
    data = debrief_data(trafficking_screening_done=answer, screening_not_done_reason="  ")
    response = client_for(caseworker_a).post(debrief_url(returned), data)
    assert response.status_code == 200
    assert response.context["form"].errors["screening_not_done_reason"] == [
        "Say why no trafficking screening was done."
    ]
    assert state(returned) == before


def test_no_screening_with_a_reason_is_saved(client_for, caseworker_a, returned):
    data = debrief_data(
        trafficking_screening_done="declined", screening_not_done_reason="Asked to talk tomorrow.",
        follow_up_adult_name="Ms Rivera, the youth's mentor",
    )
    assert client_for(caseworker_a).post(debrief_url(returned), data).status_code == 302
    assert Debrief.objects.get(episode=returned).screening_not_done_reason == "Asked to talk tomorrow."


def test_an_interview_before_the_return_time_is_refused(client_for, caseworker_a, returned):
    before = state(returned)
    data = debrief_data(interview_at=local(returned.returned_at - datetime.timedelta(hours=1)))
    response = client_for(caseworker_a).post(debrief_url(returned), data)
    assert response.context["form"].errors["interview_at"] == ["The interview cannot be before the youth returned."]
    assert state(returned) == before


def test_a_follow_up_interview_is_a_second_debrief_and_both_show(client_for, caseworker_a, returned):
    client = client_for(caseworker_a)
    assert client.post(debrief_url(returned), debrief_data()).status_code == 302
    interview = Notification.objects.get(episode=returned, party="return_interview")
    page = client.get(debrief_url(returned))
    assert page.status_code == 200 and "Follow-up interview with" in page.content.decode()
    response = client.post(debrief_url(returned), debrief_data(youth_own_words="Another account"))
    assert response.status_code == 302
    assert page_messages(client.get(response.url))[0].startswith("Follow-up interview recorded.")
    assert [d.youth_own_words for d in Debrief.objects.filter(episode=returned)] == [
        "\u201cI just needed to breathe for a bit.\u201d", "Another account"
    ]
    # The first interview completed the return-interview clock; the follow-up leaves it as it was.
    assert Notification.objects.get(pk=interview.pk).done_at == interview.done_at
    text = client.get(reverse("episode_detail", args=[returned.pk])).content.decode()
    assert "Return interview, " in text and "Follow-up interview 1, " in text
    assert "Add a follow-up interview" in text


def test_the_debrief_recorded_signal_fires_once_after_commit(
    client_for, caseworker_a, returned, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, debrief, **kwargs):
        received.append(debrief.pk)

    signals.debrief_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(caseworker_a).post(debrief_url(returned), debrief_data())
            assert response.status_code == 302
            assert received == []  # not before the commit
        assert received == [Debrief.objects.get(episode=returned).pk]
    finally:
        signals.debrief_recorded.disconnect(receiver)


def test_a_refused_debrief_sends_no_signal(client_for, caseworker_a, returned, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, debrief, **kwargs):
        received.append(debrief.pk)

    signals.debrief_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client_for(caseworker_a).post(debrief_url(returned), debrief_data(primary_factors=[]))
        assert received == []
    finally:
        signals.debrief_recorded.disconnect(receiver)


# --- Out of scope: 404 on GET and POST, nothing written ----------------------------------------------


@pytest.mark.parametrize("persona", ["caseworker_a2", "caseworker_b", "no_role_user", "agency_staff_a"])
def test_return_is_404_out_of_scope_and_writes_nothing(request, client_for, episode, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(return_url(episode)).status_code == 404
    before = state(episode)
    response = client.post(return_url(episode), return_data(episode, recovery_photo=jpeg_upload()))
    assert response.status_code == 404
    assert state(episode) == before


@pytest.mark.parametrize("persona", ["caseworker_a2", "caseworker_b", "no_role_user", "agency_staff_a"])
def test_debrief_is_404_out_of_scope_and_writes_nothing(request, client_for, returned, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(debrief_url(returned)).status_code == 404
    before = state(returned)
    assert client.post(debrief_url(returned), debrief_data()).status_code == 404
    assert state(returned) == before


def test_an_episode_that_does_not_exist_looks_the_same(client_for, caseworker_a, caseworker_b, episode):
    missing = reverse("log_return", kwargs={"episode_id": episode.pk + 10_000})
    assert client_for(caseworker_a).get(missing).status_code == client_for(caseworker_b).get(
        return_url(episode)
    ).status_code == 404


@pytest.mark.parametrize("url", [return_url, debrief_url])
def test_anonymous_users_are_sent_to_log_in(episode, url):
    before = state(episode)
    response = Client().post(url(episode), {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert state(episode) == before
