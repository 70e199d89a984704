"""The youth's risk pages through the test client: the assessment page, recording an observation,
retracting one, the structured screening (and the return interview's hook into it), external screens.

What a caseworker or supervisor sees and what the database then holds; scope on every page and
action (out of scope is a 404, never a 403); bad input is a clear message and writes nothing.
"""

import datetime
import html
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditAction, AuditEvent
from missing_reports.models import Debrief
from missing_reports.services import episodes as episode_services
from risk.models import (
    ExternalScreen,
    IdentificationReport,
    Observation,
    ReviewDecision,
    ReviewItem,
    RiskSnapshot,
    Screening,
)
from risk.services import decisions, observations

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")  # agency A's time zone
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

EDITORS = ["caseworker_a", "supervisor_a", "agency_admin_a"]
OUT_OF_SCOPE = ["caseworker_b", "admin_b", "caseworker_a2", "no_role_user"]


def local(moment):
    """What a datetime-local input in agency A's time zone sends."""
    return timezone.localtime(moment, CHICAGO).strftime("%Y-%m-%dT%H:%M")


def text(response):
    return html.unescape(response.content.decode())


def page_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def risk_url(youth):
    return reverse("youth_risk", args=[youth.pk])


def observe_url(youth):
    return reverse("risk_observe", args=[youth.pk])


def screening_url(youth):
    return reverse("risk_screening", args=[youth.pk])


def external_url(youth):
    return reverse("risk_external_screen", args=[youth.pk])


def retract_url(observation):
    return reverse("risk_retract", args=[observation.pk])


def observation_data(**overrides):
    now = timezone.now()
    data = {
        "indicator": "C7.2",
        "observed_at": local(now - 2 * HOUR),
        "information_received_at": local(now - HOUR),
        "source": "caregiver",
        "evidence": "verified",
        "note": "Cousin answered every question for the youth.",
    }
    data.update(overrides)
    return data


def screening_data(findings=(), **overrides):
    """findings: (code, evidence, source, note) tuples, ticked on the form."""
    data = {"conducted_at": local(timezone.now() - HOUR), "notes": ""}
    for code, evidence, source, note in findings:
        prefix = "f_" + code.replace(".", "_")
        data.update({prefix: "on", f"{prefix}_evidence": evidence, f"{prefix}_source": source, f"{prefix}_note": note})
    data.update(overrides)
    return data


def record(actor, youth, code="C7.2", *, evidence="verified", observed_at=None, **extra):
    now = timezone.now()
    return observations.record_observation(
        actor=actor, youth_id=youth.pk, indicator_code=code, observed_at=observed_at or now - 2 * HOUR,
        information_received_at=extra.pop("information_received_at", now - HOUR), source="caregiver",
        evidence=evidence, **extra,
    )


def risk_state(youth):
    """Everything a risk form could write for this youth."""
    return {
        "observations": list(Observation.objects.filter(youth=youth).values()),
        "screenings": list(Screening.objects.filter(youth=youth).values()),
        "external": list(ExternalScreen.objects.filter(youth=youth).values()),
        "reviews": list(ReviewItem.objects.filter(youth=youth).values()),
        "snapshots": RiskSnapshot.objects.filter(youth=youth).count(),
    }


@pytest.fixture
def observation(caseworker_a, youth_a1, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return record(caseworker_a, youth_a1)


@pytest.fixture
def returned(caseworker_a, youth_a1):
    """youth_a1 missing two days ago, back two hours ago."""
    now = timezone.now()
    episode = episode_services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, category="runaway", last_seen_at=now - 2 * DAY,
        last_seen_location="Bus station", agency_learned_at=now - 2 * DAY + HOUR, reported_by="Foster parent",
    )
    return episode_services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        located_at=now - 3 * HOUR, returned_at=now - 2 * HOUR, found_location_type="friend",
        how_located="self_returned",
    )


