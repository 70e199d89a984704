"""Where a clock stands (missing_reports.clock_state): one function, one set of names, one boundary second,
and the same rule in SQL. Every page, sweep, export and email asks it, so they agree at the due second:
a clock not done is due at its due time and overdue one second after; done at its due time is on time.
"""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse

from exports.reports import annual_count
from exports.reports.timeliness import rows as timeliness_rows
from missing_reports import clock_state, deadlines, escalation
from missing_reports.clock_state import DONE_LATE, DONE_ON_TIME, DUE, DUE_SOON, OVERDUE
from missing_reports.models import EscalationStage, Notification
from missing_reports.services import episodes as services
from missing_reports.views import board
from risk import reviews
from risk.history_rules import EpisodeFact, evaluate
from risk.models import Urgency
from tests.helpers import FrozenClock

SEC = datetime.timedelta(seconds=1)
MIN = datetime.timedelta(minutes=1)
H = datetime.timedelta(hours=1)
DUE_AT = datetime.datetime(2026, 3, 8, 12, 0, tzinfo=datetime.UTC)
BOUNDARY = (-SEC, 0 * SEC, SEC)  # due_at - 1 s, due_at, due_at + 1 s


# --- The pure function --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "now", "soon", "expected"),
    [
        (None, DUE_AT - 5 * H, None, DUE),
        (None, DUE_AT - 5 * H, 4 * H, DUE),
        (None, DUE_AT - 4 * H - SEC, 4 * H, DUE),
        (None, DUE_AT - 4 * H, 4 * H, DUE_SOON),  # the window opens at due_at - soon
        (None, DUE_AT - SEC, 4 * H, DUE_SOON),
        (None, DUE_AT, 4 * H, DUE_SOON),  # and holds at the due time itself
        (None, DUE_AT - SEC, None, DUE),  # without a window there is no "due soon"
        (None, DUE_AT, None, DUE),
        (None, DUE_AT + SEC, None, OVERDUE),
        (None, DUE_AT + SEC, 4 * H, OVERDUE),
        (None, DUE_AT + 30 * 24 * H, None, OVERDUE),
        (DUE_AT - 20 * H, DUE_AT - 5 * H, None, DONE_ON_TIME),  # done clocks ignore now
        (DUE_AT - SEC, DUE_AT + 30 * 24 * H, 4 * H, DONE_ON_TIME),
        (DUE_AT, DUE_AT + H, None, DONE_ON_TIME),
        (DUE_AT + SEC, DUE_AT + H, None, DONE_LATE),
        (DUE_AT + 5 * H, DUE_AT + 5 * H, 4 * H, DONE_LATE),
    ],
)
def test_state_table(done, now, soon, expected):
    assert clock_state.state(DUE_AT, done, now, soon=soon) is expected


def test_each_state_has_one_name_and_a_label():
    assert [state.value for state in clock_state.ClockState] == [
        "done_on_time", "done_late", "due", "due_soon", "overdue",
    ]
    assert {state.label for state in clock_state.ClockState} == {
        "Done, on time", "Done late", "Due", "Due soon", "Overdue",
    }
    assert [state for state in clock_state.ClockState if state.is_done] == [DONE_ON_TIME, DONE_LATE]
    assert [state for state in clock_state.ClockState if state.is_late] == [DONE_LATE, OVERDUE]


@pytest.mark.parametrize(
    ("offset", "open_state", "done_state"),
    [(-SEC, DUE, DONE_ON_TIME), (0 * SEC, DUE, DONE_ON_TIME), (SEC, OVERDUE, DONE_LATE)],
    ids=["a second before", "at the due second", "a second after"],
)
def test_the_boundary_second(offset, open_state, done_state):
    moment = DUE_AT + offset
    assert clock_state.state(DUE_AT, None, moment) is open_state  # not done, looked at then
    assert clock_state.state(DUE_AT, moment, moment + H) is done_state  # done then
    # Overdue means exactly: doing it now would be late.
    assert (open_state is OVERDUE) == (done_state is DONE_LATE) == clock_state.is_past_due(DUE_AT, moment)
    expected_late = SEC if offset > 0 * SEC else None
    assert clock_state.late_by(DUE_AT, None, moment) == expected_late
    assert clock_state.late_by(DUE_AT, moment, moment + H) == expected_late


@pytest.mark.parametrize(
    ("done", "now", "words"),
    [
        (None, DUE_AT - 3 * H - 20 * MIN, "due in 3 h 20 min"),
        (None, DUE_AT, "due in 0 min"),
        (None, DUE_AT + SEC, "overdue by 0 min"),
        (None, DUE_AT + 27 * H + 30 * SEC, "overdue by 1 day 3 h"),
        (DUE_AT, DUE_AT + H, "on time"),
        (DUE_AT + 2 * H + 5 * MIN, DUE_AT + 9 * H, "late by 2 h 5 min"),
    ],
)
def test_the_clock_in_words(done, now, words):
    assert clock_state.timing(DUE_AT, done, now) == words


