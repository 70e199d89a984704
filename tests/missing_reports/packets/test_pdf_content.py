"""What the packet PDFs say, read back with pypdf: the same facts as the JSON, and never the SSN."""

import io
import json
import re

import pytest
from pypdf import PdfReader

from caseapp.models import YouthPhoto
from missing_reports.packets import facts, kinds, law_enforcement, ncmec, recovery
from tests.missing_reports.packets import test_facts_and_completeness as shared
from tests.missing_reports.packets.test_facts_and_completeness import (
    EPISODE_DETAILS,
    SSN,
    add_prior_episodes,
    log_run,
    record_le,
)

# The records these tests print, made by the same fixtures as the facts tests.
sparse_episode = shared.sparse_episode
complete_youth = shared.complete_youth
complete_episode = shared.complete_episode
returned_episode = shared.returned_episode

pytestmark = pytest.mark.django_db


def squash(value) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


def pdf_text(pdf_bytes) -> str:
    """All the text of the PDF, whitespace collapsed (a value may wrap over lines)."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return squash(" ".join(page.extract_text() for page in reader.pages))


def pdf_images(pdf_bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return sum(len(page.images) for page in reader.pages)


def rendered(episode, kind):
    f = facts.assemble(episode, kind)
    json_bytes, pdf_bytes = kinds.render(kind, f)
    return json.loads(json_bytes), pdf_text(pdf_bytes), pdf_bytes


# The youth and episode facts every missing-person packet prints: (section, key).
PRINTED = [
    ("youth", "legal_name"), ("youth", "preferred_name"), ("youth", "case_number"),
    ("youth", "date_of_birth_display"), ("youth", "age"), ("youth", "sex"), ("youth", "hispanic"),
    ("youth", "primary_language"), ("youth", "height_display"), ("youth", "weight_display"),
    ("youth", "eye_color"), ("youth", "hair_color"), ("youth", "complexion"), ("youth", "eyewear"),
    ("youth", "scars_marks_tattoos"), ("youth", "piercings"), ("youth", "medical_needs"),
    ("youth", "mental_health_needs"), ("youth", "medications"), ("youth", "confidential_notice"),
    ("episode", "category"), ("episode", "last_seen_at_display"), ("episode", "last_seen_location"),
    ("episode", "agency_learned_at_display"), ("episode", "reported_by"), ("episode", "circumstances"),
    ("episode", "clothing"), ("episode", "companions"), ("episode", "vehicle"),
    ("episode", "phones_and_accounts"), ("episode", "possible_locations"), ("episode", "belongings_taken"),
    ("episode", "endangerment_notes"),
    ("law_enforcement", "agency"), ("law_enforcement", "case_number"), ("law_enforcement", "officer"),
    ("law_enforcement", "badge"), ("law_enforcement", "ncic_number"),
    ("law_enforcement", "ncic_confirmed_at_display"), ("ncmec", "call_centre"),
]
PRINTED_LISTS = [("youth", "aliases"), ("youth", "race"), ("episode", "endangerment"), (None, "disclosure")]


@pytest.mark.parametrize("kind", ["ncmec", "law_enforcement"])
def test_every_fact_in_the_json_is_in_the_pdf(kind, complete_episode):
    data, text, _ = rendered(complete_episode, kind)
    for section, key in PRINTED:
        value = data[section][key]
        assert value not in ("", None), f"{section}.{key} is empty: the test record should fill it"
        assert squash(value) in text, f"{section}.{key} = {value!r} is not in the PDF"
    for section, key in PRINTED_LISTS:
        values = data[section][key] if section else data[key]
        assert values
        for value in values:
            assert squash(value) in text, f"{key}: {value!r} is not in the PDF"
    placement = data["episode"]["placement"]
    for key in ("type", "provider", "provider_phone", "address", "city", "afcars"):
        assert squash(placement[key]) in text
    agency = data["generated_for"]["agency"]
    assert agency["name"] in text
    for person in data["generated_for"]["caseworkers"]:
        for key in ("name", "phone", "email"):
            assert person[key] in text


@pytest.mark.parametrize("module", [ncmec, law_enforcement])
def test_the_packet_carries_descriptors_last_seen_contacts_and_disclosure(module, complete_episode):
    data, text, pdf_bytes = rendered(complete_episode, module.KIND)
    assert module.TITLE in text
    for expected in (
        "5 ft 4 in", "118 lb", "Hazel", "Red", "Medium", "Glasses",
        "Scar above the left eyebrow; small star tattoo on the right wrist",
        "Black hoodie with a white logo, grey sweatpants, white sneakers",
        "Outside the foster home, 1200 SW Elm St, Topeka",
        "785-555-0199",  # the caseworker's phone
        "Do not publicly identify this child as being in foster care.",
        "The agency does not consent to the public release of this child's information; the caseworker "
        "cannot give that consent.",
        "Medical and mental-health information is confidential: for locating the child only.",
        "TPD-2024-118833", "M123456789", "Sgt. Dana Ortiz",
        "1-800-843-5678",
    ):
        assert squash(expected) in text, expected
    assert re.search(r"Last seen \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M C[SD]T", text)
    # The disclosure instructions come before anything about the child.
    assert text.index("Do not publicly identify") < text.index(data["youth"]["legal_name"])
    assert pdf_images(pdf_bytes) == 1  # the current photo, embedded


@pytest.mark.parametrize("kind", ["ncmec", "law_enforcement", "recovery"])
def test_the_ssn_is_never_in_the_pdf(kind, returned_episode):
    youth = returned_episode.youth
    youth.refresh_from_db()
    assert youth.ssn == SSN
    _, text, pdf_bytes = rendered(returned_episode, kind)
    for form in (SSN, SSN.replace("-", ""), SSN.replace("-", " ")):
        assert form not in text
        assert form.encode() not in pdf_bytes
    assert "SSN" not in text and "Social Security" not in text


def test_the_le_case_number_appears_once_recorded(caseworker_a, sparse_episode):
    _, before, _ = rendered(sparse_episode, "ncmec")
    assert "TPD-2024-118833" not in before
    record_le(caseworker_a, sparse_episode)
    _, after, _ = rendered(sparse_episode, "ncmec")
    assert "TPD-2024-118833" in after
    assert "Topeka Police Department" in after


def test_a_sparse_record_still_renders_and_says_what_is_not_recorded(sparse_episode):
    for kind in ("ncmec", "law_enforcement", "recovery"):
        _, text, pdf_bytes = rendered(sparse_episode, kind)
        assert "Photo not available" in text
        assert "Not recorded" in text
        assert pdf_images(pdf_bytes) == 0


def test_a_photo_whose_file_is_gone_prints_photo_not_available(complete_episode):
    photo = YouthPhoto.objects.get(youth=complete_episode.youth)
    photo.image.storage.delete(photo.image.name)
    _, text, pdf_bytes = rendered(complete_episode, "ncmec")
    assert "Photo not available" in text
    assert pdf_images(pdf_bytes) == 0


def test_the_recovery_notice_says_where_found_and_how_located(returned_episode):
    data, text, pdf_bytes = rendered(returned_episode, "recovery")
    assert recovery.TITLE in text
    r = data["recovery"]
    for value in (
        "Budget Inn, room 14, 2200 Highway 40, Lawrence", "Motel or hotel", "Law enforcement",
        "Tired and hungry; no visible injuries.", r["returned_at_display"], r["located_at_display"],
        "Please clear the NCIC missing-person entry", "Please record the recovery and close the NCMEC case",
        "M123456789", "TPD-2024-118833", "1512345",
        "Do not publicly identify this child as being in foster care.",
    ):
        assert squash(value) in text, value
    assert re.search(r"Found out of county Yes", text)
    assert pdf_images(pdf_bytes) == 1  # the photo on recovery


@pytest.mark.parametrize("kind", ["ncmec", "law_enforcement"])
def test_prior_episodes_are_listed_most_recent_first_with_where_and_with_whom(kind, caseworker_a, complete_youth):
    add_prior_episodes(caseworker_a, complete_youth, 3)
    current = log_run(caseworker_a, complete_youth, days_ago=2, **EPISODE_DETAILS)
    data, text, _ = rendered(current, kind)
    assert len(data["prior_episodes"]) == 3
    assert "Prior missing episodes".upper() in text
    for prior in data["prior_episodes"]:
        assert prior["last_seen_at_display"] in text
        assert prior["returned_at_display"] in text
    # Most recent first: run 3's place and company come before run 2's, then run 1's.
    places = [text.index(f"{n} Earlier Street, Topeka") for n in (3, 2, 1)]
    assert places == sorted(places)
    friends = [text.index(f"Friend {n}") for n in (3, 2, 1)]
    assert friends == sorted(friends)
    assert "Motel or hotel (out of county, out of state)" in text
    assert "Came back with: Cash" in text
    assert text.count("Returned on their own") == 2
    assert text.count("Friend's home (out of county)") == 2
    assert "earlier missing episode" not in text


def test_a_long_history_prints_and_n_earlier(caseworker_a, complete_youth):
    add_prior_episodes(caseworker_a, complete_youth, 12)
    current = log_run(caseworker_a, complete_youth, days_ago=2, **EPISODE_DETAILS)
    data, text, _ = rendered(current, "ncmec")
    assert len(data["prior_episodes"]) == 10 and data["prior_episodes_not_listed"] == 2
    assert "And 2 earlier missing episodes (not listed)." in text
    assert "12 Earlier Street" in text and "1 Earlier Street" not in text.replace("11 Earlier", "")


def test_the_same_facts_give_the_same_pdf(complete_episode):
    f = facts.assemble(complete_episode, "law_enforcement")
    assert kinds.render_pdf(law_enforcement, f) == kinds.render_pdf(law_enforcement, f)


@pytest.mark.parametrize("module", [ncmec, law_enforcement, recovery])
def test_every_packet_opens_with_its_title_then_the_disclosure_notice(module, returned_episode):
    data, text, _pdf = rendered(returned_episode, module.KIND)
    title, disclosure = text.index(squash(module.TITLE)), text.index("Do not publicly identify")
    assert title < disclosure < text.index(data["youth"]["legal_name"])
