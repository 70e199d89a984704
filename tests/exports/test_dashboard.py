"""The reports dashboard: who sees it, what its charts say (and say again as tables), that its numbers are the
exports' numbers for the same filters, and that its query count does not grow with the data.

The data is the placement-environment dataset (test_placement_environment.py's docstring has every answer);
March 2025 is asked for explicitly, so the right answers there hold here.
"""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseapp.models import PlacementType, Sex
from exports import charts, dashboard, reports
from exports.reports import placement_environment
from exports.reports.base import ExportFilters, ReportQuery
from exports.reports.timeliness import figures as timeliness_figures
from exports.reports.timeliness import tables as timeliness_tables
from missing_reports.models import Notification
from risk.models import URGENCY_RANK, ReviewItem, Screening, Urgency
from tests.exports.test_placement_environment import (
    AFTER_MARCH,
    MARCH,
    build_environment,
    day,
    episode,
    local,
    placement,
)
from tests.factories import YouthFactory

URL = "/reports/dashboard/"
MARCH_GET = {"period_start": "2025-03-01", "period_end": "2025-03-31"}


@pytest.fixture
def environment(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b):
    return build_environment(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b)


def review_item(youth, urgency):
    return ReviewItem.objects.create(
        youth=youth,
        urgency=urgency,
        urgency_rank=URGENCY_RANK[urgency],
        due_at=timezone.now() + datetime.timedelta(days=1),
        reasons=["A test reason"],
    )


def chart_table(page, chart_id):
    """The rows of a chart's table alternative, as the page shows them (text of each cell)."""
    match = re.search(rf'<table[^>]*data-chart-table="{chart_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert match, f"no table for {chart_id}"
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    ]


def svg_of(page, chart_id):
    match = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title {chart_id}-desc".*?</svg>', page, re.S)
    assert match, f"no svg for {chart_id}"
    return match.group(0)


# --- Who sees it ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor_a", "agency_staff_a", "agency_admin_a"])
def test_supervisors_and_agency_staff_have_the_dashboard(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert 'href="/reports/dashboard/">Dashboard</a>' in client.get("/").content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    assert '<h1 class="h3 mb-0">Dashboard</h1>' in page.content.decode()


@pytest.mark.parametrize("persona", ["caseworker_a", "no_role_user", "caseworker_b"])
def test_everyone_else_gets_a_404(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert 'href="/reports/dashboard/"' not in client.get("/").content.decode()
    assert client.get(URL).status_code == 404
    assert client.get(URL, MARCH_GET).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.url


def test_another_agencys_episodes_never_appear(environment, client_for, admin_b):
    page = client_for(admin_b).get(URL, MARCH_GET).content.decode()
    assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "1"]]  # agency B's own episode
    rates = chart_table(page, "chart-placement-rates")
    assert rates[0][:3] == ["All placements in scope", "31", "1"]
    for name in ("North", "South", "Oak Family", "Harbor Shelter", "Birch Kin"):
        assert name not in page


def test_a_supervisor_sees_their_teams_only(environment, client_for, supervisor_a, team_a2):
    client = client_for(supervisor_a)
    page = client.get(URL, MARCH_GET).content.decode()
    # North: e1, e2, e3, e4 in March; South's e8 and e7 are not counted.
    assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "4"]]
    assert chart_table(page, "chart-placement-rates")[0][:3] == ["All placements in scope", "51", "4"]
    assert chart_table(page, "chart-missing-now") == [["North", "1"]]
    assert "Relative / kinship home" not in page  # South's only placement type
    # South is not a team they can choose: the form says so and the default view is drawn.
    refused = client.get(URL, {**MARCH_GET, "teams": [team_a2.pk]}).content.decode()
    assert "is not a team you can see" in refused


# --- What the charts say -------------------------------------------------------------------------------------