# --- Who may see and do what -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*EDITORS, "agency_staff_a"])
def test_everyone_who_sees_the_youth_sees_the_risk_page(request, client_for, youth_a1, persona):
    response = client_for(request.getfixturevalue(persona)).get(risk_url(youth_a1))
    assert response.status_code == 200
    page = text(response)
    assert "This is a prompt for a supervisor's review, not a finding." in page
    assert "No assessment yet." in page
    assert "No observations recorded." in page
    assert "No screenings recorded." in page
    assert "No external screens recorded." in page
    assert "No supervisor decisions yet." in page
    assert "No review is waiting for this youth." in page


@pytest.mark.parametrize("persona", EDITORS)
def test_editors_see_the_record_buttons_and_open_every_form(request, client_for, youth_a1, persona):
    client = client_for(request.getfixturevalue(persona))
    page = text(client.get(risk_url(youth_a1)))
    for url in (observe_url(youth_a1), screening_url(youth_a1), external_url(youth_a1)):
        assert url in page
        assert client.get(url).status_code == 200


def test_agency_staff_read_only_no_buttons_and_404_on_every_form(client_for, agency_staff_a, youth_a1, observation):
    client = client_for(agency_staff_a)
    page = text(client.get(risk_url(youth_a1)))
    for url in (observe_url(youth_a1), screening_url(youth_a1), external_url(youth_a1), retract_url(observation)):
        assert url not in page
        assert client.get(url).status_code == 404
    before = risk_state(youth_a1)
    assert client.post(observe_url(youth_a1), observation_data()).status_code == 404
    assert client.post(screening_url(youth_a1), screening_data(no_indicators_found="on")).status_code == 404
    assert client.post(retract_url(observation), {"reason": "Wrong youth"}).status_code == 404
    assert risk_state(youth_a1) == before


