"""Service referrals (docs/risk-catalogue.md#referrals): each service a decision determines is tracked from sent
to started (or declined / not available), an identification needs its services, the open ones are the
caseworker's work, and the pages let the youth's team record each step and nobody else."""

import datetime
import html
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from caseapp import work
from caseapp.models import AuditEvent, Youth
from caseapp.services.errors import EditConflict
from risk import referral_steps, selectors
from risk.models import Outcome, ReferralStatus, ReviewDecision, ServiceReferral
from risk.services import decisions, referrals
from tests.factories import YouthFactory
from tests.helpers import rendered_form

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")  # agency A's zone (tests/conftest.py)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate(timezone.now(), CHICAGO)


def at_risk(supervisor, youth, services, expected=None):
    return decisions.decide(
        actor=supervisor, youth_id=youth.pk, outcome=Outcome.AT_RISK, safety_plan="Weekly time with her mentor.",
        referrals=services, expected_latest_decision_id=expected,
    )


def identify(supervisor, youth, services, expected=None):
    return decisions.decide(
        actor=supervisor, youth_id=youth.pk, outcome=Outcome.IDENTIFIED, expected_latest_decision_id=expected,
        trafficking_type="sex", trafficking_kind="familial", timing="in_care",
        information_received_at=timezone.now() - HOUR, referrals=services,
    )


def advance(actor, referral, status, on=None, reason="", version=None, **extra):
    return referrals.advance_referral(
        actor=actor, referral_id=referral.pk, expected_version=referral.version if version is None else version,
        status=status, on=on or today(), reason=reason, **extra,
    )


@pytest.fixture
def housing(supervisor_a, youth_a1):
    at_risk(supervisor_a, youth_a1, ["housing"])
    return ServiceReferral.objects.get(youth=youth_a1, service="housing")


def page_text(response):
    return html.unescape(response.content.decode())


# --- Created from the decision ---------------------------------------------------------------------------------


def test_each_service_of_a_decision_becomes_a_sent_referral(supervisor_a, youth_a1):
    decision = at_risk(supervisor_a, youth_a1, ["housing", "connection", "housing"])
    rows = list(ServiceReferral.objects.filter(youth=youth_a1).order_by("id"))
    assert [(r.service, r.status, r.decision_id) for r in rows] == [
        ("housing", "sent", decision.pk), ("connection", "sent", decision.pk)
    ]
    day = timezone.localdate(decision.decided_at, CHICAGO)
    assert {(r.sent_on, r.next_step_due) for r in rows} == {(day, day + datetime.timedelta(days=7))}
    assert all(r.created_by == supervisor_a and r.version == 1 for r in rows)
    assert AuditEvent.objects.filter(object_type="servicereferral", action="create").count() == 2
    assert decision.referrals == ["housing", "connection", "housing"]  # the decision's own record stays


def test_a_later_decision_naming_an_open_service_again_does_not_send_it_twice(supervisor_a, caseworker_a, youth_a1):
    first = at_risk(supervisor_a, youth_a1, ["housing", "food"])
    food = ServiceReferral.objects.get(service="food")
    advance(caseworker_a, food, "declined", reason="The pantry is full this month.")
    identify(supervisor_a, youth_a1, ["housing", "food", "specialised"], expected=first.pk)
    assert sorted(ServiceReferral.objects.values_list("service", "status")) == [
        ("food", "declined"), ("food", "sent"), ("housing", "sent"), ("specialised", "sent")
    ]


def test_no_concern_determines_no_services(supervisor_a, youth_a1):
    decisions.decide(actor=supervisor_a, youth_id=youth_a1.pk, outcome=Outcome.NO_CONCERN,
                     reason="Talked it through.", expected_latest_decision_id=None)
    assert not ServiceReferral.objects.exists()


# --- An identification needs its services -----------------------------------------------------------------------


def test_an_identification_without_services_is_refused_naming_the_safety_net(supervisor_a, youth_a1):
    with pytest.raises(ValidationError) as info:
        identify(supervisor_a, youth_a1, [])
    [message] = info.value.message_dict["referrals"]
    for service in ("housing", "food", "medical care", "connection", "empowerment", "specialised services"):
        assert service in message
    assert not ReviewDecision.objects.exists() and not ServiceReferral.objects.exists()


