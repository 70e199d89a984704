"""The audit rows of signing in (caseapp/signin_audit.py) and the agency admin's "Sign-in activity" page:
their agency's events only, newest first, filtered by person and event, paginated in a fixed number of queries;
404 for other roles; a superuser sees all, the failures for unknown usernames too (docs/security.md)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseapp.models import AuditAction, AuditEvent
from caseapp.signin_audit import record_sign_in_event
from tests.factories import TEST_PASSWORD
from tests.helpers import visible_text as page_text

pytestmark = pytest.mark.django_db


def post_login(username, password, address="10.1.1.1"):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)
    return client, response


def test_each_sign_in_event_is_one_audit_row(caseworker_a):
    client, _ = post_login("caseworker_a", "wrong-password-1", "10.9.9.9")
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert (failed.object_type, failed.object_id) == ("user", str(caseworker_a.pk))
    assert failed.agency_id == caseworker_a.agency_id
    assert failed.ip_address == "10.9.9.9"
    assert failed.detail == {"username": "caseworker_a", "reason": "wrong_credentials"}
    assert "wrong-password-1" not in str(AuditEvent.objects.values_list("detail", flat=True))

    client, _ = post_login("caseworker_a", TEST_PASSWORD, "10.9.9.9")
    signed_in = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert (signed_in.actor, signed_in.object_id, signed_in.ip_address) == (caseworker_a, str(caseworker_a.pk),
                                                                              "10.9.9.9")
    client.post(reverse("logout"), REMOTE_ADDR="10.9.9.9")
    signed_out = AuditEvent.objects.get(action=AuditAction.SIGN_OUT)
    assert (signed_out.actor, signed_out.agency_id) == (caseworker_a, caseworker_a.agency_id)


def test_a_failure_for_an_unknown_username_has_no_account_and_no_agency(db):
    post_login("nobody-here", "whatever-1")
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert (failed.actor, failed.agency, failed.object_id) == (None, None, "")
    assert failed.detail["username"] == "nobody-here"


@pytest.fixture
def activity(caseworker_a, supervisor_a, caseworker_b, agency_admin_a):
    post_login("caseworker_a", TEST_PASSWORD)
    post_login("supervisor_a", "wrong-password-1")
    post_login("caseworker_b", TEST_PASSWORD)
    post_login("ghost_user", "wrong-password-1")


def test_an_agency_admin_sees_their_agencys_sign_ins_newest_first(
    activity, caseworker_a, supervisor_a, agency_admin_a, client_for
):
    response = client_for(agency_admin_a).get(reverse("sign_in_activity"))
    rows = [(r.event.action, r.account) for r in response.context["page"].object_list]
    # The supervisor's failure, then (before it) the caseworker's sign-in; agency B's and the unknown name's
    # are not there.
    assert rows == [
        (AuditAction.SIGN_IN_FAILED, supervisor_a),
        (AuditAction.SIGN_IN, caseworker_a),
    ]
    text = page_text(response)
    assert "Sign-in failed" in text and supervisor_a.get_full_name() in text
    assert "caseworker_b" not in text and "Agency B" not in text
    assert "ghost_user" not in text


def test_the_list_is_filtered_by_person_and_event(activity, supervisor_a, agency_admin_a, client_for):
    admin = client_for(agency_admin_a)
    response = admin.get(reverse("sign_in_activity"), {"person": supervisor_a.pk, "event": ""})
    rows = response.context["page"].object_list
    assert [(r.event.action, r.account) for r in rows] == [(AuditAction.SIGN_IN_FAILED, supervisor_a)]
    response = admin.get(reverse("sign_in_activity"), {"person": "", "event": AuditAction.SIGN_IN})
    assert {r.event.action for r in response.context["page"].object_list} == {AuditAction.SIGN_IN}


def test_a_filter_naming_another_agencys_person_shows_a_message_not_their_events(
    activity, caseworker_b, agency_admin_a, client_for
):
    response = client_for(agency_admin_a).get(reverse("sign_in_activity"), {"person": caseworker_b.pk})
    assert response.status_code == 200
    assert "That filter is not one of the choices" in page_text(response)
    assert all(r.event.agency_id == agency_admin_a.agency_id for r in response.context["page"].object_list)


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_staff_a", "no_role_user"])
def test_other_roles_get_404(request, persona, client_for):
    assert client_for(request.getfixturevalue(persona)).get(reverse("sign_in_activity")).status_code == 404


def test_a_superuser_sees_every_agency_and_unknown_usernames(activity, django_user_model, client_for):
    root = django_user_model.objects.create_superuser("root_admin", "root@example.org", TEST_PASSWORD)
    text = page_text(client_for(root).get(reverse("sign_in_activity"), {"event": AuditAction.SIGN_IN_FAILED}))
    assert "ghost_user" in text
    assert "No such account" in text


def test_the_staff_page_links_to_it(agency_admin_a, client_for):
    body = client_for(agency_admin_a).get(reverse("staff_list")).content.decode()
    assert reverse("sign_in_activity") in body


def test_the_page_costs_the_same_queries_for_few_or_many_events(agency_admin_a, caseworker_a, supervisor_a,
                                                                client_for):
    admin = client_for(agency_admin_a)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(reverse("sign_in_activity")).status_code == 200
        return len(captured)

    record_sign_in_event(AuditAction.SIGN_IN, user=caseworker_a)
    few = queries()
    for number in range(30):
        record_sign_in_event(AuditAction.SIGN_IN_FAILED, user=supervisor_a if number % 2 else caseworker_a,
                             username="x")
        record_sign_in_event(AuditAction.UNLOCKED, user=caseworker_a, actor=agency_admin_a)
    assert queries() == few
    assert len(admin.get(reverse("sign_in_activity")).context["page"].object_list) == 25
