"""The report packets on the episode page, their downloads, and recording a submission.

Through the Django test client. Celery runs eagerly here, so the packets are built the moment the
change that triggers them commits (django_capture_on_commit_callbacks runs the on-commit hooks).
"""

import datetime
import json
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseapp.models import AuditAction, AuditEvent
from caseapp.services.youth import update_youth
from missing_reports.models import (
    Notification,
    PacketKind,
    PacketStatus,
    PacketSubmission,
    PacketVersion,
)
from missing_reports.packets import completeness
from missing_reports.services import episodes as services
from tests.factories import PlacementFactory, YouthFactory
from tests.personas import OUTSIDERS

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
CONTENT_TYPES = {"pdf": "application/pdf", "json": "application/json"}


def as_input(moment):
    """What a datetime-local input posts, in the agency's zone (America/Chicago for agency A)."""
    return timezone.localtime(moment, CHICAGO).strftime("%Y-%m-%dT%H:%M")


def text(response):
    return response.content.decode()


def packet_section(response):
    """The "Report packets" section of the episode page."""
    page = text(response)
    start = page.index('id="packets"')
    return page[start : page.index("</section>", start)]


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def counts():
    """Everything the packet pages could write."""
    return {
        "versions": PacketVersion.objects.count(),
        "submissions": PacketSubmission.objects.count(),
        "done_clocks": Notification.objects.filter(done_at__isnull=False).count(),
        "audit": AuditEvent.objects.count(),
    }


def latest(episode, kind):
    return PacketVersion.objects.filter(episode=episode, kind=kind).order_by("-number").first()


def download_url(packet, fmt):
    return reverse("packet_download", args=[packet.pk, fmt])


def submit_url(packet):
    return reverse("packet_submit", args=[packet.pk])


def log_run(actor, youth, captured, **extra):
    fields = {
        "last_seen_at": timezone.now() - datetime.timedelta(hours=2),
        "last_seen_location": "Outside Central High",
        "reported_by": "A. Rivera, foster parent",
        "agency_learned_at": timezone.now() - datetime.timedelta(hours=1),
        **extra,
    }
    with captured(execute=True):
        return services.log_run(actor=actor, youth_id=youth.pk, **fields)


@pytest.fixture
def episode(caseworker_a, youth_a1, django_capture_on_commit_callbacks):
    """An open episode of youth_a1 whose two packets were built when the run was saved."""
    return log_run(caseworker_a, youth_a1, django_capture_on_commit_callbacks, clothing="Grey hoodie")


@pytest.fixture
def ncmec_v1(episode):
    packet = latest(episode, PacketKind.NCMEC)
    assert packet.status == PacketStatus.READY, packet.error
    return packet


def change_height(actor, youth, inches, captured):
    youth.refresh_from_db()
    with captured(execute=True):
        update_youth(actor=actor, youth_id=youth.pk, expected_version=youth.version, height_inches=inches)


def submission_data(**overrides):
    return {
        "channel": "ncmec_call_centre",
        "reference": "NCMEC-1234567",
        "submitted_at": as_input(timezone.now() - datetime.timedelta(minutes=10)),
        **overrides,
    }


# --- The section on the episode page ---------------------------------------------------------------


def test_a_run_logged_through_the_web_offers_both_packets_ready_to_download(
    client_for, caseworker_a, youth_a1, django_capture_on_commit_callbacks
):
    client = client_for(caseworker_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("log_run", args=[youth_a1.pk]),
            {
                "last_seen_at": as_input(timezone.now() - datetime.timedelta(hours=1)),
                "last_seen_location": "The group home",
                "reported_by": "Night staff",
            },
        )
    assert response.status_code == 302
    response = client.get(response.url)
    section = packet_section(response)
    assert "Report packets" in section
    episode = response.context["episode"]
    for kind in (PacketKind.NCMEC, PacketKind.LAW_ENFORCEMENT):
        packet = latest(episode, kind)
        assert packet.status == PacketStatus.READY, packet.error
        assert packet.number == 1
        assert kind.label in section
        assert download_url(packet, "pdf") in section
        assert download_url(packet, "json") in section
        assert submit_url(packet) in section
    assert "Download PDF" in section and "Download JSON" in section
    assert "Being built" not in section
    assert "Recovery notice" not in section  # only once the youth has returned


