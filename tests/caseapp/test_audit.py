"""The audit trail and change history, as the pages write and show them.

Every view and every change of a youth's record leaves an AuditEvent (who, what, when, from where);
a failed save leaves none. The youth page shows the change history to everyone who sees the youth,
with restricted values masked for those who may not see them, and the access log only to the team's
supervisors and agency admins.
"""

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditEvent, Placement, Youth
from caseapp.services.photos import add_photo
from tests.factories import UserFactory, years_ago
from tests.helpers import form_data, jpeg_upload

pytestmark = pytest.mark.django_db




def page_text(response) -> str:
    return html.unescape(response.content.decode())


def section(response, heading_id) -> str:
    """The text of the page's <section> labelled by `heading_id`, or "" when the page has none."""
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', page_text(response), re.S)
    return match.group(0) if match else ""


def detail_url(youth):
    return reverse("youth_detail", kwargs={"youth_id": youth.pk})


def edit_youth(client, youth, **changes):
    """Post the edit form as the user sees it, with `changes` typed in."""
    url = reverse("youth_edit", kwargs={"youth_id": youth.pk})
    data = form_data(client.get(url).context["form"], **changes)
    return client.post(url, data)


def events(**filters):
    return list(AuditEvent.objects.filter(**filters))


# --- Views ---------------------------------------------------------------------------------------


def test_viewing_a_youth_writes_one_view_event(client_for, caseworker_a, youth_a1, agency_a):
    response = client_for(caseworker_a).get(detail_url(youth_a1))
    assert response.status_code == 200
    [event] = events(action="view")
    assert event.object_type == "youth"
    assert event.object_id == str(youth_a1.pk)
    assert event.youth == youth_a1
    assert event.actor == caseworker_a
    assert event.agency == agency_a
    assert event.ip_address == "127.0.0.1"


def test_view_by_assigned_caseworker_records_restricted_fields_shown(client_for, caseworker_a, youth_a1):
    client_for(caseworker_a).get(detail_url(youth_a1))
    [event] = events(action="view", youth=youth_a1)
    assert event.detail["restricted_shown"] is True


def test_view_by_agency_staff_records_no_restricted_fields(client_for, agency_staff_a, youth_a1):
    response = client_for(agency_staff_a).get(detail_url(youth_a1))
    assert response.status_code == 200
    [event] = events(action="view", youth=youth_a1)
    assert event.actor == agency_staff_a
    assert not event.detail.get("restricted_shown")


def test_each_view_is_recorded(client_for, caseworker_a, youth_a1):
    client = client_for(caseworker_a)
    client.get(detail_url(youth_a1))
    client.get(detail_url(youth_a1))
    assert len(events(action="view", youth=youth_a1, actor=caseworker_a)) == 2


@pytest.mark.parametrize("persona", ["caseworker_a2", "caseworker_b"])
def test_refused_view_writes_no_event(request, client_for, youth_a1, persona):
    response = client_for(request.getfixturevalue(persona)).get(detail_url(youth_a1))
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_viewing_a_photo_writes_a_view_event_for_the_photo(client_for, caseworker_a, supervisor_a, youth_a1):
    photo = add_photo(actor=caseworker_a, youth_id=youth_a1.pk, image=jpeg_upload(), taken_on=timezone.localdate())
    [upload] = events(object_type="youthphoto")
    assert upload.action == "create" and upload.actor == caseworker_a and upload.youth == youth_a1

    url = reverse("photo_file", kwargs={"youth_id": youth_a1.pk, "photo_id": photo.pk})
    response = client_for(supervisor_a).get(url)
    assert response.status_code == 200
    [view] = events(object_type="youthphoto", action="view")
    assert view.object_id == str(photo.pk)
    assert view.youth == youth_a1
    assert view.actor == supervisor_a
    assert view.ip_address == "127.0.0.1"


# --- Changes -------------------------------------------------------------------------------------


def test_editing_a_youth_writes_an_update_event_naming_the_changed_fields(client_for, caseworker_a, youth_a1):
    response = edit_youth(client_for(caseworker_a), youth_a1, preferred_name="Sky", weight_pounds=125)
    assert response.status_code == 302
    [event] = events(action="update")
    assert event.object_type == "youth"
    assert event.youth == youth_a1
    assert event.actor == caseworker_a
    assert event.ip_address == "127.0.0.1"
    assert event.detail["changed"] == ["preferred_name", "weight_pounds"]
    youth_a1.refresh_from_db()
    assert (youth_a1.preferred_name, youth_a1.weight_pounds, youth_a1.version) == ("Sky", 125, 2)


def test_saving_without_changes_writes_no_update_event(client_for, caseworker_a, youth_a1):
    response = edit_youth(client_for(caseworker_a), youth_a1)
    assert response.status_code == 302
    assert not events(action="update")


