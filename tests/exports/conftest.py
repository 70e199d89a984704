"""A small hand-built set of episodes for the export tests; the right answers are written out in the tests.

Agency A (America/Chicago), period March 2025 (03/01 00:00 CST to 04/01 00:00 CDT):

    episode        youth / team       last seen (local)      returned (local)       in March?
    in_period      north / North      03/05 10:00 CST        03/06 16:30 CST        yes (30.5 h)
    start_edge     south / South      02/27 22:00 CST        03/01 02:00 CST        yes: ends inside
    returned_at_start  south / South  02/28 20:00 CST        03/01 00:00 CST        yes: returned at the start
    still_open     north2 / North     03/20 08:00 CDT        still missing          yes
    before         north / North      02/10 09:00 CST        02/28 23:59 CST        no: over before
    after          south / South      04/01 00:00 CDT        04/02 10:00 CDT        no: starts at the end
    other_agency   agency B           03/10 12:00 CDT        03/11 12:00 CDT        never (agency B)
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from caseapp.models import PlacementType
from missing_reports.models import Debrief, EpisodeStatus, MissingEpisode
from risk.models import RiskSnapshot, Screening
from tests.factories import PlacementFactory, YouthFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
PERIOD = {"period_start": "2025-03-01", "period_end": "2025-03-31"}


def local(*args):
    return datetime.datetime(*args, tzinfo=CHICAGO)


def episode(youth, placement, creator, last_seen, returned=None, **extra):
    return MissingEpisode.objects.create(
        youth=youth,
        placement=placement,
        created_by=creator,
        last_seen_at=last_seen,
        agency_learned_at=last_seen + datetime.timedelta(hours=1),
        last_seen_location="Near the bus station",
        reported_by="Foster parent",
        status=EpisodeStatus.RETURNED if returned else EpisodeStatus.OPEN,
        returned_at=returned,
        **extra,
    )


def snapshot(youth, at, band):
    return RiskSnapshot.objects.create(
        youth=youth, computed_at=at, score=Decimal("5.0"), band=band, result_hash=f"{youth.pk}-{at}", trigger="test"
    )


@pytest.fixture
def register_data(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b):
    north = YouthFactory(team=team_a1, case_number="A-NORTH-1", assigned_caseworkers=[caseworker_a])
    north2 = YouthFactory(team=team_a1, case_number="A-NORTH-2", assigned_caseworkers=[caseworker_a])
    south = YouthFactory(team=team_a2, case_number="A-SOUTH-1", assigned_caseworkers=[caseworker_a2])
    other = YouthFactory(team=team_b1, case_number="B-EAST-1", assigned_caseworkers=[caseworker_b])
    group_home = PlacementFactory(
        youth=north,
        placement_type=PlacementType.GROUP_HOME,
        provider_name="Maple House",
        start_date=datetime.date(2024, 6, 1),
    )
    # A provider name a spreadsheet would run as a formula: it must come out as text.
    foster = PlacementFactory(
        youth=south,
        placement_type=PlacementType.FOSTER_FAMILY,
        provider_name='=HYPERLINK("http://x","y")',
        start_date=datetime.date(2024, 6, 1),
    )
    shelter = PlacementFactory(
        youth=north2,
        placement_type=PlacementType.SHELTER,
        provider_name="Harbor Shelter",
        start_date=datetime.date(2024, 6, 1),
    )
    other_home = PlacementFactory(youth=other, provider_name="Elm House", start_date=datetime.date(2024, 6, 1))

    in_period = episode(
        north,
        group_home,
        caseworker_a,
        local(2025, 3, 5, 10, 0),
        local(2025, 3, 6, 16, 30),
        category="runaway",
        found_location_type="friend",
        how_located="law_enforcement",
    )
    Debrief.objects.create(
        episode=in_period,
        interview_at=local(2025, 3, 7, 10, 0),
        interviewer=caseworker_a,
        running_direction="from",
        primary_factors=["conflict", "family_connection"],
        trafficking_screening_done="yes",
    )
    Screening.objects.create(
        youth=north, episode=in_period, conducted_at=local(2025, 3, 7, 10, 30), conducted_by=caseworker_a
    )
    snapshot(north, local(2025, 3, 1, 9, 0), "elevated")  # the band at the return
    snapshot(north, local(2025, 3, 10, 9, 0), "high")  # after the return: not this episode's band

    start_edge = episode(
        south,
        foster,
        caseworker_a2,
        local(2025, 2, 27, 22, 0),
        local(2025, 3, 1, 2, 0),
        category="whereabouts_unknown",
        found_location_type="street",
        how_located="self_returned",
    )
    Debrief.objects.create(
        episode=start_edge,
        interview_at=local(2025, 3, 2, 10, 0),
        interviewer=caseworker_a2,
        running_direction="to",
        primary_factors=["friends_connection"],
        trafficking_screening_done="declined",
        screening_not_done_reason="The youth did not want to talk about it.",
        follow_up_adult_name="Foster parent (synthetic)",
    )
    returned_at_start = episode(south, foster, caseworker_a2, local(2025, 2, 28, 20, 0), local(2025, 3, 1, 0, 0))
    still_open = episode(north2, shelter, caseworker_a, local(2025, 3, 20, 8, 0))
    snapshot(north2, local(2025, 3, 21, 9, 0), "urgent")
    before = episode(north, group_home, caseworker_a, local(2025, 2, 10, 9, 0), local(2025, 2, 28, 23, 59))
    after = episode(south, foster, caseworker_a2, local(2025, 4, 1, 0, 0), local(2025, 4, 2, 10, 0))
    other_agency = episode(other, other_home, caseworker_b, local(2025, 3, 10, 12, 0), local(2025, 3, 11, 12, 0))
    return {
        "in_period": in_period,
        "start_edge": start_edge,
        "returned_at_start": returned_at_start,
        "still_open": still_open,
        "before": before,
        "after": after,
        "other_agency": other_agency,
    }
