"""The response plan after a return interview (docs/duties.md#response-plan): each action answers a factor the
interview named, has one owner and a due time, is on its owner's work list until done; bad input, a stale save
and an outsider change nothing."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp import work
from caseapp.models import AuditAction, AuditEvent, Role
from missing_reports.models import ResponseAction
from missing_reports.services import episodes as services
from missing_reports.services import response_plans
from tests.factories import UserFactory
from tests.helpers import rendered_form
from tests.personas import OUTSIDERS

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def as_input(moment):
    """What a datetime-local input posts, in agency A's zone (America/Chicago)."""
    return timezone.localtime(moment, CHICAGO).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def now():
    return timezone.now()


def interview(actor, youth, now, *, factors, days_ago=3, own_words=""):
    """A run, its return and a return interview naming `factors`, `days_ago` days back."""
    start = now - days_ago * DAY
    episode = services.log_run(
        actor=actor, youth_id=youth.pk, last_seen_at=start - 2 * HOUR, last_seen_location="Near the bus station",
        reported_by="Foster parent", agency_learned_at=start - HOUR,
    )
    services.log_return(actor=actor, episode_id=episode.pk, expected_version=episode.version, returned_at=start)
    return services.record_debrief(
        actor=actor, episode_id=episode.pk, interview_at=start + HOUR, running_direction="from",
        primary_factors=factors, trafficking_screening_done="yes", youth_own_words=own_words,
        placement_response="Talk with the foster parent about the phone rules.",
    )


@pytest.fixture
def debrief(caseworker_a, youth_a1, now):
    return interview(caseworker_a, youth_a1, now, factors=["conflict", "family_connection"])


@pytest.fixture
def colleague(team_a1, agency_a):
    """A caseworker of team North who sees youth_a1 but does not carry them: named as an action's owner only."""
    return UserFactory(username="colleague_a", agency=agency_a, team=team_a1, role=Role.CASEWORKER)


def add(actor, debrief, **fields):
    values = {"factor": "conflict", "what": "Mediation with the foster parent", "owner": actor,
              "due_at": timezone.now() + DAY} | fields
    return response_plans.add_action(actor=actor, debrief_id=debrief.pk, **values)


def text(response):
    return response.content.decode()


# --- The test the issue asks for ---------------------------------------------------------------------------


def test_a_response_plans_overdue_action_appears_in_its_owners_work_list_and_disappears_when_done(
    client_for, caseworker_a, colleague, supervisor_a, debrief, now
):
    # Typed on the page, in the agency's time: due yesterday (written down after the fact), owned by a colleague
    # who sees the youth but does not carry them.
    caseworker = client_for(caseworker_a)
    url = reverse("response_action_create", args=[debrief.pk])
    due = (now - DAY).replace(second=0, microsecond=0)
    data = rendered_form(
        caseworker.get(url), marker="factor", factor="conflict", what="Mediation with the foster parent",
        owner=colleague.pk, due_at=as_input(due),
    )
    response = caseworker.post(url, data)
    assert response.status_code == 302, response.content.decode()
    action = ResponseAction.objects.get()
    assert (action.owner, action.due_at, action.youth_id) == (colleague, due, debrief.episode.youth_id)

    # On the owner's list, overdue by the one rule; on nobody else's own list.
    later = timezone.now()
    mine = [item for item in work.my_items(colleague, later) if item.kind == "response_action"]
    assert [(item.what, item.owner_ids, item.is_overdue(later)) for item in mine] == [
        ("Response plan: Mediation with the foster parent", (colleague.pk,), True)
    ]
    assert mine[0].url == reverse("response_action_done", args=[action.pk])
    assert not [item for item in work.my_items(caseworker_a) if item.kind == "response_action"]
    page = text(client_for(colleague).get(reverse("my_work")))
    assert "Response plan: Mediation with the foster parent" in page and "Overdue by" in page
    # The supervisor's team view lists it under its owner.
    team = client_for(supervisor_a).get(reverse("team_work"))
    owners = {str(group.worker): [line.item.what for line in group.lines] for group in team.context["groups"]}
    assert "Response plan: Mediation with the foster parent" in owners[str(colleague)]

    # Marked done on its page (by the owner): off the list, with when, who and what.
    owner = client_for(colleague)
    done_url = reverse("response_action_done", args=[action.pk])
    data = rendered_form(owner.get(done_url), done_at=as_input(now), done_note="Met with both; new phone rules agreed.")
    assert owner.post(done_url, data).status_code == 302
    action.refresh_from_db()
    assert (action.done_by, action.done_note, action.version) == (
        colleague, "Met with both; new phone rules agreed.", 2
    )
    assert not [item for item in work.my_items(colleague) if item.kind == "response_action"]
    assert not [item for item in work.team_items(supervisor_a, timezone.now()) if item.kind == "response_action"]
    assert AuditEvent.objects.filter(object_type="responseaction", object_id=str(action.pk)).count() == 2
    assert action.history.count() == 2