@pytest.mark.parametrize("persona", OUT_OF_SCOPE)
def test_out_of_scope_users_get_404_on_every_page_and_post(request, client_for, youth_a1, observation, persona):
    client = client_for(request.getfixturevalue(persona))
    pages = [risk_url(youth_a1), observe_url(youth_a1), screening_url(youth_a1), external_url(youth_a1),
             retract_url(observation)]
    for url in pages:
        assert client.get(url).status_code == 404, url
    before = risk_state(youth_a1)
    posts = {
        observe_url(youth_a1): observation_data(),
        screening_url(youth_a1): screening_data([("C7.2", "reported", "youth", "")]),
        external_url(youth_a1): {"tool": "sscst", "result_category": "Possible concern",
                                 "screened_on": timezone.localdate().isoformat()},
        retract_url(observation): {"reason": "Wrong youth"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert risk_state(youth_a1) == before
    assert not AuditEvent.objects.filter(actor=request.getfixturevalue(persona)).exists()


def test_an_unknown_youth_is_404(client_for, caseworker_a):
    assert client_for(caseworker_a).get(reverse("youth_risk", args=[999999])).status_code == 404


def test_viewing_the_risk_page_is_audited(client_for, supervisor_a, youth_a1):
    client_for(supervisor_a).get(risk_url(youth_a1))
    event = AuditEvent.objects.get(action=AuditAction.VIEW, actor=supervisor_a)
    assert event.youth == youth_a1


def test_the_youth_page_links_to_the_risk_page(client_for, agency_staff_a, youth_a1):
    page = text(client_for(agency_staff_a).get(reverse("youth_detail", args=[youth_a1.pk])))
    assert risk_url(youth_a1) in page
    assert "Trafficking risk and screenings" in page


# --- Record an observation ---------------------------------------------------------------------------------


def test_the_observation_form_groups_indicators_by_category(client_for, caseworker_a, youth_a1):
    page = text(client_for(caseworker_a).get(observe_url(youth_a1)))
    assert '<optgroup label="Identification tripwires: recording one opens the identification workflow' in page
    assert '<optgroup label="Control and coercion">' in page
    assert 'value="C0.1"' in page and 'value="C4.9"' in page
    assert 'value="C4.3"' not in page  # worked out from the episode history, never typed in
    assert "data-language-check" in page


def test_a_recorded_observation_shows_on_the_risk_page_with_its_band(
    client_for, caseworker_a, youth_a1, django_capture_on_commit_callbacks
):
    client = client_for(caseworker_a)
    data = observation_data(indicator="C7.1", evidence="verified")  # weight 5: same-day review, Urgent
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(observe_url(youth_a1), data)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == risk_url(youth_a1)
    assert page_messages(response) == ["Observation C7.1 recorded. The assessment is being updated."]

    observation = Observation.objects.get(youth=youth_a1)
    assert observation.indicator.code == "C7.1"
    assert observation.recorded_by == caseworker_a
    assert observation.observed_at == datetime.datetime.fromisoformat(data["observed_at"]).replace(tzinfo=CHICAGO)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="observation").exists()
    snapshot = RiskSnapshot.objects.get(youth=youth_a1)
    assert snapshot.band == "urgent"

    page = text(client.get(risk_url(youth_a1)))
    assert "Urgent" in page and f"Score {snapshot.score}" in page
    assert "Same-day supervisor review" in page
    assert "the default weights" in page
    assert "Someone else holds the youth" in page  # C7.1's label, in the reasons and the observations
    assert "Cousin answered every question" in page
    assert "Waiting for a supervisor's decision" in page
    assert "Chronic" not in page


def test_a_reported_observation_counts_half(client_for, caseworker_a, youth_a1, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(caseworker_a).post(observe_url(youth_a1), observation_data(indicator="C7.2", evidence="reported"))
    snapshot = RiskSnapshot.objects.get(youth=youth_a1)
    assert snapshot.score == 1.5
    page = text(client_for(caseworker_a).get(risk_url(youth_a1)))
    assert "Reported (counts half)" in page
    assert "<td>1.5</td>" in page


def test_the_page_says_why_a_reason_did_not_count(
    client_for, caseworker_a, youth_a1, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        record(caseworker_a, youth_a1, "C7.2")
        record(caseworker_a, youth_a1, "C7.2", observed_at=now - 3 * DAY, information_received_at=now - 3 * DAY)
        record(caseworker_a, youth_a1, "C5.1", observed_at=now - 400 * DAY, information_received_at=now - 2 * DAY)
    page = text(client_for(caseworker_a).get(risk_url(youth_a1)))
    assert "Not counted: the same indicator already counts from another record" in page
    assert "Not counted: too old (kept for the record)" in page


def test_a_tripwire_opens_the_identification_workflow_and_says_so(
    client_for, caseworker_a, youth_a1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(caseworker_a).post(observe_url(youth_a1), observation_data(indicator="C0.3"))
    assert response.status_code == 302
    [message] = page_messages(response)
    assert "supervisor was asked to review today" in message
    assert "law-enforcement clock will run from when the information was received" in message
    item = ReviewItem.objects.get(youth=youth_a1, status="open")
    assert item.urgency == "identification"
    page = text(client_for(caseworker_a).get(risk_url(youth_a1)))
    assert "Identification: possible victim of trafficking" in page


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"observed_at": "__future__", "information_received_at": "__future__"},
            "observed_at",
            "When it was observed cannot be in the future.",
        ),
        ({"indicator": "C9.9"}, "indicator", "Choose an indicator from the catalogue."),
        ({"indicator": "C4.3"}, "indicator", "Choose an indicator from the catalogue."),
        (
            {"observed_at": "__an_hour_ago__", "information_received_at": "__two_hours_ago__"},
            "information_received_at",
            "The information cannot have been received before it was observed.",
        ),
        ({"source": ""}, "source", "Choose where the information came from."),
    ],
)
def test_bad_observations_are_clear_errors_and_write_nothing(
    client_for, caseworker_a, youth_a1, overrides, field, message
):
    now = timezone.now()
    times = {"__future__": local(now + 2 * DAY), "__an_hour_ago__": local(now - HOUR),
             "__two_hours_ago__": local(now - 2 * HOUR)}
    data = observation_data(**{k: times.get(v, v) for k, v in overrides.items()})
    before = risk_state(youth_a1)
    response = client_for(caseworker_a).post(observe_url(youth_a1), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "Nothing was saved" in text(response)
    assert risk_state(youth_a1) == before


def test_a_wording_note_follows_the_save(client_for, caseworker_a, youth_a1):
    data = observation_data(note="Staff called her a chronic runaway.")
    response = client_for(caseworker_a).post(observe_url(youth_a1), data)
    assert response.status_code == 302
    messages = page_messages(response)
    assert len(messages) == 2 and "youth with repeated missing episodes" in messages[1]
    assert Observation.objects.get(youth=youth_a1).note == data["note"]  # never blocked


# --- Retract -----------------------------------------------------------------------------------------------


def test_retracting_asks_for_a_reason_then_strikes_the_observation_through(
    client_for, caseworker_a, youth_a1, observation, django_capture_on_commit_callbacks
):
    client = client_for(caseworker_a)
    page = text(client.get(risk_url(youth_a1)))
    assert retract_url(observation) in page
    confirm = client.get(retract_url(observation))
    assert confirm.status_code == 200 and "Retract the observation" in text(confirm)

    response = client.post(retract_url(observation), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Say why the observation is being retracted."]
    observation.refresh_from_db()
    assert not observation.is_retracted

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retract_url(observation), {"reason": "Recorded for the wrong youth."})
    assert response.status_code == 302
    assert response["Location"] == risk_url(youth_a1)
    observation.refresh_from_db()
    assert observation.is_retracted and observation.retracted_by == caseworker_a
    assert RiskSnapshot.objects.filter(youth=youth_a1).latest().score == 0

    page = text(client.get(risk_url(youth_a1)))
    assert "<del>" in page and "Retracted" in page and "Recorded for the wrong youth." in page
    assert retract_url(observation) not in page
    again = client.get(retract_url(observation))
    assert again.status_code == 302
    assert page_messages(again) == ["This observation was already retracted."]


# --- Screening ---------------------------------------------------------------------------------------------


def test_the_screening_form_is_fieldsets_with_a_label_for_every_control(client_for, caseworker_a, youth_a1):
    page = text(client_for(caseworker_a).get(screening_url(youth_a1)))
    assert page.count("<fieldset") >= 8
    assert "<legend" in page and "Control and coercion</legend>" in page
    for name in ("f_C7_2", "f_C7_2_evidence", "f_C7_2_source", "f_C7_2_note"):
        assert f'name="{name}"' in page
        assert f'for="id_{name}"' in page
    assert 'name="f_C4_3"' not in page and 'name="f_C4_9"' in page
    assert "The youth declined to talk about it" in page and "No indicators found" in page


def test_a_screening_with_two_findings_makes_two_linked_observations(
    client_for, caseworker_a, youth_a1, django_capture_on_commit_callbacks
):
    data = screening_data(
        [("C7.2", "reported", "youth", "Looked to her friend before answering"), ("C2.1", "verified", "caregiver", "")],
        notes="Talked at the kitchen table.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(caseworker_a).post(screening_url(youth_a1), data)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == risk_url(youth_a1)
    assert page_messages(response)[0].startswith("Screening recorded with 2 indicators.")
    screening = Screening.objects.get(youth=youth_a1)
    assert screening.conducted_by == caseworker_a and screening.notes == "Talked at the kitchen table."
    found = {o.indicator.code: o for o in screening.observations.all()}
    assert set(found) == {"C7.2", "C2.1"}
    assert (found["C7.2"].evidence, found["C7.2"].source) == ("reported", "youth")
    assert found["C7.2"].note == "Looked to her friend before answering"
    assert (found["C2.1"].evidence, found["C2.1"].source) == ("verified", "caregiver")
    assert Observation.objects.filter(youth=youth_a1).count() == 2
    assert RiskSnapshot.objects.filter(youth=youth_a1).exists()
    page = text(client_for(caseworker_a).get(risk_url(youth_a1)))
    assert "Indicators recorded: 2." in page


def test_a_screening_with_nothing_ticked_is_refused(client_for, caseworker_a, youth_a1):
    before = risk_state(youth_a1)
    response = client_for(caseworker_a).post(screening_url(youth_a1), screening_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Choose what you found, tick 'no indicators found', or note that the youth declined."
    ]
    assert "Choose what you found" in text(response)
    assert risk_state(youth_a1) == before


def test_a_screening_finding_error_names_the_indicator(client_for, caseworker_a, youth_a1):
    before = risk_state(youth_a1)
    data = screening_data([("C7.2", "reported", "youth", "")], no_indicators_found="on")
    response = client_for(caseworker_a).post(screening_url(youth_a1), data)
    assert response.status_code == 200
    assert response.context["form"].errors["no_indicators_found"]
    assert risk_state(youth_a1) == before


def test_a_screening_in_the_future_is_refused(client_for, caseworker_a, youth_a1):
    before = risk_state(youth_a1)
    data = screening_data(no_indicators_found="on", conducted_at=local(timezone.now() + 2 * DAY))
    response = client_for(caseworker_a).post(screening_url(youth_a1), data)
    assert response.context["form"].errors["conducted_at"] == ["When the screening took place cannot be in the future."]
    assert risk_state(youth_a1) == before


def test_no_indicators_found_and_declined_are_recorded(client_for, caseworker_a, youth_a1):
    data = screening_data(no_indicators_found="on", youth_declined="on")
    response = client_for(caseworker_a).post(screening_url(youth_a1), data)
    assert response.status_code == 302
    screening = Screening.objects.get(youth=youth_a1)
    assert screening.no_indicators_found and screening.youth_declined
    page = text(client_for(caseworker_a).get(risk_url(youth_a1)))
    assert "The youth declined to talk about it." in page and "No indicators found." in page


def test_the_debrief_with_a_screening_goes_on_to_the_structured_screening(
    client_for, caseworker_a, youth_a1, returned
):
    client = client_for(caseworker_a)
    data = {
        "interview_at": local(timezone.now() - HOUR),
        "running_direction": "from",
        "primary_factors": ["placement_safety"],
        "trafficking_screening_done": "yes",
        "screening_not_done_reason": "",
    }
    response = client.post(reverse("debrief_create", args=[returned.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Debrief.objects.filter(episode=returned).exists()
    assert response["Location"] == f"{screening_url(youth_a1)}?episode={returned.pk}"
    assert "Now record the structured trafficking screening" in page_messages(response)[0]

    page = text(client.get(response["Location"]))
    assert "After the missing episode from" in page
    response = client.post(response["Location"], screening_data([("C4.9", "verified", "observation", "")]))
    assert response.status_code == 302, response.context["form"].errors
    screening = Screening.objects.get(youth=youth_a1)
    assert screening.episode == returned
    assert screening.observations.get().episode == returned


def test_a_debrief_without_a_screening_stays_on_the_episode(client_for, caseworker_a, returned):
    data = {
        "interview_at": local(timezone.now() - HOUR),
        "running_direction": "from",
        "primary_factors": ["placement_safety"],
        "trafficking_screening_done": "declined",
        "screening_not_done_reason": "Wants to talk tomorrow.",
        "follow_up_adult_name": "Ms Ortiz, the youth's mentor",
    }
    response = client_for(caseworker_a).post(reverse("debrief_create", args=[returned.pk]), data)
    assert response["Location"] == reverse("episode_detail", args=[returned.pk])


def test_the_screening_of_another_youths_episode_is_404(client_for, caseworker_a, youth_a1, returned, team_a1):
    from tests.factories import YouthFactory

    other = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a])
    client = client_for(caseworker_a)
    assert client.get(f"{screening_url(other)}?episode={returned.pk}").status_code == 404
    assert client.get(f"{screening_url(youth_a1)}?episode=nonsense").status_code == 404
    assert client.get(f"{screening_url(youth_a1)}?episode=999999").status_code == 404


# --- External screens --------------------------------------------------------------------------------------


def test_an_external_screens_category_is_recorded(client_for, supervisor_a, youth_a1):
    client = client_for(supervisor_a)
    page = text(client.get(external_url(youth_a1)))
    assert "never recorded here" in page
    day = timezone.localdate() - DAY
    response = client.post(
        external_url(youth_a1),
        {"tool": "other", "tool_other": "County screen", "result_category": "Possible concern",
         "screened_on": day.isoformat()},
    )
    assert response.status_code == 302
    screen = ExternalScreen.objects.get(youth=youth_a1)
    assert (screen.tool_other, screen.result_category, screen.screened_on) == ("County screen", "Possible concern", day)
    page = text(client.get(risk_url(youth_a1)))
    assert "County screen" in page and "Possible concern" in page


def test_an_external_screen_needs_the_other_tools_name(client_for, supervisor_a, youth_a1):
    response = client_for(supervisor_a).post(
        external_url(youth_a1),
        {"tool": "other", "result_category": "Possible concern", "screened_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["tool_other"] == ["Name the tool."]
    assert not ExternalScreen.objects.exists()


# --- Decisions (read-only here) ----------------------------------------------------------------------------


def test_decisions_are_listed_newest_first_superseded_kept_with_the_report_clock(
    client_for, supervisor_a, caseworker_a, youth_a1
):
    first = decisions.decide(
        actor=supervisor_a, youth_id=youth_a1.pk, outcome="no_concern", expected_latest_decision_id=None,
        reason="Talked with the youth and the caregiver.",
    )
    second = decisions.decide(
        actor=supervisor_a, youth_id=youth_a1.pk, outcome="identified", expected_latest_decision_id=first.pk,
        trafficking_type="sex", trafficking_kind="familial", timing="in_care",
        information_received_at=timezone.now() - 2 * HOUR, referrals=["specialised"],
    )
    report = IdentificationReport.objects.get(decision=second)
    page = text(client_for(caseworker_a).get(risk_url(youth_a1)))
    assert page.index("Identified as a victim of trafficking") < page.index("No current concern")
    assert "Superseded by a later decision" in page
    assert "Talked with the youth and the caregiver." in page
    assert f"within {report.rule_hours} h of receiving the information" in page
    assert ">Due</span>" in page

    IdentificationReport.objects.filter(pk=report.pk).update(due_at=timezone.now() - HOUR)
    assert ">Overdue</span>" in text(client_for(caseworker_a).get(risk_url(youth_a1)))
    assert ReviewDecision.objects.filter(youth=youth_a1).count() == 2


# --- Fixed queries -----------------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_risk_page_runs_the_same_queries_with_1_and_20_observations(
    client_for, caseworker_a, supervisor_a, youth_a1, django_capture_on_commit_callbacks
):
    client = client_for(caseworker_a)
    codes = ["C7.2", "C1.1", "C2.1", "C3.4", "C5.5", "C6.5", "C7.4", "C1.9", "C2.3", "C3.1"]
    now = timezone.now()

    def add(count, start):
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(start, start + count):
                record(caseworker_a, youth_a1, codes[i % len(codes)], observed_at=now - (i + 2) * HOUR,
                       evidence="reported" if i % 2 else "verified")
        observations.record_screening(
            actor=caseworker_a, youth_id=youth_a1.pk, conducted_at=now - HOUR, no_indicators_found=True
        )
        observations.record_external_screen(
            actor=caseworker_a, youth_id=youth_a1.pk, tool="sscst", result_category="Concern",
            screened_on=timezone.localdate(),
        )

    def decide(referral):
        latest = decisions.latest_decision(youth_a1)
        decisions.decide(
            actor=supervisor_a, youth_id=youth_a1.pk, outcome="at_risk", safety_plan="Weekly check-ins.",
            referrals=[referral], expected_latest_decision_id=latest.pk if latest else None,
        )

    # Both sizes have a decision and a referral, so every kind of row the page draws is there in both: the
    # count may not grow with how many there are.
    add(1, 0)
    decide("housing")
    small = count_queries(client, risk_url(youth_a1))
    add(19, 1)
    decide("food")
    assert Observation.objects.filter(youth=youth_a1).count() == 20
    assert RiskSnapshot.objects.filter(youth=youth_a1).count() > 1
    assert count_queries(client, risk_url(youth_a1)) == small
