"""A person changes their own password (docs/security.md#password): with their current one, checked as a sign-in
is (a wrong one counts towards the account's lockout), the new one by the password rules; they stay signed in
where they changed it and are signed out everywhere else; audited."""

import pytest
from django.test import Client
from django.urls import reverse

from caseapp.models import AuditAction, AuditEvent, UserSession
from tests.caseapp.test_session_limits import is_signed_in, sign_in
from tests.factories import TEST_PASSWORD
from tests.helpers import visible_text as page_text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-long-passphrase-7"
WRONG = "not-the-password-1"
ADDRESS = "10.1.1.1"


def change(client, current, new, again=None):
    return client.post(
        reverse("password_change"),
        {"old_password": current, "new_password1": new, "new_password2": new if again is None else again},
        REMOTE_ADDR=ADDRESS,
    )


def password_works(username, password) -> bool:
    response = Client().post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.9.9.9")
    return response.status_code == 302


@pytest.mark.parametrize("username", ["caseworker_a", "supervisor_a"])
def test_a_person_changes_their_password_stays_signed_in_here_and_is_signed_out_elsewhere(username, request):
    user = request.getfixturevalue(username)
    here, there = sign_in(username), sign_in(username)
    page = here.get(reverse("sign_in_security"))
    assert "Change your password" in page_text(page)

    response = change(here, TEST_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302 and response["Location"] == reverse("sign_in_security")
    assert "Your password is changed" in page_text(here.get(response["Location"]))
    assert is_signed_in(here)
    assert not is_signed_in(there)
    assert UserSession.objects.filter(user=user).count() == 1  # the renewed session, so a later change ends it
    assert password_works(username, NEW_PASSWORD)
    assert not password_works(username, TEST_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert (event.actor, event.object_id, event.ip_address) == (user, str(user.pk), ADDRESS)
    assert NEW_PASSWORD not in str(event.detail) and TEST_PASSWORD not in str(event.detail)


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        (WRONG, NEW_PASSWORD, None, "Your old password was entered incorrectly"),
        (TEST_PASSWORD, NEW_PASSWORD, "a-different-passphrase-8", "The two password fields didn’t match"),
        (TEST_PASSWORD, "short", None, "This password is too short"),
        (TEST_PASSWORD, TEST_PASSWORD, None, "Choose a password different from your current one"),
        ("", NEW_PASSWORD, None, "This field is required"),
    ],
)
def test_bad_input_is_a_clear_message_and_changes_nothing(caseworker_a, current, new, again, message):
    here, there = sign_in("caseworker_a"), sign_in("caseworker_a")

    response = change(here, current, new, again)

    assert response.status_code == 200
    text = page_text(response)
    assert "The password was not changed" in text and message in text
    assert is_signed_in(here) and is_signed_in(there)
    assert password_works("caseworker_a", TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).exists()


def test_wrong_current_passwords_lock_the_account_and_sign_this_session_out(caseworker_a, settings):
    here = sign_in("caseworker_a")
    for _ in range(settings.SIGN_IN_FAILURE_LIMIT - 1):
        response = change(here, WRONG, NEW_PASSWORD)
        assert response.status_code == 200 and is_signed_in(here)
    failures = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, object_id=str(caseworker_a.pk))
    assert failures.count() == settings.SIGN_IN_FAILURE_LIMIT - 1

    response = change(here, WRONG, NEW_PASSWORD)

    assert response.status_code == 429
    assert "Signing in is paused for this account or this device" in page_text(response)
    assert not is_signed_in(here)
    # Locked like five wrong sign-ins: the right password does not sign in during the cool-off.
    assert not password_works("caseworker_a", TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).exists()


def test_signed_out_visitors_are_sent_to_log_in_and_nothing_changes(caseworker_a):
    response = change(Client(), TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert password_works("caseworker_a", TEST_PASSWORD)
