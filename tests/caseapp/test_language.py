"""The language check (docs/risk-catalogue.md#language): a gentle suggestion on wording, never a block.

The pure matching first (what is flagged, what is not, quotes), then the browser's copy of the same
rules (static/js, run under Node when it is installed), then the pages through the test client:
the record is saved exactly as written and the page after the redirect carries the suggestion.
"""

import datetime
import html
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp import language
from missing_reports.models import Debrief, MissingEpisode, SearchContact, SearchEffort
from missing_reports.services import episodes as services

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
JS_FILE = PROJECT_DIR / "static" / "js" / "language-check.js"


def terms(text, **kwargs):
    return [hit.term for hit in language.find_terms(text, **kwargs)]


# --- What is flagged ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She is a chronic runaway.", ["chronic runaway"]),
        ("Chronic runner, per the group home.", ["Chronic runner"]),
        ("A Runaway again.", ["Runaway"]),
        ("Both runaways were found.", ["runaways"]),
        ("a run-away youth", ["run-away"]),
        ("She ran away on Friday.", ["ran away"]),
        ("Known as a runner.", ["runner"]),
        ("a frequent flier / frequent flyers", ["frequent flier", "frequent flyers"]),
        ("AWOL since Monday; eloped from the unit", ["AWOL", "eloped"]),
        ("child prostitute", ["child prostitute"]),
        ("a teen prostitute", ["teen prostitute"]),
        ("a child sex worker", ["child sex worker"]),
        ("involved in prostitution", ["involved in prostitution"]),
        ("engaged in commercial sex", ["engaged in commercial sex"]),
        ("child prostitution", ["child prostitution"]),
        ("prostitution", ["prostitution"]),
        ("she was prostituted", ["prostituted"]),
        ("child pornography", ["child pornography"]),
        ("child sex tourism", ["child sex tourism"]),
        ("met a john at the motel; the johns paid", ["john", "johns"]),
        ("her pimp drove her", ["pimp"]),
        ("Promiscuous, manipulative and non-compliant.", ["Promiscuous", "manipulative", "non-compliant"]),
        ("noncompliance with the house rules", ["noncompliance"]),
        ("high-risk behaviour", ["high-risk behaviour"]),
        ("Police rescued her.", ["rescued"]),
        # Consent words only in a sentence about commercial sex.
        ("She said she chose to go. The buyer paid for the room and she chose to stay.", ["chose to"]),
        ("It was consensual, he gave her money.", ["consensual"]),
        ("She went willingly with the trafficker.", ["willingly"]),
        ("by choice, for a place to stay", ["by choice"]),
        ("Her boyfriend takes the money.", ["boyfriend"]),
        # Across a line break.
        ("chronic\nrunaway", ["chronic\nrunaway"]),
    ],
)
def test_terms_are_found_whole_and_case_insensitively(text, expected):
    assert terms(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Pimp-controlled trafficking is one of NCMEC's types; so is pimp controlled.",
        "Placement type missing_runaway is a stored value.",
        "Johnson and John Smith, foster parents; Elton John.",
        "She is unwilling to talk about it.",
        "Frontrunner in the school race.",
        "She consented to the medical exam.",
        "Her boyfriend picked her up from school.",
        "She chose to stay with her aunt.",
        "Missing from placement from 03/01 to 03/04; left placement after an argument.",
        "",
    ],
)
def test_ordinary_words_and_type_labels_are_not_flagged(text):
    assert terms(text) == []


def test_the_youths_own_words_in_double_quotation_marks_are_not_flagged():
    text = 'She said "I ran away because he hit me" and \u201cmy pimp took it\u201d. Staff said she ran away.'
    hits = language.find_terms(text)
    assert [h.term for h in hits] == ["ran away"]
    assert hits[0].start == text.rindex("ran away")
    # An unclosed quotation mark hides nothing.
    assert terms('She said "I ran away') == ["ran away"]
    # The app's own words are checked whole, quotes included.
    assert terms('Label: "runaway"', skip_quoted=False) == ["runaway"]


def test_a_hit_carries_the_preferred_wording_why_and_source():
    [hit] = language.find_terms("A chronic runaway.")
    assert hit.term == "chronic runaway"
    assert hit.preferred == "'youth with repeated missing episodes'"
    assert "behaviour" in hit.why
    assert "docs/risk-catalogue.md#language" in hit.source and "NCMEC" in hit.source
    assert (hit.start, hit.end) == (2, 17)


def test_the_longest_term_wins_where_terms_overlap():
    assert terms("a chronic runaway") == ["chronic runaway"]  # not also "runaway"
    assert terms("child prostitution and prostitution") == ["child prostitution", "prostitution"]


def test_every_term_names_a_preferred_wording_and_a_source_in_the_language_guide():
    for term in language.TERMS:
        assert term.preferred and term.why
        assert term.source.startswith("docs/risk-catalogue.md#language"), term


