"""The on-call page (/on-call/): everyone of the agency reads who is on call now, the week's pattern and the
coming swaps; agency admins add and remove shifts and swaps (audited, kept in history); bad input changes
nothing; other agencies and users without a role get 404; a fixed number of queries (docs/design.md#on-call)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditEvent, OnCallShift, OnCallSwap, Role
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/on-call/"


def shift_post(user, *, team=None, weekday=0, start=22, end=6, position=1, **extra):
    return {
        "form": "shift",
        "shift-team": team.pk if team else "",
        "shift-weekday": weekday,
        "shift-start_hour": start,
        "shift-end_hour": end,
        "shift-user": user.pk,
        "shift-position": position,
        "shift-note": "",
        **extra,
    }


def swap_post(user, *, replaces=None, team=None, starts="2026-12-24T17:00", ends="2026-12-25T08:00"):
    return {
        "form": "swap",
        "swap-team": team.pk if team else "",
        "swap-user": user.pk,
        "swap-replaces": replaces.pk if replaces else "",
        "swap-starts_at": starts,
        "swap-ends_at": ends,
        "swap-note": "",
    }


def now_shift(agency, user, *, team=None, position=1):
    """A shift covering now, whatever day and hour the test runs."""
    local = timezone.localtime(timezone.now(), timezone.get_current_timezone())
    return OnCallShift.objects.create(
        agency=agency,
        team=team,
        user=user,
        weekday=local.weekday(),
        start_hour=0,
        end_hour=24,
        position=position,
        created_by=user,
    )


def test_that_the_nav_offers_on_call_to_everyone_of_an_agency(client_for, caseworker_a, no_role_user):
    assert f'href="{URL}"' in client_for(caseworker_a).get(reverse("caseload")).content.decode()
    assert f'href="{URL}"' not in client_for(no_role_user).get(reverse("caseload")).content.decode()


def test_admin_adds_a_night_shift_and_everyone_reads_it(
    client_for, agency_admin_a, supervisor_a, team_a1, caseworker_a
):
    response = client_for(agency_admin_a).post(URL, shift_post(supervisor_a, team=team_a1, weekday=6))
    assert response.status_code == 302
    shift = OnCallShift.objects.get()
    assert (shift.team, shift.user, shift.weekday, shift.start_hour, shift.end_hour) == (
        team_a1,
        supervisor_a,
        6,
        22,
        6,
    )
    event = AuditEvent.objects.get(object_type="oncallshift")
    assert (event.actor, event.action, event.object_id) == (agency_admin_a, "create", str(shift.pk))
    assert shift.history.count() == 1
    page = client_for(caseworker_a).get(URL).content.decode()
    assert "22:00–06:00 next day" in page and "Sunday" in page and str(supervisor_a.get_full_name()) in page
    assert "Add a weekly shift" not in page and "Remove" not in page  # read-only for a caseworker


def test_on_call_now_shows_first_call_backup_and_phone(
    client_for, agency_a, team_a1, supervisor_a, caseworker_a, agency_staff_a
):
    supervisor_a.phone = "316-555-0142"
    supervisor_a.save()
    now_shift(agency_a, supervisor_a, team=team_a1)
    now_shift(agency_a, caseworker_a, team=team_a1, position=2)
    page = client_for(agency_staff_a).get(URL).content.decode()
    now = page.split('id="now-heading"')[1].split('id="week-heading"')[0]
    assert "First call:</span>" in now and "Backup:</span>" in now
    assert now.index(supervisor_a.get_full_name()) < now.index(caseworker_a.get_full_name())
    assert 'href="tel:316-555-0142"' in now
    assert "Nobody is on call here right now." in now  # agency-wide


def test_admin_adds_a_swap_typed_in_agency_time(client_for, agency_admin_a, supervisor_a, caseworker_a):
    response = client_for(agency_admin_a).post(URL, swap_post(caseworker_a, replaces=supervisor_a))
    assert response.status_code == 302
    swap = OnCallSwap.objects.get()
    # 17:00 CST on Dec 24 is 23:00 UTC.
    assert swap.starts_at == datetime.datetime(2026, 12, 24, 23, tzinfo=datetime.UTC)
    assert (swap.user, swap.replaces) == (caseworker_a, supervisor_a)
    assert AuditEvent.objects.filter(object_type="oncallswap", action="create").count() == 1
    page = client_for(agency_admin_a).get(URL).content.decode()
    assert "12/24/2026 17:00 CST to 12/25/2026 08:00 CST" in page
    assert "America/Chicago" in page  # the form labels the zone


def test_admin_removes_a_shift_and_a_swap_and_history_keeps_them(client_for, agency_a, agency_admin_a, supervisor_a):
    shift = now_shift(agency_a, supervisor_a)
    start = timezone.now()
    swap = OnCallSwap.objects.create(
        agency=agency_a,
        user=supervisor_a,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        created_by=agency_admin_a,
    )
    client = client_for(agency_admin_a)
    confirm = client.get(reverse("on_call_shift_remove", args=[shift.pk]))
    assert "Remove this shift?" in confirm.content.decode()
    assert client.post(reverse("on_call_shift_remove", args=[shift.pk])).status_code == 302
    assert client.post(reverse("on_call_swap_remove", args=[swap.pk])).status_code == 302
    shift.refresh_from_db()
    swap.refresh_from_db()
    assert shift.removed_by == agency_admin_a and shift.removed_at is not None
    assert swap.removed_by == agency_admin_a
    assert shift.history.count() == 2
    removed = AuditEvent.objects.filter(action="update", detail__removed=True)
    assert sorted(removed.values_list("object_type", flat=True)) == ["oncallshift", "oncallswap"]
    page = client.get(URL).content.decode()
    assert supervisor_a.get_full_name() not in page.split('id="now-heading"')[1].split('id="add-shift-heading"')[0]
    # Removed once: a second removal is a 404, nothing more is written.
    assert client.post(reverse("on_call_shift_remove", args=[shift.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_staff_a"])
def test_staff_read_but_may_not_change_the_roster(request, client_for, persona, agency_a, supervisor_a):
    shift = now_shift(agency_a, supervisor_a)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 200
    assert client.post(URL, shift_post(supervisor_a)).status_code == 404
    assert client.post(reverse("on_call_shift_remove", args=[shift.pk])).status_code == 404
    assert OnCallShift.objects.current().count() == 1 and not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["admin_b", "supervisor_b", "agency_staff_b", "caseworker_b"])
def test_another_agency_gets_404_for_this_agency_s_rows(request, client_for, persona, agency_a, supervisor_a):
    shift = now_shift(agency_a, supervisor_a)
    swap = OnCallSwap.objects.create(
        agency=agency_a,
        user=supervisor_a,
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
        created_by=supervisor_a,
    )
    client = client_for(request.getfixturevalue(persona))
    for url in (reverse("on_call_shift_remove", args=[shift.pk]), reverse("on_call_swap_remove", args=[swap.pk])):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    page = client.get(URL).content.decode()
    assert supervisor_a.get_full_name() not in page
    assert OnCallShift.objects.current().count() == 1 and OnCallSwap.objects.current().count() == 1


def test_no_role_gets_404(client_for, no_role_user):
    assert client_for(no_role_user).get(URL).status_code == 404


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ("other_agency_person", "shift-user", "Select a valid choice"),
        ("unknown_team", "shift-team", "Select a valid choice"),
        ("same_hours", "shift-end_hour", "must end at another hour"),
        ("position_zero", "shift-position", "greater than or equal to 1"),
        ("swap_backwards", "swap-ends_at", "The swap must end after it starts."),
        ("swap_other_agency", "swap-replaces", "Select a valid choice"),
        ("swap_self", "swap-replaces", "cannot replace themselves"),
        ("swap_skipped_hour", "swap-starts_at", "does not exist in America/Chicago"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(
    client_for, agency_admin_a, supervisor_a, caseworker_b, team_b1, post, field, message
):
    data = {
        "other_agency_person": shift_post(caseworker_b),
        "unknown_team": shift_post(supervisor_a, team=team_b1),
        "same_hours": shift_post(supervisor_a, start=6, end=6),
        "position_zero": shift_post(supervisor_a, position=0),
        "swap_backwards": swap_post(supervisor_a, starts="2026-12-25T08:00", ends="2026-12-24T17:00"),
        "swap_other_agency": swap_post(supervisor_a, replaces=caseworker_b),
        "swap_self": swap_post(supervisor_a, replaces=supervisor_a),
        "swap_skipped_hour": swap_post(supervisor_a, starts="2027-03-14T02:30", ends="2027-03-14T08:00"),
    }[post]
    response = client_for(agency_admin_a).post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page or "alert-danger" in page
    assert message in page
    assert f'name="{field}"' in page
    assert not OnCallShift.objects.exists() and not OnCallSwap.objects.exists() and not AuditEvent.objects.exists()


def test_the_page_runs_a_fixed_number_of_queries(
    client_for, django_assert_num_queries, agency_a, team_a1, agency_admin_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(count):
        for n in range(count):
            team = TeamFactory(agency=agency_a)
            person = UserFactory(agency=agency_a, role=Role.SUPERVISOR, supervises=[team], phone="316-555-0100")
            now_shift(agency_a, person, team=team)
            now_shift(agency_a, person, position=n + 2)
            OnCallShift.objects.create(
                agency=agency_a,
                team=team,
                user=person,
                weekday=n % 7,
                start_hour=22,
                end_hour=6,
                position=1,
                created_by=agency_admin_a,
            )
            OnCallSwap.objects.create(
                agency=agency_a,
                team=team,
                user=agency_admin_a,
                replaces=person,
                starts_at=timezone.now(),
                ends_at=timezone.now() + datetime.timedelta(hours=3),
                created_by=agency_admin_a,
            )

    client = client_for(agency_admin_a)
    grow(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    grow(30)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert response.content.decode().count("Remove<span") > 60
