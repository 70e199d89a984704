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


# --- Paging: newest first by keyset, without a count (docs/design.md#speed) -------------------------------------


def _rows(response):
    return [r.event.pk for r in response.context["page"].object_list]


def _follow(client, response, rel):
    import re

    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return client.get(reverse("sign_in_activity") + found.group(1).replace("&amp;", "&")) if found else None


def _walk(client, response, rel):
    pages = []
    while response is not None:
        assert response.status_code == 200
        pages.append(_rows(response))
        response = _follow(client, response, rel)
    return pages


@pytest.fixture
def many_events(caseworker_a, supervisor_a, caseworker_b, agency_admin_a):
    """53 of agency A's events (some at the same instant, so only the id orders them) and a few of agency B's."""
    from datetime import timedelta

    from django.utils import timezone

    mine, now = [], timezone.now()
    for number in range(53):
        event = record_sign_in_event(AuditAction.SIGN_IN, user=supervisor_a if number % 3 else caseworker_a)
        AuditEvent.objects.filter(pk=event.pk).update(at=now - timedelta(minutes=number // 4))
        mine.append(event.pk)
    theirs = [record_sign_in_event(AuditAction.SIGN_IN, user=caseworker_b).pk for _ in range(3)]
    newest_first = list(
        AuditEvent.objects.filter(pk__in=mine).order_by("-at", "-id").values_list("pk", flat=True)
    )
    return newest_first, theirs


def test_older_to_the_end_and_newer_back_shows_every_event_once_newest_first(many_events, agency_admin_a, client_for):
    newest_first, theirs = many_events
    client = client_for(agency_admin_a)
    first = client.get(reverse("sign_in_activity"))
    assert "Newer" not in page_text(first) and "Older" in page_text(first)
    older = _walk(client, first, "next")
    assert [len(p) for p in older] == [25, 25, 3]
    assert [pk for p in older for pk in p] == newest_first
    last = client.get(reverse("sign_in_activity"), {"older": older[-2][-1]})
    assert "Older" not in page_text(last) and "Newest" in page_text(last)
    newer = _walk(client, last, "prev")
    assert [pk for p in reversed(newer) for pk in p] == newest_first
    assert not set(theirs) & {pk for p in older + newer for pk in p}


def test_the_filters_are_kept_while_paging(many_events, supervisor_a, agency_admin_a, client_for):
    newest_first, _ = many_events
    client = client_for(agency_admin_a)
    pages = _walk(client, client.get(reverse("sign_in_activity"), {"person": supervisor_a.pk}), "next")
    theirs = set(AuditEvent.objects.filter(object_id=str(supervisor_a.pk)).values_list("pk", flat=True))
    assert [pk for p in pages for pk in p] == [pk for pk in newest_first if pk in theirs]


def test_another_agencys_event_cannot_place_the_list(many_events, agency_admin_a, client_for):
    newest_first, theirs = many_events
    client = client_for(agency_admin_a)
    for anchor in ("older", "newer"):
        response = client.get(reverse("sign_in_activity"), {anchor: theirs[0]})
        assert _rows(response) == newest_first[:25]


@pytest.mark.postgres
def test_on_postgresql_the_page_reads_the_sign_in_indexes(postgres_db, many_events, agency_admin_a, supervisor_a):
    """The page's query, for everyone and for one person, can be answered by walking a partial index of the
    sign-in rows newest first (a full read of the table is ruled out: on a few rows the planner rightly prefers it;
    the plan at statewide scale is in bench/README.md)."""
    from caseapp import selectors

    for person in (None, supervisor_a.pk):
        with CaptureQueriesContext(connection) as captured:
            selectors.sign_in_activity_page(agency_admin_a, {}, person_id=person)
        page_sql = next(q["sql"] for q in captured.captured_queries if "LIMIT" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {page_sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "audit_signin_" in plan, plan
        assert "Sort" not in plan.split("->")[1], plan  # read in order from the index, not sorted
