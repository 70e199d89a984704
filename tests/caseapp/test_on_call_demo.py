"""The demo agencies get a weekly on-call roster (caseapp.demo.ensure_on_call, demo_data.ON_CALL): someone is on
call at every hour of the week, a second seed adds nothing, and a shift removed in the demo stays removed."""

import datetime

import pytest
from django.core.management import call_command

from caseapp.models import Agency, OnCallShift, Team, User
from caseapp.on_call import on_call_at

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", "--youth", "4", "--quiet", "--no-logins")


def test_every_hour_of_the_week_has_someone_on_call_for_every_demo_team():
    seed()
    start = datetime.datetime(2026, 12, 7, 6, 30, tzinfo=datetime.UTC)  # a Monday, 00:30 in Chicago
    for team in Team.objects.select_related("agency"):
        for hour in range(7 * 24):
            assert on_call_at(team.agency, start + datetime.timedelta(hours=hour), team), (team, hour)
    alder = Agency.objects.get(code="alder")
    monday_night = datetime.datetime(2026, 12, 8, 4, tzinfo=datetime.UTC)  # 22:00 in Chicago
    assert [u.username for u in on_call_at(alder, monday_night)] == ["supervisor", "agencyadmin"]


def test_a_second_seed_adds_no_shift_and_keeps_removed_ones_removed():
    seed()
    first = OnCallShift.objects.count()
    removed = OnCallShift.objects.first()
    OnCallShift.objects.filter(pk=removed.pk).update(
        removed_at=removed.created_at, removed_by=User.objects.get(username="agencyadmin")
    )
    seed()
    assert OnCallShift.objects.count() == first
    assert OnCallShift.objects.current().count() == first - 1