def test_the_decision_page_refuses_an_identification_without_services(client_for, supervisor_a, youth_a1):
    received = (timezone.now() - HOUR).astimezone(CHICAGO).strftime("%Y-%m-%dT%H:%M")
    response = client_for(supervisor_a).post(
        reverse("youth_risk_decide", args=[youth_a1.pk]),
        {"outcome": "identified", "expected_latest_decision_id": "", "trafficking_type": "sex",
         "trafficking_kind": "familial", "timing": "in_care", "information_received_at": received},
    )
    assert response.status_code == 200
    assert "An identification needs the services determined for the youth" in page_text(response)
    assert not ReviewDecision.objects.exists()


def test_at_risk_still_needs_a_service(supervisor_a, youth_a1):
    with pytest.raises(ValidationError) as info:
        at_risk(supervisor_a, youth_a1, [])
    assert info.value.message_dict["referrals"] == ["Choose at least one service referral."]


# --- The steps --------------------------------------------------------------------------------------------------


def test_sent_then_accepted_then_started(caseworker_a, housing):
    sent_on = housing.sent_on
    accepted = advance(caseworker_a, housing, "accepted", on=sent_on, provider="Harbor Youth Housing")
    assert (accepted.status, accepted.accepted_on, accepted.provider) == ("accepted", sent_on, "Harbor Youth Housing")
    assert accepted.next_step_due == sent_on + datetime.timedelta(days=referral_steps.START_DAYS)
    started = advance(caseworker_a, accepted, "started")
    housing.refresh_from_db()
    assert (housing.status, housing.started_on, housing.next_step_due, housing.version) == (
        "started", today(), None, 3
    )
    assert list(AuditEvent.objects.filter(object_type="servicereferral", action="update")
                .order_by("id").values_list("detail__to", flat=True)) == ["accepted", "started"]
    assert [h.status for h in started.history.order_by("history_date")] == ["sent", "accepted", "started"]


@pytest.mark.parametrize("first", [None, "accepted"])
@pytest.mark.parametrize("end", ["declined", "not_available"])
def test_sent_or_accepted_can_be_declined_or_not_available_with_a_reason(caseworker_a, housing, first, end):
    if first:
        housing = advance(caseworker_a, housing, first)
    closed = advance(caseworker_a, housing, end, reason="  No beds for youth under 18.  ")
    assert (closed.status, closed.closed_on, closed.reason, closed.next_step_due) == (
        end, today(), "No beds for youth under 18.", None
    )


@pytest.mark.parametrize(
    ("path", "to", "words"),
    [
        ([], "started", "can only become: accepted, declined, not available"),
        ([], "sent", "can only become"),
        (["accepted"], "sent", "can only become: started, declined, not available"),
        (["accepted"], "accepted", "can only become"),
        (["accepted", "started"], "declined", "that is its last step"),
        (["declined"], "accepted", "that is its last step"),
        (["not_available"], "sent", "that is its last step"),
        ([], "finished", "Choose the referral's next status."),
    ],
)
def test_a_step_that_is_not_allowed_is_refused_and_changes_nothing(caseworker_a, housing, path, to, words):
    for status in path:
        reason = "Not offered here." if status in referral_steps.NEEDS_REASON else ""
        housing = advance(caseworker_a, housing, status, reason=reason)
    before = (housing.status, housing.version, AuditEvent.objects.count())
    with pytest.raises(ValidationError) as info:
        advance(caseworker_a, housing, to, reason="A reason")
    assert words in info.value.message_dict["status"][0]
    housing.refresh_from_db()
    assert (housing.status, housing.version, AuditEvent.objects.count()) == before


