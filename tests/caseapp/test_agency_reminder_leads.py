"""The reminder lead times are agency settings, edited in the admin: whole hours, the caseworker's
before the supervisor's, at most the 24 h ceiling. A bad value is refused with a clear message and
nothing is saved."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from caseapp.models import Agency
from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True, role="")


def _post(client, agency, **changes):
    data = {
        "name": agency.name, "code": agency.code, "state": agency.state, "time_zone": agency.time_zone,
        "phone": "", "email": "", "address": "", "compliance_contact_email": "",
        "first_hour_reminder_minutes": 60, "reminder_lead_hours_first": 4, "reminder_lead_hours_second": 1,
        "ack_minutes_run": 15, "ack_minutes_reminder": 60,
        "search_daily_days": 7, "search_interval_days": 7, "search_until_days": "", "long_absence_review_days": 7,
        "screening_follow_up_days": 7, "session_idle_minutes": 30,
    }
    return client.post(reverse("admin:caseapp_agency_change", args=[agency.pk]), {**data, **changes})


def test_a_new_agency_has_the_default_leads(db):
    agency = Agency.objects.create(name="New", code="NEW", state="CO")
    assert agency.first_hour_reminder_minutes == 60
    assert agency.reminder_leads == [4, 1]


def test_the_admin_saves_new_leads(agency_a, superuser, client_for):
    response = _post(
        client_for(superuser), agency_a,
        first_hour_reminder_minutes=30, reminder_lead_hours_first=6, reminder_lead_hours_second=0,
    )
    assert response.status_code == 302
    agency_a.refresh_from_db()
    assert (agency_a.first_hour_reminder_minutes, agency_a.reminder_leads) == (30, [6, 0])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reminder_lead_hours_first": 1, "reminder_lead_hours_second": 4},
         "The supervisor reminder must come after the caseworker reminder: fewer hours before due than 1 h."),
        ({"reminder_lead_hours_first": 2, "reminder_lead_hours_second": 2},
         "The supervisor reminder must come after the caseworker reminder: fewer hours before due than 2 h."),
        ({"reminder_lead_hours_first": 25}, "Ensure this value is less than or equal to 24."),
        ({"reminder_lead_hours_second": -1}, "Ensure this value is greater than or equal to 0."),
        ({"reminder_lead_hours_first": "2.5"}, "Enter a whole number."),
        ({"first_hour_reminder_minutes": 0}, "Ensure this value is greater than or equal to 1."),
        ({"first_hour_reminder_minutes": 24 * 60 + 1}, "Ensure this value is less than or equal to 1440."),
    ],
)
def test_the_admin_refuses_bad_leads_and_keeps_the_agency(agency_a, superuser, client_for, changes, message):
    response = _post(client_for(superuser), agency_a, name="Renamed", **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    agency_a.refresh_from_db()
    assert agency_a.name == "Agency A"
    assert (agency_a.first_hour_reminder_minutes, agency_a.reminder_leads) == (60, [4, 1])


def test_the_alert_settings_have_defaults_and_are_edited_in_the_admin(agency_a, superuser, client_for):
    """docs/alerts.md#escalation: 15 minutes for a run, 60 for reminders, SMS off until the agency turns it on."""
    assert (agency_a.ack_minutes_run, agency_a.ack_minutes_reminder, agency_a.sms_enabled) == (15, 60, False)
    response = _post(client_for(superuser), agency_a, ack_minutes_run=10, ack_minutes_reminder=30, sms_enabled="on")
    assert response.status_code == 302
    agency_a.refresh_from_db()
    assert (agency_a.ack_minutes_run, agency_a.ack_minutes_reminder, agency_a.sms_enabled) == (10, 30, True)
    response = _post(client_for(superuser), agency_a, ack_minutes_run=0)
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    agency_a.refresh_from_db()
    assert agency_a.ack_minutes_run == 10


def test_the_database_refuses_leads_out_of_order(agency_a):
    with pytest.raises(IntegrityError):
        Agency.objects.filter(pk=agency_a.pk).update(reminder_lead_hours_first=1, reminder_lead_hours_second=1)
