"""Who may open which page, through the test client, for every page of caseapp/urls_app.py.

The rules (docs/design.md#rule-access): a record outside the user's scope is a 404, never a 403 that confirms
it exists, and a POST to it writes nothing; a page the user's role does not include at all (staff
management for a caseworker) is a 404 too; an anonymous user is sent to the login page.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditEvent, Placement, Role, Team, User, Youth, YouthPhoto
from caseapp.services.photos import add_photo
from tests.factories import PlacementFactory, years_ago
from tests.helpers import form_data, jpeg_upload
from tests.personas import OUTSIDERS

pytestmark = pytest.mark.django_db

YOUTH_READ_PAGES = ["youth_detail", "photo_file"]
YOUTH_EDIT_PAGES = ["youth_edit", "placement_create", "placement_edit", "placement_end", "photo_upload"]
YOUTH_PAGES = YOUTH_READ_PAGES + YOUTH_EDIT_PAGES
STAFF_RECORD_PAGES = ["staff_edit", "staff_password", "team_edit"]
STAFF_PAGES = ["staff_list", "staff_create", "team_create", *STAFF_RECORD_PAGES]
ALL_PAGES = ["dashboard", "caseload", "youth_create", *YOUTH_PAGES, *STAFF_PAGES]


@pytest.fixture
def placement_a1(youth_a1):
    return youth_a1.placements.get()


@pytest.fixture
def photo_a1(caseworker_a, youth_a1):
    return add_photo(
        actor=caseworker_a, youth_id=youth_a1.pk, image=jpeg_upload(), taken_on=timezone.localdate()
    )


@pytest.fixture
def urls(youth_a1, placement_a1, photo_a1, caseworker_a, team_a1):
    """Every page of the app, with agency A's records (youth_a1, caseworker_a, team North) in the URLs."""
    youth = {"youth_id": youth_a1.pk}
    placement = {**youth, "placement_id": placement_a1.pk}
    return {
        "dashboard": reverse("dashboard"),
        "caseload": reverse("caseload"),
        "youth_create": reverse("youth_create"),
        "youth_detail": reverse("youth_detail", kwargs=youth),
        "youth_edit": reverse("youth_edit", kwargs=youth),
        "placement_create": reverse("placement_create", kwargs=youth),
        "placement_edit": reverse("placement_edit", kwargs=placement),
        "placement_end": reverse("placement_end", kwargs=placement),
        "photo_upload": reverse("photo_upload", kwargs=youth),
        "photo_file": reverse("photo_file", kwargs={**youth, "photo_id": photo_a1.pk}),
        "staff_list": reverse("staff_list"),
        "staff_create": reverse("staff_create"),
        "staff_edit": reverse("staff_edit", kwargs={"staff_id": caseworker_a.pk}),
        "staff_password": reverse("staff_password", kwargs={"staff_id": caseworker_a.pk}),
        "team_create": reverse("team_create"),
        "team_edit": reverse("team_edit", kwargs={"team_id": team_a1.pk}),
    }


@pytest.fixture
def as_user(request, client_for):
    """as_user("caseworker_a") -> a client logged in as that persona."""

    def make(persona):
        return client_for(request.getfixturevalue(persona))

    return make


def listed_youth(response):
    return {y.pk for y in response.context["page"].object_list}


# --- Youth pages: in scope ------------------------------------------------------------------------


@pytest.mark.parametrize("page", YOUTH_PAGES)
@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_admin_a"])
def test_youth_pages_open_for_users_in_scope(as_user, urls, persona, page):
    response = as_user(persona).get(urls[page])
    assert response.status_code == 200


@pytest.mark.parametrize("page", YOUTH_READ_PAGES)
def test_agency_staff_read_youth_pages(as_user, urls, page):
    assert as_user("agency_staff_a").get(urls[page]).status_code == 200


@pytest.mark.parametrize("page", YOUTH_EDIT_PAGES)
def test_agency_staff_cannot_open_edit_pages(as_user, urls, page):
    # Agency staff read and export; the edit pages are scoped through youth_editable_by.
    assert as_user("agency_staff_a").get(urls[page]).status_code == 404


def test_detail_page_offers_edit_links_only_to_editors(as_user, urls):
    assert urls["youth_edit"] in as_user("caseworker_a").get(urls["youth_detail"]).content.decode()
    assert urls["youth_edit"] not in as_user("agency_staff_a").get(urls["youth_detail"]).content.decode()