def test_creating_a_youth_writes_a_create_event(client_for, caseworker_a, team_a1):
    data = {
        "legal_first_name": "Rowan", "legal_last_name": "Testcase", "case_number": "KS-AUDIT-1",
        "team": team_a1.pk, "assigned_caseworkers": [caseworker_a.pk], "status": "active",
        "covered_population": "foster_care", "date_of_birth": years_ago(14).isoformat(), "sex": "female",
        "hispanic_latino": "no", "primary_language": "English", "eyewear": "none",
    }
    response = client_for(caseworker_a).post(reverse("youth_create"), data)
    assert response.status_code == 302
    youth = Youth.objects.get(case_number="KS-AUDIT-1")
    [event] = events(action="create")
    assert event.object_type == "youth"
    assert event.object_id == str(youth.pk)
    assert event.youth == youth
    assert event.actor == caseworker_a
    assert event.agency_id == team_a1.agency_id
    assert "legal_last_name" in event.detail["fields"]


def test_adding_a_placement_writes_a_create_event_for_it(client_for, caseworker_a, youth_a1):
    today = timezone.localdate()
    data = {
        "placement_type": "relative_kinship", "provider_name": "Aunt (synthetic)", "state": "KS",
        "start_date": (today - datetime.timedelta(days=400)).isoformat(),
        "end_date": (today - datetime.timedelta(days=200)).isoformat(), "end_reason": "moved",
    }
    url = reverse("placement_create", kwargs={"youth_id": youth_a1.pk})
    response = client_for(caseworker_a).post(url, data)
    assert response.status_code == 302
    placement = Placement.objects.get(youth=youth_a1, provider_name="Aunt (synthetic)")
    [event] = events(action="create")
    assert event.object_type == "placement"
    assert event.object_id == str(placement.pk)
    assert event.youth == youth_a1
    assert event.actor == caseworker_a


def test_moving_to_a_new_placement_audits_the_end_of_the_old_one(client_for, caseworker_a, youth_a1):
    current = youth_a1.placements.get()
    data = {
        "placement_type": "group_home", "provider_name": "New Home (synthetic)", "state": "KS",
        "start_date": timezone.localdate().isoformat(), "end_current_with_reason": "moved",
    }
    response = client_for(caseworker_a).post(reverse("placement_create", kwargs={"youth_id": youth_a1.pk}), data)
    assert response.status_code == 302
    [ended] = events(action="update", object_type="placement")
    assert ended.object_id == str(current.pk)
    assert ended.detail["changed"] == ["end_date", "end_reason"]
    [created] = events(action="create", object_type="placement")
    assert created.object_id == str(youth_a1.placements.get(end_date__isnull=True).pk)


def test_ending_a_placement_writes_an_update_event(client_for, caseworker_a, youth_a1):
    placement = youth_a1.placements.get()
    url = reverse("placement_end", kwargs={"youth_id": youth_a1.pk, "placement_id": placement.pk})
    data = {"version": placement.version, "end_date": timezone.localdate().isoformat(), "end_reason": "missing"}
    assert client_for(caseworker_a).post(url, data).status_code == 302
    [event] = events(action="update")
    assert event.object_id == str(placement.pk)
    assert event.youth == youth_a1
    assert event.detail["changed"] == ["end_date", "end_reason"]


# --- Failed saves write nothing -------------------------------------------------------------------


def invalid_youth_edit(client, youth):
    # The form accepts the shape; the service refuses a date of birth in the future.
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    return edit_youth(client, youth, preferred_name="Sky", date_of_birth=tomorrow)


def youth_edit_missing_name(client, youth):
    return edit_youth(client, youth, legal_last_name="")


def stale_youth_edit(client, youth):
    url = reverse("youth_edit", kwargs={"youth_id": youth.pk})
    data = form_data(client.get(url).context["form"], preferred_name="Sky")
    Youth.objects.filter(pk=youth.pk).update(version=youth.version + 1)  # someone else saved
    return client.post(url, data)


def overlapping_placement(client, youth):
    data = {
        "placement_type": "shelter", "provider_name": "Overlap Shelter", "state": "KS",
        "start_date": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
    }
    return client.post(reverse("placement_create", kwargs={"youth_id": youth.pk}), data)


def not_a_photo(client, youth):
    upload = SimpleUploadedFile("photo.jpg", b"this is not an image", content_type="image/jpeg")
    data = {"image": upload, "taken_on": timezone.localdate().isoformat()}
    return client.post(reverse("photo_upload", kwargs={"youth_id": youth.pk}), data)


@pytest.mark.parametrize(
    "failed_post",
    [invalid_youth_edit, youth_edit_missing_name, stale_youth_edit, overlapping_placement, not_a_photo],
)
def test_failed_post_writes_no_audit_event(client_for, caseworker_a, youth_a1, failed_post):
    youth_history = youth_a1.history.count()
    placement_history = Placement.history.filter(youth_id=youth_a1.pk).count()
    response = failed_post(client_for(caseworker_a), youth_a1)
    assert response.status_code == 200  # the form again, with the problem explained
    assert not AuditEvent.objects.exists()
    assert youth_a1.history.count() == youth_history
    assert Placement.history.filter(youth_id=youth_a1.pk).count() == placement_history


