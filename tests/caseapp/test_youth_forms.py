"""Creating and editing a youth record through the pages: what the caseworker sees, and what is saved."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseapp.models import AuditAction, AuditEvent, Role, Youth
from tests.factories import UserFactory, years_ago


def page_text(response) -> str:
    """The page as a user reads it: HTML entities (&#x27; for ') turned back into characters."""
    return html.unescape(response.content.decode())


def youth_post(team, **overrides):
    """A complete, valid youth form as a browser posts it."""
    data = {
        "legal_first_name": "Rowan",
        "legal_middle_name": "",
        "legal_last_name": "Testcase",
        "preferred_name": "Ro",
        "aliases": "",
        "case_number": "KS-2024-0101",
        "team": team.pk,
        "status": "active",
        "exited_on": "",
        "covered_population": "foster_care",
        "legal_status": "temporary_custody",
        "entered_care_on": years_ago(1).isoformat(),
        "date_of_birth": years_ago(14).isoformat(),
        "sex": "female",
        "gender_identity": "",
        "races": ["white"],
        "hispanic_latino": "no",
        "primary_language": "English",
        "height_inches": "62",
        "weight_pounds": "110",
        "eye_color": "brown",
        "hair_color": "brown",
        "complexion": "",
        "eyewear": "none",
        "scars_marks_tattoos": "Small scar above left eyebrow",
        "piercings": "",
        "ssn": "",
        "medical_needs": "",
        "mental_health_needs": "",
        "medications": "",
        "medical_notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_post(youth, client, **overrides):
    """What the edit page posts when the user changes `overrides`: every field as rendered, plus changes."""
    response = client.get(reverse("youth_edit", args=[youth.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is None:
            data[name] = ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    data.update(overrides)
    return data


# --- Create ----------------------------------------------------------------------------------


def test_caseworker_creates_a_youth_and_sees_the_record(client_for, caseworker_a, team_a1):
    client = client_for(caseworker_a)
    response = client.post(
        reverse("youth_create"), youth_post(team_a1, assigned_caseworkers=[caseworker_a.pk])
    )

    youth = Youth.objects.get(case_number="KS-2024-0101")
    assert response.status_code == 302
    assert response["Location"] == reverse("youth_detail", args=[youth.pk])
    assert youth.agency_id == team_a1.agency_id
    assert youth.team == team_a1
    assert list(youth.assigned_caseworkers.all()) == [caseworker_a]
    assert AuditEvent.objects.filter(youth=youth, action=AuditAction.CREATE, actor=caseworker_a).count() == 1

    page = client.get(response["Location"], follow=True)
    text = page_text(page)
    assert "Record created for Ro Testcase." in text
    assert "Rowan Testcase" in text  # legal name
    assert "KS-2024-0101" in text
    assert "Small scar above left eyebrow" in text
    assert "5 ft 2 in" in text


def test_date_of_birth_in_the_future_is_refused_and_nothing_is_written(client_for, caseworker_a, team_a1):
    client = client_for(caseworker_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    youth_before, audit_before = Youth.objects.count(), AuditEvent.objects.count()

    response = client.post(
        reverse("youth_create"),
        youth_post(team_a1, date_of_birth=tomorrow.isoformat(), entered_care_on=""),
    )

    assert response.status_code == 200
    assert "Date of birth cannot be in the future." in page_text(response)
    assert Youth.objects.count() == youth_before
    assert AuditEvent.objects.count() == audit_before


def test_duplicate_case_number_in_the_same_agency_is_refused(client_for, caseworker_a, team_a1, youth_a1):
    client = client_for(caseworker_a)
    youth_before, audit_before = Youth.objects.count(), AuditEvent.objects.count()

    response = client.post(reverse("youth_create"), youth_post(team_a1, case_number=youth_a1.case_number))

    assert response.status_code == 200
    assert "Another youth in this agency already has this case number." in page_text(response)
    assert Youth.objects.count() == youth_before
    assert AuditEvent.objects.count() == audit_before


def test_same_case_number_in_another_agency_is_allowed(client_for, caseworker_b, team_b1, youth_a1):
    client = client_for(caseworker_b)

    response = client.post(reverse("youth_create"), youth_post(team_b1, case_number=youth_a1.case_number))

    assert response.status_code == 302
    assert Youth.objects.filter(case_number=youth_a1.case_number).count() == 2
    created = Youth.objects.get(case_number=youth_a1.case_number, agency=team_b1.agency)
    assert created.team == team_b1


def test_exited_without_an_exit_date_is_refused(client_for, caseworker_a, team_a1):
    client = client_for(caseworker_a)
    youth_before = Youth.objects.count()

    response = client.post(reverse("youth_create"), youth_post(team_a1, status="exited", exited_on=""))

    assert response.status_code == 200
    assert "Give the date the youth exited the agency's care." in page_text(response)
    assert Youth.objects.count() == youth_before


def test_exited_with_an_exit_date_is_saved_and_shown(client_for, caseworker_a, team_a1):
    client = client_for(caseworker_a)
    exited = timezone.localdate() - datetime.timedelta(days=3)

    response = client.post(
        reverse("youth_create"), youth_post(team_a1, status="exited", exited_on=exited.isoformat()), follow=True
    )

    youth = Youth.objects.get(case_number="KS-2024-0101")
    assert youth.status == "exited" and youth.exited_on == exited
    assert f"Exited since {exited:%m/%d/%Y}" in page_text(response)


def test_a_caseworker_cannot_put_a_youth_in_another_team(client_for, caseworker_a, team_a1, team_a2):
    client = client_for(caseworker_a)
    form_page = client.get(reverse("youth_create"))
    offered = list(form_page.context["form"].fields["team"].queryset)
    assert offered == [team_a1]
    youth_before = Youth.objects.count()

    response = client.post(reverse("youth_create"), youth_post(team_a2))

    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert Youth.objects.count() == youth_before


def test_a_caseworker_cannot_move_a_youth_to_another_team_on_edit(client_for, caseworker_a, youth_a1, team_a2):
    client = client_for(caseworker_a)
    data = edit_post(youth_a1, client, team=str(team_a2.pk))

    response = client.post(reverse("youth_edit", args=[youth_a1.pk]), data)

    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    youth_a1.refresh_from_db()
    assert youth_a1.team_id != team_a2.pk
    assert youth_a1.version == 1


def test_bad_ssn_format_is_refused(client_for, caseworker_a, team_a1):
    client = client_for(caseworker_a)
    youth_before = Youth.objects.count()

    response = client.post(reverse("youth_create"), youth_post(team_a1, ssn="12-345"))

    assert response.status_code == 200
    assert "An SSN has 9 digits" in page_text(response)
    assert Youth.objects.count() == youth_before


def test_ssn_is_stored_in_one_format(client_for, caseworker_a, team_a1):
    client = client_for(caseworker_a)
    client.post(reverse("youth_create"), youth_post(team_a1, ssn="123 45 6789", assigned_caseworkers=[caseworker_a.pk]))
    assert Youth.objects.get(case_number="KS-2024-0101").ssn == "123-45-6789"


# --- Edit ------------------------------------------------------------------------------------


def test_assigned_caseworker_edits_a_youth(client_for, caseworker_a, youth_a1):
    client = client_for(caseworker_a)
    data = edit_post(youth_a1, client, preferred_name="Sky", weight_pounds="125")

    response = client.post(reverse("youth_edit", args=[youth_a1.pk]), data, follow=True)

    youth_a1.refresh_from_db()
    assert youth_a1.preferred_name == "Sky"
    assert youth_a1.weight_pounds == 125
    assert youth_a1.version == 2
    text = page_text(response)
    assert "Changes saved." in text
    assert f"Sky {youth_a1.legal_last_name}" in text
    assert "125 lb" in text
    event = AuditEvent.objects.get(youth=youth_a1, action=AuditAction.UPDATE)
    assert event.actor == caseworker_a
    assert event.detail["changed"] == ["preferred_name", "weight_pounds"]


def test_edit_with_a_future_date_of_birth_changes_nothing(client_for, caseworker_a, youth_a1):
    client = client_for(caseworker_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    original_dob = youth_a1.date_of_birth
    data = edit_post(youth_a1, client, date_of_birth=tomorrow.isoformat(), entered_care_on="")

    response = client.post(reverse("youth_edit", args=[youth_a1.pk]), data)

    assert response.status_code == 200
    assert "Date of birth cannot be in the future." in page_text(response)
    youth_a1.refresh_from_db()
    assert youth_a1.date_of_birth == original_dob
    assert youth_a1.version == 1
    assert not AuditEvent.objects.filter(youth=youth_a1, action=AuditAction.UPDATE).exists()


def test_agency_staff_cannot_open_the_edit_page(client_for, agency_staff_a, youth_a1):
    client = client_for(agency_staff_a)
    assert client.get(reverse("youth_edit", args=[youth_a1.pk])).status_code == 404
    response = client.post(reverse("youth_edit", args=[youth_a1.pk]), {"preferred_name": "X", "version": 1})
    assert response.status_code == 404
    youth_a1.refresh_from_db()
    assert youth_a1.preferred_name == ""


def test_other_team_and_other_agency_get_404_on_edit(client_for, caseworker_a2, caseworker_b, youth_a1):
    for user in (caseworker_a2, caseworker_b):
        assert client_for(user).get(reverse("youth_edit", args=[youth_a1.pk])).status_code == 404


@pytest.fixture
def unassigned_caseworker(agency_a, team_a1):
    """A caseworker on youth_a1's team who is not assigned to youth_a1: edits it, but not its restricted fields."""
    return UserFactory(username="caseworker_a_unassigned", agency=agency_a, team=team_a1, role=Role.CASEWORKER)


def test_restricted_fields_are_not_in_the_form_and_survive_a_save(client_for, unassigned_caseworker, youth_a1):
    Youth.objects.filter(pk=youth_a1.pk).update(ssn="123-45-6789", medical_notes="Asthma; inhaler at school")
    client = client_for(unassigned_caseworker)

    form_page = client.get(reverse("youth_edit", args=[youth_a1.pk]))
    form = form_page.context["form"]
    for name in Youth.RESTRICTED_FIELDS:
        assert name not in form.fields
    text = page_text(form_page)
    assert 'name="ssn"' not in text
    assert "123-45-6789" not in text
    assert "Asthma" not in text

    data = edit_post(youth_a1, client, preferred_name="Jay")
    # Even a crafted post that names the restricted fields must not blank or change them.
    data.update(ssn="", medical_notes="")
    response = client.post(reverse("youth_edit", args=[youth_a1.pk]), data)

    assert response.status_code == 302
    youth_a1.refresh_from_db()
    assert youth_a1.preferred_name == "Jay"
    assert youth_a1.ssn == "123-45-6789"
    assert youth_a1.medical_notes == "Asthma; inhaler at school"


def test_assigned_caseworker_sees_and_keeps_restricted_fields(client_for, caseworker_a, youth_a1):
    Youth.objects.filter(pk=youth_a1.pk).update(ssn="123-45-6789", medical_notes="Asthma")
    client = client_for(caseworker_a)

    data = edit_post(youth_a1, client, preferred_name="Sky")
    assert data["ssn"] == "123-45-6789"
    client.post(reverse("youth_edit", args=[youth_a1.pk]), data)

    youth_a1.refresh_from_db()
    assert youth_a1.preferred_name == "Sky"
    assert youth_a1.ssn == "123-45-6789"
    assert youth_a1.medical_notes == "Asthma"


def test_bad_ssn_on_edit_changes_nothing(client_for, caseworker_a, youth_a1):
    client = client_for(caseworker_a)
    data = edit_post(youth_a1, client, ssn="1234", preferred_name="Sky")

    response = client.post(reverse("youth_edit", args=[youth_a1.pk]), data)

    assert "An SSN has 9 digits" in page_text(response)
    youth_a1.refresh_from_db()
    assert youth_a1.preferred_name == "" and youth_a1.ssn == ""


# --- Caseload search -------------------------------------------------------------------------


def test_caseload_search_finds_by_name_and_case_number(client_for, caseworker_a, youth_a1, youth_a2):
    client = client_for(caseworker_a)
    by_name = client.get(reverse("caseload"), {"q": youth_a1.legal_last_name})
    assert youth_a1.case_number in page_text(by_name)
    by_number = client.get(reverse("caseload"), {"q": youth_a1.case_number})
    assert list(by_number.context["page"].object_list) == [youth_a1]
    # Another team's youth never appears, whatever the search.
    other = client.get(reverse("caseload"), {"q": youth_a2.case_number})
    assert list(other.context["page"].object_list) == []
    assert "No youth match this search." in page_text(other)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=40))
def test_any_search_text_gives_a_page_not_an_error(client_for, caseworker_a, youth_a1, youth_a2, q):
    response = client_for(caseworker_a).get(reverse("caseload"), {"q": q})
    assert response.status_code == 200
    # Whatever was typed, the list is only ever the caseworker's own team.
    assert all(y.team_id == caseworker_a.team_id for y in response.context["page"].object_list)


def test_under_26_population_needs_the_agency_option(client_for, caseworker_a, team_a1):
    client = client_for(caseworker_a)
    youth_before = Youth.objects.count()

    response = client.post(reverse("youth_create"), youth_post(team_a1, covered_population="under_26"))

    assert response.status_code == 200
    assert "has not chosen to serve people under 26" in page_text(response)
    assert Youth.objects.count() == youth_before

    team_a1.agency.serves_under_26 = True
    team_a1.agency.save()
    response = client.post(reverse("youth_create"), youth_post(team_a1, covered_population="under_26"))
    assert response.status_code == 302
    assert Youth.objects.get(case_number="KS-2024-0101").covered_population == "under_26"