def test_the_date_and_reason_are_checked(caseworker_a, housing):
    cases = [
        ({"status": "accepted", "on": today() + DAY}, "on", "The date cannot be in the future."),
        ({"status": "accepted", "on": housing.sent_on - DAY}, "on", "before the referral's last step"),
        ({"status": "declined", "reason": "  "}, "reason", "Say why the service was declined or is not available."),
        ({"status": "accepted", "on": None}, "on", "Give the date of this step."),
    ]
    for kwargs, field, words in cases:
        with pytest.raises(ValidationError) as info:
            referrals.advance_referral(actor=caseworker_a, referral_id=housing.pk, expected_version=1,
                                       **{"on": today(), "reason": "", **kwargs})
        assert words in info.value.message_dict[field][0]
    housing.refresh_from_db()
    assert (housing.status, housing.version) == ("sent", 1)


def test_a_stale_version_is_an_edit_conflict_and_writes_nothing(caseworker_a, supervisor_a, housing):
    advance(caseworker_a, housing, "accepted")
    with pytest.raises(EditConflict) as info:
        advance(supervisor_a, housing, "declined", reason="No space.", version=1)
    assert info.value.current.status == "accepted"
    housing.refresh_from_db()
    assert (housing.status, housing.version) == ("accepted", 2)


def test_agency_staff_read_but_do_not_record_and_outsiders_get_404(agency_staff_a, caseworker_a2, admin_b, housing):
    with pytest.raises(PermissionDenied):
        advance(agency_staff_a, housing, "accepted")
    for outsider in (caseworker_a2, admin_b):
        with pytest.raises(Http404):
            advance(outsider, housing, "accepted")
    housing.refresh_from_db()
    assert housing.version == 1


def test_the_database_refuses_a_row_that_breaks_an_invariant(housing):
    broken = [
        {"status": "started"},  # started needs its dates
        {"status": "declined", "closed_on": housing.sent_on, "next_step_due": None},  # declined needs a reason
        {"accepted_on": housing.sent_on - DAY, "status": "accepted"},  # accepted before it was sent
        {"reason": "A reason on an open referral"},
    ]
    for fields in broken:
        with pytest.raises(IntegrityError), transaction.atomic():
            ServiceReferral.objects.filter(pk=housing.pk).update(**fields)


# --- My work ----------------------------------------------------------------------------------------------------


def test_an_open_referral_is_the_assigned_caseworkers_work_and_goes_when_it_starts(
    caseworker_a, caseworker_a2, supervisor_a, agency_admin_a, caseworker_b, admin_b, housing, youth_a1
):
    now = timezone.now()
    people = [caseworker_a, caseworker_a2, supervisor_a, agency_admin_a, caseworker_b, admin_b]
    have = [u.username for u in people if any(i.kind == "referral" for i in work.my_items(u, now))]
    assert have == ["caseworker_a"]
    [item] = [i for i in work.my_items(caseworker_a, now) if i.kind == "referral"]
    assert item.what == "Referral: Housing (sent)"
    assert item.url == reverse("service_referral", args=[housing.pk])
    assert item.youth_id == youth_a1.pk
    # Due at the end of the due day in the agency's zone: overdue the second after.
    end_of_day = datetime.datetime.combine(housing.next_step_due + DAY, datetime.time.min, tzinfo=CHICAGO)
    assert item.due_at == end_of_day
    assert not item.is_overdue(end_of_day) and item.is_overdue(end_of_day + datetime.timedelta(seconds=1))

    accepted = advance(caseworker_a, housing, "accepted")
    [item] = [i for i in work.my_items(caseworker_a, now) if i.kind == "referral"]
    assert item.what == "Referral: Housing (accepted)"
    advance(caseworker_a, accepted, "started")
    assert [i for i in work.my_items(caseworker_a, now) if i.kind == "referral"] == []


def test_a_declined_referral_leaves_the_list(caseworker_a, housing):
    advance(caseworker_a, housing, "declined", reason="The youth said no, for now.")
    assert [i for i in work.my_items(caseworker_a) if i.kind == "referral"] == []