def test_each_chart_is_an_svg_image_with_its_numbers_as_a_table(environment, client_for, agency_admin_a, team_a1):
    review_item(YouthFactory(team=team_a1), Urgency.URGENT)
    page = client_for(agency_admin_a).get(URL, MARCH_GET).content.decode()
    for chart_id in (
        "chart-missing-now",
        "chart-episodes-per-month",
        "chart-primary-factors",
        "chart-placement-rates",
        "chart-review-items",
        "chart-screening",
    ):
        svg = svg_of(page, chart_id)
        assert 'role="img"' in svg
        assert f'<title id="{chart_id}-title">' in svg and f'<desc id="{chart_id}-desc">' in svg
        assert "<script" not in svg
        assert f'data-chart-table="{chart_id}"' in page
    # Six tables: the two notification charts have no notice to draw in this data (see the tests below).
    assert page.count("<summary>The numbers of this chart, as a table</summary>") == 6

    assert chart_table(page, "chart-missing-now") == [["North", "1"]]
    assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "6"]]
    assert chart_table(page, "chart-primary-factors") == [
        ["Conflict in the placement", "3"],
        ["Food", "1"],
        ["Connection to family", "1"],
        ["Not feeling safe in the placement", "1"],
    ]
    assert chart_table(page, "chart-placement-rates") == [
        ["All placements in scope", "82", "5", "60.98", "60.0"],
        ["Shelter", "10", "1", "100.0", "0.0"],
        ["Foster family home", "25", "2", "80.0", "50.0"],
        ["Group home", "16", "1", "62.5", "100.0"],
        ["Relative / kinship home", "31", "1", "32.26", "100.0"],
    ]
    assert chart_table(page, "chart-review-items") == [
        ["Identification: possible victim of trafficking", "0"],
        ["Same-day review", "1"],
        ["Review within one business day", "0"],
        ["Screen and needs check within 7 days", "0"],
    ]
    # The numbers are in the picture too, written at the bars' ends, and summed up in its description.
    rates = svg_of(page, "chart-placement-rates")
    assert ">100</text>" in rates and ">32.26</text>" in rates and ">Shelter</text>" in rates
    desc = re.search(r'<desc id="chart-episodes-per-month-desc">(.*?)</desc>', page).group(1)
    assert desc == "Bar chart: 6 missing episodes started in the period; the most in March 2025 (6)."
    assert '<p class="display-6 mb-0" data-dashboard="missing-now">1</p>' in page


def test_agency_staff_see_no_review_items_chart(client_for, agency_staff_a):
    page = client_for(agency_staff_a).get(URL).content.decode()
    # Agency staff decide no review items: said in words, no chart.
    assert "they are not shown to agency staff" in page
    assert "chart-review-items" not in page


def test_an_empty_period_says_so_in_words(client_for, agency_staff_a):
    page = client_for(agency_staff_a).get(URL, MARCH_GET).content.decode()
    assert 'data-chart-empty="chart-primary-factors"' in page
    assert "No youth in your scope is missing from care now." in page
    # A month with no episodes is still a bar of 0, and in the table.
    assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "0"]]
    for chart_id in ("chart-delay-law-enforcement", "chart-delay-ncmec", "chart-screening"):
        assert f'data-chart-empty="{chart_id}"' in page
    assert "No report to NCMEC was due or made for the episodes of this period." in page


def test_the_default_period_is_the_last_12_months(client_for, agency_staff_a):
    response = client_for(agency_staff_a).get(URL)
    filters = response.context["board"].query.filters
    today = timezone.localdate()
    assert filters.period_end == today
    assert filters.period_start.day == 1
    assert len(chart_table(response.content.decode(), "chart-episodes-per-month")) == 12
    assert "the last 12 months" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period_start": "2025-03-31", "period_end": "2025-03-01"}, "period_end", "on or after the first day"),
        ({"period_start": "2015-01-01", "period_end": "2025-03-01"}, "period_start", "at most 5 years"),
        ({"period_start": "not a date"}, "period_start", "Enter a valid date."),
    ],
)
def test_bad_periods_get_a_clear_message_and_the_default_view(client_for, agency_staff_a, params, field, message):
    response = client_for(agency_staff_a).get(URL, params)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert len(chart_table(response.content.decode(), "chart-episodes-per-month")) == 12