def test_photo_file_is_the_image_and_not_cached(as_user, urls):
    response = as_user("caseworker_a").get(urls["photo_file"])
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


# --- Youth pages: out of scope --------------------------------------------------------------------


@pytest.mark.parametrize("page", YOUTH_PAGES)
@pytest.mark.parametrize("persona", OUTSIDERS)
def test_youth_pages_are_404_for_users_out_of_scope(as_user, urls, persona, page):
    response = as_user(persona).get(urls[page])
    assert response.status_code == 404


@pytest.mark.parametrize("page", YOUTH_PAGES)
def test_out_of_scope_looks_like_a_missing_record(as_user, urls, youth_a1, page):
    missing = urls[page].replace(f"/youth/{youth_a1.pk}/", f"/youth/{youth_a1.pk + 10_000}/")
    out_of_scope = as_user("caseworker_b").get(urls[page])
    not_there = as_user("caseworker_a").get(missing)
    assert out_of_scope.status_code == not_there.status_code == 404


def test_placement_and_photo_of_another_youth_are_404(as_user, youth_a2, placement_a1, photo_a1):
    """caseworker_a2 sees youth_a2; youth_a1's placement and photo under youth_a2's URL stay hidden."""
    client = as_user("caseworker_a2")
    ids = {"youth_id": youth_a2.pk, "placement_id": placement_a1.pk}
    assert client.get(reverse("placement_edit", kwargs=ids)).status_code == 404
    assert client.get(reverse("placement_end", kwargs=ids)).status_code == 404
    photo = {"youth_id": youth_a2.pk, "photo_id": photo_a1.pk}
    assert client.get(reverse("photo_file", kwargs=photo)).status_code == 404
    assert not AuditEvent.objects.filter(object_type="youthphoto", action="view").exists()


# --- POSTs from outside the scope write nothing ---------------------------------------------------


def youth_a1_state(youth_a1):
    """Everything a POST to youth_a1's pages could change."""
    return {
        "youth": Youth.objects.filter(pk=youth_a1.pk).values().get(),
        "caseworkers": set(youth_a1.assigned_caseworkers.values_list("pk", flat=True)),
        "placements": list(Placement.objects.filter(youth=youth_a1).order_by("pk").values()),
        "photos": list(YouthPhoto.objects.filter(youth=youth_a1).values_list("pk", flat=True)),
        "audit_events": AuditEvent.objects.count(),
        "history_rows": Youth.history.count() + Placement.history.count(),
        "stored_files": sorted(str(p) for p in Path(django_settings.MEDIA_ROOT).rglob("*") if p.is_file()),
    }


def youth_post_data(page, editor, urls, placement):
    """A valid POST for `page`, built from the form as the editor (caseworker_a) sees it."""
    today = timezone.localdate()
    if page == "youth_edit":
        form = editor.get(urls[page]).context["form"]
        return form_data(form, preferred_name="Sky")
    if page == "placement_create":
        return {
            "placement_type": "group_home", "provider_name": "Earlier Group Home", "state": "KS",
            "start_date": (today - datetime.timedelta(days=400)).isoformat(),
            "end_date": (today - datetime.timedelta(days=200)).isoformat(), "end_reason": "moved",
        }
    if page == "placement_edit":
        form = editor.get(urls[page]).context["form"]
        return form_data(form, provider_name="Corrected Provider Name")
    if page == "placement_end":
        return {"version": placement.version, "end_date": today.isoformat(), "end_reason": "moved"}
    if page == "photo_upload":
        return {"image": jpeg_upload(), "taken_on": today.isoformat(), "caption": "School photo"}
    raise AssertionError(page)


@pytest.mark.parametrize("page", YOUTH_EDIT_PAGES)
@pytest.mark.parametrize("persona", ["caseworker_b", "caseworker_a2", "agency_staff_a"])
def test_post_from_outside_scope_is_404_and_writes_nothing(as_user, urls, youth_a1, placement_a1, persona, page):
    intruder = as_user(persona)
    data = youth_post_data(page, as_user("caseworker_a"), urls, placement_a1)
    before = youth_a1_state(youth_a1)
    response = intruder.post(urls[page], data)
    assert response.status_code == 404
    assert youth_a1_state(youth_a1) == before


