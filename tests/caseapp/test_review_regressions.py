"""Regressions found in review: bad input that reached the database, and admin pages that bypassed the gate."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from caseapp.models import Youth
from tests.caseapp.test_youth_forms import youth_post

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("field,value", [("height_inches", HUGE), ("weight_pounds", HUGE), ("height_inches", "70000")])
def test_huge_number_in_youth_form_is_a_field_error_not_a_500(client_for, caseworker_a, team_a1, field, value):
    client = client_for(caseworker_a)
    response = client.post(reverse("youth_create"), youth_post(team_a1, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Youth.objects.filter(case_number="KS-2024-0101").exists()


@pytest.fixture
def admin_site_agency_admin(agency_admin_a):
    """An agency admin who was (against the README's advice) given admin-site access."""
    agency_admin_a.is_staff = True
    agency_admin_a.save()
    agency_admin_a.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["caseapp", "missing_reports"])
    )
    return agency_admin_a


def test_admin_placement_form_offers_only_own_agency_youth(client_for, admin_site_agency_admin, youth_a1, youth_b):
    response = client_for(admin_site_agency_admin).get("/admin/caseapp/placement/add/")
    assert response.status_code == 200
    choices = {str(pk) for pk, _ in response.context["adminform"].form.fields["youth"].choices if pk}
    assert str(youth_a1.pk) in choices
    assert str(youth_b.pk) not in choices
    assert youth_b.legal_last_name not in response.content.decode()


def test_admin_youth_form_offers_only_own_agency_staff(client_for, admin_site_agency_admin, youth_a1, caseworker_b):
    response = client_for(admin_site_agency_admin).get("/admin/caseapp/youth/add/")
    choices = {str(pk) for pk, _ in response.context["adminform"].form.fields["assigned_caseworkers"].choices}
    assert str(caseworker_b.pk) not in choices


def test_admin_team_form_offers_only_own_agency_staff(client_for, admin_site_agency_admin, admin_b):
    response = client_for(admin_site_agency_admin).get("/admin/caseapp/team/add/")
    choices = {str(pk) for pk, _ in response.context["adminform"].form.fields["supervisors"].choices}
    assert str(admin_b.pk) not in choices


def test_admin_history_of_another_agencys_youth_is_404(client_for, admin_site_agency_admin, youth_a1, youth_b):
    client = client_for(admin_site_agency_admin)
    assert client.get(f"/admin/caseapp/youth/{youth_a1.pk}/history/").status_code == 200
    response = client.get(f"/admin/caseapp/youth/{youth_b.pk}/history/")
    assert response.status_code == 404
    assert youth_b.legal_last_name not in response.content.decode()
    record = youth_b.history.first()
    response = client.get(f"/admin/caseapp/youth/{youth_b.pk}/history/{record.history_id}/")
    assert response.status_code == 404


def test_admin_revert_of_another_agencys_youth_is_refused(client_for, admin_site_agency_admin, youth_b):
    original = youth_b.legal_last_name
    record = youth_b.history.first()
    youth_b.legal_last_name = "Changed"
    youth_b.save()
    response = client_for(admin_site_agency_admin).post(
        f"/admin/caseapp/youth/{youth_b.pk}/history/{record.history_id}/", {"legal_last_name": original}
    )
    assert response.status_code == 404
    youth_b.refresh_from_db()
    assert youth_b.legal_last_name == "Changed"


def test_admin_episode_list_is_cut_to_own_agency(client_for, admin_site_agency_admin, caseworker_b, youth_b):
    import datetime

    from django.utils import timezone

    from missing_reports.models import MissingEpisode
    from missing_reports.services import episodes as services

    seen = timezone.now() - datetime.timedelta(hours=1)
    episode = services.log_run(
        actor=caseworker_b, youth_id=youth_b.pk, last_seen_at=seen, last_seen_location="Group home",
        reported_by="Night staff",
    )
    client = client_for(admin_site_agency_admin)
    response = client.get("/admin/missing_reports/missingepisode/")
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == []
    assert client.get(f"/admin/missing_reports/missingepisode/{episode.pk}/history/").status_code == 404
    assert MissingEpisode.objects.filter(pk=episode.pk).exists()


def test_admin_site_agency_admin_cannot_make_themselves_superuser(client_for, admin_site_agency_admin):
    user = admin_site_agency_admin
    url = f"/admin/caseapp/user/{user.pk}/change/"
    client = client_for(user)
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on", "is_staff": "on", "is_superuser": "on",
        "agency": user.agency_id, "role": user.role, "team": "", "phone": "",
        "last_login_0": "", "last_login_1": "", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2024-01-01", "initial-date_joined_1": "00:00:00",
    }
    client.post(url, data)
    user.refresh_from_db()
    assert not user.is_superuser
