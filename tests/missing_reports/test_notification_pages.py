"""Recording a required notice (law enforcement/NCIC, NCMEC) with its evidence, and updates sent later.

Through the Django test client: what the user sees, what is written, and that bad input, a stale form
or a user outside the youth's scope writes nothing.
"""

import datetime
import html
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditAction, AuditEvent
from missing_reports.models import Notification, NotificationUpdate
from missing_reports.services import episodes as services
from tests.helpers import rendered_form
from tests.personas import OUTSIDERS

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def as_input(moment):
    return timezone.localtime(moment, CHICAGO).strftime("%Y-%m-%dT%H:%M")


def text(response):
    return response.content.decode()


def snapshot(notification):
    """What recording a notice could change, to assert nothing did."""
    notification.refresh_from_db()
    return (
        notification.version, notification.done_at, notification.done_by_id, notification.reference,
        notification.explanation, notification.ncic_number, NotificationUpdate.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
    )


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def episode(caseworker_a, youth_a1, now):
    return services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - datetime.timedelta(hours=2),
        last_seen_location="Outside Central High", reported_by="A. Rivera, foster parent",
        agency_learned_at=now - datetime.timedelta(hours=1),
    )


@pytest.fixture
def le(episode):
    return episode.notifications.get(party="law_enforcement")


@pytest.fixture
def ncmec(episode):
    return episode.notifications.get(party="ncmec")


def evidence(notification, now, **overrides):
    data = {
        "version": notification.version,
        "done_at": as_input(now - datetime.timedelta(minutes=20)),
        "method": "phone",
        "contact_name": "Dispatcher Lee",
        "reference": "",
        "explanation": "",
    }
    data.update(overrides)
    return data


# --- Recording the notice --------------------------------------------------------------------------


def test_the_law_enforcement_form_asks_for_the_ncic_details_only(client_for, caseworker_a, le):
    response = client_for(caseworker_a).get(reverse("notification_record", args=[le.pk]))
    assert response.status_code == 200
    fields = set(response.context["form"].fields)
    assert {"le_agency", "officer_name", "badge_number", "ncic_number", "ncic_confirmed_at"} <= fields
    assert "ncmec_case_number" not in fields
    assert response.context["form"]["done_at"].value()  # defaults to now
    assert "entered in NCIC" in text(response)


def test_the_ncmec_form_shows_the_call_centre_number_and_no_police_fields(client_for, caseworker_a, ncmec):
    response = client_for(caseworker_a).get(reverse("notification_record", args=[ncmec.pk]))
    page = text(response)
    assert "1-800-843-5678" in page
    fields = set(response.context["form"].fields)
    assert "ncmec_case_number" in fields
    assert not fields & {"le_agency", "officer_name", "badge_number", "ncic_number", "ncic_confirmed_at"}


def test_law_enforcement_evidence_with_case_and_ncic_numbers(client_for, caseworker_a, le, now):
    done = (now - datetime.timedelta(minutes=20)).replace(second=0, microsecond=0)
    response = client_for(caseworker_a).post(
        reverse("notification_record", args=[le.pk]),
        evidence(
            le, now, done_at=as_input(done), reference="TPD-2026-0042", le_agency="Topeka Police",
            officer_name="Officer Grant", badge_number="1187", ncic_number="M123456789",
            ncic_confirmed_at=as_input(now - datetime.timedelta(minutes=5)),
        ),
        follow=True,
    )
    le.refresh_from_db()
    assert le.done_at == done
    assert le.done_by == caseworker_a
    assert (le.reference, le.ncic_number, le.le_agency, le.badge_number) == (
        "TPD-2026-0042", "M123456789", "Topeka Police", "1187"
    )
    assert le.ncic_confirmed_at is not None
    assert le.version == 2
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("Law enforcement (NCIC entry): recorded as given")
    assert message.endswith("(on time).")
    page = text(response)
    assert "TPD-2026-0042" in page and "M123456789" in page
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="notification").exists()