@pytest.mark.parametrize("page", YOUTH_EDIT_PAGES)
def test_same_post_from_the_caseworker_is_saved(as_user, urls, youth_a1, placement_a1, page):
    """The control for the test above: the POST it sends is valid and would change the record."""
    editor = as_user("caseworker_a")
    data = youth_post_data(page, editor, urls, placement_a1)
    before = youth_a1_state(youth_a1)
    response = editor.post(urls[page], data)
    assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
    assert response["Location"] == urls["youth_detail"]
    after = youth_a1_state(youth_a1)
    assert after != before
    assert after["audit_events"] == before["audit_events"] + 1


def test_outsider_cannot_create_a_youth_in_agency_a(as_user, team_a1, caseworker_a):
    """caseworker_b may add youth to their own team, never to agency A's."""
    data = {
        "legal_first_name": "Planted", "legal_last_name": "Record", "case_number": "PLANT-1",
        "team": team_a1.pk, "assigned_caseworkers": [caseworker_a.pk], "status": "active",
        "covered_population": "foster_care", "date_of_birth": years_ago(12).isoformat(), "sex": "male",
        "hispanic_latino": "unknown", "primary_language": "English", "eyewear": "none",
    }
    response = as_user("caseworker_b").post(reverse("youth_create"), data)
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    assert not Youth.objects.filter(case_number="PLANT-1").exists()


# --- Creating a youth: a role question, not a record question -----------------------------------


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_admin_a", "caseworker_b"])
def test_editors_open_youth_create(as_user, team_a1, team_b1, persona):
    assert as_user(persona).get(reverse("youth_create")).status_code == 200


@pytest.mark.parametrize("persona", ["agency_staff_a", "no_role_user"])
def test_youth_create_is_403_without_an_editing_role(as_user, persona):
    assert as_user(persona).get(reverse("youth_create")).status_code == 403


# --- Lists never show what is out of scope ------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("caseworker_a", ["youth_a1"]),
        ("caseworker_a2", ["youth_a2"]),
        ("supervisor_a", ["youth_a1"]),
        ("agency_staff_a", ["youth_a1", "youth_a2"]),
        ("agency_admin_a", ["youth_a1", "youth_a2"]),
        ("caseworker_b", ["youth_b"]),
        ("no_role_user", []),
    ],
)
def test_caseload_lists_only_youth_in_scope(request, as_user, youth_a1, youth_a2, youth_b, persona, expected):
    response = as_user(persona).get(reverse("caseload"))
    assert response.status_code == 200
    expected_youth = [request.getfixturevalue(name) for name in expected]
    assert listed_youth(response) == {y.pk for y in expected_youth}
    page = response.content.decode()
    for youth in (youth_a1, youth_a2, youth_b):
        assert (youth.case_number in page) is (youth in expected_youth)


@pytest.mark.parametrize("search", ["case_number", "legal_last_name", "date_of_birth"])
def test_caseload_search_never_reaches_another_agency(as_user, youth_a1, youth_a2, youth_b, search):
    value = getattr(youth_b, search)
    if isinstance(value, datetime.date):
        value = value.isoformat()  # the same date of birth as youth_a1: a1 may match, b never
    response = as_user("caseworker_a").get(reverse("caseload"), {"q": value})
    assert youth_b.pk not in listed_youth(response)
    # The search box echoes the query, so look for the record's link rather than its number.
    assert reverse("youth_detail", kwargs={"youth_id": youth_b.pk}) not in response.content.decode()


def test_caseload_search_by_exact_case_number_of_agency_b_finds_nothing(as_user, youth_a1, youth_b):
    response = as_user("caseworker_a").get(reverse("caseload"), {"q": youth_b.case_number})
    assert response.status_code == 200
    assert response.context["page"].count == 0
    assert "No youth match this search" in response.content.decode()


def test_caseload_search_by_case_number_of_other_team_finds_nothing(as_user, youth_a1, youth_a2):
    response = as_user("caseworker_a").get(reverse("caseload"), {"q": youth_a2.case_number})
    assert response.context["page"].count == 0


@pytest.mark.parametrize("team", ["team_a2", "team_b1"])
def test_caseload_filter_by_team_out_of_scope_shows_nothing(request, as_user, youth_a1, youth_a2, youth_b, team):
    team_id = request.getfixturevalue(team).pk
    response = as_user("caseworker_a").get(reverse("caseload"), {"team": team_id})
    assert response.status_code == 200
    assert listed_youth(response) == set()


