"""Session limits (docs/security.md#sessions): the agency's idle timeout and the absolute lifetime, enforced by
the server with the clock moved (never slept); background polls are not activity; every session of a user ends
at once when their password changes or their account is deactivated."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseapp import two_factor
from caseapp.models import AuditAction, AuditEvent, User, UserSession
from tests.factories import TEST_PASSWORD
from tests.helpers import FrozenClock, totp_code
from tests.helpers import visible_text as page_text

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
START = datetime.datetime(2026, 11, 3, 14, 0, tzinfo=datetime.UTC)
NEW_PASSWORD = "a-new-long-passphrase-7"
BACKGROUND = {"HTTP_X_BACKGROUND_REQUEST": "1"}


@pytest.fixture
def clock(monkeypatch):
    return FrozenClock(monkeypatch, START)


def sign_in(username, password=TEST_PASSWORD):
    """Through the sign-in page; an account that needs the second factor types its authenticator's code too."""
    user = User.objects.get(username=username)
    if two_factor.needs_second_step(user) and not two_factor.authenticator_of(user):
        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302, response.content.decode()[:500]
    if response["Location"].startswith(reverse("sign_in_code")):
        device = two_factor.authenticator_of(user)
        # Each code is accepted once: a second sign-in of the same person within a step uses the next one.
        used = device.last_t >= int((time.time() - device.t0) // device.step)
        response = client.post(
            reverse("sign_in_code"), {"code": totp_code(device, steps_ahead=1 if used else 0)}, REMOTE_ADDR="10.1.1.1"
        )
        assert response.status_code == 302, response.content.decode()[:500]
    return client


def is_signed_in(client) -> bool:
    response = client.get(reverse("dashboard"))
    return response.status_code == 200


def expired_events(user):
    return AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED, object_id=str(user.pk))


# --- Idle ---------------------------------------------------------------------------------------------------


def test_thirty_idle_minutes_sign_the_person_out_with_a_message(clock, caseworker_a):
    client = sign_in("caseworker_a")
    clock.set(START + 29 * MINUTE)
    assert is_signed_in(client)  # activity: the idle time starts again
    clock.set(START + 58 * MINUTE)
    assert is_signed_in(client)
    clock.set(START + 88 * MINUTE)
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    login_page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity" in page_text(login_page)
    assert not is_signed_in(client)
    event = expired_events(caseworker_a).get()
    assert event.detail == {"reason": "idle"}
    assert event.agency_id == caseworker_a.agency_id
    assert not UserSession.objects.filter(user=caseworker_a).exists()


def test_29_minutes_59_seconds_idle_is_still_signed_in(clock, caseworker_a):
    client = sign_in("caseworker_a")
    clock.set(START + 30 * MINUTE - datetime.timedelta(seconds=1))
    assert is_signed_in(client)
    assert not expired_events(caseworker_a).exists()


def test_the_idle_time_is_the_agencys_setting(clock, caseworker_a, agency_a):
    agency_a.session_idle_minutes = 45
    agency_a.save()
    client = sign_in("caseworker_a")
    clock.set(START + 44 * MINUTE)
    assert is_signed_in(client)
    clock.set(START + 89 * MINUTE)
    assert not is_signed_in(client)


def test_background_polls_are_not_activity(clock, caseworker_a):
    client = sign_in("caseworker_a")
    for minutes in (5, 10, 20, 29):
        clock.set(START + minutes * MINUTE)
        status = client.get(reverse("session_status"), **BACKGROUND)
        assert status.status_code == 200
        assert status.json()["seconds_left"] == (30 - minutes) * 60
    clock.set(START + 30 * MINUTE)
    status = client.get(reverse("session_status"), **BACKGROUND)
    assert status.status_code == 401  # the poll learns it is over; the next page shows the sign-in
    assert expired_events(caseworker_a).get().detail == {"reason": "idle"}
    assert not is_signed_in(client)


def test_stay_signed_in_renews_the_idle_time(clock, caseworker_a):
    client = sign_in("caseworker_a")
    clock.set(START + 29 * MINUTE)
    renewed = client.post(reverse("session_renew"))
    assert renewed.json() == {"signed_in": True, "seconds_left": 30 * 60, "idle_seconds": 30 * 60,
                              "warning_seconds": 120}
    clock.set(START + 58 * MINUTE)
    assert is_signed_in(client)