def test_readers_see_the_downloads_but_not_the_submit_button(client_for, agency_staff_a, episode, ncmec_v1):
    section = packet_section(client_for(agency_staff_a).get(reverse("episode_detail", args=[episode.pk])))
    assert download_url(ncmec_v1, "pdf") in section
    assert submit_url(ncmec_v1) not in section
    assert "Record submission" not in section


def test_the_recovery_notice_appears_once_the_youth_has_returned(
    client_for, caseworker_a, episode, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.log_return(
            actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
            returned_at=now - datetime.timedelta(minutes=30), found_location_type="friend",
            how_located="self_returned",
        )
    recovery = latest(episode, PacketKind.RECOVERY)
    assert recovery.status == PacketStatus.READY, recovery.error
    client = client_for(caseworker_a)
    section = packet_section(client.get(reverse("episode_detail", args=[episode.pk])))
    assert "Recovery notice" in section
    assert download_url(recovery, "pdf") in section
    # A recovery notice goes to both parties: every channel is offered.
    form = client.get(submit_url(recovery)).context["form"]
    assert {value for value, _ in form.fields["channel"].choices} == {
        "", "ncmec_call_centre", "ncmec_portal", "system_to_system", "le_in_person", "le_phone", "le_written",
    }


def test_a_packet_being_built_says_so_and_the_page_can_be_refreshed(client_for, caseworker_a, episode, ncmec_v1):
    PacketVersion.objects.filter(pk=ncmec_v1.pk).update(status=PacketStatus.BUILDING)
    section = packet_section(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert "Being built…" in section
    assert "Refresh the page" in section
    assert download_url(ncmec_v1, "pdf") not in section
    # The section asks for the builds' state until they finish: a static script, no inline one.
    status_url = reverse("packet_status", args=[episode.pk])
    assert f'data-status-url="{status_url}"' in section and "data-pending" in section
    assert "js/packet-status.js" in section and "<script>" not in section


def test_the_status_poll_says_what_is_pending_until_the_build_is_ready(client_for, caseworker_a, episode, ncmec_v1):
    client = client_for(caseworker_a)
    url = reverse("packet_status", args=[episode.pk])
    PacketVersion.objects.filter(pk=ncmec_v1.pk).update(status=PacketStatus.BUILDING)
    page = packet_section(client.get(reverse("episode_detail", args=[episode.pk])))
    building = client.get(url).json()
    assert building["pending"] is True
    assert f'data-state="{building["state"]}"' in page  # the page and the poll agree: no reload yet
    audited = AuditEvent.objects.count()

    PacketVersion.objects.filter(pk=ncmec_v1.pk).update(status=PacketStatus.READY)
    ready = client.get(url).json()
    assert ready["pending"] is False
    assert ready["state"] != building["state"]  # the page reloads and shows the downloads
    assert AuditEvent.objects.count() == audited  # build states only: not a view of the record
    page = packet_section(client.get(reverse("episode_detail", args=[episode.pk])))
    assert "data-pending" not in page and download_url(ncmec_v1, "pdf") in page


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_the_status_poll_is_404_out_of_scope(request, client_for, episode, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("packet_status", args=[episode.pk])).status_code == 404


def test_a_failed_build_shows_its_error_with_the_attempts(client_for, caseworker_a, episode, ncmec_v1):
    PacketVersion.objects.filter(pk=ncmec_v1.pk).update(
        status=PacketStatus.FAILED, error="PDF layout: the photo file could not be read", attempts=3
    )
    section = packet_section(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert 'class="alert alert-danger' in section
    assert "Failed:" in section
    assert "PDF layout: the photo file could not be read" in section
    assert "Tried 3 times" in section
    assert "retries automatically" in section
    assert submit_url(ncmec_v1) not in section


def test_the_completeness_check_links_each_missing_item_to_its_field(
    client_for, caseworker_a, team_a1, django_capture_on_commit_callbacks
):
    sparse = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a], height_inches=None)
    PlacementFactory(youth=sparse)
    episode = log_run(caseworker_a, sparse, django_capture_on_commit_callbacks)
    section = packet_section(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert "NCMEC will ask for:" in section
    assert "Law enforcement will ask for:" in section
    photo_link = f'href="{reverse("photo_upload", args=[sparse.pk])}"'
    edit_link = f'href="{reverse("youth_edit", args=[sparse.pk])}"'
    assert photo_link in section and "No photo on file" in section
    assert edit_link in section and "No height" in section
    # Exactly what the check of the stored facts lists, in its order.
    facts = latest(episode, PacketKind.NCMEC).facts
    messages = [item.message for item in completeness.missing_items(PacketKind.NCMEC, facts)]
    positions = [section.index(m) for m in messages]
    assert positions == sorted(positions)


def test_a_link_to_a_staff_page_is_only_offered_to_those_who_manage_staff(
    client_for, caseworker_a, agency_admin_a, episode
):
    """No phone for the caseworker: only an agency admin can add it, so only they get the link."""
    staff_link = reverse("staff_edit", args=[caseworker_a.pk])
    for user, linked in ((caseworker_a, False), (agency_admin_a, True)):
        section = packet_section(client_for(user).get(reverse("episode_detail", args=[episode.pk])))
        assert "No caseworker phone number" in section
        assert (staff_link in section) is linked


def test_readers_see_the_missing_items_without_links(client_for, agency_staff_a, caseworker_a, team_a1,
                                                     django_capture_on_commit_callbacks):
    sparse = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a], height_inches=None)
    episode = log_run(caseworker_a, sparse, django_capture_on_commit_callbacks)
    section = packet_section(client_for(agency_staff_a).get(reverse("episode_detail", args=[episode.pk])))
    assert "No height" in section
    assert reverse("youth_edit", args=[sparse.pk]) not in section


