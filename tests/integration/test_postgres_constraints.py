"""PostgreSQL's own guards on placements: the exclusion constraint of migration 0002 and the
partial unique index, each named in the error so a failure says which guard held."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from caseapp.models import Placement, PlacementEndReason
from tests.factories import PlacementFactory, YouthFactory

JAN_1 = datetime.date(2024, 1, 1)
MAR_1 = datetime.date(2024, 3, 1)
JUN_1 = datetime.date(2024, 6, 1)
SEP_1 = datetime.date(2024, 9, 1)


@pytest.fixture
def youth(postgres_db):
    return YouthFactory()


def test_the_exclusion_constraint_exists(postgres_db):
    with postgres_db.cursor() as cursor:
        cursor.execute(
            "SELECT contype FROM pg_constraint WHERE conname = 'placement_no_overlap'"
            " AND conrelid = 'caseapp_placement'::regclass"
        )
        assert cursor.fetchone() == ("x",)


def test_overlapping_placements_violate_the_exclusion_constraint(youth):
    PlacementFactory(youth=youth, start_date=JAN_1, end_date=JUN_1, end_reason=PlacementEndReason.MOVED)

    with pytest.raises(IntegrityError, match="placement_no_overlap"), transaction.atomic():
        Placement.objects.create(
            youth=youth, placement_type="group_home", provider_name="Overlap House",
            start_date=MAR_1, end_date=SEP_1, end_reason=PlacementEndReason.MOVED,
        )

    assert youth.placements.count() == 1


def test_a_second_current_placement_is_refused(youth):
    PlacementFactory(youth=youth, start_date=JAN_1)

    # Two open-ended placements overlap as well, so either guard may be the one that fires.
    with pytest.raises(IntegrityError, match=r"placement_one_current_per_youth|placement_no_overlap"), \
            transaction.atomic():
        Placement.objects.create(
            youth=youth, placement_type="shelter", provider_name="Second Current", start_date=JUN_1
        )

    assert youth.placements.filter(end_date__isnull=True).count() == 1


def test_adjacent_placements_are_allowed(youth):
    PlacementFactory(youth=youth, start_date=JAN_1, end_date=JUN_1, end_reason=PlacementEndReason.MOVED)
    Placement.objects.create(youth=youth, placement_type="shelter", provider_name="Next Home", start_date=JUN_1)

    assert youth.placements.count() == 2