def test_the_page_carries_the_warning_dialog_with_the_agencys_timing(clock, caseworker_a, agency_a):
    agency_a.session_idle_minutes = 2
    agency_a.save()
    client = sign_in("caseworker_a")
    body = client.get(reverse("dashboard")).content.decode()
    assert 'id="session-timeout"' in body
    assert 'data-idle-seconds="120"' in body
    assert 'data-warning-seconds="60"' in body  # at most half the idle time
    assert "js/session-timeout.js" in body
    assert 'id="session-timeout"' not in Client().get(reverse("login")).content.decode()


# --- Absolute lifetime --------------------------------------------------------------------------------------


def test_a_session_ends_twelve_hours_after_sign_in_whatever_the_activity(clock, caseworker_a):
    client = sign_in("caseworker_a")
    moment = START
    while moment + 20 * MINUTE < START + datetime.timedelta(hours=12):
        moment += 20 * MINUTE
        clock.set(moment)
        assert is_signed_in(client), moment
    clock.set(START + datetime.timedelta(hours=12))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert "more than 12 hours ago" in page_text(client.get(response["Location"]))
    assert expired_events(caseworker_a).get().detail == {"reason": "absolute"}
    # Signing in again starts a new session.
    client = sign_in("caseworker_a")
    assert is_signed_in(client)


# --- Every session ended ------------------------------------------------------------------------------------


def test_an_admins_password_reset_ends_every_session_of_that_person_at_once(caseworker_a, agency_admin_a):
    phone, desk = sign_in("caseworker_a"), sign_in("caseworker_a")
    keys = list(UserSession.objects.filter(user=caseworker_a).values_list("session_key", flat=True))
    assert len(keys) == 2 and Session.objects.filter(session_key__in=keys).count() == 2
    admin = sign_in("agency_admin_a")
    response = admin.post(reverse("staff_password", args=[caseworker_a.pk]), {"password": NEW_PASSWORD})
    assert response.status_code == 302
    # Gone from the session store now, not at their next request.
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=caseworker_a).exists()
    assert not is_signed_in(phone)
    assert not is_signed_in(desk)
    assert is_signed_in(admin)
    assert is_signed_in(sign_in("caseworker_a", NEW_PASSWORD))


def test_deactivating_an_account_ends_its_sessions_at_once(caseworker_a, agency_admin_a):
    from tests.helpers import form_data

    phone = sign_in("caseworker_a")
    key = UserSession.objects.get(user=caseworker_a).session_key
    admin = sign_in("agency_admin_a")
    form = admin.get(reverse("staff_edit", args=[caseworker_a.pk])).context["form"]
    data = form_data(form)
    data.pop("is_active", None)
    response = admin.post(reverse("staff_edit", args=[caseworker_a.pk]), data)
    assert response.status_code == 302
    caseworker_a.refresh_from_db()
    assert not caseworker_a.is_active
    assert not Session.objects.filter(session_key=key).exists()
    assert not is_signed_in(phone)


def test_an_edit_that_changes_neither_password_nor_activity_keeps_the_sessions(caseworker_a, agency_admin_a):
    from tests.helpers import form_data

    phone = sign_in("caseworker_a")
    admin = sign_in("agency_admin_a")
    form = admin.get(reverse("staff_edit", args=[caseworker_a.pk])).context["form"]
    response = admin.post(reverse("staff_edit", args=[caseworker_a.pk]), form_data(form, first_name="Jo"))
    assert response.status_code == 302
    assert is_signed_in(phone)


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(django_user_model):
    django_user_model.objects.create_superuser("root_admin", "root@example.org", TEST_PASSWORD)
    here, there = sign_in("root_admin"), sign_in("root_admin")
    response = here.post(reverse("admin:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(there)
    # The renewed session is known, so a later change ends it too.
    assert UserSession.objects.filter(user__username="root_admin").count() == 1


def test_sign_out_forgets_the_session(caseworker_a):
    client = sign_in("caseworker_a")
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=caseworker_a).exists()
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_OUT, object_id=str(caseworker_a.pk)).count() == 1


def test_a_sign_in_forgets_the_keys_of_sessions_past_their_lifetime(clock, caseworker_a):
    UserSession.objects.create(user=caseworker_a, session_key="left-behind-by-a-closed-browser",
                               created_at=START - datetime.timedelta(hours=13))
    UserSession.objects.create(user=caseworker_a, session_key="still-within-its-lifetime",
                               created_at=START - datetime.timedelta(hours=11))
    sign_in("caseworker_a")
    assert UserSession.objects.filter(session_key="still-within-its-lifetime").exists()
    assert list(UserSession.objects.filter(user=caseworker_a).values_list("session_key", flat=True)) != []
    assert not UserSession.objects.filter(session_key="left-behind-by-a-closed-browser").exists()