# --- What the youth page shows ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("supervisor_a", True), ("agency_admin_a", True), ("caseworker_a", False), ("agency_staff_a", False)],
)
def test_recent_access_is_shown_to_supervisors_and_admins_only(request, client_for, youth_a1, persona, shown):
    response = client_for(request.getfixturevalue(persona)).get(detail_url(youth_a1))
    assert ("Recent access to this record" in page_text(response)) is shown


def test_recent_access_lists_who_opened_the_record(client_for, caseworker_a, agency_staff_a, supervisor_a, youth_a1):
    client_for(caseworker_a).get(detail_url(youth_a1))
    client_for(agency_staff_a).get(detail_url(youth_a1))
    log = section(client_for(supervisor_a).get(detail_url(youth_a1)), "access-h")
    assert str(caseworker_a) in log
    assert str(agency_staff_a) in log
    assert "127.0.0.1" in log


def test_change_history_shows_the_field_diff(client_for, caseworker_a, agency_staff_a, youth_a1):
    client = client_for(caseworker_a)
    assert edit_youth(client, youth_a1, preferred_name="Sky").status_code == 302
    youth_a1.refresh_from_db()
    assert edit_youth(client, youth_a1, preferred_name="River").status_code == 302

    history = section(client_for(agency_staff_a).get(detail_url(youth_a1)), "history-h")
    assert "Change history" in history
    assert "Preferred name: “Sky” → “River”" in history
    assert "Preferred name: “” → “Sky”" in history
    assert f"changed by {caseworker_a}" in history


def test_a_youth_loaded_without_history_rows_has_a_page_and_an_empty_history(client_for, caseworker_a, youth_a1):
    """Records loaded in bulk (an import, a restore of another system's data) may have no history rows."""
    youth_a1.history.all().delete()
    Placement.history.filter(youth_id=youth_a1.pk).delete()

    response = client_for(caseworker_a).get(detail_url(youth_a1))

    assert response.status_code == 200
    history = section(response, "history-h")
    assert "Change history" in history and "changed by" not in history and "created" not in history.lower()


def test_change_history_includes_placement_changes(client_for, caseworker_a, youth_a1):
    placement = youth_a1.placements.get()
    url = reverse("placement_edit", kwargs={"youth_id": youth_a1.pk, "placement_id": placement.pk})
    client = client_for(caseworker_a)
    data = form_data(client.get(url).context["form"], provider_name="Corrected Name")
    assert client.post(url, data).status_code == 302
    history = section(client.get(detail_url(youth_a1)), "history-h")
    assert f"“{placement.provider_name}” → “Corrected Name”" in history


def test_restricted_values_never_appear_in_history_to_those_who_cannot_see_them(
    client_for, caseworker_a, agency_staff_a, supervisor_a, team_a1, youth_a1
):
    note = "Synthetic note: uses an inhaler daily"
    assert edit_youth(client_for(caseworker_a), youth_a1, medical_notes=note, ssn="123-45-6789").status_code == 302
    teammate = UserFactory(agency=team_a1.agency, role="caseworker", team=team_a1)  # not assigned

    for user in (agency_staff_a, teammate):
        response = client_for(user).get(detail_url(youth_a1))
        text = page_text(response)
        assert note not in text
        assert "123-45-6789" not in text
        history = section(response, "history-h")
        assert "Medical notes: “(restricted)” → “(restricted)”" in history

    # Those who may see restricted fields see the change itself.
    history = section(client_for(supervisor_a).get(detail_url(youth_a1)), "history-h")
    assert f"Medical notes: “” → “{note}”" in history


def test_restricted_fields_are_not_in_the_edit_form_for_those_who_cannot_see_them(
    client_for, caseworker_a, team_a1, youth_a1
):
    Youth.objects.filter(pk=youth_a1.pk).update(medical_notes="Synthetic hidden note")
    teammate = UserFactory(agency=team_a1.agency, role="caseworker", team=team_a1)
    response = client_for(teammate).get(reverse("youth_edit", kwargs={"youth_id": youth_a1.pk}))
    assert "medical_notes" not in response.context["form"].fields
    assert "Synthetic hidden note" not in page_text(response)
    # Saving their edit keeps the note they could not see.
    youth_a1.refresh_from_db()
    assert edit_youth(client_for(teammate), youth_a1, preferred_name="Sky").status_code == 302
    youth_a1.refresh_from_db()
    assert youth_a1.medical_notes == "Synthetic hidden note"


def test_history_records_the_editing_user(client_for, caseworker_a, supervisor_a, youth_a1):
    assert edit_youth(client_for(caseworker_a), youth_a1, preferred_name="Sky").status_code == 302
    latest = youth_a1.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == caseworker_a
    assert latest.preferred_name == "Sky"
    assert latest.history_type == "~"

    placement = youth_a1.placements.get()
    url = reverse("placement_end", kwargs={"youth_id": youth_a1.pk, "placement_id": placement.pk})
    data = {"version": placement.version, "end_date": timezone.localdate().isoformat(), "end_reason": "moved"}
    assert client_for(supervisor_a).post(url, data).status_code == 302
    latest = placement.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == supervisor_a
    assert latest.end_reason == "moved"