# --- One place for the figures ---------------------------------------------------------------------------------


def test_the_dashboard_and_the_export_agree(environment, agency_staff_a, team_a1):
    """Same filters, same numbers: the dashboard's tables against the placement-environment export's rows."""
    filters = ExportFilters(MARCH.period_start, MARCH.period_end, (team_a1.pk,))
    board = dashboard.build(agency_staff_a, filters, now=AFTER_MARCH)
    tables = {chart.id: chart.rows for section in board.sections for chart in section.charts}
    export = list(
        reports.get("placement-environment").rows(
            ReportQuery(agency=agency_staff_a.agency, user=agency_staff_a, filters=filters, as_of=AFTER_MARCH)
        )
    )
    by_type = [
        (row[1], row[2], row[3], row[4], row[7]) for row in export if row[0] in ("All placements", "Placement type")
    ]
    assert tables["chart-placement-rates"] == by_type
    assert by_type[0] == ("All placements in scope", 51, 4, 78.43, 50.0)
    total = next(row for row in export if row[0] == "All placements")
    months = tables["chart-episodes-per-month"]
    not_attributed = sum(row[3] for row in export if row[0] == "No placement recorded")
    assert sum(count for _, count in months) == total[3] + not_attributed
    # The export writes the top three factors; the dashboard's chart starts with the same three.
    top = "; ".join(f"{label} ({count})" for label, count in tables["chart-primary-factors"][:3])
    assert top == total[6]


def test_a_fixed_number_of_queries_whatever_the_data_size(
    environment, client_for, agency_admin_a, team_a1, caseworker_a
):
    """The page as almost every load draws it: the figures counted by the task and kept (the count itself is
    fixed too: tests/exports/test_dashboard_counts.py)."""
    client = client_for(agency_admin_a)
    client.get(URL, MARCH_GET)  # warm up (session, content types) and count the figures
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, MARCH_GET).status_code == 200
    for n in range(15):
        youth = YouthFactory(team=team_a1)
        home = placement(youth, PlacementType.SHELTER, f"Shelter {n}", day(2, 1))
        made = episode(
            youth, home, caseworker_a, local(2025, 3, 2 + n, 9), returned=local(2025, 3, 2 + n, 18), factors=["food"]
        )
        notice(made, "law_enforcement", n + 1, by=caseworker_a)
        notice(made, "ncmec", None, by=caseworker_a)
        other = YouthFactory(team=team_a1)
        episode(other, None, caseworker_a, timezone.now() - datetime.timedelta(hours=n + 2))  # missing now
        review_item(other, Urgency.HIGH)
    client.post("/reports/dashboard/recount/", MARCH_GET)  # counted again, at once (in-process here)
    with CaptureQueriesContext(connection) as large:
        page = client.get(URL, MARCH_GET).content.decode()
    assert chart_table(page, "chart-missing-now") == [["North", "16"]]
    assert len(small) == len(large), "\n".join(q["sql"][:200] for q in large.captured_queries)


# --- The chart maker ---------------------------------------------------------------------------------------------


def test_labels_from_records_are_escaped(team_a1, agency_staff_a):
    chart = charts.horizontal_bars(
        "chart-x",
        "A <b>title</b>",
        'Said "here" & there',
        [charts.Bar("<script>alert(1)</script>", 3), charts.Bar("Ok", 1, emphasis=True)],
        value_axis="Count",
        category_axis="Provider",
        columns=("Provider", "Count"),
        rows=[],
    )
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert "A &lt;b&gt;title&lt;/b&gt;" in chart.svg
    # The emphasised bar is hatched, not only coloured.
    assert 'fill="url(#chart-x-hatch)"' in chart.svg


@pytest.mark.parametrize(
    ("maximum", "end", "ticks"),
    [
        (0, 1.0, [0.0, 1.0]),
        (1, 1.0, [0.0, 1.0]),
        (6, 6.0, [0.0, 2.0, 4.0, 6.0]),
        (82, 100.0, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]),
        (60.98, 80.0, [0.0, 20.0, 40.0, 60.0, 80.0]),
        (0.4, 0.4, [0.0, 0.1, 0.2, 0.3, 0.4]),
    ],
)
def test_axis_scale(maximum, end, ticks):
    assert charts.nice_scale(maximum) == (end, ticks)


