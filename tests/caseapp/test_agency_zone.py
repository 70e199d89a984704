"""The agency's zone has one home (caseapp.local_time.agency_zone) and Agency.time_zone is validated:
an unknown zone is refused in the admin with a clear message, and nothing is saved."""

import re
import zoneinfo
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caseapp.local_time import agency_zone, time_zone_choices
from caseapp.models import Agency
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("caseapp", "missing_reports", "risk", "exports")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True, role="")


def _admin_form(agency, **changes):
    data = {
        "name": agency.name, "code": agency.code, "state": agency.state, "time_zone": agency.time_zone,
        "phone": "", "email": "", "address": "", "compliance_contact_email": "",
        "first_hour_reminder_minutes": agency.first_hour_reminder_minutes,
        "reminder_lead_hours_first": agency.reminder_lead_hours_first,
        "reminder_lead_hours_second": agency.reminder_lead_hours_second,
        "ack_minutes_run": agency.ack_minutes_run, "ack_minutes_reminder": agency.ack_minutes_reminder,
        "search_daily_days": agency.search_daily_days,
        "search_interval_days": agency.search_interval_days,
        "search_until_days": agency.search_until_days or "",
        "long_absence_review_days": agency.long_absence_review_days,
        "screening_follow_up_days": agency.screening_follow_up_days,
        "session_idle_minutes": agency.session_idle_minutes,
    }
    return {**data, **changes}


def test_the_admin_refuses_an_unknown_zone_and_keeps_the_agency(agency_a, superuser, client_for):
    client = client_for(superuser)
    url = reverse("admin:caseapp_agency_change", args=[agency_a.pk])
    response = client.post(url, _admin_form(agency_a, name="Renamed", time_zone="America/Chicgo"))
    assert response.status_code == 200
    assert "“America/Chicgo” is not a time zone this server knows" in response.content.decode()
    agency_a.refresh_from_db()
    assert (agency_a.name, agency_a.time_zone) == ("Agency A", "America/Chicago")


def test_the_admin_saves_a_known_zone_offered_with_the_us_zones_first(agency_a, superuser, client_for):
    client = client_for(superuser)
    url = reverse("admin:caseapp_agency_change", args=[agency_a.pk])
    page = client.get(url).content.decode()
    offered = re.findall(r'<option value="([^"]+)"', page.split('name="time_zone"', 1)[1])
    assert offered[:2] == ["America/New_York", "America/Chicago"]
    response = client.post(url, _admin_form(agency_a, time_zone="Pacific/Honolulu"))
    assert response.status_code == 302
    agency_a.refresh_from_db()
    assert agency_a.time_zone == "Pacific/Honolulu"


def test_the_model_validates_the_zone(agency_a):
    agency_a.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as refused:
        agency_a.full_clean()
    assert "time_zone" in refused.value.message_dict


def test_every_choice_is_a_zone_and_each_once():
    names = [name for name, _ in time_zone_choices()]
    assert len(names) == len(set(names)) == len(zoneinfo.available_timezones())


def test_a_row_saved_before_validation_reads_as_the_server_zone_and_pages_still_work(
    agency_a, caseworker_a, client_for, settings
):
    Agency.objects.filter(pk=agency_a.pk).update(time_zone="Not/A_Zone")
    agency_a.refresh_from_db()
    assert agency_zone(agency_a) == zoneinfo.ZoneInfo(settings.TIME_ZONE)
    assert client_for(caseworker_a).get(reverse("caseload")).status_code == 200


def test_no_module_reads_the_zone_but_the_one_home():
    """Anyone needing the agency's zone asks caseapp.local_time.agency_zone, with its one fallback."""
    home = ROOT / "caseapp" / "local_time.py"
    copies = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != home and "migrations" not in path.parts and "ZoneInfo(" in path.read_text()
        and ".time_zone" in path.read_text()
    ]
    assert copies == []