def test_nothing_missing_is_said_when_the_check_finds_nothing(client_for, caseworker_a, episode, monkeypatch):
    monkeypatch.setattr(completeness, "missing_items", lambda kind, facts: [])
    section = packet_section(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert section.count("Nothing missing") == 2
    assert "will ask for:" not in section


# --- Downloads -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "json"])
@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_staff_a"])
def test_in_scope_users_download_each_file_and_it_is_audited(request, client_for, episode, ncmec_v1, persona, fmt):
    user = request.getfixturevalue(persona)
    youth = episode.youth
    response = client_for(user).get(download_url(ncmec_v1, fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert disposition.endswith(f'.{fmt}"')
    for name in (youth.legal_first_name, youth.legal_last_name):
        assert name.lower() not in disposition.lower()
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    if fmt == "pdf":
        assert body.startswith(b"%PDF")
    else:
        assert json.loads(body)["schema_version"]
    event = AuditEvent.objects.filter(actor=user, action=AuditAction.DOWNLOAD).get()
    assert event.youth_id == youth.pk


def test_an_unknown_format_is_not_found(client_for, caseworker_a, ncmec_v1):
    assert client_for(caseworker_a).get(download_url(ncmec_v1, "docx")).status_code == 404


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_out_of_scope_users_get_404_for_downloads_and_submissions_and_nothing_is_written(
    request, client_for, episode, ncmec_v1, persona
):
    client = client_for(request.getfixturevalue(persona))
    before = counts()
    assert client.get(download_url(ncmec_v1, "pdf")).status_code == 404
    assert client.get(download_url(ncmec_v1, "json")).status_code == 404
    assert client.get(submit_url(ncmec_v1)).status_code == 404
    assert client.post(submit_url(ncmec_v1), submission_data()).status_code == 404
    assert counts() == before
    assert client.get(reverse("episode_detail", args=[episode.pk])).status_code == 404


def test_agency_staff_download_but_cannot_record_a_submission(client_for, agency_staff_a, ncmec_v1):
    client = client_for(agency_staff_a)
    assert client.get(download_url(ncmec_v1, "pdf")).status_code == 200
    before = counts()
    assert client.get(submit_url(ncmec_v1)).status_code == 404
    assert client.post(submit_url(ncmec_v1), submission_data()).status_code == 404
    assert counts() == before


# --- Versions --------------------------------------------------------------------------------------


def test_a_change_to_the_youth_makes_version_2_and_version_1_stays_downloadable(
    client_for, caseworker_a, caseworker_a2, episode, ncmec_v1, django_capture_on_commit_callbacks
):
    change_height(caseworker_a, episode.youth, 66, django_capture_on_commit_callbacks)
    v2 = latest(episode, PacketKind.NCMEC)
    assert v2.number == 2 and v2.status == PacketStatus.READY, v2.error
    assert latest(episode, PacketKind.LAW_ENFORCEMENT).number == 2
    client = client_for(caseworker_a)
    section = packet_section(client.get(reverse("episode_detail", args=[episode.pk])))
    assert "Version 2 ·" in section
    assert "Older versions (1)" in section
    assert "<strong>Version 1</strong>" in section
    assert escape(v2.trigger) in section and escape(ncmec_v1.trigger) in section
    for packet in (ncmec_v1, v2):
        for fmt in ("pdf", "json"):
            assert download_url(packet, fmt) in section
            assert client.get(download_url(packet, fmt)).status_code == 200
            assert client_for(caseworker_a2).get(download_url(packet, fmt)).status_code == 404


def test_a_save_that_changes_nothing_makes_no_new_version(
    client_for, caseworker_a, episode, ncmec_v1, django_capture_on_commit_callbacks
):
    change_height(caseworker_a, episode.youth, episode.youth.height_inches, django_capture_on_commit_callbacks)
    assert PacketVersion.objects.filter(episode=episode, kind=PacketKind.NCMEC).count() == 1
    section = packet_section(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert "Older versions" not in section


def copy_version(packet, number, submitted_by=None):
    """Another ready version of the same packet, as a change would make it (with a submission)."""
    copy = PacketVersion.objects.create(
        episode=packet.episode, kind=packet.kind, content_hash=f"{packet.content_hash[:56]}{number:08d}",
        number=number, status=PacketStatus.READY, facts=packet.facts, json_file=packet.json_file.name,
        pdf_file=packet.pdf_file.name, trigger=f"Test change {number}", triggered_by=submitted_by,
        ready_at=timezone.now(),
    )
    if submitted_by is not None:
        notification = packet.episode.notifications.filter(party=packet.kind).first() or (
            packet.episode.notifications.first()
        )
        PacketSubmission.objects.create(
            packet=copy, notification=notification, channel="ncmec_portal", reference=f"REF-{number}",
            submitted_at=timezone.now(), submitted_by=submitted_by,
        )
    return copy


def test_the_episode_page_runs_the_same_queries_with_one_or_three_versions_per_kind(
    client_for, caseworker_a, episode
):
    client = client_for(caseworker_a)
    url = reverse("episode_detail", args=[episode.pk])
    client.get(url)  # warm the session and the caches

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for kind in (PacketKind.NCMEC, PacketKind.LAW_ENFORCEMENT):
        first = latest(episode, kind)
        copy_version(first, 2, submitted_by=caseworker_a)
        copy_version(first, 3, submitted_by=caseworker_a)
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    section = packet_section(response)
    assert "Older versions (2)" in section
    assert "Submitted: version 3" in section and "Submitted: version 2" in section
    assert len(three) == len(one), "\n".join(q["sql"] for q in three.captured_queries)


# --- Recording a submission ------------------------------------------------------------------------


def test_the_form_offers_the_channels_of_the_packets_party(client_for, caseworker_a, episode, ncmec_v1):
    client = client_for(caseworker_a)
    response = client.get(submit_url(ncmec_v1))
    assert response.status_code == 200
    form = response.context["form"]
    assert [v for v, _ in form.fields["channel"].choices] == [
        "", "ncmec_call_centre", "ncmec_portal", "system_to_system"
    ]
    assert form.fields["reference"].label == "NCMEC case number"
    assert 'type="datetime-local"' in text(response)
    assert "1-800-843-5678" in text(response)

    le = latest(episode, PacketKind.LAW_ENFORCEMENT)
    form = client.get(submit_url(le)).context["form"]
    assert [v for v, _ in form.fields["channel"].choices] == ["", "le_in_person", "le_phone", "le_written"]
    assert form.fields["reference"].label == "Law-enforcement case number"


def test_recording_the_ncmec_submission_completes_the_ncmec_clock(
    client_for, caseworker_a, supervisor_a, episode, ncmec_v1
):
    submitted_at = (timezone.now() - datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
    response = client_for(caseworker_a).post(
        submit_url(ncmec_v1), submission_data(submitted_at=as_input(submitted_at)), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("episode_detail", args=[episode.pk]) + "#packets-h"
    [message] = messages_of(response)
    assert "recorded as submitted" in message and "Required notice done: NCMEC." in message

    submission = PacketSubmission.objects.get()
    assert submission.packet == ncmec_v1
    assert submission.submitted_by == caseworker_a
    assert submission.submitted_at == submitted_at
    assert submission.reference == "NCMEC-1234567"
    clock = Notification.objects.get(episode=episode, party="ncmec")
    assert clock.is_done and clock.done_at == submitted_at and clock.done_by == caseworker_a
    assert submission.notification == clock
    assert not Notification.objects.get(episode=episode, party="law_enforcement").is_done

    # The clock shows done with the NCMEC case number; a supervisor sees which version went out.
    page = text(client_for(supervisor_a).get(reverse("episode_detail", args=[episode.pk])))
    clocks = page[page.index('id="clocks-h"') : page.index('id="packets"')]
    ncmec_clock = clocks[clocks.index("NCMEC") :]
    assert "Done, " in ncmec_clock and "NCMEC-1234567" in ncmec_clock
    section = packet_section(client_for(supervisor_a).get(reverse("episode_detail", args=[episode.pk])))
    assert "Submitted: version 1" in section
    assert "NCMEC call centre (1-800-843-5678)" in section
    assert "NCMEC-1234567" in section
    assert str(caseworker_a) in section


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reference": "  "}, "reference", "Give the NCMEC case number."),
        ({"channel": ""}, "channel", "Say how the packet was submitted."),
        ({"channel": "le_phone"}, "channel", "Select a valid choice."),
        ({"submitted_at": ""}, "submitted_at", "Give the date and time the packet was submitted."),
    ],
)
def test_bad_input_is_shown_at_its_field_and_nothing_is_written(
    client_for, caseworker_a, ncmec_v1, overrides, field, message
):
    before = counts()
    response = client_for(caseworker_a).post(submit_url(ncmec_v1), submission_data(**overrides))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert "Nothing was saved" in text(response)
    assert counts() == before


def test_a_submission_in_the_future_is_refused_and_nothing_is_written(client_for, caseworker_a, ncmec_v1):
    before = counts()
    future = as_input(timezone.now() + datetime.timedelta(hours=2))
    response = client_for(caseworker_a).post(submit_url(ncmec_v1), submission_data(submitted_at=future))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "future" in text(response)
    assert counts() == before


def test_a_version_that_is_not_ready_cannot_be_recorded_as_submitted(client_for, caseworker_a, episode, ncmec_v1):
    PacketVersion.objects.filter(pk=ncmec_v1.pk).update(status=PacketStatus.FAILED, error="boom")
    before = counts()
    response = client_for(caseworker_a).post(submit_url(ncmec_v1), submission_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("episode_detail", args=[episode.pk]) + "#packets-h"
    assert any("not ready" in m for m in messages_of(response))
    assert counts() == {**before, "audit": before["audit"] + 1}  # only the view of the episode page


# --- Which version went to whom, and what is new since -------------------------------------------


def ncmec_card(response):
    section = packet_section(response)
    start = section.index('id="packet-ncmec-h"')
    return " ".join(section[start : section.index("</article>", start)].split())


def law_enforcement_card(response):
    section = packet_section(response)
    start = section.index('id="packet-law_enforcement-h"')
    return " ".join(section[start : section.index("</article>", start)].split())


def test_a_recorded_submission_is_the_current_version_until_a_real_change_needs_an_update(
    client_for, caseworker_a, supervisor_a, episode, ncmec_v1, django_capture_on_commit_callbacks
):
    submitted_at = timezone.make_aware(datetime.datetime(2026, 12, 6, 14, 5), CHICAGO)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(caseworker_a).post(
            submit_url(ncmec_v1),
            submission_data(reference="123456", submitted_at=as_input(timezone.now() - datetime.timedelta(minutes=5))),
        )
    assert response.status_code == 302
    PacketSubmission.objects.update(submitted_at=submitted_at)  # a fixed moment, to read the wording
    # NCMEC's own case number is no news to NCMEC: no new version of the packet just sent.
    assert list(PacketVersion.objects.filter(episode=episode, kind=PacketKind.NCMEC)) == [ncmec_v1]

    page = client_for(supervisor_a).get(reverse("episode_detail", args=[episode.pk]))
    card = ncmec_card(page)
    assert (
        f"Sent to NCMEC: version 1</strong> on Dec 6, 2026, 2:05 PM CST by {escape(str(caseworker_a))} "
        "(NCMEC case #123456). The current version is version 1." in card
    )
    assert "Send an update" not in card
    # Law enforcement did not know NCMEC's number: their packet has a new version, not yet sent.
    assert latest(episode, PacketKind.LAW_ENFORCEMENT).number == 2
    assert "Sent to" not in law_enforcement_card(page)

    change_height(caseworker_a, episode.youth, 70, django_capture_on_commit_callbacks)
    assert latest(episode, PacketKind.NCMEC).number == 2
    card = ncmec_card(client_for(supervisor_a).get(reverse("episode_detail", args=[episode.pk])))
    assert "Sent to NCMEC: version 1</strong>" in card
    assert "The current version 2 has changes since version 1 was sent: Youth: height. " in card
    assert "Send an update." in card


def test_what_law_enforcement_did_not_know_is_named_as_new_since_their_version(
    client_for, caseworker_a, episode, django_capture_on_commit_callbacks
):
    le_v1 = latest(episode, PacketKind.LAW_ENFORCEMENT)
    client = client_for(caseworker_a)
    le_data = submission_data(channel="le_phone", reference="PD-25-000123")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(submit_url(le_v1), le_data).status_code == 302
    card = law_enforcement_card(client.get(reverse("episode_detail", args=[episode.pk])))
    assert "Sent to law enforcement: version 1</strong>" in card
    assert "(law-enforcement case #PD-25-000123). The current version is version 1." in card
    # The number they gave is recorded now: the check no longer asks for it.
    assert "Law-enforcement case number not recorded yet" not in card

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(submit_url(latest(episode, PacketKind.NCMEC)), submission_data()).status_code == 302
    card = law_enforcement_card(client.get(reverse("episode_detail", args=[episode.pk])))
    assert "The current version 2 has changes since version 1 was sent: NCMEC: NCMEC case number." in card
    assert "Send an update." in card


# --- Who gets the health fields ------------------------------------------------------------------

MEDICATION = "Insulin twice daily (synthetic test value)"


@pytest.fixture
def episode_with_medication(caseworker_a, youth_a1, django_capture_on_commit_callbacks):
    youth_a1.medications = MEDICATION
    youth_a1.mental_health_needs = "Sees a counsellor weekly (synthetic)"
    youth_a1.save()
    return log_run(caseworker_a, youth_a1, django_capture_on_commit_callbacks)


@pytest.fixture
def unassigned_caseworker_a(agency_a, team_a1):
    """A caseworker of the youth's own team (North) who does not carry this youth."""
    from caseapp.models import Role
    from tests.factories import UserFactory

    return UserFactory(username="caseworker_north_unassigned", agency=agency_a, role=Role.CASEWORKER, team=team_a1)


def downloaded(client, packet, fmt):
    response = client.get(download_url(packet, fmt))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def pdf_words(pdf_bytes):
    from tests.missing_reports.packets.test_pdf_content import pdf_text

    return pdf_text(pdf_bytes)


@pytest.mark.parametrize(
    ("persona", "full"),
    [
        ("caseworker_a", True),  # assigned to the youth
        ("supervisor_a", True),  # supervises the youth's team
        ("agency_admin_a", True),
        ("agency_staff_a", False),
        ("unassigned_caseworker_a", False),  # same team, not on this youth's caseload
    ],
)
def test_only_those_who_may_see_health_fields_get_them_in_the_pdf_and_the_json(
    request, client_for, episode_with_medication, persona, full
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for kind in (PacketKind.NCMEC, PacketKind.LAW_ENFORCEMENT):
        packet = latest(episode_with_medication, kind)
        youth = json.loads(downloaded(client, packet, "json"))["youth"]
        pdf = pdf_words(downloaded(client, packet, "pdf"))
        if full:
            assert youth["medications"] == MEDICATION and MEDICATION in pdf
        else:
            assert {youth[name] for name in ("medical_needs", "mental_health_needs", "medications")} == {
                "Restricted: ask the youth's caseworker"
            }
            assert MEDICATION not in pdf and "synthetic)" not in pdf
            assert "Restricted: ask the youth's caseworker" in pdf
            # Everything else of the version is there, as stored.
            assert youth["legal_name"] == packet.facts["youth"]["legal_name"]
    events = AuditEvent.objects.filter(actor=user, action=AuditAction.DOWNLOAD)
    assert events.count() == 4
    assert {e.detail["restricted_shown"] for e in events} == {full}
    section = packet_section(client.get(reverse("episode_detail", args=[episode_with_medication.pk])))
    assert ("Your downloads leave out" in section) is (not full)


def test_a_caseworker_of_another_team_gets_404_for_the_packets(client_for, caseworker_a2, episode_with_medication):
    client = client_for(caseworker_a2)
    before = AuditEvent.objects.count()
    for packet in PacketVersion.objects.filter(episode=episode_with_medication):
        for fmt in ("pdf", "json"):
            assert client.get(download_url(packet, fmt)).status_code == 404
    assert AuditEvent.objects.count() == before