def test_the_plan_shows_under_its_interview_and_the_open_actions_on_the_youth_page(
    client_for, caseworker_a, youth_a1, debrief, now
):
    add(caseworker_a, debrief, what="Weekly call with grandmother", factor="family_connection", due_at=now - HOUR)
    done = add(caseworker_a, debrief, what="Mediation with the foster parent")
    response_plans.complete_action(
        actor=caseworker_a, action_id=done.pk, expected_version=1, done_at=now, done_note="Held on Tuesday."
    )
    client = client_for(caseworker_a)
    episode_page = text(client.get(reverse("episode_detail", args=[debrief.episode_id])))
    assert "Connection to family</span> → Weekly call with grandmother" in episode_page
    assert "Overdue by" in episode_page and "Held on Tuesday." in episode_page
    youth_page = text(client.get(reverse("youth_detail", args=[youth_a1.pk])))
    assert "Weekly call with grandmother" in youth_page
    assert "Mediation with the foster parent" not in youth_page  # done: not open


def test_an_action_of_an_inactive_owner_falls_to_the_youths_caseworkers(caseworker_a, colleague, debrief):
    add(caseworker_a, debrief, owner=colleague)
    colleague.is_active = False
    colleague.save()
    items = [item for item in work.my_items(caseworker_a) if item.kind == "response_action"]
    assert [item.owner_ids for item in items] == [(caseworker_a.pk,)]


# --- Bad input --------------------------------------------------------------------------------------------


