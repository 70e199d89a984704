"""A youth's "What helps me" (docs/duties.md#what-helps-me) and what the new-placement form puts in front of the
caseworker: the factors named in earlier return interviews, "What helps me" and the open actions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditEvent, Youth
from missing_reports.models import WhatHelpsMe
from missing_reports.services import disclosures, response_plans, what_helps
from tests.helpers import rendered_form
from tests.missing_reports.test_response_plans import _queries, interview
from tests.personas import OUTSIDERS

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
WORDS = {
    "when_leaving": "Let me walk around the block and text me after 20 minutes.",
    "trusted_people": "Ms. Dana at school; my aunt Rosa.",
    "what_i_need": "My own phone charger and a say in my curfew.",
}


@pytest.fixture
def now():
    return timezone.now()


def text(response):
    return response.content.decode()


# --- The test the issue asks for ---------------------------------------------------------------------------


def test_the_factors_from_an_earlier_interview_show_on_the_new_placement_form(
    client_for, caseworker_a, youth_a1, now
):
    debrief = interview(caseworker_a, youth_a1, now, factors=["conflict", "a_say"], days_ago=30)
    response_plans.add_action(
        actor=caseworker_a, debrief_id=debrief.pk, factor="a_say", what="Youth chooses weekend activities",
        owner=caseworker_a, due_at=now + DAY,
    )
    what_helps.save_what_helps(actor=caseworker_a, youth_id=youth_a1.pk, expected_version=0, **WORDS)
    page = text(client_for(caseworker_a).get(reverse("placement_create", args=[youth_a1.pk])))
    assert "Factors named in earlier return interviews" in page
    assert "Conflict in the placement, Wanting a say in their own life" in page
    assert "Talk with the foster parent about the phone rules." in page  # the response noted at the interview
    assert "Youth chooses weekend activities" in page  # the open action
    assert "Let me walk around the block and text me after 20 minutes." in page
    # Not on the form that corrects a placement already made.
    placement = youth_a1.placements.order_by("pk").first()
    page = text(client_for(caseworker_a).get(reverse("placement_edit", args=[youth_a1.pk, placement.pk])))
    assert "Factors named in earlier return interviews" not in page


def test_the_placement_form_says_so_when_there_is_no_interview(client_for, caseworker_a, youth_a1):
    page = text(client_for(caseworker_a).get(reverse("placement_create", args=[youth_a1.pk])))
    assert "No return interview recorded." in page and "Not written yet." in page


# --- The page, its versions and the conflict ------------------------------------------------------------------


def test_it_is_written_from_the_interviews_own_words_and_kept_current_with_versions(
    client_for, caseworker_a, youth_a1, now
):
    interview(caseworker_a, youth_a1, now, factors=["conflict"], own_words="Walking helps. I trust my aunt Rosa.")
    client = client_for(caseworker_a)
    url = reverse("what_helps_me_edit", args=[youth_a1.pk])
    opened = client.get(url)
    assert "Walking helps. I trust my aunt Rosa." in text(opened)  # the interview's words, as the suggestion
    assert client.post(url, rendered_form(opened, marker="when_leaving", **WORDS)).status_code == 302
    record = WhatHelpsMe.objects.get(youth=youth_a1)
    assert (record.trusted_people, record.version, record.updated_by) == (WORDS["trusted_people"], 1, caseworker_a)

    again = client.get(url)
    assert client.post(url, rendered_form(again, trusted_people="My aunt Rosa.")).status_code == 302
    record.refresh_from_db()
    assert (record.trusted_people, record.version, record.history.count()) == ("My aunt Rosa.", 2, 2)
    page = text(client.get(reverse("what_helps_me", args=[youth_a1.pk])))
    assert "My aunt Rosa." in page and "Version 2" in page and "Version 1" in page
    youth_page = text(client.get(reverse("youth_detail", args=[youth_a1.pk])))
    assert WORDS["when_leaving"] in youth_page and reverse("what_helps_me_print", args=[youth_a1.pk]) in youth_page


def test_an_empty_page_is_refused_and_writes_nothing(client_for, caseworker_a, youth_a1):
    client = client_for(caseworker_a)
    url = reverse("what_helps_me_edit", args=[youth_a1.pk])
    response = client.post(url, rendered_form(client.get(url), marker="when_leaving", when_leaving="   "))
    assert response.status_code == 200 and "in the youth&#x27;s own words" in text(response)
    assert not WhatHelpsMe.objects.exists()


def test_a_stale_save_shows_the_conflict_and_overwrites_nothing(client_for, caseworker_a, supervisor_a, youth_a1):
    what_helps.save_what_helps(actor=caseworker_a, youth_id=youth_a1.pk, expected_version=0, **WORDS)
    mine, theirs = client_for(caseworker_a), client_for(supervisor_a)
    url = reverse("what_helps_me_edit", args=[youth_a1.pk])
    opened = mine.get(url)
    assert theirs.post(url, rendered_form(theirs.get(url), what_i_need="Quiet time after school.")).status_code == 302
    stale = mine.post(url, rendered_form(opened, what_i_need="Music at night."))
    assert stale.status_code == 200 and "Quiet time after school." in text(stale)
    record = WhatHelpsMe.objects.get()
    assert (record.what_i_need, record.version) == ("Quiet time after school.", 2)


# --- The print view carries nothing restricted ---------------------------------------------------------------


def test_the_print_view_for_a_caregiver_carries_no_restricted_field(client_for, caseworker_a, youth_a1, now):
    Youth.objects.filter(pk=youth_a1.pk).update(
        ssn="123-45-6789", medical_needs="Asthma-Testneed", mental_health_needs="PTSD-Testneed",
        medications="Medication-Testname", medical_notes="Note-Testmedical",
    )
    debrief = interview(caseworker_a, youth_a1, now, factors=["trauma_response"], own_words="Own-words-Testdebrief")
    type(debrief).objects.filter(pk=debrief.pk).update(experiences_while_absent="Experience-Testaway")
    disclosures.record_disclosure(
        actor=caseworker_a, youth_id=youth_a1.pk, kind="abuse_neglect", disclosed_at=now - DAY,
        what_was_said="Said-Testdisclosure",
    )
    what_helps.save_what_helps(actor=caseworker_a, youth_id=youth_a1.pk, expected_version=0, **WORDS)
    response = client_for(caseworker_a).get(reverse("what_helps_me_print", args=[youth_a1.pk]))
    page = text(response)
    assert all(words in page for words in WORDS.values())
    youth = Youth.objects.get(pk=youth_a1.pk)
    for hidden in (
        "123-45-6789", "Asthma-Testneed", "PTSD-Testneed", "Medication-Testname", "Note-Testmedical",
        "Own-words-Testdebrief", "Experience-Testaway", "Said-Testdisclosure", "A trauma response",
        youth.case_number, "trafficking", "Trafficking", "risk", "missing",
    ):
        assert hidden not in page, hidden
    assert AuditEvent.objects.filter(object_type="whathelpsme", action="view").count() == 1


# --- Scope and query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*OUTSIDERS, "caseworker_b", "supervisor_b", "agency_staff_b"])
def test_the_pages_are_404_outside_the_scope_and_write_nothing(request, client_for, caseworker_a, youth_a1, persona):
    what_helps.save_what_helps(actor=caseworker_a, youth_id=youth_a1.pk, expected_version=0, **WORDS)
    client = client_for(request.getfixturevalue(persona))
    before = (WhatHelpsMe.history.count(), AuditEvent.objects.count())
    for name in ("what_helps_me", "what_helps_me_edit", "what_helps_me_print"):
        url = reverse(name, args=[youth_a1.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {**WORDS, "version": 1}).status_code in (404, 405)
    assert (WhatHelpsMe.history.count(), AuditEvent.objects.count()) == before


def test_agency_staff_read_and_print_but_do_not_edit(client_for, agency_staff_a, caseworker_a, youth_a1):
    what_helps.save_what_helps(actor=caseworker_a, youth_id=youth_a1.pk, expected_version=0, **WORDS)
    client = client_for(agency_staff_a)
    assert client.get(reverse("what_helps_me", args=[youth_a1.pk])).status_code == 200
    assert client.get(reverse("what_helps_me_print", args=[youth_a1.pk])).status_code == 200
    assert client.get(reverse("what_helps_me_edit", args=[youth_a1.pk])).status_code == 404


def test_the_pages_cost_the_same_queries_however_many_versions(client_for, caseworker_a, youth_a1, now):
    what_helps.save_what_helps(actor=caseworker_a, youth_id=youth_a1.pk, expected_version=0, **WORDS)
    client = client_for(caseworker_a)
    names = ("what_helps_me", "what_helps_me_print", "what_helps_me_edit")
    urls = [reverse(name, args=[youth_a1.pk]) for name in names]
    first = [_queries(client, url) for url in urls]
    for number in range(4):
        days_ago = 10 + 5 * number
        interview(caseworker_a, youth_a1, now, factors=["school"], days_ago=days_ago, own_words=f"Words {number}")
        what_helps.save_what_helps(
            actor=caseworker_a, youth_id=youth_a1.pk, expected_version=number + 1, what_i_need=f"Need {number}"
        )
    assert [_queries(client, url) for url in urls] == first
