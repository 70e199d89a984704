"""One definition of a screened return (risk/screened.py), asked by the timeliness report, the dashboard and the
episode register: a structured screening recorded for the return counts; a debrief's "yes" alone, or a structured
screening the youth declined, does not. Each says so in words."""

import datetime

import pytest

from caseapp.models import PlacementType, Sex
from exports import dashboard, reports
from exports.reports.base import ReportQuery
from exports.reports.timeliness import figures as timeliness_figures
from exports.reports.timeliness import tables as timeliness_tables
from missing_reports.models import Debrief
from risk import screened
from risk.models import Screening
from tests.exports.test_placement_environment import AFTER_MARCH, MARCH, day, episode, local, placement
from tests.factories import YouthFactory

pytestmark = pytest.mark.django_db
H = datetime.timedelta(hours=1)


@pytest.fixture
def returns(team_a1, caseworker_a):
    """Three returns in March 2025, each with a debrief saying "yes":
    tick    no structured screening                      not screened
    real    a structured screening for the episode       screened
    refused a structured screening the youth declined    not screened
    """
    made = {}
    for n, name in enumerate(("tick", "real", "refused")):
        youth = YouthFactory(team=team_a1, sex=Sex.FEMALE)
        home = placement(youth, PlacementType.FOSTER_FAMILY, "Cedar Family", day(1, 1))
        seen = local(2025, 3, 5 + n, 10)
        made[name] = episode(youth, home, caseworker_a, seen, returned=seen + 20 * H, factors=["conflict"])
        assert Debrief.objects.get(episode=made[name]).trafficking_screening_done == "yes"
    for name, declined in (("real", False), ("refused", True)):
        Screening.objects.create(
            youth=made[name].youth, episode=made[name], conducted_at=made[name].returned_at + 22 * H,
            conducted_by=caseworker_a, youth_declined=declined,
        )
    return made


def query_of(user):
    return ReportQuery(agency=user.agency, user=user, filters=MARCH, as_of=AFTER_MARCH)


def test_the_timeliness_report_counts_only_the_structured_screening_and_says_so(returns, agency_staff_a):
    query = query_of(agency_staff_a)
    rate = timeliness_figures.summary(query)["all"].figures.rates[timeliness_figures.TRAFFICKING_SCREEN]
    assert (rate.numerator, rate.denominator) == (1, 3)
    overall = timeliness_tables.summary_tables(query)[0]
    assert "a debrief's tick does not count" in overall.note
    assert screened.DEFINITION in reports.REPORTS["timeliness"].description


def test_the_dashboard_counts_only_the_structured_screening_and_says_so(returns, agency_staff_a):
    board = dashboard.build(agency_staff_a, MARCH, now=AFTER_MARCH)
    section = next(s for s in board.sections if s.key == "screening-coverage")
    assert section.charts[0].rows[0] == ("All returns", 3, 1, 33.3)
    assert "Screened: a structured trafficking screening recorded for the return; a debrief's tick does not count" in (
        section.lead
    )


def test_the_episode_register_counts_only_the_structured_screening(returns, agency_staff_a):
    register = reports.REPORTS["episode-register"]
    rows = {row[0]: row for row in register.rows(query_of(agency_staff_a))}
    screened_column = [column.header for column in register.columns].index(
        "Screened (a structured screening recorded for the return)"
    )
    assert {name: rows[made.pk][screened_column] for name, made in returns.items()} == {
        "tick": False, "real": True, "refused": False,
    }
    # The interviewer's answer stays, as their account.
    assert {rows[made.pk][screened_column - 1] for made in returns.values()} == {"Yes"}
    assert screened.DEFINITION in register.description


def test_a_follow_up_interview_does_not_count_an_episode_twice(returns, agency_staff_a, caseworker_a):
    tick = returns["tick"]
    Debrief.objects.create(
        episode=tick, interview_at=tick.returned_at + 48 * H, interviewer=caseworker_a, running_direction="from",
        primary_factors=["school"], trafficking_screening_done="yes",
    )
    query = query_of(agency_staff_a)
    figures = timeliness_figures.summary(query)["all"].figures
    assert figures.returns == 3
    assert figures.rates[timeliness_figures.RETURN_INTERVIEW].numerator == 3
    assert figures.interviews_timed == 3  # the first interview of each
    rows = list(reports.REPORTS["episode-register"].rows(query))
    assert len(rows) == 3
    row = next(r for r in rows if r[0] == tick.pk)
    assert "Conflict in the placement" in row  # the first interview's factors