# --- Everyone asks it: the sweep, the pages, the reports and the risk rules agree at the boundary -------------


def notice(due_at, done_at=None):
    return Notification(due_at=due_at, done_at=done_at, event=deadlines.MISSING, party=deadlines.NCMEC)


@pytest.mark.parametrize("offset", BOUNDARY, ids=["a second before", "at the due second", "a second after"])
def test_the_sweep_pages_reports_and_risk_rules_agree_on_a_clock_not_done(offset):
    now = DUE_AT + offset
    overdue = clock_state.state(DUE_AT, None, now) is OVERDUE

    assert (escalation.stage_due(DUE_AT, now, [4, 1]) == EscalationStage.OVERDUE) is overdue
    row = board.clock(notice(DUE_AT), now)
    assert (row.state is OVERDUE) is overdue
    assert row.text == ("NCMEC overdue by 0 min" if overdue else "NCMEC due in 0 min")
    assert notice(DUE_AT).state(now) is row.state
    expected = timeliness_rows.NOT_DONE if overdue else timeliness_rows.NOT_YET_DUE
    assert timeliness_rows.clock_status(DUE_AT, None, now)[0] == expected
    counted = annual_count.Counted(
        youth_id=1, case_number="A-1", team="North", trafficking_type="sex", trafficking_kind="familial",
        timing="in_care", identified_at=DUE_AT - 24 * H, decision_id=1, information_received_at=DUE_AT - 24 * H,
        report_due_at=DUE_AT, report_done_at=None, identifications_in_period=1,
    )
    assert counted.report_state(now) == (annual_count.OVERDUE if overdue else annual_count.NOT_YET_DUE)
    fact = EpisodeFact(id=1, started_at=DUE_AT - 25 * H, learned_at=DUE_AT - 24 * H, ncmec_due_at=DUE_AT)
    assert bool([h for h in evaluate([fact], [], now) if h.rule == "R13"]) is overdue


@pytest.mark.parametrize("offset", BOUNDARY, ids=["a second before", "at the due second", "a second after"])
def test_the_pages_reports_and_risk_rules_agree_on_a_clock_done(offset):
    done, later = DUE_AT + offset, DUE_AT + 5 * H
    late = clock_state.state(DUE_AT, done, later) is DONE_LATE

    assert notice(DUE_AT, done).was_late() is late
    assert notice(DUE_AT, done).timing(later) == ("late by 0 min" if late else "on time")
    expected = (timeliness_rows.LATE, 1) if late else (timeliness_rows.ON_TIME, 0)
    assert timeliness_rows.clock_status(DUE_AT, done, later) == expected
    counted = annual_count.Counted(
        youth_id=1, case_number="A-1", team="North", trafficking_type="sex", trafficking_kind="familial",
        timing="in_care", identified_at=DUE_AT - 24 * H, decision_id=1, information_received_at=DUE_AT - 24 * H,
        report_due_at=DUE_AT, report_done_at=done, identifications_in_period=1,
    )
    assert counted.report_state(later) == (annual_count.LATE if late else annual_count.ON_TIME)
    fact = EpisodeFact(
        id=1, started_at=DUE_AT - 25 * H, learned_at=DUE_AT - 24 * H, ncmec_due_at=DUE_AT, ncmec_done_at=done
    )
    assert bool([h for h in evaluate([fact], [], later) if h.rule == "R13"]) is late


@pytest.mark.django_db
def test_the_board_and_the_sweep_turn_a_clock_overdue_at_the_same_second(
    monkeypatch, client_for, caseworker_a, youth_a1, mailoutbox
):
    learned = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
    clock = FrozenClock(monkeypatch, learned)
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, agency_learned_at=learned, last_seen_at=learned - H,
        last_seen_location="Near the bus station", reported_by="Foster parent",
    )
    le = episode.notifications.get(party=deadlines.LAW_ENFORCEMENT)  # KS: 2 h

    clock.set(le.due_at)
    client = client_for(caseworker_a)  # signed in now: a session idle for the 2 h would have been signed out
    escalation.sweep(now=le.due_at)
    le.refresh_from_db()
    assert le.overdue_at is None
    assert "LE due in 0 min" in client.get(reverse("missing_now")).content.decode()

    clock.set(le.due_at + SEC)
    escalation.sweep(now=le.due_at + SEC)
    le.refresh_from_db()
    assert le.overdue_at == le.due_at + SEC
    page = client.get(reverse("missing_now")).content.decode()
    assert "LE overdue by 0 min" in page
    assert "LE due in" not in page


