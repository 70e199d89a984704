"""Signing in with a second factor (docs/security.md): who must, the step after the password, setting up an
authenticator app, recovery codes, wrong codes and their throttle, removing one's own app, an agency admin's
reset of a lost one, the audit rows, and the Django admin's gate."""

import datetime
import html
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseapp import two_factor
from caseapp.models import AuditAction, AuditEvent, Role
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import sign_in, signin_request, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
CODE_STEP = reverse("sign_in_code")
SET_UP = reverse("two_factor_set_up")


def text(response) -> str:
    return html.unescape(response.content.decode())


def authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def password_step(client, user, next_url=""):
    data = {"username": user.username, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def signed_in_as(client):
    """The username the caseload page greets, or None when it sends the client to log in."""
    response = client.get(reverse("caseload"))
    if response.status_code == 302:
        return None
    return response.wsgi_request.user.username


def events(action, user):
    return AuditEvent.objects.filter(action=action, object_type="user", object_id=str(user.pk))


@pytest.fixture
def superuser(agency_a):
    return UserFactory(username="root", agency=None, role="", team=None, is_superuser=True, is_staff=True)


# --- Who must ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor_a", "agency_staff_a", "agency_admin_a", "superuser"])
def test_a_required_role_with_an_app_is_signed_in_only_after_the_code(request, persona):
    user = request.getfixturevalue(persona)
    device = authenticator(user)
    client = Client()

    response = password_step(client, user, next_url=reverse("my_work"))

    assert response["Location"] == CODE_STEP
    assert signed_in_as(client) is None
    page = client.get(CODE_STEP)
    assert "Enter the code from your authenticator app" in text(page)
    response = client.post(CODE_STEP, {"code": totp_code(device)})
    assert response["Location"] == reverse("my_work")
    assert signed_in_as(client) == user.username


@pytest.mark.parametrize("persona", ["supervisor_a", "agency_staff_a", "agency_admin_a", "superuser"])
def test_a_required_role_without_an_app_must_set_one_up_before_any_page(request, persona):
    user = request.getfixturevalue(persona)
    client = Client()

    assert password_step(client, user)["Location"] == SET_UP
    assert signed_in_as(client) is None
    assert "Set up an authenticator app" in text(client.get(SET_UP))
    # The code step itself sends them to the set-up: there is nothing to enter a code from yet.
    assert client.get(CODE_STEP)["Location"] == SET_UP


def test_a_caseworker_signs_in_with_the_password_alone_unless_the_agency_requires_more(caseworker_a, agency_a):
    client = Client()
    assert password_step(client, caseworker_a)["Location"] == reverse("dashboard")
    assert signed_in_as(client) == "caseworker_a"

    agency_a.require_two_factor_for_caseworkers = True
    agency_a.save()
    client = Client()
    assert password_step(client, caseworker_a)["Location"] == SET_UP
    assert signed_in_as(client) is None


def test_the_agency_setting_touches_only_its_own_caseworkers(agency_a, caseworker_b):
    agency_a.require_two_factor_for_caseworkers = True
    agency_a.save()
    assert two_factor.required_for(caseworker_b) is False


def test_a_caseworker_who_added_an_app_is_asked_for_its_code(caseworker_a):
    device = authenticator(caseworker_a)
    client = Client()
    assert password_step(client, caseworker_a)["Location"] == CODE_STEP
    client.post(CODE_STEP, {"code": totp_code(device)})
    assert signed_in_as(client) == "caseworker_a"


def test_the_login_page_is_unchanged_for_a_wrong_password(supervisor_a):
    authenticator(supervisor_a)
    client = Client()
    response = client.post(LOGIN, {"username": "supervisor_a", "password": "wrong-password"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in text(response)
    assert client.get(CODE_STEP)["Location"].startswith(f"{LOGIN}?next=")


def test_a_half_done_sign_in_reaches_no_page(supervisor_a, youth_a1):
    """Between the password and the code: every page, the youth's record and the admin send to the sign-in."""
    authenticator(supervisor_a)
    client = Client()
    password_step(client, supervisor_a)
    pages = [
        reverse("dashboard"), reverse("caseload"), reverse("youth_detail", args=[youth_a1.pk]), reverse("my_work"),
        reverse("missing_now"), reverse("sign_in_security"), reverse("recovery_codes_show"), reverse("alert_list"),
    ]
    for url in pages:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?next="), url
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert client.get(admin["Location"])["Location"].startswith(f"{LOGIN}?next=")
    # And the step still waits for the code.
    assert client.get(CODE_STEP).status_code == 200


def test_a_session_that_must_verify_and_has_not_is_held_at_the_step(caseworker_a, youth_a1):
    """Signed in with a password only as a caseworker, then made a supervisor: the next page is the set-up."""
    client = Client()
    password_step(client, caseworker_a)
    assert signed_in_as(client) == "caseworker_a"
    caseworker_a.role = Role.SUPERVISOR
    caseworker_a.save()

    response = client.get(reverse("youth_detail", args=[youth_a1.pk]))

    assert response["Location"] == SET_UP
    assert youth_a1.legal_last_name not in text(client.get(SET_UP))
    assert signed_in_as(client) is None


def test_the_half_done_sign_in_expires(supervisor_a, settings):
    device = authenticator(supervisor_a)
    client = Client()
    password_step(client, supervisor_a)
    settings.TWO_FACTOR_STEP_SECONDS = -1

    response = client.post(CODE_STEP, {"code": totp_code(device)})

    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert signed_in_as(client) is None
    assert "Please log in again" in text(client.get(response["Location"]))


def test_signing_out_at_the_step_forgets_the_password_step(supervisor_a):
    device = authenticator(supervisor_a)
    client = Client()
    password_step(client, supervisor_a)
    client.post(reverse("logout"))
    assert client.post(CODE_STEP, {"code": totp_code(device)})["Location"].startswith(f"{LOGIN}?next=")
    assert signed_in_as(client) is None


# --- Wrong codes, throttling, replay -------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_audited(supervisor_a):
    device = authenticator(supervisor_a)
    client = Client()
    password_step(client, supervisor_a)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(CODE_STEP, {"code": wrong})

    assert response.status_code == 200
    assert "That code is not right" in text(response)
    assert signed_in_as(client) is None
    failed = events(AuditAction.SIGN_IN_FAILED, supervisor_a).get()
    assert failed.detail == {"step": "second factor", "reason": "wrong code"}
    assert failed.agency_id == supervisor_a.agency_id


def test_wrong_codes_are_throttled_with_a_clear_message(supervisor_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a first wait of a minute: no slow test run outlasts it
    device = authenticator(supervisor_a)
    client = Client()
    password_step(client, supervisor_a)
    client.post(CODE_STEP, {"code": "000000" if totp_code(device) != "000000" else "111111"})

    # Right away, even the right code waits for the throttle.
    response = client.post(CODE_STEP, {"code": totp_code(device)})
    assert re.search(r"Too many wrong codes in a row\. Please wait (60|59|58) seconds", text(response))
    assert signed_in_as(client) is None
    assert events(AuditAction.SIGN_IN_FAILED, supervisor_a).first().detail["reason"] == "throttled"  # newest first

    # Once the wait is over, it works.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=61)
    )
    client.post(CODE_STEP, {"code": totp_code(device)})
    assert signed_in_as(client) == "supervisor_a"


def test_the_wait_doubles_with_each_wrong_code(supervisor_a):
    device = authenticator(supervisor_a)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    client = Client()
    password_step(client, supervisor_a)
    response = client.post(CODE_STEP, {"code": totp_code(device)})
    wait = int(re.search(r"Please wait (\d+) seconds", text(response)).group(1))
    assert 10 <= wait <= 16  # 2^(5-1) seconds after the fifth wrong code in a row, less the time this test took


def test_a_code_works_once(supervisor_a):
    device = authenticator(supervisor_a)
    code = totp_code(device)
    first = Client()
    password_step(first, supervisor_a)
    first.post(CODE_STEP, {"code": code})
    assert signed_in_as(first) == "supervisor_a"

    second = Client()
    password_step(second, supervisor_a)
    response = second.post(CODE_STEP, {"code": code})
    assert "That code is not right" in text(response)
    assert signed_in_as(second) is None


# --- Setting up ----------------------------------------------------------------------------------------------


def secret_on(page) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1).replace(" ", "")


def test_setting_up_at_sign_in_shows_the_qr_code_and_the_key_then_the_recovery_codes_once(supervisor_a):
    client = Client()
    password_step(client, supervisor_a, next_url=reverse("my_work"))
    page = client.get(SET_UP)
    assert "<svg" in page.content.decode() and 'role="img"' in page.content.decode()
    secret = secret_on(page)
    assert secret == secret_on(client.get(SET_UP)), "a reload keeps the same key"
    device = TOTPDevice.objects.get(user=supervisor_a)
    assert device.confirmed is False

    wrong = client.post(SET_UP, {"code": "12345"})
    assert "Enter the 6 digits" in text(wrong)
    assert signed_in_as(client) is None

    response = client.post(SET_UP, {"code": totp_code(device)})

    assert response["Location"] == reverse("recovery_codes_show")
    device.refresh_from_db()
    assert device.confirmed is True
    codes_page = client.get(response["Location"])
    codes = re.findall(r'<li class="col">([a-z2-7]{8})</li>', codes_page.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=supervisor_a).values_list("token", flat=True)) == set(codes)
    assert f'href="{reverse("my_work")}"' in codes_page.content.decode()
    # Shown once.
    assert client.get(reverse("recovery_codes_show"))["Location"] == reverse("sign_in_security")
    assert signed_in_as(client) == "supervisor_a"
    assert events(AuditAction.TWO_FACTOR_ADDED, supervisor_a).count() == 1
    assert events(AuditAction.RECOVERY_CODES, supervisor_a).get().detail == {"count": 10}


def test_a_caseworker_may_add_an_app_from_the_sign_in_security_page(client_for, caseworker_a):
    client = client_for(caseworker_a)
    page = client.get(reverse("sign_in_security"))
    assert "No second factor is set up" in text(page)
    set_up = client.get(SET_UP)
    assert "Set up an authenticator app" in text(set_up)
    device = TOTPDevice.objects.get(user=caseworker_a)

    response = client.post(SET_UP, {"code": totp_code(device)})

    assert response["Location"] == reverse("recovery_codes_show")
    assert "I have kept them" in text(client.get(response["Location"]))
    # The session that proved the app stays signed in; the next sign-in asks for its code.
    assert signed_in_as(client) == "caseworker_a"
    assert "An authenticator app is set up" in text(client.get(reverse("sign_in_security")))
    assert password_step(Client(), caseworker_a)["Location"] == CODE_STEP


# --- Recovery codes ------------------------------------------------------------------------------------------


def recovery_codes(user, count=3):
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [f"code{n}abc" for n in range(count)]
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return codes


def test_a_recovery_code_signs_in_once(supervisor_a):
    authenticator(supervisor_a)
    codes = recovery_codes(supervisor_a)
    client = Client()
    password_step(client, supervisor_a)

    response = client.post(CODE_STEP, {"code": codes[0].upper()})

    assert "You signed in with a recovery code; 2 left" in text(client.get(response["Location"]))
    assert signed_in_as(client) == "supervisor_a"
    assert events(AuditAction.RECOVERY_CODE_USED, supervisor_a).get().detail == {"left": 2}

    again = Client()
    password_step(again, supervisor_a)
    response = again.post(CODE_STEP, {"code": codes[0]})
    assert "That recovery code is not right, or it was used already" in text(response)
    assert signed_in_as(again) is None


def test_new_recovery_codes_need_a_current_code_and_replace_the_old(client_for, supervisor_a):
    client = client_for(supervisor_a)
    device = two_factor.authenticator_of(supervisor_a)
    old = recovery_codes(supervisor_a)

    refused = client.post(reverse("recovery_codes_new"), {"code": "not-a-code"})
    assert "Enter the 6 digits" in text(refused)
    assert StaticToken.objects.filter(token=old[0]).exists()

    response = client.post(reverse("recovery_codes_new"), {"code": totp_code(device)})

    page = text(client.get(response["Location"]))
    assert "Your recovery codes" in page
    assert not StaticToken.objects.filter(token__in=old).exists()
    assert StaticToken.objects.filter(device__user=supervisor_a).count() == 10


# --- Removing one's own app ----------------------------------------------------------------------------------


def test_removing_ones_own_app_needs_a_current_code(client_for, caseworker_a):
    device = authenticator(caseworker_a)
    recovery_codes(caseworker_a)
    client = client_for(caseworker_a)

    refused = client.post(reverse("two_factor_remove"), {"code": "000000" if totp_code(device) != "000000" else "1"})
    assert "not right" in text(refused) or "6 digits" in text(refused)
    assert TOTPDevice.objects.filter(user=caseworker_a).exists()

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post(reverse("two_factor_remove"), {"code": totp_code(device)})

    assert response["Location"] == reverse("sign_in_security")
    assert not TOTPDevice.objects.filter(user=caseworker_a).exists()
    assert not StaticDevice.objects.filter(user=caseworker_a).exists()
    assert events(AuditAction.TWO_FACTOR_REMOVED, caseworker_a).count() == 1
    assert signed_in_as(client) == "caseworker_a"  # not required: the password alone signs in now


def test_a_required_user_who_removes_the_app_sets_up_a_new_one_at_once(client_for, supervisor_a):
    client = client_for(supervisor_a)
    device = two_factor.authenticator_of(supervisor_a)
    response = client.post(reverse("two_factor_remove"), {"code": totp_code(device)})
    assert client.get(response["Location"])["Location"] == SET_UP


# --- An agency admin's reset ---------------------------------------------------------------------------------


def test_an_agency_admin_resets_a_lost_app_and_ends_the_sessions(client_for, agency_admin_a, supervisor_a):
    supervisors_phone = client_for(supervisor_a)
    assert signed_in_as(supervisors_phone) == "supervisor_a"
    recovery_codes(supervisor_a)
    admin = client_for(agency_admin_a)
    edit = text(admin.get(reverse("staff_edit", args=[supervisor_a.pk])))
    assert "An authenticator app is set up" in edit and "Reset second factor" in edit
    url = reverse("staff_two_factor_reset", args=[supervisor_a.pk])
    assert "Reset the second factor of" in text(admin.get(url))

    response = admin.post(url)

    assert response["Location"] == reverse("staff_edit", args=[supervisor_a.pk])
    assert "Second factor reset for" in text(admin.get(response["Location"]))
    assert not TOTPDevice.objects.filter(user=supervisor_a).exists()
    assert not StaticDevice.objects.filter(user=supervisor_a).exists()
    assert signed_in_as(supervisors_phone) is None
    event = events(AuditAction.TWO_FACTOR_RESET, supervisor_a).get()
    assert event.actor == agency_admin_a and event.agency_id == supervisor_a.agency_id
    assert event.detail["sessions_ended"] == 1
    # Their next sign-in sets up a new app.
    assert password_step(Client(), supervisor_a)["Location"] == SET_UP
    assert signed_in_as(admin) == "agency_admin_a", "the admin's own session goes on"


@pytest.mark.parametrize("persona", ["admin_b", "supervisor_a", "caseworker_a2"])
def test_a_reset_by_anyone_else_is_404_and_changes_nothing(request, client_for, supervisor_a, persona):
    device = authenticator(supervisor_a)
    client = client_for(request.getfixturevalue(persona))
    url = reverse("staff_two_factor_reset", args=[supervisor_a.pk])
    before = AuditEvent.objects.count()

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.count() == before


# --- The Django admin ----------------------------------------------------------------------------------------


def test_the_admin_sends_a_visitor_to_the_apps_sign_in_and_opens_after_the_code(superuser):
    device = authenticator(superuser)
    client = Client()
    admin_login = client.get("/admin/")["Location"]
    response = client.get(admin_login)
    assert response["Location"].startswith(f"{LOGIN}?next=/admin/")

    password_step(client, superuser, next_url="/admin/")
    assert client.get("/admin/").status_code == 302
    response = client.post(CODE_STEP, {"code": totp_code(device)})
    assert response["Location"] == "/admin/"
    assert "Site administration" in text(client.get("/admin/"))


def test_a_superuser_signed_in_by_password_alone_is_held_from_the_admin(superuser):
    authenticator(superuser)
    client = Client()
    # authenticate + login, no second step
    assert client.login(request=signin_request(), username="root", password=TEST_PASSWORD)
    response = client.get("/admin/caseapp/youth/")
    assert response["Location"] == CODE_STEP
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_admin_refuses_an_unverified_session_even_past_the_middleware(rf, superuser):
    """The site's own check (caseapp/admin_site.py), whatever the middleware does."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = superuser
    superuser.is_verified = lambda: False
    assert admin.site.has_permission(request) is False
    superuser.is_verified = lambda: True
    assert admin.site.has_permission(request) is True


def test_a_signed_in_user_without_admin_access_is_told_so(client_for, agency_admin_a):
    response = client_for(agency_admin_a).get(reverse("admin:login"))
    assert response.status_code == 403
    assert "cannot open the administration site" in text(response)


# --- The demo's codes ----------------------------------------------------------------------------------------


def test_demo_code_prints_the_current_code_of_a_demo_login_in_debug_only(settings, capsys):
    call_command("seed_demo", "--youth", "0", "--quiet", "--no-logins")
    from caseapp.models import User

    supervisor = User.objects.get(username="supervisor")
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_code", supervisor.username)
    settings.DEBUG = True
    call_command("demo_code", supervisor.username)
    out = capsys.readouterr().out
    assert totp_code(two_factor.authenticator_of(supervisor)) in out
    stranger = UserFactory(username="not_a_demo_login", role=Role.SUPERVISOR)
    authenticator(stranger)
    with pytest.raises(CommandError, match="demo"):
        call_command("demo_code", stranger.username)


def test_every_demo_login_that_must_use_a_second_factor_has_one(settings):
    call_command("seed_demo", "--youth", "0", "--quiet", "--no-logins")
    from caseapp import demo_data
    from caseapp.models import User

    for spec in demo_data.STAFF:
        user = User.objects.get(username=spec.username)
        assert two_factor.has_authenticator(user) == two_factor.required_for(user), spec.username
    call_command("seed_demo", "--youth", "0", "--quiet", "--no-logins")
    assert TOTPDevice.objects.count() == sum(
        two_factor.required_for(User.objects.get(username=s.username)) for s in demo_data.STAFF
    )


def test_sign_in_helper_leaves_the_state_of_a_real_verification(supervisor_a):
    client = sign_in(Client(), supervisor_a)
    assert client.get(reverse("caseload")).wsgi_request.user.is_verified()


def test_a_superuser_resets_a_second_factor_in_the_admin(client_for, superuser, supervisor_a):
    authenticator(supervisor_a)
    admin = client_for(superuser)
    response = admin.post(
        reverse("admin:caseapp_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [supervisor_a.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=supervisor_a).exists()
    assert events(AuditAction.TWO_FACTOR_RESET, supervisor_a).get().actor == superuser
    # The device pages of django-otp, which would show every key, are not on the site.
    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 404
