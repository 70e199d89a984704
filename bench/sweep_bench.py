"""Time one pass of the deadline sweep at statewide scale: 2,000,000 notice clocks, 50,000 open and overdue.

PostgreSQL only: it refuses to run without DATABASE_URL naming a PostgreSQL database (see bench/README.md).
Results are printed (and written as JSON), never asserted: speed is measured here, not in the test run.

    createdb -h 127.0.0.1 -U postgres bench_sweep
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sweep .venv/bin/python bench/sweep_bench.py --migrate

The dataset is built once (later runs reuse it; --rebuild starts over), inside PostgreSQL with INSERT ... SELECT
over generate_series, each row a copy of a row `seed_demo` made with the bench's own values put in:

  agencies    the demo's, plus copies up to --agencies (5)
  teams       4 per agency
  youth       --youth (100,000), spread over the teams
  episodes    --episodes (1,000,000), all returned, spread over the youth
  clocks      2 notices per episode (law enforcement and NCMEC when the run began): 2,000,000. Every 40th is open
              and overdue (50,000); of those, every 250th has not been alerted yet (200), the others have their
              claim rows (lead_supervisor and overdue, sent) and `overdue_at` set, as the sweep leaves them.
              500 more are open and due within the next 4 h, 500 open and due in 1 to 3 days, with the claim rows
              of the stages they have reached (as a sweep every minute leaves them). The rest are done.

Then, over --runs runs each (median shown, with the fastest and slowest):

  floor       `SELECT 1` and a notice read by primary key, through the ORM connection: the ratios' floors
  sweep pass  the candidates of the notice clocks and of the disclosure reports (escalation.candidates, every
              batch) and the planner's decision for each (escalation.stage_to_alert): the whole sweep except the
              claims, which are one transaction per alert raised
  steady      the sweep pass again once the pending overdue stages are claimed (written in a transaction rolled
              back after): what the sweep a minute later reads
  before      the candidate read this replaced (every open clock due within the window, less those whose overdue
              claim row exists, with its related rows), for comparison, fewer runs
  EXPLAIN (ANALYZE, BUFFERS) of the first candidate batch's query

and the machine's load average before and after.
"""

# The build's SQL is made from this file's constants, column names read from the catalogue and ids read from
# the database, never from input.
# ruff: noqa: S608

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseapp.settings")
# The settings the other benches were timed with (bench/README.md): DEBUG on unless set, as under make run.
os.environ.setdefault("DEBUG", "true")

CASE_PREFIX = "SWB-"
TEAM_PREFIX = "Sweep bench team "
AGENCY_PREFIX = "swb-"
TEAMS_PER_AGENCY = 4
OPEN_OVERDUE_EVERY = 40  # every 40th clock: 50,000 of 2,000,000
NOT_ALERTED_EVERY = 10_000  # of those, every 10,000th clock (every 250th open one): 200 still to alert
DUE_SOON_EVERY = (4_000, 20)  # g % 4000 == 20: 500 open clocks due within the next 4 h
DUE_LATER_EVERY = (4_000, 1_020)  # 500 open clocks due in 1 to 3 days


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--youth", type=int, default=100_000)
    parser.add_argument("--episodes", type=int, default=1_000_000, help="Two notice clocks each.")
    parser.add_argument("--agencies", type=int, default=5)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--migrate", action="store_true", help="Run migrate first.")
    parser.add_argument("--rebuild", action="store_true", help="Delete the bench's rows and build them again.")
    parser.add_argument("--json", default=str(ROOT / "bench" / "sweep_bench.json"), help="Where to write the figures.")
    return parser.parse_args()


def refuse_unless_postgres():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("sweep_bench.py measures PostgreSQL only: set DATABASE_URL=postgres://... (bench/README.md).")


def load():
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def columns(cursor, table):
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def clone(cursor, table, template_id, source, overrides, params=()):
    """INSERT into `table` one copy of row `template_id` (as `t`) per row of `source` (SQL after FROM), with the
    `overrides` ({column: SQL expression}) in place of the template's values. Returns the rows inserted."""
    cols = columns(cursor, table)
    unknown = set(overrides) - set(cols)
    if unknown:
        raise SystemExit(f"{table} has no column {sorted(unknown)}: the bench needs updating.")
    # The expressions take no parameters: a modulo (%) in them is doubled for the driver.
    select = ", ".join(overrides[c].replace("%", "%%") if c in overrides else f't."{c}"' for c in cols)
    cursor.execute(
        f'INSERT INTO {table} ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)}) '
        f"SELECT {select} FROM {table} t, {source} WHERE t.id = %s",
        [*params, template_id],
    )
    return cursor.rowcount


def built(cursor, args):
    cursor.execute("SELECT count(*) FROM caseapp_youth WHERE case_number LIKE %s", [CASE_PREFIX + "%"])
    return cursor.fetchone()[0] == args.youth