def test_default_period():
    assert dashboard.default_period(datetime.date(2025, 3, 15)) == (
        datetime.date(2024, 4, 1),
        datetime.date(2025, 3, 15),
    )
    assert dashboard.default_period(datetime.date(2025, 12, 31)) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )


def test_month_figures_come_from_the_report_module(environment, agency_staff_a):
    query = ReportQuery(agency=agency_staff_a.agency, user=agency_staff_a, filters=MARCH, as_of=AFTER_MARCH)
    board = dashboard.build(agency_staff_a, MARCH, now=AFTER_MARCH)
    months = next(c for s in board.sections for c in s.charts if c.id == "chart-episodes-per-month")
    assert months.rows == [(f"{m:%B %Y}", n) for m, n in placement_environment.episodes_per_month(query)]


# --- Notification timing and screening coverage: the timeliness report's figures ---------------------------------

H = datetime.timedelta(hours=1)


def notice(episode, party, hours_after=None, *, by):
    """The 24-hour missing-report clock of `episode` for `party`, done `hours_after` learning (None: not done)."""
    done = {}
    if hours_after is not None:
        done = {"done_at": episode.agency_learned_at + hours_after * H, "done_by": by, "method": "phone"}
    return Notification.objects.create(
        episode=episode,
        event="missing",
        party=party,
        due_at=episode.agency_learned_at + 24 * H,
        rule_hours=24,
        rule_source="Federal",
        reference="REF" if done else "",
        **done,
    )


@pytest.fixture
def notices(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b):
    """Learned of (seen an hour earlier) in March 2025:

    youth        learned       returned   law enforcement             NCMEC                    screening
    North, F     03/05 10:00   03/06      after 1 h                   after 24 h (on time)     yes
    North, M     03/10 09:00   03/11      after 30 h (late)           not done, past due       no
    South, F     03/20 08:00   missing    not done, past due          after 2 h                (no return)
    agency B     03/10 12:00   03/11      after 1 h                   after 1 h                yes
    """

    def made(team, sex, creator, learned, returned=None, screening=None, le=None, ncmec=None):
        youth = YouthFactory(team=team, sex=sex)
        home = placement(youth, PlacementType.FOSTER_FAMILY, "Cedar Family", day(1, 1))
        made = episode(
            youth, home, creator, learned - H, returned=returned, factors=["conflict"] if screening else None
        )
        if screening == "no":
            made.debriefs.update(trafficking_screening_done="no", screening_not_done_reason="Not today.")
        elif screening == "yes":
            # Screened only with the structured screening recorded (risk/screened.py), not by the debrief's tick.
            Screening.objects.create(youth=youth, episode=made, conducted_at=returned + 21 * H, conducted_by=creator)
        notice(made, "law_enforcement", le, by=creator)
        notice(made, "ncmec", ncmec, by=creator)
        return made

    made(team_a1, Sex.FEMALE, caseworker_a, local(2025, 3, 5, 10), local(2025, 3, 6, 9), "yes", le=1, ncmec=24)
    made(team_a1, Sex.MALE, caseworker_a, local(2025, 3, 10, 9), local(2025, 3, 11, 9), "no", le=30)
    made(team_a2, Sex.FEMALE, caseworker_a2, local(2025, 3, 20, 8), ncmec=2)
    made(team_b1, Sex.FEMALE, caseworker_b, local(2025, 3, 10, 12), local(2025, 3, 11, 9), "yes", le=1, ncmec=1)


LE_TABLE = [
    ["Up to 1 h", "1", "No"],
    ["1 to 2 h", "0", "No"],
    ["2 to 4 h", "0", "No"],
    ["4 to 8 h", "0", "No"],
    ["8 to 12 h", "0", "No"],
    ["12 to 24 h", "0", "No"],
    ["24 to 48 h (after the deadline)", "1", "Yes"],
    ["48 to 72 h (after the deadline)", "0", "Yes"],
    ["Over 72 h (after the deadline)", "0", "Yes"],
    ["Not done, past due", "1", "Yes"],
    ["Not yet due", "0", "No"],
]