def test_dashboard_recently_viewed_drops_youth_now_out_of_scope(as_user, caseworker_a, team_a2, youth_a1, urls):
    client = as_user("caseworker_a")
    client.get(urls["youth_detail"])
    assert youth_a1 in client.get(reverse("dashboard")).context["recently_viewed"]
    caseworker_a.team = team_a2
    caseworker_a.save()
    response = client.get(reverse("dashboard"))
    assert youth_a1 not in response.context["recently_viewed"]
    assert youth_a1.case_number not in response.content.decode()


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_staff_a", "agency_admin_a",
                                     "caseworker_b", "admin_b", "no_role_user"])
def test_dashboard_opens_for_every_persona(as_user, youth_a1, youth_b, persona):
    response = as_user(persona).get(reverse("dashboard"))
    assert response.status_code == 200


def test_dashboard_counts_stay_in_scope(as_user, youth_a1, youth_a2, youth_b):
    assert as_user("caseworker_a").get(reverse("dashboard")).context["active_count"] == 1
    assert as_user("agency_admin_a").get(reverse("dashboard")).context["active_count"] == 2
    assert as_user("no_role_user").get(reverse("dashboard")).context["active_count"] == 0


# --- Staff and team pages -------------------------------------------------------------------------


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_agency_admin_opens_staff_pages(as_user, urls, page):
    assert as_user("agency_admin_a").get(urls[page]).status_code == 200


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_staff_a", "no_role_user", "caseworker_b"])
def test_staff_pages_are_404_without_admin_role(as_user, urls, persona, page):
    # As for a record outside one's scope: the answer does not say the page is there for someone else.
    response = as_user(persona).get(urls[page])
    assert response.status_code == 404
    assert "There is no such page or record" in response.content.decode()


@pytest.mark.parametrize("page", STAFF_RECORD_PAGES)
def test_other_agencys_admin_gets_404_on_agency_a_records(as_user, urls, page):
    assert as_user("admin_b").get(urls[page]).status_code == 404


def test_staff_list_shows_own_agency_only(as_user, caseworker_a, caseworker_b, admin_b, team_a1, team_b1):
    response = as_user("agency_admin_a").get(reverse("staff_list"))
    listed = {u.pk for u in response.context["page"].object_list}
    assert caseworker_a.pk in listed
    assert caseworker_b.pk not in listed and admin_b.pk not in listed
    assert {t.pk for t in response.context["teams"]} >= {team_a1.pk}
    assert team_b1.pk not in {t.pk for t in response.context["teams"]}

    response = as_user("admin_b").get(reverse("staff_list"))
    listed = {u.pk for u in response.context["page"].object_list}
    assert caseworker_b.pk in listed and caseworker_a.pk not in listed
    assert team_a1.pk not in {t.pk for t in response.context["teams"]}
    assert "caseworker_a" not in response.content.decode()