def delete_bench_rows(cursor):
    print("deleting the previous bench rows ...", flush=True)
    bench_youth = "SELECT id FROM caseapp_youth WHERE case_number LIKE 'SWB-%'"
    bench_episodes = f"SELECT id FROM missing_reports_missingepisode WHERE youth_id IN ({bench_youth})"
    bench_clocks = f"SELECT id FROM missing_reports_notification WHERE episode_id IN ({bench_episodes})"
    cursor.execute(f"DELETE FROM missing_reports_escalation WHERE notification_id IN ({bench_clocks})")
    cursor.execute(f"DELETE FROM missing_reports_notification WHERE episode_id IN ({bench_episodes})")
    cursor.execute(f"DELETE FROM missing_reports_missingepisode WHERE youth_id IN ({bench_youth})")
    cursor.execute("DELETE FROM caseapp_youth WHERE case_number LIKE 'SWB-%'")
    cursor.execute("DELETE FROM caseapp_team WHERE name LIKE %s", [TEAM_PREFIX + "%"])
    cursor.execute("DELETE FROM caseapp_agency WHERE code LIKE %s", [AGENCY_PREFIX + "%"])


def one(cursor, sql, params=()):
    cursor.execute(sql, params)
    row = cursor.fetchone()
    if row is None or row[0] is None:
        raise SystemExit(f"The demo data has no row for: {sql}")
    return row[0]


