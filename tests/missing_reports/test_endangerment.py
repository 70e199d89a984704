"""Endangerment from the record (docs/packets.md#endangerment): ticked on the run with its reasons, unticked
only with a reason, updated while the youth is missing, printed in the packets."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp.models import Alert, AuditEvent
from missing_reports import selectors
from missing_reports.models import MissingEpisode, PacketKind, PacketVersion
from missing_reports.packets import completeness, facts, kinds
from missing_reports.services import endangerment as endangerment_services
from missing_reports.services import episodes as services
from risk.models import Outcome
from risk.services import decisions, observations
from tests.factories import YouthFactory
from tests.missing_reports.packets.test_pdf_content import pdf_text
from tests.personas import OUTSIDERS

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
HOUR = datetime.timedelta(hours=1)


def as_input(moment):
    return timezone.localtime(moment, CHICAGO).strftime("%Y-%m-%dT%H:%M")


def years_before(day, years):
    return day.replace(year=day.year - years)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def child(team_a1, caseworker_a):
    """A 10-year-old (as A-000002 of the demo is)."""
    today = timezone.localdate(timezone=CHICAGO)
    return YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a],
                        date_of_birth=years_before(today, 10) - datetime.timedelta(days=30))


@pytest.fixture
def on_insulin(team_a1, caseworker_a):
    """A 15-year-old on insulin (as A-000011 of the demo is)."""
    return YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a], medications="Insulin (rapid-acting), daily")


def log(actor, youth, now, **extra):
    return services.log_run(
        actor=actor, youth_id=youth.pk, last_seen_at=now - 2 * HOUR, last_seen_location="Bus stop",
        reported_by="A. Rivera, foster parent", agency_learned_at=now - HOUR, **extra,
    )


def built(episode, kind=PacketKind.NCMEC):
    return PacketVersion.objects.filter(episode=episode, kind=kind).order_by("-number").first()


# --- The run ----------------------------------------------------------------------------------------


def test_a_ten_year_olds_run_is_ticked_under_13_and_the_packets_print_the_reason(
    caseworker_a, child, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        episode = log(caseworker_a, child, now)
    born = child.date_of_birth.isoformat()
    assert episode.endangerment == ["under_13"]
    assert episode.endangerment_reasons == {"under_13": f"Age 10 (born {born})"}
    audit = AuditEvent.objects.get(object_type="missingepisode", action="create")
    assert audit.detail["endangerment_from_record"] == ["under_13"]
    for kind in (PacketKind.NCMEC, PacketKind.LAW_ENFORCEMENT):
        f = facts.assemble(episode, kind)
        kinds.validate(f)
        assert f["episode"]["endangerment_reasons"] == [
            {"code": "under_13", "item": "Under 13", "reason": f"Age 10 (born {born})"}
        ]
        assert "endangerment" not in {i.code for i in completeness.missing_items(kind, f)}
        text = pdf_text(built(episode, kind).pdf_file.read())
        assert f"Under 13: Age 10 (born {born})" in text
        assert "Endangerment None recorded" not in text


def test_medication_is_ticked_without_naming_it_even_in_a_restricted_download(
    caseworker_a, on_insulin, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        episode = log(caseworker_a, on_insulin, now)
    assert episode.endangerment == ["prescription_medication"]
    assert episode.endangerment_reasons == {"prescription_medication": "Medications recorded"}
    f = facts.assemble(episode, PacketKind.NCMEC)
    withheld = facts.withhold_health(f)
    assert withheld["episode"]["endangerment_reasons"][0]["reason"] == "Medications recorded"
    assert "Insulin" not in str(withheld)
    text = pdf_text(built(episode).pdf_file.read())
    assert "Needs prescription medication: Medications recorded" in text


def test_the_13th_birthday_is_read_on_the_agency_s_day(caseworker_a, team_a1):
    # 02:00 UTC on 4 March is still 3 March in Chicago: the youth born on 4 March 2013 is 12 there.
    learned = datetime.datetime(2026, 3, 4, 2, 0, tzinfo=datetime.UTC)
    youth = YouthFactory(team=team_a1, date_of_birth=datetime.date(2013, 3, 4))
    assert selectors.record_endangerment(youth, learned) == {"under_13": "Age 12 (born 2013-03-04)"}
    assert selectors.record_endangerment(youth, learned + 5 * HOUR) == {}  # 4 March in Chicago: 13


def test_a_teen_with_nothing_recorded_gets_nothing_and_the_packet_asks_for_an_assessment(
    caseworker_a, youth_a1, now
):
    episode = log(caseworker_a, youth_a1, now)
    assert episode.endangerment == [] and episode.endangerment_reasons == {}
    items = completeness.missing_items(PacketKind.NCMEC, facts.assemble(episode, PacketKind.NCMEC))
    assert "Endangerment not assessed: tick what applies, or say in the notes that none does" in [
        i.message for i in items
    ]
    services.update_episode(actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
                            endangerment_notes="None of the items applies: talked with the foster parent.")
    episode.refresh_from_db()
    items = completeness.missing_items(PacketKind.NCMEC, facts.assemble(episode, PacketKind.NCMEC))
    assert "endangerment" not in {i.code for i in items}


# --- The run form -----------------------------------------------------------------------------------


def run_post(youth, now, **extra):
    return {
        "last_seen_at": as_input(now - 2 * HOUR), "last_seen_location": "Bus stop",
        "reported_by": "A. Rivera, foster parent", "agency_learned_at": as_input(now - HOUR), "category": "runaway",
        **extra,
    }


def test_the_run_form_shows_the_items_ticked_with_their_reasons(client_for, caseworker_a, child):
    response = client_for(caseworker_a).get(reverse("log_run", args=[child.pk]))
    page = response.content.decode()
    born = child.date_of_birth.isoformat()
    assert f"Under 13 (from the record: Age 10 (born {born}))" in page
    assert response.context["form"]["endangerment"].value() == ["under_13"]
    assert "Why untick an item the record supports" in page


def test_unticking_on_the_run_form_without_a_reason_is_refused_and_saves_nothing(
    client_for, caseworker_a, child, now
):
    response = client_for(caseworker_a).post(reverse("log_run", args=[child.pk]), run_post(child, now))
    assert response.status_code == 200
    assert "“Under 13” is ticked because the record supports it" in response.content.decode()
    assert not MissingEpisode.objects.exists()


def test_unticking_on_the_run_form_with_a_reason_is_recorded(client_for, caseworker_a, child, now):
    client_for(caseworker_a).post(
        reverse("log_run", args=[child.pk]),
        run_post(child, now, endangerment_untick_reason="Date of birth is wrong; the court order says 2012."),
    )
    episode = MissingEpisode.objects.get()
    assert episode.endangerment == []
    entry = episode.endangerment_unticked["under_13"]
    assert entry["reason"] == "Date of birth is wrong; the court order says 2012."
    assert entry["by"] == caseworker_a.pk
    assert AuditEvent.objects.get(object_type="missingepisode", action="create").detail["endangerment_unticked"] == [
        "under_13"
    ]


# --- The edit form and the untick service -----------------------------------------------------------


def test_unticking_on_the_edit_form_without_a_reason_changes_nothing(client_for, caseworker_a, child, now):
    episode = log(caseworker_a, child, now)
    url = reverse("episode_edit", args=[episode.pk])
    client = client_for(caseworker_a)
    page = client.get(url).content.decode()
    assert "(from the record: Age 10" in page
    response = client.post(url, {**run_post(child, now), "version": episode.version, "endangerment": []})
    assert response.status_code == 200
    assert "To untick it, say why" in response.content.decode()
    episode.refresh_from_db()
    assert (episode.endangerment, episode.endangerment_unticked, episode.version) == (["under_13"], {}, 1)


def test_the_untick_service_refuses_a_blank_reason(caseworker_a, child, now):
    episode = log(caseworker_a, child, now)
    with pytest.raises(Exception, match="To untick it, say why"):
        endangerment_services.untick(actor=caseworker_a, episode_id=episode.pk, expected_version=1,
                                     code="under_13", reason="   ")
    episode.refresh_from_db()
    assert episode.endangerment == ["under_13"] and episode.endangerment_unticked == {}


def test_an_item_unticked_with_a_reason_is_not_reticked_by_the_recompute(
    client_for, caseworker_a, child, now
):
    episode = log(caseworker_a, child, now)
    response = client_for(caseworker_a).post(
        reverse("episode_edit", args=[episode.pk]),
        {**run_post(child, now), "version": episode.version, "endangerment": [],
         "endangerment_untick_reason": "Birth certificate shows 2012."},
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.endangerment == []
    assert episode.endangerment_unticked["under_13"]["reason"] == "Birth certificate shows 2012."
    assert "endangerment_unticked" in AuditEvent.objects.filter(action="update").latest("at").detail["changed"]
    assert endangerment_services.refresh(episode.pk, trigger="test") == []
    episode.refresh_from_db()
    assert episode.endangerment == []
    page = client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "Birth certificate shows 2012." in page


def test_ticking_it_again_by_hand_ends_the_untick(caseworker_a, child, now):
    episode = log(caseworker_a, child, now)
    episode = endangerment_services.untick(actor=caseworker_a, episode_id=episode.pk, expected_version=1,
                                           code="under_13", reason="Wrong date of birth")
    services.update_episode(actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
                            endangerment=["under_13"])
    episode.refresh_from_db()
    assert episode.endangerment == ["under_13"] and episode.endangerment_unticked == {}


# --- Later changes while missing ---------------------------------------------------------------------


def test_a_new_identification_while_missing_ticks_it_and_alerts_the_caseworker(
    caseworker_a, supervisor_a, youth_a1, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        episode = log(caseworker_a, youth_a1, now)
    first = built(episode).number
    with django_capture_on_commit_callbacks(execute=True):
        decisions.decide(
            actor=supervisor_a, youth_id=youth_a1.pk, outcome=Outcome.IDENTIFIED, expected_latest_decision_id=None,
            referrals=["specialised"], trafficking_type="sex", trafficking_kind="buyer_perpetrated",
            timing="while_missing", information_received_at=now - HOUR / 2,
        )
    episode.refresh_from_db()
    assert "identified_trafficking_victim" in episode.endangerment
    day = timezone.localtime(now, CHICAGO).date().isoformat()
    assert episode.endangerment_reasons["identified_trafficking_victim"] == (
        f"Identified as a victim of sex trafficking ({day}, supervisor's decision)"
    )
    alert = Alert.objects.get(kind="endangerment_updated")
    assert alert.key == endangerment_services.alert_key(episode.pk, episode.endangerment)
    assert "send NCMEC and law enforcement an update" in alert.subject
    assert [r.user for r in alert.recipients.all()] == [caseworker_a]
    latest = built(episode)
    assert latest.number > first
    assert "Endangerment updated from the record" in latest.trigger
    assert "Identified as a victim of trafficking: Identified as a victim of sex trafficking" in pdf_text(
        latest.pdf_file.read()
    )
    # Running it again changes nothing and alerts nobody twice.
    assert endangerment_services.refresh(episode.pk, trigger="again") == []
    assert Alert.objects.filter(kind="endangerment_updated").count() == 1


def test_a_tripwire_while_missing_ticks_vulnerable_to_sex_trafficking(
    caseworker_a, youth_a1, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        episode = log(caseworker_a, youth_a1, now)
    with django_capture_on_commit_callbacks(execute=True):
        observations.record_observation(
            actor=caseworker_a, youth_id=youth_a1.pk, indicator_code="C0.3", observed_at=now - HOUR,
            information_received_at=now - HOUR / 2, source="caregiver", evidence="verified",
        )
    episode.refresh_from_db()
    assert "trafficking_vulnerability" in episode.endangerment
    assert Alert.objects.filter(kind="endangerment_updated", youth=youth_a1).exists()


def test_a_returned_episode_is_not_changed(caseworker_a, child, now):
    episode = log(caseworker_a, child, now)
    services.log_return(actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
                        returned_at=now - HOUR / 2, found_location_type="friend")
    assert endangerment_services.refresh(episode.pk, trigger="test") == []


def test_medications_recorded_while_missing_tick_it(caseworker_a, youth_a1, now, django_capture_on_commit_callbacks):
    from caseapp.services import youth as youth_services

    episode = log(caseworker_a, youth_a1, now)
    youth_a1.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        youth_services.update_youth(actor=caseworker_a, youth_id=youth_a1.pk, expected_version=youth_a1.version,
                                    medications="Inhaler")
    episode.refresh_from_db()
    assert episode.endangerment == ["prescription_medication"]


# --- Scope ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_404_on_the_forms(request, client_for, caseworker_a, child, now, outsider):
    episode = log(caseworker_a, child, now)
    client = client_for(request.getfixturevalue(outsider))
    assert client.get(reverse("log_run", args=[child.pk])).status_code == 404
    assert client.get(reverse("episode_edit", args=[episode.pk])).status_code == 404
    assert client.post(reverse("episode_edit", args=[episode.pk]), {"version": 1}).status_code == 404
    episode.refresh_from_db()
    assert episode.endangerment == ["under_13"]


def test_an_identification_withdrawn_as_recorded_in_error_takes_its_tick_with_it(
    caseworker_a, supervisor_a, youth_a1, now, django_capture_on_commit_callbacks
):
    from risk.services import corrections

    episode = log(caseworker_a, youth_a1, now)
    decision = decisions.decide(
        actor=supervisor_a, youth_id=youth_a1.pk, outcome=Outcome.IDENTIFIED, expected_latest_decision_id=None,
        referrals=["specialised"], trafficking_type="sex", trafficking_kind="familial", timing="while_missing",
        information_received_at=now - HOUR / 2,
    )
    episode.refresh_from_db()
    assert episode.endangerment == ["identified_trafficking_victim"]
    corrections.withdraw_identification(actor=supervisor_a, decision_id=decision.pk, reason="Wrong youth's file.")
    episode.refresh_from_db()
    assert episode.endangerment == [] and episode.endangerment_reasons == {}
    audit = AuditEvent.objects.filter(object_type="missingepisode", action="update").latest("at")
    assert audit.detail["endangerment_retracted"] == ["identified_trafficking_victim"]


def test_the_run_form_costs_the_same_queries_whatever_the_risk_history(client_for, caseworker_a, supervisor_a, child):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def decide(outcome, **extra):
        latest = decisions.latest_decision(child)
        decisions.decide(actor=supervisor_a, youth_id=child.pk, outcome=outcome,
                         expected_latest_decision_id=latest.pk if latest else None, **extra)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("log_run", args=[child.pk])).status_code == 200
        return len(queries.captured_queries)

    client = client_for(caseworker_a)
    identified = {"referrals": ["specialised"], "trafficking_type": "sex", "trafficking_kind": "familial",
                  "timing": "in_care", "information_received_at": timezone.now() - HOUR}
    decide(Outcome.IDENTIFIED, **identified)
    small = count()
    for _ in range(3):
        decide(Outcome.AT_RISK, safety_plan="Weekly check-ins.", referrals=["housing"])
    decide(Outcome.IDENTIFIED, **{**identified, "information_received_at": timezone.now() - HOUR / 2})
    page = client.get(reverse("log_run", args=[child.pk])).content.decode()
    assert "Identified as a victim of trafficking (from the record: Identified as a victim of sex trafficking" in page
    assert count() == small