def staff_state(caseworker_a, team_a1):
    return {
        "user": User.objects.filter(pk=caseworker_a.pk).values().get(),
        "supervised": set(caseworker_a.supervised_teams.values_list("pk", flat=True)),
        "team": Team.objects.filter(pk=team_a1.pk).values().get(),
        "supervisors": set(team_a1.supervisors.values_list("pk", flat=True)),
        "users": User.objects.count(),
        "teams": Team.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def staff_post_data(page, admin, urls, supervisor_a):
    if page == "staff_edit":
        return form_data(admin.get(urls[page]).context["form"], first_name="Renamed", phone="555-0100")
    if page == "staff_password":
        return {"password": "a-brand-new-passphrase-42"}
    if page == "team_edit":
        return {"name": "Renamed team", "supervisors": [supervisor_a.pk]}
    raise AssertionError(page)


@pytest.mark.parametrize("page", STAFF_RECORD_PAGES)
def test_other_agencys_admin_post_is_404_and_changes_nothing(
    as_user, urls, caseworker_a, team_a1, supervisor_a, page
):
    intruder = as_user("admin_b")
    data = staff_post_data(page, as_user("agency_admin_a"), urls, supervisor_a)
    before = staff_state(caseworker_a, team_a1)
    response = intruder.post(urls[page], data)
    assert response.status_code == 404
    assert staff_state(caseworker_a, team_a1) == before


@pytest.mark.parametrize("page", STAFF_RECORD_PAGES)
def test_same_staff_post_from_own_admin_is_saved(as_user, urls, caseworker_a, team_a1, supervisor_a, page):
    admin = as_user("agency_admin_a")
    data = staff_post_data(page, admin, urls, supervisor_a)
    before = staff_state(caseworker_a, team_a1)
    response = admin.post(urls[page], data)
    assert response.status_code == 302
    after = staff_state(caseworker_a, team_a1)
    assert after != before
    assert after["audit_events"] == before["audit_events"] + 1


def test_other_agencys_admin_cannot_put_new_staff_in_agency_a_team(as_user, team_a1):
    data = {
        "username": "planted", "first_name": "Planted", "last_name": "Account", "email": "",
        "phone": "", "role": Role.CASEWORKER, "team": team_a1.pk, "is_active": "on",
        "password": "a-long-enough-passphrase-1",
    }
    response = as_user("admin_b").post(reverse("staff_create"), data)
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    assert not User.objects.filter(username="planted").exists()


@pytest.mark.parametrize("page", ["staff_create", "team_create", *STAFF_RECORD_PAGES])
def test_staff_post_without_admin_role_is_404_and_changes_nothing(
    as_user, urls, caseworker_a, team_a1, supervisor_a, page
):
    if page == "team_create":
        data = {"name": "Sneaky team"}
    elif page == "staff_create":
        data = {
            "username": "sneaky", "first_name": "S", "last_name": "N", "role": Role.AGENCY_ADMIN,
            "password": "a-long-enough-passphrase-1", "is_active": "on",
        }
    else:
        data = staff_post_data(page, as_user("agency_admin_a"), urls, supervisor_a)
    supervisor = as_user("supervisor_a")
    before = staff_state(caseworker_a, team_a1)
    response = supervisor.post(urls[page], data)
    assert response.status_code == 404
    assert staff_state(caseworker_a, team_a1) == before


# --- Anonymous users ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ALL_PAGES)
def test_anonymous_user_is_sent_to_login(urls, page):
    response = Client().get(urls[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("page", YOUTH_EDIT_PAGES)
def test_anonymous_post_is_sent_to_login_and_writes_nothing(as_user, urls, youth_a1, placement_a1, page):
    data = youth_post_data(page, as_user("caseworker_a"), urls, placement_a1)
    before = youth_a1_state(youth_a1)
    response = Client().post(urls[page], data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert youth_a1_state(youth_a1) == before


def test_login_page_itself_is_public():
    assert Client().get(reverse("login")).status_code == 200


def test_out_of_scope_placement_edit_does_not_leak_other_youths_placement(as_user, youth_a1, youth_a2):
    """An old placement of youth_a2 addressed through youth_a1's URL is 404 even for caseworker_a."""
    today = timezone.localdate()
    other = PlacementFactory(
        youth=youth_a2, start_date=today - datetime.timedelta(days=300),
        end_date=today - datetime.timedelta(days=100), end_reason="moved",
    )
    url = reverse("placement_edit", kwargs={"youth_id": youth_a1.pk, "placement_id": other.pk})
    assert as_user("caseworker_a").get(url).status_code == 404


def test_every_page_of_the_app_is_in_this_file_or_has_its_own():
    """A new page must join the permission tests: this fails until it does."""
    from caseapp import urls_app

    named = {p.name for p in urls_app.urlpatterns}
    # login/logout are public by design; system_status is covered in test_system_status.py; the alert pages
    # (the signed link needs no sign-in) in test_alerts_pages.py; the on-call roster and its remove buttons in
    # test_on_call_pages.py; my_work and team_work in test_work_pages.py; the second factor's pages (each person's
    # own, and the admin's reset) in test_two_factor.py; the health check (no sign-in, no record) in test_deploy.py;
    # the session endpoints in test_session_limits.py, the unlock in test_sign_in_lockout.py and the sign-in
    # activity in test_sign_in_activity.py, each person's own password change in test_own_password.py.
    alert_pages = {"alert_list", "alert_acknowledge", "alert_ack_link"}
    on_call = {"on_call", "on_call_shift_remove", "on_call_swap_remove"}
    two_factor = {
        "sign_in_code", "sign_in_security", "two_factor_set_up", "two_factor_remove", "recovery_codes_show",
        "recovery_codes_new", "staff_two_factor_reset",
    }
    sign_in = {"session_status", "session_renew", "staff_unlock", "sign_in_activity", "password_change"}
    assert named == {
        *ALL_PAGES, "login", "logout", "system_status", *alert_pages, *on_call, "my_work", "team_work", *two_factor,
        *sign_in, "health_check",
    }