def test_the_note_lists_each_term_once_with_its_preferred_wording():
    note = language.wording_note(
        [("What happened", "A chronic runaway. Another chronic runaway, AWOL."), ("Notes", "Clean text.")]
    )
    assert note.startswith("Saved as you wrote it.")
    assert note.count("chronic runaway") == 1
    assert "What happened: consider 'youth with repeated missing episodes' instead of 'chronic runaway'" in note
    assert "instead of 'AWOL'" in note
    assert "Notes" not in note
    assert language.wording_note([("What happened", "Left after an argument about curfew.")]) == ""


# --- The browser's copy ------------------------------------------------------------------------------


def test_the_static_json_matches_the_list():
    assert language.JS_TERMS_FILE.read_text(encoding="utf-8") == language.terms_json(), (
        "static/js/language-terms.json is out of date: run `.venv/bin/python -m caseapp.language`"
    )


PARITY_TEXTS = [
    "She is a chronic runaway and ran away again; AWOL twice.",
    'She said "I ran away" and \u201cmy pimp\u201d; staff: her pimp, pimp-controlled.',
    "She chose to go. The buyer paid and she chose to stay. Her boyfriend takes the money.",
    "Johnson met a john. Child prostitute; involved in prostitution; child pornography.",
    "Frontrunner, runaways, non compliant, high risk behaviors, rescued, promiscuity.",
    "chronic\nrunaway; consented to the exam",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_browser_finds_the_same_terms_as_the_server():
    script = (
        f"const m = require({json.dumps(str(JS_FILE))});"
        f"const c = m.compile(JSON.parse(require('fs').readFileSync({json.dumps(str(language.JS_TERMS_FILE))})));"
        f"const texts = {json.dumps(PARITY_TEXTS)};"
        "console.log(JSON.stringify(texts.map(t => m.findTerms(c, t).map(h => [h.term, h.start, h.preferred]))));"
    )
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    expected = [[[h.term, h.start, h.preferred] for h in language.find_terms(t)] for t in PARITY_TEXTS]
    assert json.loads(result.stdout) == expected
    assert any(expected)


def test_every_page_loads_the_script_with_the_list(client_for, caseworker_a, youth_a1):
    page = client_for(caseworker_a).get(reverse("log_run", args=[youth_a1.pk])).content.decode()
    assert "js/language-check.js" in page
    assert 'data-terms="/static/js/language-terms.json"' in page
    # The list itself is not in the page: the page's own words stay clean.
    assert "chronic" not in page.lower()


# --- Pages: the hint marks narrative fields; saving is never blocked ---------------------------------


def as_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def shown_messages(response):
    return [str(m) for m in response.context["messages"]]


def checked_fields(form):
    return {name for name, field in form.fields.items() if field.widget.attrs.get(language.CHECK_ATTR)}


@pytest.fixture
def run_data(youth_a1):
    now = timezone.now()
    return {
        "last_seen_at": as_input(now - datetime.timedelta(hours=3)),
        "last_seen_location": "Bus stop at 5th and Main",
        "reported_by": "A. Rivera, foster parent",
        "agency_learned_at": as_input(now - datetime.timedelta(minutes=30)),
        "category": "runaway",
        "placement": youth_a1.placements.get().pk,
    }


@pytest.fixture
def episode(caseworker_a, youth_a1):
    now = timezone.now()
    return services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - datetime.timedelta(days=2),
        last_seen_location="Foster home", reported_by="Foster parent",
        agency_learned_at=now - datetime.timedelta(days=2, hours=-1),
    )


@pytest.fixture
def returned(episode, caseworker_a):
    now = timezone.now()
    return services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        located_at=now - datetime.timedelta(hours=3), returned_at=now - datetime.timedelta(hours=2),
        found_location_type="friend", how_located="self_returned",
    )


@pytest.mark.django_db
def test_the_run_form_marks_its_narrative_fields(client_for, caseworker_a, youth_a1):
    response = client_for(caseworker_a).get(reverse("log_run", args=[youth_a1.pk]))
    form = response.context["form"]
    assert checked_fields(form) == {"circumstances", "companions", "possible_locations", "endangerment_notes"}
    assert 'name="circumstances"' in response.content.decode()
    assert "data-language-check" in str(form["circumstances"])
    assert "data-language-check" not in str(form["clothing"])


@pytest.mark.django_db
def test_a_run_with_a_stigmatising_term_is_saved_as_written_with_a_gentle_note(
    client_for, caseworker_a, youth_a1, run_data
):
    circumstances = "Staff call her a chronic runaway. She left after an argument about her phone."
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]), {**run_data, "circumstances": circumstances}, follow=True
    )
    episode = MissingEpisode.objects.get()
    assert episode.circumstances == circumstances  # saved, unchanged
    assert response.redirect_chain[-1][0] == reverse("episode_detail", args=[episode.pk])
    [saved, note] = shown_messages(response)
    assert "the reporting clocks have started" in saved
    assert note == (
        "Saved as you wrote it. A suggestion on wording for next time: What happened: consider "
        "'youth with repeated missing episodes' instead of 'chronic runaway'."
    )
    page = html.unescape(response.content.decode())
    assert "consider 'youth with repeated missing episodes' instead of 'chronic runaway'" in page
    assert 'class="alert alert-info"' in response.content.decode()