@pytest.fixture
def earlier(caseworker_a, youth_a1, now):
    """An earlier interview of the same youth that named school."""
    return interview(caseworker_a, youth_a1, now, factors=["school"], days_ago=20)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"factor": "school"}, "factor", "Choose one of the factors named in this interview"),  # another interview's
        ({"factor": "not-a-factor"}, "factor", "Choose one of the factors named in this interview"),
        ({"what": "   "}, "what", "Say what will be done."),
        ({"owner": "caseworker_a2"}, "owner", "works with this youth"),  # another team
        ({"owner": "caseworker_b"}, "owner", "works with this youth"),  # another agency
        ({"owner": "agency_staff_a"}, "owner", "works with this youth"),  # reads only: no work is theirs
        ({"due_at": "before"}, "due_at", "cannot be before the return interview"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    request, caseworker_a, debrief, earlier, fields, field, message
):
    if isinstance(fields.get("owner"), str):
        fields["owner"] = request.getfixturevalue(fields["owner"])
    if fields.get("due_at") == "before":
        fields["due_at"] = debrief.interview_at - HOUR
    with pytest.raises(response_plans.ValidationError) as refused:
        add(caseworker_a, debrief, **fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert not ResponseAction.objects.exists()


def test_other_is_always_offered_and_a_due_time_already_past_is_accepted(caseworker_a, debrief, now):
    assert [value for value, _ in response_plans.factor_choices(debrief)] == ["conflict", "family_connection", "other"]
    action = add(caseworker_a, debrief, factor="other", due_at=debrief.interview_at)
    assert work.is_overdue(action.due_at, now)


def test_the_form_offers_only_staff_who_work_with_the_youth(
    client_for, caseworker_a, caseworker_a2, colleague, supervisor_a, agency_staff_a, agency_admin_a, debrief
):
    form = client_for(caseworker_a).get(reverse("response_action_create", args=[debrief.pk])).context["form"]
    offered = set(form.fields["owner"].queryset)
    assert offered == {caseworker_a, colleague, supervisor_a, agency_admin_a}
    assert "Agency time (America/Chicago)" in form.fields["due_at"].help_text


def test_a_page_posted_with_an_out_of_scope_owner_writes_nothing(client_for, caseworker_a, caseworker_b, debrief, now):
    client = client_for(caseworker_a)
    url = reverse("response_action_create", args=[debrief.pk])
    data = rendered_form(
        client.get(url), marker="factor", factor="conflict", what="X", owner=caseworker_b.pk,
        due_at=as_input(now + DAY),
    )
    response = client.post(url, data)
    assert response.status_code == 200 and "works with this youth" in text(response)
    assert not ResponseAction.objects.exists()


# --- Concurrent edits -------------------------------------------------------------------------------------


def test_a_stale_edit_shows_the_conflict_and_overwrites_nothing(client_for, caseworker_a, supervisor_a, debrief):
    action = add(caseworker_a, debrief)
    mine, theirs = client_for(caseworker_a), client_for(supervisor_a)
    url = reverse("response_action_edit", args=[action.pk])
    opened = mine.get(url)
    # Someone else changes what will be done first.
    first = rendered_form(theirs.get(url), what="Mediation, with a family therapist")
    assert theirs.post(url, first).status_code == 302
    stale = mine.post(url, rendered_form(opened, what="Mediation at school"))
    assert stale.status_code == 200
    page = text(stale)
    assert "Mediation, with a family therapist" in page and "choose which value to keep" in page.lower()
    action.refresh_from_db()
    assert (action.what, action.version) == ("Mediation, with a family therapist", 2)
    # Choosing their own value and saving again writes it.
    again = rendered_form(stale, keep__what="mine")
    assert mine.post(url, again).status_code == 302
    action.refresh_from_db()
    assert (action.what, action.version) == ("Mediation at school", 3)


def test_marking_done_on_a_stale_page_is_a_conflict(client_for, caseworker_a, supervisor_a, debrief, now):
    action = add(caseworker_a, debrief)
    client = client_for(caseworker_a)
    opened = client.get(reverse("response_action_done", args=[action.pk]))
    response_plans.update_action(
        actor=supervisor_a, action_id=action.pk, expected_version=1, due_at=now + 2 * DAY
    )
    stale = client.post(
        reverse("response_action_done", args=[action.pk]), rendered_form(opened, done_note="Done.")
    )
    assert stale.status_code == 200
    action.refresh_from_db()
    assert action.done_at is None and action.version == 2
    with pytest.raises(response_plans.ValidationError):
        response_plans.complete_action(
            actor=caseworker_a, action_id=action.pk, expected_version=2, done_at=now + DAY, done_note="Done."
        )  # in the future


# --- Scope ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*OUTSIDERS, "caseworker_b", "supervisor_b", "agency_staff_a"])
def test_the_plan_pages_are_404_outside_the_scope_and_write_nothing(
    request, client_for, caseworker_a, debrief, persona
):
    action = add(caseworker_a, debrief)
    client = client_for(request.getfixturevalue(persona))
    before = (ResponseAction.objects.count(), AuditEvent.objects.count(), ResponseAction.history.count())
    for url in (
        reverse("response_action_create", args=[debrief.pk]),
        reverse("response_action_edit", args=[action.pk]),
        reverse("response_action_done", args=[action.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"factor": "conflict", "what": "X", "done_note": "X", "version": 1}).status_code == 404
    assert (ResponseAction.objects.count(), AuditEvent.objects.count(), ResponseAction.history.count()) == before


# --- Query counts -----------------------------------------------------------------------------------------


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_queries_for_one_action_or_many(
    client_for, caseworker_a, colleague, debrief, youth_a1
):
    add(caseworker_a, debrief)
    client = client_for(caseworker_a)
    urls = [
        reverse("episode_detail", args=[debrief.episode_id]),
        reverse("youth_detail", args=[youth_a1.pk]),
        reverse("placement_create", args=[youth_a1.pk]),
        reverse("my_work"),
    ]
    first = [_queries(client, url) for url in urls]
    for number in range(6):
        add(caseworker_a, debrief, what=f"Action {number}", owner=colleague if number % 2 else caseworker_a)
    assert [_queries(client, url) for url in urls] == first


def test_audit_rows_name_the_changed_fields(caseworker_a, debrief, now):
    action = add(caseworker_a, debrief)
    response_plans.update_action(actor=caseworker_a, action_id=action.pk, expected_version=1, due_at=now + 3 * DAY)
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="responseaction").get()
    assert event.detail == {"changed": ["due_at"]} and event.youth_id == debrief.episode.youth_id


# --- Demo data --------------------------------------------------------------------------------------------


def test_the_demo_has_a_plan_with_an_overdue_action_and_a_what_helps_me_once():
    from django.core.management import call_command

    from caseapp.models import User
    from missing_reports.models import WhatHelpsMe

    for _ in range(2):  # idempotent: the second run adds nothing
        call_command("seed_demo", "--youth", "40", "--quiet", "--no-logins")
    assert ResponseAction.objects.count() == 2 and WhatHelpsMe.objects.count() == 1
    caseworker = User.objects.get(username=ResponseAction.objects.first().owner.username)
    now = timezone.now()
    plan = [item for item in work.my_items(caseworker, now) if item.kind == "response_action"]
    assert [item.is_overdue(now) for item in plan] == [True, False]