def test_ncmec_evidence_uses_the_case_number_as_the_reference(client_for, caseworker_a, ncmec, now):
    response = client_for(caseworker_a).post(
        reverse("notification_record", args=[ncmec.pk]),
        evidence(ncmec, now, method="portal", ncmec_case_number="1234567"),
    )
    assert response.status_code == 302
    ncmec.refresh_from_db()
    assert (ncmec.ncmec_case_number, ncmec.reference) == ("1234567", "1234567")


def test_an_explanation_stands_in_for_a_missing_reference(client_for, caseworker_a, ncmec, now):
    response = client_for(caseworker_a).post(
        reverse("notification_record", args=[ncmec.pk]),
        evidence(ncmec, now, explanation="The intake line will call back with the number."),
    )
    assert response.status_code == 302
    ncmec.refresh_from_db()
    assert ncmec.is_done


def test_no_reference_and_no_explanation_is_refused(client_for, caseworker_a, le, now):
    before = snapshot(le)
    response = client_for(caseworker_a).post(reverse("notification_record", args=[le.pk]), evidence(le, now))
    assert response.status_code == 200
    assert response.context["form"].errors["reference"] == [
        "Give the reference or case number you were given, or explain why there is none."
    ]
    assert "Nothing was saved" in text(response)
    assert snapshot(le) == before


def test_a_notice_given_in_the_future_is_refused(client_for, caseworker_a, le, now):
    before = snapshot(le)
    response = client_for(caseworker_a).post(
        reverse("notification_record", args=[le.pk]),
        evidence(le, now, done_at=as_input(now + datetime.timedelta(hours=3)), reference="R-1"),
    )
    assert response.context["form"].errors["done_at"] == ["The time of the notice cannot be in the future."]
    assert snapshot(le) == before


def test_a_missing_time_or_method_is_asked_for(client_for, caseworker_a, le, now):
    before = snapshot(le)
    response = client_for(caseworker_a).post(
        reverse("notification_record", args=[le.pk]), evidence(le, now, done_at="", method="", reference="R-1")
    )
    errors = response.context["form"].errors
    assert errors["done_at"] == ["Give the date and time the notice was given."]
    assert errors["method"] == ["Say how the notice was given."]
    assert snapshot(le) == before


def test_a_stale_form_gets_a_conflict_and_the_other_persons_evidence_is_kept(
    client_for, caseworker_a, supervisor_a, le, now
):
    """Both record the same notice: the supervisor first; the caseworker's page was opened before."""
    url = reverse("notification_record", args=[le.pk])
    supervisor, caseworker = client_for(supervisor_a), client_for(caseworker_a)
    page_s, page_c = supervisor.get(url), caseworker.get(url)
    given = as_input(now - datetime.timedelta(minutes=30))
    assert supervisor.post(
        url, rendered_form(page_s, done_at=given, method="phone", reference="THEIRS-9")
    ).status_code == 302
    before = snapshot(le)

    stale = caseworker.post(
        url, rendered_form(page_c, done_at=given, method="phone", reference="MINE-1", badge_number="B-77")
    )

    assert stale.status_code == 200
    page = html.unescape(text(stale))
    assert "Someone else saved this notice after you opened it" in page
    assert "You entered Badge number: B-77." in page
    assert "Reference or case number: you both changed it. Which value should be saved?" in page
    assert snapshot(le) == before
    form = stale.context["form"]
    assert (form["reference"].value(), form["badge_number"].value(), form["version"].value()) == ("MINE-1", "B-77", 2)

    # Choosing the saved reference keeps it; the badge number is added.
    assert caseworker.post(url, rendered_form(stale, keep__reference="saved")).status_code == 302
    le.refresh_from_db()
    assert (le.reference, le.badge_number, le.done_by, le.version) == ("THEIRS-9", "B-77", supervisor_a, 3)