def test_with_no_assigned_caseworker_the_referral_is_the_team_supervisors(supervisor_a, youth_a1, housing):
    youth_a1.assigned_caseworkers.clear()
    assert [i.what for i in work.my_items(supervisor_a) if i.kind == "referral"] == ["Referral: Housing (sent)"]


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_risk_page_lists_the_services_with_their_steps(client_for, caseworker_a, housing, youth_a1):
    ServiceReferral.objects.filter(pk=housing.pk).update(
        sent_on=today() - 10 * DAY, next_step_due=today() - 3 * DAY
    )
    page = page_text(client_for(caseworker_a).get(reverse("youth_risk", args=[youth_a1.pk])))
    services = page[page.index('id="services-h"'):]
    assert "Housing" in services and "Sent, waiting for an answer" in services
    assert f"end of {(today() - 3 * DAY):%b} {(today() - 3 * DAY).day}" in services
    assert "(America/Chicago)" in services and "Overdue" in services and "overdue by 2 days" in services
    assert reverse("service_referral", args=[housing.pk]) in services and "Record the next step" in services


def test_the_team_records_a_step_on_the_referral_page(client_for, caseworker_a, housing):
    client = client_for(caseworker_a)
    url = reverse("service_referral", args=[housing.pk])
    page = page_text(client.get(url))
    assert "Record the next step" in page and 'value="accepted"' in page and 'value="started"' not in page
    response = client.post(url, {"status": "accepted", "on": today().isoformat(), "provider": "Harbor House",
                                 "version": "1"}, follow=True)
    assert "Housing referral recorded as accepted" in page_text(response)
    housing.refresh_from_db()
    assert (housing.status, housing.accepted_on, housing.provider) == ("accepted", today(), "Harbor House")


