"""Lockout of repeated failed sign-ins (docs/security.md#lockout): per account and per address, on the app's
sign-in page and the Django admin's, with a calm message, a cool-off, and an agency admin's unlock."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from caseapp.models import AuditAction, AuditEvent
from tests.factories import TEST_PASSWORD
from tests.helpers import visible_text as page_text

pytestmark = pytest.mark.django_db

OFFICE = "10.1.1.1"
ELSEWHERE = "10.2.2.2"
WRONG = "not-the-password-1"
PAUSED = "Signing in is paused for this account or this device."


def sign_in(username, password, *, address=OFFICE, client=None, url=None):
    client = client or Client()
    response = client.post(url or reverse("login"), {"username": username, "password": password},
                           REMOTE_ADDR=address)
    return client, response


def signed_in(client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


def fail(username, times, *, address=OFFICE, url=None):
    for _ in range(times):
        _, response = sign_in(username, WRONG, address=address, url=url)
        assert response.status_code in (200, 429)


def events(action, user=None):
    rows = AuditEvent.objects.filter(action=action)
    return rows.filter(object_id=str(user.pk)) if user is not None else rows


def test_four_wrong_passwords_then_the_right_one_signs_in(caseworker_a):
    fail("caseworker_a", 4)
    client, response = sign_in("caseworker_a", TEST_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)
    # A success clears the account's failures: four more wrong ones still leave it open.
    fail("caseworker_a", 4)
    client, _ = sign_in("caseworker_a", TEST_PASSWORD)
    assert signed_in(client)
    assert events(AuditAction.LOCKED_OUT).count() == 0


def test_the_fifth_failure_locks_the_account_and_the_right_password_is_then_refused(caseworker_a):
    fail("caseworker_a", 5)
    client, response = sign_in("caseworker_a", TEST_PASSWORD)
    assert response.status_code == 429
    text = page_text(response)
    assert PAUSED in text
    assert "please wait 30 minutes and try again, or ask your agency admin to unlock your account" in text
    assert "Log in" in text  # the sign-in page itself, not a bare error
    assert not signed_in(client)
    # From another address too: the account is locked, wherever the guesses come from.
    client, response = sign_in("caseworker_a", TEST_PASSWORD, address=ELSEWHERE)
    assert response.status_code == 429
    assert not signed_in(client)
    locked = events(AuditAction.LOCKED_OUT, caseworker_a).get()
    assert locked.agency_id == caseworker_a.agency_id
    assert locked.ip_address == OFFICE
    assert locked.detail["failures"] == 5
    failures = events(AuditAction.SIGN_IN_FAILED, caseworker_a).order_by("at", "id")
    assert [f.detail["reason"] for f in failures] == ["wrong_credentials"] * 5 + ["locked_out"] * 2


def test_attempts_while_locked_do_not_extend_the_cool_off(caseworker_a, settings):
    fail("caseworker_a", 5)
    first_lock = AccessAttempt.objects.get(username="caseworker_a").attempt_time
    fail("caseworker_a", 3)
    assert AccessAttempt.objects.get(username="caseworker_a").attempt_time == first_lock


def test_an_address_is_locked_after_its_own_limit_of_guesses_at_many_accounts(caseworker_a, supervisor_a, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    for number in range(8):
        fail(f"guess{number}", 1)  # one guess each: no account reaches its own limit
    client, response = sign_in("caseworker_a", TEST_PASSWORD)
    assert response.status_code == 429
    assert PAUSED in page_text(response)
    assert not signed_in(client)
    # The same person from another address signs in; the account itself was never locked.
    client, response = sign_in("caseworker_a", TEST_PASSWORD, address=ELSEWHERE)
    assert signed_in(client)


def test_seven_guesses_from_an_address_are_not_yet_its_limit(caseworker_a, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    for number in range(7):
        fail(f"guess{number}", 1)
    client, _ = sign_in("caseworker_a", TEST_PASSWORD)
    assert signed_in(client)


def test_a_success_does_not_clear_its_address_guesses_at_other_accounts(caseworker_a, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    for number in range(7):
        fail(f"guess{number}", 1)
    sign_in("caseworker_a", TEST_PASSWORD)
    fail("guess-more", 1)
    _, response = sign_in("caseworker_a", TEST_PASSWORD)
    assert response.status_code == 429


def test_the_django_admin_sign_in_is_locked_too(django_user_model, agency_a):
    """The admin has no password form of its own: it sends to the app's sign-in, where the lockout holds."""
    django_user_model.objects.create_superuser("root_admin", "root@example.org", TEST_PASSWORD)
    for method in ("get", "post"):
        response = getattr(Client(), method)(reverse("admin:login"), {"username": "root_admin", "password": "x"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    fail("root_admin", 5, url=f"{reverse('login')}?next={reverse('admin:index')}")
    client, response = sign_in("root_admin", TEST_PASSWORD, url=f"{reverse('login')}?next={reverse('admin:index')}")
    assert response.status_code == 429
    assert PAUSED in page_text(response)
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_lock_ends_after_the_cool_off(caseworker_a):
    fail("caseworker_a", 5)
    _, response = sign_in("caseworker_a", TEST_PASSWORD)
    assert response.status_code == 429
    # 29 minutes later: still locked. 31 minutes after the last failure: open again.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(minutes=29))
    _, response = sign_in("caseworker_a", TEST_PASSWORD)
    assert response.status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(minutes=2))
    client, response = sign_in("caseworker_a", TEST_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


# --- Unlock by an agency admin ---------------------------------------------------------------------------


def test_an_agency_admin_sees_the_lock_and_unlocks_the_account(caseworker_a, agency_admin_a, client_for):
    fail("caseworker_a", 5)
    admin = client_for(agency_admin_a)
    listing = page_text(admin.get(reverse("staff_list")))
    assert "Locked after failed sign-ins" in listing
    response = admin.post(reverse("staff_unlock", args=[caseworker_a.pk]), follow=True)
    assert "can sign in again now" in page_text(response)
    assert "Locked after failed sign-ins" not in page_text(admin.get(reverse("staff_list")))
    client, _ = sign_in("caseworker_a", TEST_PASSWORD)
    assert signed_in(client)
    unlocked = events(AuditAction.UNLOCKED, caseworker_a).get()
    assert unlocked.actor == agency_admin_a
    assert unlocked.agency_id == caseworker_a.agency_id
    assert unlocked.detail["was_locked"] is True


def test_another_agencys_admin_cannot_unlock_and_nothing_changes(caseworker_a, admin_b, client_for):
    fail("caseworker_a", 5)
    response = client_for(admin_b).post(reverse("staff_unlock", args=[caseworker_a.pk]))
    assert response.status_code == 404
    _, response = sign_in("caseworker_a", TEST_PASSWORD)
    assert response.status_code == 429
    assert not events(AuditAction.UNLOCKED).exists()


@pytest.mark.parametrize("persona", ["caseworker_a2", "supervisor_a", "agency_staff_a"])
def test_other_roles_cannot_unlock(request, persona, caseworker_a, client_for):
    fail("caseworker_a", 5)
    response = client_for(request.getfixturevalue(persona)).post(reverse("staff_unlock", args=[caseworker_a.pk]))
    assert response.status_code == 404
    assert AccessAttempt.objects.filter(username="caseworker_a").exists()
    assert not events(AuditAction.UNLOCKED).exists()


def test_unlock_is_a_post(caseworker_a, agency_admin_a, client_for):
    assert client_for(agency_admin_a).get(reverse("staff_unlock", args=[caseworker_a.pk])).status_code == 405
