"""How the agency responded to a return (docs/duties.md#return-responses): recorded from the episode page after
the return, one row for each response, with who decided it and why; corrected with a version check; bad input
and another team's or agency's staff change nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp.local_time import agency_zone
from caseapp.models import AuditEvent
from missing_reports.models import ReturnResponse
from missing_reports.responses import PUNITIVE, ResponseKind, is_punitive
from missing_reports.services import episodes as services
from missing_reports.services import responses as response_services
from tests.helpers import rendered_form

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)


def text(response):
    return " ".join(response.content.decode().split())


@pytest.fixture
def now():
    return timezone.now().replace(second=0, microsecond=0)


def returned_episode(actor, youth, now, *, hours_ago=30):
    episode = services.log_run(
        actor=actor, youth_id=youth.pk, agency_learned_at=now - hours_ago * H, last_seen_at=now - (hours_ago + 1) * H,
        last_seen_location="Near the bus station", reported_by="Foster parent (Ms. Example)",
    )
    return services.log_return(
        actor=actor, episode_id=episode.pk, expected_version=episode.version,
        located_at=now - (hours_ago - 4) * H, returned_at=now - (hours_ago - 5) * H,
        found_location_type="friend", how_located="self_returned",
    )


@pytest.fixture
def episode(caseworker_a, youth_a1, now):
    return returned_episode(caseworker_a, youth_a1, now)


def local(moment, agency):
    return moment.astimezone(agency_zone(agency)).strftime("%Y-%m-%dT%H:%M")


def test_the_fixed_list_and_what_is_punitive():
    assert {k.value for k in PUNITIVE} == {
        "restriction", "detention", "placement_change_consequence", "school_change_consequence", "charges",
        "family_contact_limited", "other_consequence",
    }
    assert not is_punitive(ResponseKind.PLACEMENT_CHANGE_NEED)
    assert not is_punitive(ResponseKind.FAMILY_CONTACT_INCREASED)
    assert not is_punitive(ResponseKind.NOTHING_CHANGED)


def test_a_caseworker_records_two_responses_and_the_episode_page_shows_them(
    client_for, caseworker_a, supervisor_a, episode, now
):
    client = client_for(caseworker_a)
    url = reverse("return_responses_create", args=[episode.pk])
    page = client.get(url)
    assert page.status_code == 200
    answer = client.post(url, {
        "kinds": ["restriction", "family_contact_increased"],
        "decided_at": local(now - 2 * H, episode.youth.agency),
        "decided_by": supervisor_a.pk, "decided_by_name": "Team supervisor",
        "reason": "House rules after an overnight absence; the youth asked to see their aunt more.",
    })
    assert answer.status_code == 302
    saved = list(ReturnResponse.objects.filter(episode=episode).order_by("kind"))
    assert [r.kind for r in saved] == ["family_contact_increased", "restriction"]
    assert all(r.decided_at == now - 2 * H and r.decided_by == supervisor_a for r in saved)
    assert AuditEvent.objects.filter(object_type="returnresponse", action="create").count() == 2
    body = text(client.get(reverse("episode_detail", args=[episode.pk])))
    assert "How the agency responded" in body
    assert "Privileges restricted" in body and "Contact with family increased" in body
    assert body.count("Consequence for the youth") == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kinds": []}, "Choose what followed the return"),
        ({"kinds": ["nothing_changed", "detention"]}, "cannot be recorded together"),
        ({"kinds": ["other_consequence"]}, "what the other response was"),
        ({"reason": "  "}, "Say why it was decided"),
        ({"decided_by": "", "decided_by_name": ""}, "Say who decided it"),
        ({"decided_at": "future"}, "cannot be in the future"),
        ({"decided_at": "before"}, "before the youth was found"),
        ({"kinds": ["not_a_kind"]}, "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(client_for, caseworker_a, supervisor_a, episode, now, change,
                                                      field):
    agency = episode.youth.agency
    data = {
        "kinds": ["detention"], "decided_at": local(now - H, agency), "decided_by": supervisor_a.pk,
        "reason": "Court order.",
    } | change
    if data["decided_at"] == "future":
        data["decided_at"] = local(now + 3 * H, agency)
    elif data["decided_at"] == "before":
        data["decided_at"] = local(episode.located_at - 2 * H, agency)
    before = AuditEvent.objects.count()
    answer = client_for(caseworker_a).post(reverse("return_responses_create", args=[episode.pk]), data)
    assert answer.status_code == 200
    assert field in text(answer)
    assert not ReturnResponse.objects.exists()
    assert AuditEvent.objects.count() == before


def test_staff_of_another_agency_is_refused_as_the_decider(caseworker_a, admin_b, episode, now):
    with pytest.raises(Exception) as refused:
        response_services.record_responses(
            actor=caseworker_a, episode_id=episode.pk, kinds=["detention"], decided_at=now - H, reason="x",
            decided_by=admin_b,
        )
    assert "youth's agency" in str(refused.value)
    assert not ReturnResponse.objects.exists()


def test_an_open_episode_has_no_response_yet(client_for, caseworker_a, youth_a1, now):
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, agency_learned_at=now - H, last_seen_at=now - 2 * H,
        last_seen_location="School", reported_by="Teacher",
    )
    client = client_for(caseworker_a)
    url = reverse("return_responses_create", args=[episode.pk])
    assert client.get(url).status_code == 302
    answer = client.post(url, {"kinds": ["detention"], "decided_at": local(now, youth_a1.agency),
                               "decided_by_name": "Judge", "reason": "Order"})
    assert "once the youth has returned" in text(answer)
    assert not ReturnResponse.objects.exists()
    assert "How the agency responded" not in text(client.get(reverse("episode_detail", args=[episode.pk])))


def test_a_correction_with_a_stale_version_changes_nothing_and_shows_the_conflict(
    client_for, caseworker_a, supervisor_a, episode, now
):
    [response] = response_services.record_responses(
        actor=caseworker_a, episode_id=episode.pk, kinds=["placement_change_consequence"], decided_at=now - H,
        decided_by_name="Placement unit", reason="Moved after the run.",
    )
    url = reverse("return_response_edit", args=[response.pk])
    mine = client_for(caseworker_a)
    form = rendered_form(mine.get(url))
    # Meanwhile the supervisor corrects it: the move was to meet the need the youth named.
    theirs = client_for(supervisor_a)
    saved = theirs.post(url, rendered_form(theirs.get(url), kind="placement_change_need"))
    assert saved.status_code == 302
    answer = mine.post(url, form | {"reason": ["Moved to a more restrictive home after the run."]})
    assert answer.status_code == 200
    assert "changed" in text(answer)
    response.refresh_from_db()
    assert response.kind == "placement_change_need" and response.reason == "Moved after the run."
    assert response.version == 2
    assert response.history.count() == 2


@pytest.mark.parametrize("outsider", ["caseworker_a2", "caseworker_b", "admin_b", "agency_staff_a"])
def test_outside_the_scope_or_read_only_it_is_404_and_nothing_is_written(
    request, client_for, caseworker_a, episode, now, outsider
):
    [response] = response_services.record_responses(
        actor=caseworker_a, episode_id=episode.pk, kinds=["detention"], decided_at=now - H,
        decided_by_name="Juvenile court", reason="Order.",
    )
    client = client_for(request.getfixturevalue(outsider))
    data = {"kinds": ["charges"], "decided_at": local(now, episode.youth.agency), "decided_by_name": "x", "reason": "y"}
    urls = (reverse("return_responses_create", args=[episode.pk]), reverse("return_response_edit", args=[response.pk]))
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
    assert ReturnResponse.objects.count() == 1
    response.refresh_from_db()
    assert response.version == 1


def test_the_demo_records_responses_once(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--youth", "40", "--quiet", "--no-logins")
    kinds = set(ReturnResponse.objects.values_list("kind", flat=True))
    assert {"restriction", "placement_change_consequence", "family_contact_increased"} <= kinds
    count = ReturnResponse.objects.count()
    call_command("seed_demo", "--youth", "40", "--quiet", "--no-logins")
    assert ReturnResponse.objects.count() == count


def test_the_episode_page_costs_the_same_queries_for_one_response_or_many(client_for, caseworker_a, episode, now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(caseworker_a)
    url = reverse("episode_detail", args=[episode.pk])

    def record(kinds):
        response_services.record_responses(
            actor=caseworker_a, episode_id=episode.pk, kinds=kinds, decided_at=now - H, reason="Recorded.",
            decided_by=caseworker_a,
        )

    record(["detention"])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    record(["restriction", "charges", "family_contact_limited", "school_change_need"])
    with CaptureQueriesContext(connection) as five:
        page = client.get(url)
    assert page.content.decode().count("Consequence for the youth") == 4
    assert len(five) == len(one)