def build(args):
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM missing_reports_missingepisode WHERE status = 'returned'")
        if cursor.fetchone()[0] == 0:
            print("seed_demo --youth 20 (the rows the bench copies) ...", flush=True)
            call_command("seed_demo", "--youth", "20", "--quiet", "--no-logins")
    with transaction.atomic(), connection.cursor() as cursor:
        if args.rebuild:
            delete_bench_rows(cursor)
        agency = one(cursor, "SELECT min(id) FROM caseapp_agency")
        cursor.execute("SELECT count(*) FROM caseapp_agency")
        more = max(0, args.agencies - cursor.fetchone()[0])
        if more:
            clone(cursor, "caseapp_agency", agency, "generate_series(1, %s) g",
                  {"code": f"'{AGENCY_PREFIX}' || g", "name": "'Sweep bench agency ' || g"}, [more])
        team = one(cursor, "SELECT min(id) FROM caseapp_team")
        clone(cursor, "caseapp_team", team, "caseapp_agency a, generate_series(1, %s) k",
              {"agency_id": "a.id", "name": f"'{TEAM_PREFIX}' || k"}, [TEAMS_PER_AGENCY])
        cursor.execute(
            "CREATE TEMP TABLE bench_teams ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id, "
            "agency_id FROM caseapp_team WHERE name LIKE %s",
            [TEAM_PREFIX + "%"],
        )
        teams = one(cursor, "SELECT count(*) FROM bench_teams")
        youth = one(cursor, "SELECT min(id) FROM caseapp_youth WHERE status = 'active'")
        t = time.perf_counter()
        clone(cursor, "caseapp_youth", youth, "generate_series(1, %s) g JOIN bench_teams bt ON bt.rn = g %% %s",
              {"agency_id": "bt.agency_id", "team_id": "bt.id", "case_number": f"'{CASE_PREFIX}' || g"},
              [args.youth, teams])
        y0 = one(cursor, "SELECT min(id) FROM caseapp_youth WHERE case_number LIKE 'SWB-%%'")
        print(f"  {args.youth} youth in {teams} teams: {time.perf_counter() - t:.1f} s", flush=True)
        cursor.execute(
            "CREATE TEMP TABLE bench_youth ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id "
            "FROM caseapp_youth WHERE case_number LIKE 'SWB-%%'"
        )
        cursor.execute("ALTER TABLE bench_youth ADD PRIMARY KEY (rn)")
        episode = one(cursor, "SELECT min(id) FROM missing_reports_missingepisode WHERE status = 'returned'")
        t = time.perf_counter()
        clone(cursor, "missing_reports_missingepisode", episode,
              "generate_series(1, %s) g JOIN bench_youth by ON by.rn = g %% %s",
              {"youth_id": "by.id"}, [args.episodes, args.youth])
        print(f"  {args.episodes} episodes: {time.perf_counter() - t:.1f} s", flush=True)
        e0 = one(cursor, "SELECT max(id) FROM missing_reports_missingepisode") - args.episodes + 1
        cursor.execute(
            "SELECT count(*) FROM missing_reports_missingepisode WHERE id >= %s AND youth_id >= %s", [e0, y0]
        )
        if cursor.fetchone()[0] != args.episodes:
            raise SystemExit("The bench's episode ids are not one run: --rebuild into an empty database.")
        clock = one(
            cursor,
            "SELECT min(id) FROM missing_reports_notification WHERE done_at IS NOT NULL AND disclosure_id IS NULL",
        )
        is_open = f"(g % {OPEN_OVERDUE_EVERY} = 0 OR g % {DUE_SOON_EVERY[0]} IN ({DUE_SOON_EVERY[1]}, "
        is_open += f"{DUE_LATER_EVERY[1]}))"
        escalated = f"(g % {OPEN_OVERDUE_EVERY} = 0 AND g % {NOT_ALERTED_EVERY} <> 0)"
        due = (
            f"CASE WHEN g % {DUE_SOON_EVERY[0]} = {DUE_SOON_EVERY[1]} THEN now() + (g % 240) * interval '1 minute' "
            f"WHEN g % {DUE_LATER_EVERY[0]} = {DUE_LATER_EVERY[1]} THEN now() + interval '1 day' "
            "+ (g % 2880) * interval '1 minute' "
            "ELSE now() - interval '1 hour' - (g % 1000000) * interval '5 minute' END"
        )
        t = time.perf_counter()
        clone(cursor, "missing_reports_notification", clock, "generate_series(1, %s) g", {
            "episode_id": f"{e0} + (g - 1) / 2",
            "event": "'missing'",
            "party": "CASE WHEN g % 2 = 1 THEN 'law_enforcement' ELSE 'ncmec' END",
            "disclosure_id": "NULL",
            "due_at": due,
            "done_at": f"CASE WHEN {is_open} THEN NULL ELSE {due} - interval '1 hour' END",
            "done_by_id": f"CASE WHEN {is_open} THEN NULL ELSE t.done_by_id END",
            "overdue_at": f"CASE WHEN {escalated} THEN {due} + interval '1 minute' ELSE NULL END",
        }, [2 * args.episodes])
        print(f"  {2 * args.episodes} notice clocks: {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        cursor.execute(
            "INSERT INTO missing_reports_escalation (notification_id, stage, created_at, sent_at, recipients) "
            "SELECT n.id, s.stage, n.overdue_at, n.overdue_at, '[\"supervisor@agency.example.org\"]'::jsonb "
            "FROM missing_reports_notification n, (VALUES ('lead_supervisor'), ('overdue')) s(stage) "
            "WHERE n.overdue_at IS NOT NULL AND n.episode_id >= %s",
            [e0],
        )
        claims = cursor.rowcount
        # The open clocks not yet due, as a sweep every minute leaves them: the first-hour stage sent (their runs
        # began long ago); 1 to 4 h before due the caseworker's reminder sent; within 1 h that skipped and the
        # supervisor's sent.
        cursor.execute(
            "INSERT INTO missing_reports_escalation (notification_id, stage, created_at, sent_at, recipients) "
            "SELECT n.id, s.stage, now(), CASE WHEN s.skipped THEN NULL ELSE now() END, "
            "CASE WHEN s.skipped THEN '[\"(skipped)\"]' ELSE '[\"caseworker@agency.example.org\"]' END::jsonb "
            "FROM missing_reports_notification n, (VALUES ('first_hour', 0, false), ('lead_caseworker', 4, false), "
            "('lead_supervisor', 1, false)) s(stage, lead, skipped) "
            "WHERE n.done_at IS NULL AND n.due_at > now() AND n.episode_id >= %s "
            "AND (s.lead = 0 OR n.due_at <= now() + s.lead * interval '1 hour')",
            [e0],
        )
        claims += cursor.rowcount
        cursor.execute(
            "UPDATE missing_reports_escalation e SET sent_at = NULL, recipients = '[\"(skipped)\"]'::jsonb "
            "FROM missing_reports_notification n WHERE e.notification_id = n.id AND e.stage = 'lead_caseworker' "
            "AND n.done_at IS NULL AND n.due_at > now() AND n.due_at <= now() + interval '1 hour' "
            "AND n.episode_id >= %s",
            [e0],
        )
        print(f"  {claims} claim rows: {time.perf_counter() - t:.1f} s", flush=True)
    with connection.cursor() as cursor:
        t = time.perf_counter()
        cursor.execute("ANALYZE")
        print(f"  ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)
    return time.perf_counter() - started


def timings(fn, runs):
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(ms, floor=None):
    figures = {"median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms), "runs": len(ms)}
    if floor:
        figures["ratio_to_floor"] = figures["median_ms"] / floor
    return figures


def measure(args):
    import random

    from django.db import connection, transaction
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from missing_reports import clock_state, escalation
    from missing_reports.models import Notification

    now = timezone.now()
    kinds = (escalation.NOTICE_CLOCKS, escalation.DISCLOSURE_REPORTS)

    def select_1():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    top = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(15)

    def by_pk():
        Notification.objects.filter(pk=rng.randint(1, top)).first()

    planned = {}

    def sweep_pass():
        planned.clear()
        for kind in kinds:
            for clock in escalation.candidates(kind, now):
                stage, _ = escalation.stage_to_alert(kind, clock, now)
                planned[str(stage)] = planned.get(str(stage), 0) + 1

    def before():
        kind = escalation.NOTICE_CLOCKS
        overdue_sent = kind.escalations.objects.filter(
            **{kind.subject_field: OuterRef("pk")}, stage=kind.stages[-1], sent_at__isnull=False
        )
        list(
            kind.model.objects.filter(kind.is_open, clock_state.due_within_q(now, escalation.CANDIDATE_WINDOW))
            .exclude(Exists(overdue_sent))
            .select_related(*kind.select_related)
            .prefetch_related("escalations", *kind.prefetch_related)
            .order_by("due_at", "pk")
        )

    load_before = os.getloadavg()
    print(load(), flush=True)
    timings(select_1, 20)  # warm the connection
    sweep_pass()  # and the caches: a sweep runs every minute
    floor_select = summary(timings(select_1, 200))
    floor_pk = summary(timings(by_pk, 200))
    swept = summary(timings(sweep_pass, args.runs), floor_pk["median_ms"])
    swept["ratio_to_select_1"] = swept["median_ms"] / floor_select["median_ms"]
    pending_planned = dict(planned)
    old = summary(timings(before, max(3, args.runs // 3)), floor_pk["median_ms"])
    # The steady state: the same after the sweep has claimed the pending overdue stages (claim rows and overdue_at
    # written by SQL in a transaction rolled back afterwards), as a sweep a minute later finds them.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH pending AS (UPDATE missing_reports_notification SET overdue_at = %s WHERE done_at IS NULL "
                "AND overdue_at IS NULL AND due_at < %s RETURNING id) "
                "INSERT INTO missing_reports_escalation (notification_id, stage, created_at, sent_at, recipients) "
                "SELECT id, 'overdue', %s, %s, '[]'::jsonb FROM pending ON CONFLICT DO NOTHING",
                [now, now, now, now],
            )
        sweep_pass()
        steady_planned = dict(planned)
        steady = summary(timings(sweep_pass, args.runs), floor_pk["median_ms"])
        transaction.set_rollback(True)
    kind = escalation.NOTICE_CLOCKS
    plan = escalation.candidate_page(kind, now).values_list("due_at", "pk").explain(
        analyze=True, buffers=True
    )
    load_after = os.getloadavg()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE done_at IS NULL), count(*) FILTER "
                       "(WHERE done_at IS NULL AND due_at < now()), count(*) FILTER (WHERE done_at IS NULL "
                       "AND due_at < now() AND overdue_at IS NULL) FROM missing_reports_notification")
        clocks, open_, overdue, not_alerted = cursor.fetchone()
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    return {
        "database": version,
        "clocks": clocks, "open": open_, "open_overdue": overdue, "open_overdue_not_alerted": not_alerted,
        "candidates_planned": pending_planned,
        "load_average_before": load_before, "load_average_after": load_after,
        "floor_select_1": floor_select, "floor_pk_lookup": floor_pk,
        "sweep_pass": swept, "before_candidate_read": old, "steady_sweep_pass": steady,
        "steady_planned": steady_planned,
        "explain": plan,
    }


def main():
    args = parse_args()
    refuse_unless_postgres()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if args.migrate:
        call_command("migrate", verbosity=0)
    build_seconds = None
    with connection.cursor() as cursor:
        ready = built(cursor, args) and not args.rebuild
    if ready:
        print("the dataset is built already (--rebuild to start over)")
    else:
        print(load(), flush=True)
        build_seconds = build(args)
        print(f"built in {build_seconds:.0f} s", flush=True)
    figures = measure(args)
    figures["build_seconds"] = build_seconds
    print()
    print(f"{figures['database']}: {figures['clocks']} notice clocks, {figures['open']} open, "
          f"{figures['open_overdue']} open and overdue, {figures['open_overdue_not_alerted']} of those not alerted")
    print("load average before", figures["load_average_before"], "after", figures["load_average_after"])
    for name in ("floor_select_1", "floor_pk_lookup", "sweep_pass", "before_candidate_read", "steady_sweep_pass"):
        f = figures[name]
        ratio = f" = {f['ratio_to_floor']:.1f}x the pk lookup" if "ratio_to_floor" in f else ""
        print(f"  {name:22} median {f['median_ms']:8.2f} ms (min {f['min_ms']:.2f}, max {f['max_ms']:.2f}, "
              f"{f['runs']} runs){ratio}")
    print("  planned:", figures["candidates_planned"], "steady:", figures["steady_planned"])
    print()
    print(figures["explain"])
    Path(args.json).write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