def test_notification_timing_against_the_deadline(notices, client_for, agency_staff_a):
    page = client_for(agency_staff_a).get(URL, MARCH_GET).content.decode()
    assert chart_table(page, "chart-delay-law-enforcement") == LE_TABLE
    ncmec = {row[0]: row[1] for row in chart_table(page, "chart-delay-ncmec")}
    assert (ncmec["1 to 2 h"], ncmec["12 to 24 h"], ncmec["Not done, past due"]) == ("1", "1", "1")
    svg = svg_of(page, "chart-delay-law-enforcement")
    assert ">Deadline: 24 h</text>" in svg and 'stroke-dasharray="6 4"' in svg  # the line, in words too
    assert svg.count('fill="url(#chart-delay-law-enforcement-hatch)"') == 4  # three late spans and not done
    desc = re.search(r'<desc id="chart-delay-law-enforcement-desc">(.*?)</desc>', page).group(1)
    assert desc == (
        "Bar chart: 2 reports to Law enforcement (NCIC entry) made, 1 within the 24-hour deadline; "
        "1 not done and past due; 0 not yet due."
    )


def test_screening_coverage_by_sex(notices, client_for, agency_staff_a, supervisor_a):
    page = client_for(agency_staff_a).get(URL, MARCH_GET).content.decode()
    assert chart_table(page, "chart-screening") == [
        ["All returns", "2", "1", "50.0"],
        ["Female", "1", "1", "100.0"],
        ["Male", "1", "0", "0.0"],
        ["Unknown", "0", "0", "n/a"],
    ]
    svg = svg_of(page, "chart-screening")
    assert ">50.0% (1 of 2)</text>" in svg and ">100</text>" in svg  # the axis runs to 100 %
    assert "Unknown" not in svg  # no return to count: in the table as n/a, no bar
    # A supervisor of North: the same two returns (the South youth is still missing).
    supervisor_page = client_for(supervisor_a).get(URL, MARCH_GET).content.decode()
    assert chart_table(supervisor_page, "chart-screening")[0] == ["All returns", "2", "1", "50.0"]


def test_the_dashboard_and_the_timeliness_report_agree(notices, agency_staff_a, team_a1):
    """The dashboard draws timeliness.figures.notification_delays and .summary: the same numbers as the report's PDF."""
    for filters in (MARCH, ExportFilters(MARCH.period_start, MARCH.period_end, (team_a1.pk,))):
        board = dashboard.build(agency_staff_a, filters, now=AFTER_MARCH)
        tables = {chart.id: chart.rows for section in board.sections for chart in section.charts}
        query = ReportQuery(agency=agency_staff_a.agency, user=agency_staff_a, filters=filters, as_of=AFTER_MARCH)
        pdf_delays = next(
            t for t in timeliness_tables.summary_tables(query) if t.title.startswith("Hours from learning")
        )
        for index, chart_id in ((1, "chart-delay-law-enforcement"), (2, "chart-delay-ncmec")):
            assert [row[1] for row in tables[chart_id]] == [int(row[index]) for row in pdf_delays.rows]
        summary = timeliness_figures.summary(query)["all"]
        screened = summary.figures.rates[timeliness_figures.TRAFFICKING_SCREEN]
        assert tables["chart-screening"][0] == (
            "All returns",
            screened.denominator,
            screened.numerator,
            screened.percent,
        )
        # Every sex's row too (the dashboard reads them grouped by sex alone: screening_by_sex).
        by_sex = [
            (timeliness_figures.SEX_LABELS[sex], rate.denominator, rate.numerator, rate.percent)
            for sex in timeliness_figures.SEXES
            for rate in [summary.by_sex[sex].rates[timeliness_figures.TRAFFICKING_SCREEN]]
        ]
        assert tables["chart-screening"][1:] == by_sex
        assert sum(row[1] for row in by_sex) == screened.denominator