def test_a_bad_step_on_the_page_gets_a_message_and_changes_nothing(client_for, caseworker_a, housing):
    client = client_for(caseworker_a)
    url = reverse("service_referral", args=[housing.pk])
    for data, words in [
        ({"status": "started", "on": today().isoformat(), "version": "1"}, "can only become"),
        ({"status": "declined", "on": today().isoformat(), "version": "1"}, "Say why the service was declined"),
        ({"status": "accepted", "on": "", "version": "1"}, "Give the date of this step."),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200 and words in page_text(response)
    housing.refresh_from_db()
    assert (housing.status, housing.version) == ("sent", 1)


def test_a_stale_page_shows_the_conflict_and_keeps_the_saved_step(client_for, caseworker_a, supervisor_a, housing):
    client = client_for(caseworker_a)
    url = reverse("service_referral", args=[housing.pk])
    stale = rendered_form(client.get(url), status="declined", reason="No space.")
    advance(supervisor_a, housing, "accepted")
    response = client.post(url, stale)
    page = page_text(response)
    assert response.status_code == 200
    assert "Someone else saved this referral after you opened it" in page
    assert "You entered Next step: Declined." in page and "Accepted, waiting to start" in page
    housing.refresh_from_db()
    assert (housing.status, housing.version) == ("accepted", 2)
    # Saved again from the rebuilt form, the user's own step is recorded on top of the other one.
    response = client.post(url, rendered_form(response), follow=True)
    housing.refresh_from_db()
    assert (housing.status, housing.reason, housing.version) == ("declined", "No space.", 3)


def test_a_stale_page_after_the_last_step_says_so(client_for, caseworker_a, supervisor_a, housing):
    client = client_for(caseworker_a)
    url = reverse("service_referral", args=[housing.pk])
    stale = rendered_form(client.get(url), status="accepted")
    advance(supervisor_a, housing, "not_available", reason="The program closed.")
    page = page_text(client.post(url, stale, follow=True))
    assert "Someone else recorded this referral as not available" in page and "Record this step" not in page
    housing.refresh_from_db()
    assert (housing.status, housing.version) == ("not_available", 2)


def test_a_started_referral_has_no_form(client_for, caseworker_a, housing):
    advance(caseworker_a, advance(caseworker_a, housing, "accepted"), "started")
    page = page_text(client_for(caseworker_a).get(reverse("service_referral", args=[housing.pk])))
    assert "that is its last step" in page and "Record this step" not in page


def test_agency_staff_read_the_page_and_a_post_is_403(client_for, agency_staff_a, housing):
    client = client_for(agency_staff_a)
    url = reverse("service_referral", args=[housing.pk])
    page = page_text(client.get(url))
    assert "Housing referral" in page and "You can read this referral" in page and "Record this step" not in page
    assert client.post(url, {"status": "accepted", "on": today().isoformat(), "version": "1"}).status_code == 403
    housing.refresh_from_db()
    assert housing.version == 1


@pytest.mark.parametrize("persona", ["caseworker_a2", "caseworker_b", "admin_b", "no_role_user", "supervisor_b"])
def test_outsiders_get_404_and_write_nothing(request, client_for, housing, persona):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("service_referral", args=[housing.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "accepted", "on": today().isoformat(), "version": "1"}).status_code == 404
    housing.refresh_from_db()
    assert housing.version == 1


# --- The data migration -----------------------------------------------------------------------------------------

BEFORE = [("risk", "0006_service_referrals")]
AFTER = [("risk", "0007_referrals_from_decisions")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_referrals_already_on_decisions_become_sent_referrals(transactional_db, supervisor_a, team_a1):
    youth = YouthFactory(team=team_a1)
    other = YouthFactory(team=team_a1)
    try:
        migrate(BEFORE)
        # 21:00 in Chicago on March 1 is March 2 in UTC: the referral is dated the UTC day.
        decided = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.UTC)
        first = ReviewDecision.objects.create(
            youth=youth, outcome="at_risk", decided_by=supervisor_a, decided_at=decided, safety_plan="Plan",
            referrals=["housing", "food", "food"],
        )
        second = ReviewDecision.objects.create(
            youth=youth, outcome="at_risk", decided_by=supervisor_a, decided_at=decided + DAY, safety_plan="Plan",
            referrals=["housing", "medical"], supersedes=first,
        )
        ReviewDecision.objects.create(
            youth=other, outcome="no_concern", decided_by=supervisor_a, decided_at=decided, reason="Fine",
        )
        migrate(AFTER)
        rows = ServiceReferral.objects.order_by("id")
        assert [(r.youth_id, r.service, r.decision_id, r.status, r.sent_on, r.next_step_due) for r in rows] == [
            (youth.pk, "housing", first.pk, "sent", datetime.date(2026, 3, 2), datetime.date(2026, 3, 9)),
            (youth.pk, "food", first.pk, "sent", datetime.date(2026, 3, 2), datetime.date(2026, 3, 9)),
            (youth.pk, "medical", second.pk, "sent", datetime.date(2026, 3, 3),
             datetime.date(2026, 3, 10)),
        ]
        assert all(r.created_by_id == supervisor_a.pk for r in rows)
        # Run again (backwards, then forwards): nothing is added twice.
        migrate(BEFORE)
        migrate(AFTER)
        assert ServiceReferral.objects.count() == 3
    finally:
        migrate(latest())


# --- The pure rule and the page's reads -------------------------------------------------------------------------


def test_the_steps_go_forward_only_and_the_ends_go_nowhere():
    order = ["sent", "accepted", "started"]
    for status in ReferralStatus.values:
        for to in ReferralStatus.values:
            allowed = referral_steps.can_move(status, to)
            if status in ("started", "declined", "not_available"):
                assert not allowed
            elif to in ("declined", "not_available"):
                assert allowed
            else:
                assert allowed == (to in order and order.index(to) == order.index(status) + 1)
    day = datetime.date(2026, 3, 8)  # the Sunday clocks go forward in Chicago
    assert referral_steps.next_step_due("sent", day) == datetime.date(2026, 3, 15)
    assert referral_steps.next_step_due("accepted", day) == datetime.date(2026, 3, 22)
    assert referral_steps.next_step_due("started", day) is None
    assert referral_steps.due_at(day, CHICAGO) == datetime.datetime(2026, 3, 9, tzinfo=CHICAGO)
    assert referral_steps.due_at(None, CHICAGO) is None


@pytest.mark.parametrize("count", [1, 7])
def test_the_services_section_reads_its_referrals_in_one_query(
    supervisor_a, youth_a1, count, django_assert_num_queries
):
    services = ["housing", "food", "medical", "connection", "empowerment", "specialised", "other"][:count]
    at_risk(supervisor_a, youth_a1, services)
    youth = Youth.objects.select_related("agency").get(pk=youth_a1.pk)
    with django_assert_num_queries(1):
        rows = selectors.youth_referrals(youth)
        assert [r.get_service_display() for r in rows][:1] == ["Housing"] and all(r.due_text for r in rows)
