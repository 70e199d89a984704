"""The shared facts of a packet (facts.assemble) and the completeness check over them.

The fixtures here (a sparse run, a complete run, a returned one, a youth with earlier episodes)
are imported by test_pdf_content.py too.
"""

import datetime
import io
import json
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from caseapp.services import photos as photo_services
from missing_reports import deadlines
from missing_reports.models import Notification, PacketKind
from missing_reports.packets import completeness, facts, kinds
from missing_reports.services import episodes as services

pytestmark = pytest.mark.django_db

SSN = "512-44-9876"


def jpeg(name="photo.jpg", size=(60, 80), colour=(150, 110, 90)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def dumps(data) -> str:
    return json.dumps(data, sort_keys=True)


def notice(episode, party, event=deadlines.MISSING):
    return Notification.objects.get(episode=episode, event=event, party=party)


def record_le(actor, episode, **evidence):
    le = notice(episode, deadlines.LAW_ENFORCEMENT)
    defaults = {
        "done_at": episode.agency_learned_at + datetime.timedelta(minutes=20),
        "method": "phone",
        "le_agency": "Topeka Police Department",
        "reference": "TPD-2024-118833",
        "officer_name": "Sgt. Dana Ortiz",
        "badge_number": "4471",
        "ncic_number": "M123456789",
        "ncic_confirmed_at": episode.agency_learned_at + datetime.timedelta(hours=1),
    }
    return services.record_notification(
        actor=actor, notification_id=le.pk, expected_version=le.version, **{**defaults, **evidence}
    )


def log_run(actor, youth, *, days_ago, **fields):
    now = timezone.now()
    last_seen = now - datetime.timedelta(days=days_ago)
    defaults = {
        "category": "runaway",
        "last_seen_at": last_seen,
        "last_seen_location": "Outside the foster home, 1200 SW Elm St, Topeka",
        "agency_learned_at": last_seen + datetime.timedelta(hours=1),
        "reported_by": "Foster parent (Ms. Rivera)",
    }
    return services.log_run(actor=actor, youth_id=youth.pk, **{**defaults, **fields})


def log_return(actor, episode, *, after_hours=30, **fields):
    returned = episode.last_seen_at + datetime.timedelta(hours=after_hours)
    defaults = {
        "located_at": returned - datetime.timedelta(hours=1),
        "returned_at": returned,
        "found_address": "Budget Inn, room 14, 2200 Highway 40, Lawrence",
        "found_location_type": "motel",
        "found_out_of_county": True,
        "how_located": "law_enforcement",
        "condition_on_return": "Tired and hungry; no visible injuries.",
    }
    return services.log_return(
        actor=actor, episode_id=episode.pk, expected_version=episode.version,
        continue_previous_placement=True, **{**defaults, **fields},
    )


@pytest.fixture
def sparse_episode(caseworker_a, youth_a1):
    """The least a run can be: youth_a1 as the factory made it, no photo, no details, no LE number."""
    return log_run(caseworker_a, youth_a1, days_ago=2)


@pytest.fixture
def complete_youth(caseworker_a, youth_a1):
    youth = youth_a1
    youth.legal_middle_name = "Marie"
    youth.preferred_name = "Jojo"
    youth.aliases = "JJ\nLil Jo"
    youth.races = ["black", "white"]
    youth.hispanic_latino = "no"
    youth.height_inches = 64
    youth.weight_pounds = 118
    youth.eye_color = "hazel"
    youth.hair_color = "red"
    youth.complexion = "medium"
    youth.eyewear = "glasses"
    youth.has_braces = True
    youth.scars_marks_tattoos = "Scar above the left eyebrow; small star tattoo on the right wrist"
    youth.piercings = "Both ears, left nostril"
    youth.ssn = SSN
    youth.medical_needs = "Type 1 diabetes"
    youth.mental_health_needs = "PTSD; sees a therapist weekly"
    youth.medications = "Insulin (needs it daily)"
    youth.save()
    placement = youth.placements.get()
    placement.address = "1200 SW Elm St"
    placement.postal_code = "66604"
    placement.provider_phone = "785-555-0142"
    placement.save()
    caseworker_a.phone = "785-555-0199"
    caseworker_a.save()
    photo_services.add_photo(
        actor=caseworker_a, youth_id=youth.pk, image=jpeg(),
        taken_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    return youth


EPISODE_DETAILS = {
    "circumstances": "Left after an argument at dinner; said she was going to see her boyfriend.",
    "clothing": "Black hoodie with a white logo, grey sweatpants, white sneakers",
    "companions": "Possibly with boyfriend, Marcus (about 19)",
    "vehicle": "Silver Honda Civic, KS plate 123 ABC",
    "phones_and_accounts": "Cell 785-555-0123; Instagram @jojo_k; Snapchat jojo.k",
    "possible_locations": "Boyfriend's apartment near Washburn University; aunt in Kansas City, KS",
    "belongings_taken": "Backpack, phone charger",
    "endangerment": ["prescription_medication", "trafficking_vulnerability"],
    "endangerment_notes": "Needs insulin daily; older boyfriend.",
}


@pytest.fixture
def complete_episode(caseworker_a, complete_youth):
    episode = log_run(caseworker_a, complete_youth, days_ago=2, **EPISODE_DETAILS)
    record_le(caseworker_a, episode)
    return episode


@pytest.fixture
def returned_episode(caseworker_a, complete_episode):
    ncmec = notice(complete_episode, deadlines.NCMEC)
    services.record_notification(
        actor=caseworker_a, notification_id=ncmec.pk, expected_version=ncmec.version,
        done_at=complete_episode.agency_learned_at + datetime.timedelta(hours=2), method="phone",
        ncmec_case_number="1512345",
    )
    complete_episode.refresh_from_db()
    return log_return(caseworker_a, complete_episode, recovery_photo=jpeg("on-return.jpg"))


def add_prior_episodes(actor, youth, count):
    """`count` earlier runs, each returned: the first found by law enforcement at a motel, with cash, the
    rest self-returned from a friend's home; run n was found at "n Earlier Street" with "Friend n"."""
    episodes = []
    for i in range(count):
        episode = log_run(
            actor, youth, days_ago=85 - 6 * i, last_seen_location=f"Earlier run {i + 1}", companions=f"Friend {i + 1}"
        )
        how = "law_enforcement" if i == 0 else "self_returned"
        kind = "motel" if i == 0 else "friend"
        episodes.append(
            log_return(
                actor, episode, how_located=how, found_location_type=kind, found_out_of_state=(i == 0),
                found_address=f"{i + 1} Earlier Street, Topeka", returned_with=["cash"] if i == 0 else [],
            )
        )
    return episodes


# --- Facts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ncmec", "law_enforcement", "recovery"])
def test_facts_are_deterministic_and_match_the_schema(kind, returned_episode):
    first = facts.assemble(returned_episode, kind)
    second = facts.assemble(returned_episode.pk, kind)
    third = facts.assemble(returned_episode, PacketKind(kind))
    assert dumps(first) == dumps(second) == dumps(third)
    json.dumps(first, allow_nan=False)  # JSON-serialisable as it is
    kinds.validate(first)
    assert first["schema_version"] == "1.3"
    assert first["kind"] == kind
    assert ("recovery" in first) == (kind == "recovery")


def test_facts_of_a_sparse_record_match_the_schema_too(sparse_episode):
    for kind in kinds.KINDS:
        kinds.validate(facts.assemble(sparse_episode, kind))


def test_facts_carry_the_record(complete_episode, caseworker_a):
    f = facts.assemble(complete_episode, "ncmec")
    youth, episode, le = f["youth"], f["episode"], f["law_enforcement"]
    assert youth["legal_name"].split()[1] == "Marie"
    assert youth["aliases"] == ["JJ", "Lil Jo"]
    assert youth["race"] == ["Black or African American", "White"]
    assert youth["race_code"] == ["black", "white"]
    assert (youth["height_inches"], youth["height_display"]) == (64, "5 ft 4 in")
    assert (youth["eye_color"], youth["hair_color"], youth["eyewear"]) == ("Hazel", "Red", "Glasses")
    assert youth["braces"] is True
    assert youth["age"] == 15
    # The photo's age is counted to the day the agency learned, in the agency's time zone (taken 20
    # days ago, reported about 2 days ago: 18 or 19 days depending on the hour the test runs).
    agency_zone = zoneinfo.ZoneInfo(complete_episode.youth.agency.time_zone)
    learned_day = timezone.localtime(complete_episode.agency_learned_at, agency_zone).date()
    taken_on = complete_episode.youth.photos.first().taken_on
    assert youth["current_photo"]["age_in_days"] == (learned_day - taken_on).days
    assert youth["medications"] == "Insulin (needs it daily)"
    assert youth["confidential_notice"].startswith("Confidential: for NCMEC/law enforcement only")
    assert episode["endangerment"] == ["Needs prescription medication", "Vulnerable to sex trafficking"]
    assert episode["last_seen_at"].endswith("Z")
    assert episode["last_seen_at_display"].endswith((" CST", " CDT"))
    assert episode["placement"]["afcars"] == "Foster family home (non-relative)"
    assert le == {
        "agency": "Topeka Police Department", "case_number": "TPD-2024-118833", "officer": "Sgt. Dana Ortiz",
        "badge": "4471", "ncic_number": "M123456789", "ncic_confirmed_at": le["ncic_confirmed_at"],
        "ncic_confirmed_at_display": le["ncic_confirmed_at_display"],
    }
    assert f["ncmec"] == {"case_number": "", "call_centre": "1-800-843-5678"}
    assert f["generated_for"]["caseworkers"] == [
        {"id": caseworker_a.pk, "name": caseworker_a.get_full_name(), "phone": "785-555-0199",
         "email": "caseworker_a@example.org"}
    ]
    assert f["disclosure"][0] == "Do not publicly identify this child as being in foster care."


def test_the_ssn_is_never_in_the_facts(complete_episode):
    for kind in kinds.KINDS:
        text = dumps(facts.assemble(complete_episode, kind))
        assert SSN not in text
        assert SSN.replace("-", "") not in text
        assert "ssn" not in text.lower()


@pytest.mark.parametrize(
    "change",
    [
        ("episode", "clothing", "Red jacket"),
        ("youth", "hair_color", "black"),
        ("youth", "height_inches", 65),
    ],
)
def test_a_change_to_the_record_changes_the_hash_input(change, caseworker_a, complete_episode):
    before = dumps(facts.assemble(complete_episode, "ncmec"))
    where, name, value = change
    if where == "episode":
        services.update_episode(
            actor=caseworker_a, episode_id=complete_episode.pk, expected_version=complete_episode.version,
            **{name: value},
        )
    else:
        youth = complete_episode.youth
        setattr(youth, name, value)
        youth.save()
    after = dumps(facts.assemble(complete_episode, "ncmec"))
    assert after != before
    assert dumps(facts.assemble(complete_episode, "ncmec")) == after


def test_a_new_photo_and_the_le_case_number_change_the_hash_input(caseworker_a, sparse_episode):
    start = dumps(facts.assemble(sparse_episode, "law_enforcement"))
    photo_services.add_photo(actor=caseworker_a, youth_id=sparse_episode.youth_id, image=jpeg(),
                             taken_on=timezone.localdate() - datetime.timedelta(days=3))
    with_photo = dumps(facts.assemble(sparse_episode, "law_enforcement"))
    assert with_photo != start
    record_le(caseworker_a, sparse_episode)
    assert dumps(facts.assemble(sparse_episode, "law_enforcement")) != with_photo


def test_recording_the_ncmec_notice_changes_only_the_ncmec_case_number(caseworker_a, complete_episode):
    """Submitting a packet completes its clock: that alone must not make a new version of it."""
    before = facts.assemble(complete_episode, "ncmec")
    ncmec = notice(complete_episode, deadlines.NCMEC)
    services.record_notification(
        actor=caseworker_a, notification_id=ncmec.pk, expected_version=ncmec.version,
        done_at=complete_episode.agency_learned_at + datetime.timedelta(hours=2), method="portal",
        explanation="Reported on the portal; case number to follow.",
    )
    assert dumps(facts.assemble(complete_episode, "ncmec")) == dumps(before)


def test_an_ncic_number_alone_is_not_taken_for_the_le_case_number(caseworker_a, sparse_episode):
    record_le(caseworker_a, sparse_episode, reference="", le_agency="", officer_name="", badge_number="")
    le = facts.assemble(sparse_episode, "law_enforcement")["law_enforcement"]
    assert (le["case_number"], le["ncic_number"]) == ("", "M123456789")


def test_prior_episodes_most_recent_first_with_where_and_with_whom_each_ended(caseworker_a, complete_youth):
    earlier = add_prior_episodes(caseworker_a, complete_youth, 3)
    current = log_run(caseworker_a, complete_youth, days_ago=2, **EPISODE_DETAILS)
    f = facts.assemble(current, "ncmec")
    prior = f["prior_episodes"]
    assert [p["id"] for p in prior] == [e.pk for e in reversed(earlier)]
    assert current.pk not in [p["id"] for p in prior]  # the current episode is not its own prior
    assert [p["found_address"] for p in prior] == [f"{n} Earlier Street, Topeka" for n in (3, 2, 1)]
    assert [p["companions"] for p in prior] == ["Friend 3", "Friend 2", "Friend 1"]
    assert [p["how_located"] for p in prior] == ["Returned on their own", "Returned on their own", "Law enforcement"]
    assert [p["found_location_type"] for p in prior] == ["Friend's home", "Friend's home", "Motel or hotel"]
    assert [p["found_out_of_state"] for p in prior] == [False, False, True]
    assert (prior[2]["returned_with"], prior[2]["returned_with_code"]) == (["Cash"], ["cash"])
    assert prior[0]["last_seen_at"] > prior[1]["last_seen_at"] > prior[2]["last_seen_at"]
    assert all(p["returned_at"] for p in prior)
    assert f["prior_episodes_not_listed"] == 0
    kinds.validate(f)
    # An earlier episode's packet does not list the later ones as "prior".
    first = current.youth.missing_episodes.order_by("last_seen_at").first()
    assert facts.assemble(first, "ncmec")["prior_episodes"] == []


def test_recovery_facts(returned_episode):
    recovery = facts.assemble(returned_episode, "recovery")["recovery"]
    assert recovery["found_address"] == "Budget Inn, room 14, 2200 Highway 40, Lawrence"
    assert (recovery["found_location_type"], recovery["how_located"]) == ("Motel or hotel", "Law enforcement")
    assert (recovery["out_of_county"], recovery["out_of_state"]) == (True, False)
    assert recovery["recovery_photo"]["id"] == returned_episode.recovery_photo_id
    assert recovery["returned_at_display"]
    assert len(recovery["requested_actions"]) == 2


@pytest.mark.parametrize("prior_count", [1, 12])
def test_assemble_runs_a_fixed_number_of_queries(prior_count, caseworker_a, complete_youth):
    add_prior_episodes(caseworker_a, complete_youth, prior_count)
    current = log_run(caseworker_a, complete_youth, days_ago=2, **EPISODE_DETAILS)
    for kind in kinds.KINDS:
        with CaptureQueriesContext(connection) as queries:
            f = facts.assemble(current, kind)
        assert len(f["prior_episodes"]) == min(prior_count, facts.PRIOR_EPISODES_LISTED)
        assert f["prior_episodes_not_listed"] == max(0, prior_count - facts.PRIOR_EPISODES_LISTED)
        assert len(queries) == 5, [q["sql"] for q in queries.captured_queries]


def test_a_long_history_lists_the_ten_most_recent_and_counts_the_rest(caseworker_a, complete_youth):
    earlier = add_prior_episodes(caseworker_a, complete_youth, 12)
    current = log_run(caseworker_a, complete_youth, days_ago=2, **EPISODE_DETAILS)
    f = facts.assemble(current, "law_enforcement")
    assert [p["id"] for p in f["prior_episodes"]] == [e.pk for e in reversed(earlier[2:])]
    assert f["prior_episodes_not_listed"] == 2
    kinds.validate(f)


def test_unknown_kind_is_refused(sparse_episode):
    with pytest.raises(ValueError, match="unknown packet kind"):
        facts.assemble(sparse_episode, "press_release")


# --- Schema check in kinds.render --------------------------------------------------------------


def test_render_refuses_facts_that_do_not_match_the_schema(complete_episode):
    good = facts.assemble(complete_episode, "ncmec")
    with pytest.raises(ValueError, match="youth/height_inches"):
        kinds.render("ncmec", {**good, "youth": {**good["youth"], "height_inches": "64"}})
    with pytest.raises(ValueError, match="ssn"):
        kinds.render("ncmec", {**good, "youth": {**good["youth"], "ssn": SSN}})
    with pytest.raises(ValueError, match="not 'law_enforcement'"):
        kinds.render("law_enforcement", good)
    with pytest.raises(ValueError, match="unknown packet kind"):
        kinds.render("press_release", good)


def test_render_returns_the_json_of_the_facts(complete_episode):
    f = facts.assemble(complete_episode, "law_enforcement")
    json_bytes, pdf_bytes = kinds.render("law_enforcement", f)
    assert json.loads(json_bytes) == f
    assert pdf_bytes.startswith(b"%PDF-")
    assert kinds.render("law_enforcement", f)[0] == json_bytes


# --- Completeness ---------------------------------------------------------------------------------


def codes(items):
    return [i.code for i in items]


def test_a_sparse_record_lacks_exactly_these(sparse_episode, youth_a1, caseworker_a):
    f = facts.assemble(sparse_episode, "ncmec")
    common = [
        "photo_stale", "race", "eyes", "hair", "complexion",
        "clothing", "circumstances", "phones_accounts", "possible_locations", "endangerment",
        "placement_address", "caseworker_phone",
    ]
    assert codes(completeness.missing_items("ncmec", f)) == [*common, "le_case_number"]
    f = facts.assemble(sparse_episode, "law_enforcement")
    items = completeness.missing_items("law_enforcement", f)
    assert codes(items) == [*common, "le_case_number", "ncic_number"]
    by_code = {i.code: i for i in items}
    le = notice(sparse_episode, deadlines.LAW_ENFORCEMENT)
    assert by_code["photo_stale"].message == "No photo on file: upload a recent photo"
    assert by_code["photo_stale"].url() == reverse("photo_upload", args=[youth_a1.pk])
    assert by_code["eyes"].url() == reverse("youth_edit", args=[youth_a1.pk])
    assert by_code["clothing"].url() == reverse("episode_edit", args=[sparse_episode.pk])
    assert by_code["caseworker_phone"].url() == reverse("staff_edit", args=[caseworker_a.pk])
    assert by_code["le_case_number"].message == "Law-enforcement case number not recorded yet"
    assert (by_code["le_case_number"].url_name, by_code["le_case_number"].url_args) == (
        "notification_record", [le.pk]
    )
    for item in items:
        assert item.url()


def test_missing_height_and_weight_are_listed(sparse_episode, youth_a1):
    youth_a1.height_inches = None
    youth_a1.weight_pounds = None
    youth_a1.save()
    found = codes(completeness.missing_items("ncmec", facts.assemble(sparse_episode, "ncmec")))
    assert found[1:4] == ["race", "height", "weight"]


def test_a_complete_record_lacks_nothing(complete_episode):
    for kind in ("ncmec", "law_enforcement"):
        assert completeness.missing_items(kind, facts.assemble(complete_episode, kind)) == []


def test_an_old_photo_is_stale(caseworker_a, complete_youth):
    complete_youth.photos.all().update(taken_on=timezone.localdate() - datetime.timedelta(days=300))
    episode = log_run(caseworker_a, complete_youth, days_ago=2, **EPISODE_DETAILS)
    record_le(caseworker_a, episode)
    items = completeness.missing_items("ncmec", facts.assemble(episode, "ncmec"))
    assert codes(items) == ["photo_stale"]
    assert items[0].message.startswith("No photo newer than 6 months (the latest was taken ")


def test_a_complete_return_lacks_nothing(returned_episode):
    assert completeness.missing_items("recovery", facts.assemble(returned_episode, "recovery")) == []


def test_recovery_before_the_return(sparse_episode):
    f = facts.assemble(sparse_episode, "recovery")
    assert codes(completeness.missing_items("recovery", f)) == ["not_returned", "caseworker_phone"]


def test_a_sparse_return_lacks_exactly_these(caseworker_a, sparse_episode):
    log_return(caseworker_a, sparse_episode, found_address="", found_location_type="", how_located="",
               condition_on_return="")
    f = facts.assemble(sparse_episode, "recovery")
    assert codes(completeness.missing_items("recovery", f)) == [
        "found_address", "found_location_type", "how_located", "condition_on_return", "recovery_photo",
        "le_case_number", "ncmec_case_number", "caseworker_phone",
    ]


def test_correcting_an_earlier_episodes_found_address_makes_a_new_version(caseworker_a, complete_youth):
    from missing_reports.models import MissingEpisode
    from missing_reports.packets import changes, pipeline

    earlier = add_prior_episodes(caseworker_a, complete_youth, 2)
    current = log_run(caseworker_a, complete_youth, days_ago=2, **EPISODE_DETAILS)
    first = pipeline.build(current.pk, "ncmec", reason="test")
    assert pipeline.build(current.pk, "ncmec", reason="test").pk == first.pk  # nothing new, no new version

    # The address the youth was found at on the first run is corrected (a new version of that episode).
    MissingEpisode.objects.filter(pk=earlier[0].pk).update(
        found_address="Budget Inn, room 16, 2200 Highway 40, Lawrence", version=earlier[0].version + 1
    )
    second = pipeline.build(current.pk, "ncmec", reason="test")

    assert second.pk != first.pk and second.number == first.number + 1
    assert second.content_hash != first.content_hash
    assert second.facts["prior_episodes"][1]["found_address"] == "Budget Inn, room 16, 2200 Highway 40, Lawrence"
    assert changes.changed_fields(first.facts, second.facts, show_restricted=False) == [
        ("Earlier episodes", ["earlier episodes"])
    ]