def test_a_done_notice_can_be_corrected(client_for, caseworker_a, le, now):
    le = services.record_notification(
        actor=caseworker_a, notification_id=le.pk, expected_version=le.version,
        done_at=now - datetime.timedelta(minutes=30), method="phone", reference="TPD-1",
    )
    client = client_for(caseworker_a)
    url = reverse("notification_record", args=[le.pk])
    response = client.get(url)
    assert "Correct the notice to" in text(response)
    assert response.context["form"]["reference"].value() == "TPD-1"
    data = evidence(le, now, done_at=as_input(le.done_at), reference="TPD-11", ncic_number="M99")
    assert client.post(url, data).status_code == 302
    le.refresh_from_db()
    assert (le.reference, le.ncic_number, le.version) == ("TPD-11", "M99", 3)


def test_the_return_interview_is_not_recorded_here(client_for, caseworker_a, episode, now):
    episode = services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        returned_at=now - datetime.timedelta(minutes=10),
    )
    interview = episode.notifications.get(party="return_interview")
    client = client_for(caseworker_a)
    url = reverse("notification_record", args=[interview.pk])
    page = text(client.get(url))
    assert "The return interview is recorded with the debrief" in page
    assert reverse("debrief_create", args=[episode.pk]) in page
    before = snapshot(interview)
    response = client.post(url, evidence(interview, now, reference="X"))
    assert "The return interview is done by recording the debrief." in text(response)
    assert snapshot(interview) == before


# --- Updates sent later ------------------------------------------------------------------------------


def test_an_update_is_logged_after_the_first_notice(client_for, caseworker_a, ncmec, now):
    services.record_notification(
        actor=caseworker_a, notification_id=ncmec.pk, expected_version=ncmec.version,
        done_at=now - datetime.timedelta(minutes=40), method="phone", ncmec_case_number="1234567",
    )
    response = client_for(caseworker_a).post(
        reverse("notification_update_create", args=[ncmec.pk]),
        {"sent_at": as_input(now - datetime.timedelta(minutes=5)), "method": "portal",
         "note": "Sent a new photo."},
        follow=True,
    )
    update = NotificationUpdate.objects.get()
    assert (update.notification, update.sent_by, update.note) == (ncmec, caseworker_a, "Sent a new photo.")
    assert "Sent a new photo." in text(response)


def test_an_update_before_the_first_notice_is_refused(client_for, caseworker_a, ncmec, now):
    client = client_for(caseworker_a)
    url = reverse("notification_update_create", args=[ncmec.pk])
    data = {"sent_at": as_input(now - datetime.timedelta(minutes=5)), "method": "portal", "note": "New photo."}
    before = snapshot(ncmec)
    response = client.post(url, data)
    assert response.context["form"].errors["sent_at"] == ["Record the first notice before its updates."]
    assert snapshot(ncmec) == before

    services.record_notification(
        actor=caseworker_a, notification_id=ncmec.pk, expected_version=ncmec.version,
        done_at=now - datetime.timedelta(minutes=10), method="phone", ncmec_case_number="1234567",
    )
    before = snapshot(ncmec)
    data["sent_at"] = as_input(now - datetime.timedelta(minutes=30))  # before the notice was given
    response = client.post(url, data)
    assert response.context["form"].errors["sent_at"] == [
        "An update cannot be sent before the first notice was given."
    ]
    assert snapshot(ncmec) == before


# --- Out of scope --------------------------------------------------------------------------------------


def _pages(le):
    return {
        "notification_record": reverse("notification_record", args=[le.pk]),
        "notification_update_create": reverse("notification_update_create", args=[le.pk]),
    }


@pytest.mark.parametrize("page", ["notification_record", "notification_update_create"])
@pytest.mark.parametrize("persona", [*OUTSIDERS, "agency_staff_a"])
def test_outsiders_and_agency_staff_get_404_and_write_nothing(request, client_for, le, now, persona, page):
    client = client_for(request.getfixturevalue(persona))
    url = _pages(le)[page]
    before = snapshot(le)
    assert client.get(url).status_code == 404
    data = {**evidence(le, now, reference="R-1"), "sent_at": as_input(now), "note": "Update"}
    assert client.post(url, data).status_code == 404
    assert snapshot(le) == before
    assert Notification.objects.filter(done_at__isnull=False).count() == 0


def test_an_unknown_notification_is_404(client_for, caseworker_a):
    assert client_for(caseworker_a).get(reverse("notification_record", args=[999999])).status_code == 404
