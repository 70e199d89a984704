"""The database itself refuses overlapping placements, bypassing the services' checks.

Runs on whichever database the run uses: the SQLite triggers by default, PostgreSQL's exclusion
constraint with DATABASE_URL (tests/integration/test_postgres_constraints.py checks the latter by name).
"""

import datetime

import pytest
from django.db import IntegrityError, transaction

from caseapp.models import Placement, PlacementEndReason
from tests.factories import PlacementFactory, YouthFactory

JAN_1 = datetime.date(2024, 1, 1)
MAR_1 = datetime.date(2024, 3, 1)
JUN_1 = datetime.date(2024, 6, 1)
SEP_1 = datetime.date(2024, 9, 1)


def ended(youth, start, end):
    return PlacementFactory(youth=youth, start_date=start, end_date=end, end_reason=PlacementEndReason.MOVED)


@pytest.fixture
def youth(db):
    return YouthFactory()


def test_overlapping_placements_are_refused(youth):
    ended(youth, JAN_1, JUN_1)

    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            youth=youth, placement_type="group_home", provider_name="Overlap House",
            start_date=MAR_1, end_date=SEP_1, end_reason=PlacementEndReason.MOVED,
        )

    assert youth.placements.count() == 1


def test_a_second_current_placement_is_refused(youth):
    PlacementFactory(youth=youth, start_date=JAN_1)

    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            youth=youth, placement_type="shelter", provider_name="Second Current", start_date=JUN_1
        )

    assert youth.placements.filter(end_date__isnull=True).count() == 1


def test_adjacent_placements_are_allowed(youth):
    # A placement ends on the day the next one starts: [Jan 1, Jun 1) then [Jun 1, ...).
    ended(youth, JAN_1, JUN_1)
    Placement.objects.create(youth=youth, placement_type="shelter", provider_name="Next Home", start_date=JUN_1)

    assert youth.placements.count() == 2


def test_moving_a_placement_onto_another_is_refused(youth):
    ended(youth, JAN_1, MAR_1)
    later = ended(youth, JUN_1, SEP_1)

    later.start_date = datetime.date(2024, 2, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        later.save()


def test_other_youths_placements_do_not_conflict(youth):
    ended(youth, JAN_1, JUN_1)

    other = PlacementFactory(youth=YouthFactory(team=youth.team), start_date=MAR_1)

    assert other.pk is not None