@pytest.mark.django_db
def test_a_run_in_plain_words_gets_no_note(client_for, caseworker_a, youth_a1, run_data):
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]),
        {**run_data, "circumstances": "Left after an argument about her phone.", "companions": "Alone."},
        follow=True,
    )
    assert MissingEpisode.objects.count() == 1
    [saved] = shown_messages(response)
    assert "the reporting clocks have started" in saved
    assert "suggestion on wording" not in response.content.decode()


@pytest.mark.django_db
def test_a_term_in_a_field_that_is_not_narrative_gets_no_note(client_for, caseworker_a, youth_a1, run_data):
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]), {**run_data, "clothing": "Runner's jacket"}, follow=True
    )
    assert MissingEpisode.objects.get().clothing == "Runner's jacket"
    assert len(shown_messages(response)) == 1


@pytest.mark.django_db
def test_editing_the_episode_notes_terms_in_every_narrative_field(client_for, caseworker_a, episode):
    client = client_for(caseworker_a)
    url = reverse("episode_edit", args=[episode.pk])
    response = client.post(
        url,
        {
            "version": episode.version,
            "last_seen_at": as_input(episode.last_seen_at),
            "last_seen_location": episode.last_seen_location,
            "reported_by": episode.reported_by,
            "category": "runaway",
            "endangerment_notes": "Went AWOL with an older man.",
            "possible_locations": "Her pimp's flat on 5th street.",
        },
        follow=True,
    )
    episode.refresh_from_db()
    assert episode.endangerment_notes == "Went AWOL with an older man."
    assert episode.possible_locations == "Her pimp's flat on 5th street."
    [saved, note] = shown_messages(response)
    assert saved == "Episode details saved."
    assert "Endangerment notes: consider 'was missing from placement from <date> to <date>' instead of 'AWOL'" in note
    assert "Possible locations and people: consider 'trafficker', 'exploiter'" in note
    assert "instead of 'pimp'" in note


@pytest.mark.django_db
def test_the_return_notes_the_condition_on_return(client_for, caseworker_a, episode):
    now = timezone.now()
    condition = "Rescued by police at a motel; tired."
    response = client_for(caseworker_a).post(
        reverse("log_return", args=[episode.pk]),
        {
            "version": episode.version,
            "returned_at": as_input(now - datetime.timedelta(hours=1)),
            "found_location_type": "motel",
            "how_located": "law_enforcement",
            "condition_on_return": condition,
        },
        follow=True,
    )
    episode.refresh_from_db()
    assert episode.returned_at is not None and episode.condition_on_return == condition
    note = shown_messages(response)[-1]
    assert "Condition on return: consider 'located', 'recovered' or 'connected to services'" in note
    assert "instead of 'Rescued'" in note


def _debrief(**overrides):
    return {
        "interview_at": as_input(timezone.now() - datetime.timedelta(minutes=30)),
        "running_direction": "from",
        "primary_factors": ["placement_safety"],
        # Not "yes": a done screening goes on to the risk module's page, which is not what this file tests.
        "trafficking_screening_done": "declined",
        "screening_not_done_reason": "The youth did not want to talk about it today.",
        "follow_up_adult_name": "The youth's mentor",
        **overrides,
    }


@pytest.mark.django_db
def test_the_debrief_notes_its_narrative_fields_but_never_the_youths_own_words(client_for, caseworker_a, returned):
    client = client_for(caseworker_a)
    url = reverse("debrief_create", args=[returned.pk])
    form = client.get(url).context["form"]
    assert checked_fields(form) == {
        "primary_factors_notes", "where_stayed", "basic_needs", "experiences_while_absent", "placement_response",
        "services_referrals", "screening_not_done_reason",
    }
    response = client.post(
        url,
        _debrief(
            experiences_while_absent="The buyer paid for the motel and she chose to stay.",
            youth_own_words="I ran away because nobody listens. He's my boyfriend, he pays for everything.",
        ),
        follow=True,
    )
    debrief = Debrief.objects.get(episode=returned)
    assert debrief.experiences_while_absent == "The buyer paid for the motel and she chose to stay."
    note = shown_messages(response)[-1]
    assert note.startswith("Saved as you wrote it.")
    assert "Experiences while absent: consider 'was exploited' or 'was trafficked'" in note
    assert "instead of 'chose to'" in note
    assert "ran away" not in note and "boyfriend" not in note


@pytest.mark.django_db
def test_search_efforts_and_reviews_are_noted_too(client_for, caseworker_a, supervisor_a, episode):
    response = client_for(caseworker_a).post(
        reverse("search_effort_create", args=[episode.pk]),
        {"made_at": as_input(timezone.now()), "contact_type": SearchContact.values[0],
         "outcome": "Friends say the runner is at the mall."},
        follow=True,
    )
    assert SearchEffort.objects.get().outcome == "Friends say the runner is at the mall."
    assert "instead of 'runner'" in shown_messages(response)[-1]
    response = client_for(supervisor_a).post(
        reverse("review_create", args=[episode.pk]), {"notes": "Non-compliant with the safety plan."}, follow=True
    )
    assert "instead of 'Non-compliant'" in shown_messages(response)[-1]