@pytest.mark.django_db
def test_the_youth_risk_page_and_the_review_queue_agree_on_a_review_item_before_any_sweep(
    monkeypatch, client_for, supervisor_a, youth_a1
):
    raised = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
    clock = FrozenClock(monkeypatch, raised)
    item = reviews.raise_review(youth_a1, Urgency.IDENTIFICATION, ["Assessment: Urgent (score 15.0)."], now=raised)

    def pages():
        youth_page = client.get(reverse("youth_risk", args=[youth_a1.pk])).content.decode()
        queue = client.get(reverse("risk_review_queue")).content.decode()
        return ('fw-semibold">overdue</span>' in youth_page), ("Overdue by" in queue)

    clock.set(item.due_at)
    client = client_for(supervisor_a)  # signed in now: a session idle until the due time would have been signed out
    assert pages() == (False, False)
    clock.set(item.due_at + SEC)  # no sweep has marked it yet: the pages read the clock, not the mark
    assert pages() == (True, True)


# --- The same rule in SQL --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_querysets_agree_with_the_function_at_every_boundary(caseworker_a, youth_a1):
    now = datetime.datetime(2026, 3, 8, 12, 0, tzinfo=datetime.UTC)
    soon = 4 * H
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, agency_learned_at=now - 30 * H, last_seen_at=now - 31 * H,
        last_seen_location="Near the bus station", reported_by="Foster parent",
    )
    # (due at, done at) around every boundary second: the due time, and the "due soon" window's edge.
    clocks = [(now + offset, None) for offset in BOUNDARY]
    clocks += [(now + soon + offset, None) for offset in BOUNDARY]
    clocks += [(now - 5 * H, now - 5 * H + offset) for offset in BOUNDARY]
    clocks += [(now + 30 * H, None)]
    parties = [(event, party) for event in deadlines.EPISODE_EVENTS for party in deadlines.PARTY_LABELS]
    episode.notifications.all().delete()
    rows = [
        Notification.objects.create(
            episode=episode, event=event, party=party, due_at=due_at, done_at=done_at, rule_hours=24,
            done_by=caseworker_a if done_at else None, reference="REF-1" if done_at else "",
        )
        for (due_at, done_at), (event, party) in zip(clocks, parties, strict=False)
    ]
    notices = Notification.objects.filter(episode=episode)

    for wanted in clock_state.ClockState:
        in_sql = set(notices.filter(clock_state.state_q(wanted, now, soon=soon)).values_list("pk", flat=True))
        in_python = {n.pk for n in rows if clock_state.state(n.due_at, n.done_at, now, soon=soon) is wanted}
        assert in_sql == in_python, wanted
    # Without a window, "due" is every clock not done and not yet past due.
    in_sql = set(notices.filter(clock_state.state_q(DUE, now)).values_list("pk", flat=True))
    assert in_sql == {n.pk for n in rows if clock_state.state(n.due_at, n.done_at, now) is DUE}
    assert not notices.filter(clock_state.state_q(DUE_SOON, now)).exists()
    # The sweep's candidates: due within the lead, or past due (done or not).
    in_sql = set(notices.filter(clock_state.due_within_q(now, soon)).values_list("pk", flat=True))
    assert in_sql == {n.pk for n in rows if clock_state.state(n.due_at, None, now, soon=soon) in (DUE_SOON, OVERDUE)}
    in_sql = set(notices.filter(clock_state.past_due_q(now)).values_list("pk", flat=True))
    assert in_sql == {n.pk for n in rows if clock_state.is_past_due(n.due_at, now)}


# --- One home ------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("caseapp", "missing_reports", "risk", "exports")
HOME = Path("missing_reports/clock_state.py")
TIME_NOW = re.compile(r"now|as_of|done")
DUE_WORD = re.compile(r"due")
STATE_LOOKUP = re.compile(r"^(due_at|done_at)__(lt|lte|gt|gte)$")


def clock_comparisons(path):
    """Comparisons of a due time with now or a done time, and ORM lookups of due_at/done_at by order."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in node.ops):
            sides = [ast.unparse(side) for side in (node.left, *node.comparators)]
            if any(DUE_WORD.search(side) for side in sides) and any(TIME_NOW.search(side) for side in sides):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.keyword) and node.arg and STATE_LOOKUP.match(node.arg):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.arg}=")
    return found


def test_no_module_but_clock_state_decides_where_a_clock_stands():
    offenders = [
        line
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and path.relative_to(ROOT) != HOME
        for line in clock_comparisons(path)
    ]
    assert offenders == []


def test_the_check_sees_a_copy():
    # The scanner itself: the home holds the comparisons it looks for.
    assert clock_comparisons(ROOT / HOME)
