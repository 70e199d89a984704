"""The on-call services refuse what the forms would (people and teams of another agency, empty shifts, a swap
ending before it starts) with a message per field and write nothing; the database holds the same invariants
for a write that goes around them (docs/design.md#on-call)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from caseapp.models import AuditEvent, OnCallShift, OnCallSwap
from caseapp.services import on_call as services

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 24, 23, tzinfo=datetime.UTC)


def nothing_written():
    return not OnCallShift.objects.exists() and not OnCallSwap.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"user": "caseworker_b"}, "user"),
        ({"user": "deactivated_caseworker_a"}, "user"),
        ({"team": "team_b1"}, "team"),
        ({"start_hour": 6, "end_hour": 6}, "end_hour"),
        ({"start_hour": 24}, "start_hour"),
        ({"end_hour": 0}, "end_hour"),
        ({"weekday": 7}, "weekday"),
        ({"position": 0}, "position"),
    ],
)
def test_add_shift_refuses_bad_input(request, agency_admin_a, supervisor_a, change, field):
    data = {"user": supervisor_a, "weekday": 0, "start_hour": 22, "end_hour": 6}
    for key, value in change.items():
        data[key] = request.getfixturevalue(value) if isinstance(value, str) else value
    with pytest.raises(ValidationError) as refused:
        services.add_shift(actor=agency_admin_a, **data)
    assert field in refused.value.message_dict
    assert nothing_written()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"user": "caseworker_b"}, "user"),
        ({"replaces": "caseworker_b"}, "replaces"),
        ({"replaces": "supervisor_a"}, "replaces"),
        ({"team": "team_b1"}, "team"),
        ({"ends_at": START}, "ends_at"),
    ],
)
def test_add_swap_refuses_bad_input(request, agency_admin_a, supervisor_a, change, field):
    data = {"user": supervisor_a, "starts_at": START, "ends_at": START + datetime.timedelta(hours=9)}
    for key, value in change.items():
        data[key] = request.getfixturevalue(value) if isinstance(value, str) else value
    with pytest.raises(ValidationError) as refused:
        services.add_swap(actor=agency_admin_a, **data)
    assert field in refused.value.message_dict
    assert nothing_written()


@pytest.mark.parametrize("persona", ["supervisor_a", "caseworker_a", "agency_staff_a", "admin_b", "no_role_user"])
def test_only_the_agency_s_admins_change_its_roster(request, persona, agency_a, supervisor_a, agency_admin_a):
    shift = services.add_shift(actor=agency_admin_a, user=supervisor_a, weekday=0, start_hour=8, end_hour=17)
    actor = request.getfixturevalue(persona)
    # Agency B's admin changes agency B's roster only, where agency A's supervisor is not a choice.
    with pytest.raises(ValidationError if persona == "admin_b" else Http404):
        services.add_shift(actor=actor, user=supervisor_a, weekday=1, start_hour=8, end_hour=17)
    with pytest.raises(Http404):
        services.remove_shift(actor=actor, shift_id=shift.pk)
    assert OnCallShift.objects.current().count() == 1 and AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"start_hour": 6, "end_hour": 6},
        {"start_hour": 24, "end_hour": 6},
        {"start_hour": 0, "end_hour": 25},
        {"start_hour": 0, "end_hour": 0},
        {"start_hour": 8, "end_hour": 17, "position": 0},
        {"start_hour": 8, "end_hour": 17, "weekday": 7},
    ],
)
def test_the_database_refuses_a_bad_shift(agency_a, supervisor_a, fields):
    data = {"weekday": 0, "position": 1, **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        OnCallShift.objects.create(agency=agency_a, user=supervisor_a, created_by=supervisor_a, **data)


def test_the_database_refuses_a_swap_ending_before_it_starts_or_replacing_its_own_person(agency_a, supervisor_a):
    for ends_at, replaces in ((START, None), (START + datetime.timedelta(hours=1), supervisor_a)):
        with pytest.raises(IntegrityError), transaction.atomic():
            OnCallSwap.objects.create(
                agency=agency_a,
                user=supervisor_a,
                replaces=replaces,
                starts_at=START,
                ends_at=ends_at,
                created_by=supervisor_a,
            )
