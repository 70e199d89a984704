"""Time the episode register export against PostgreSQL's own COPY of the same rows.

Runs against the PostgreSQL database DATABASE_URL names (see bench/README.md). Results are printed,
never asserted: speed is measured here, not in the test run (docs/design.md#speed).

    createdb -h 127.0.0.1 -U postgres caseapp_bench_exports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseapp_bench_exports \\
        .venv/bin/python bench/exports_bench.py --migrate --episodes 1000000

It seeds (once) one bench agency, `bench-exports`, with synthetic youth, placements, missing episodes,
return interviews, structured screenings and risk snapshots, generated inside PostgreSQL
(INSERT ... SELECT generate_series: about a minute for a million episodes). Then, for periods holding
about 100k, 500k and 1M episodes:

  (a) COPY (<the register's own SQL, compiled from its queryset>) TO STDOUT WITH CSV, read through
      psycopg2's copy_expert into a sink that only counts bytes: rows/s;
  (b) the CSV export through the framework (an ExportJob run by exports.services.jobs.run_export in a
      fresh child process, as a worker runs it): rows/s, the process's peak RSS, its RSS when the
      progress reached each 100k rows, and how long until the first progress update; with --with-jit
      also with PostgreSQL's JIT on in its stream (the export turns it off: exports/reports/base.py);
  (c) the XLSX export of the ~100k period, for information.

The ratio (b)/(a) is the target (at least 0.5 at 1M rows; bench/README.md).
"""

# The seed's SQL is built from this file's constants and ids read from the database, never from input.
# ruff: noqa: S608

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseapp.settings")
# The settings these timings were taken with (bench/README.md): DEBUG on unless set, as under make run.
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("PRIVATE_MEDIA_ROOT", os.path.join(tempfile.gettempdir(), "caseapp-bench-exports-media"))

AGENCY_CODE = "bench-exports"
STAFF_USERNAME = "bench.exports.staff"
WORKER_USERNAME = "bench.exports.caseworker"
# Episode i (1-based) of the bench is last seen STEP_MINUTES * (i - 1) after BASE: one every 5 minutes,
# so a period of D days holds about D * 288 episodes; youth y has episodes y, y + Y, y + 2Y, ...
BASE = "2015-01-01 06:00:00+00"
STEP_MINUTES = 5
EPISODES_PER_PLACEMENT = 5
SNAPSHOTS_PER_YOUTH = 10
REGULAR_PLACEMENT_TYPES = (
    "foster_family",
    "relative_kinship",
    "group_home",
    "residential_treatment",
    "shelter",
    "sil",
    "pre_adoptive",
    "trial_home_visit",
    "other",
)
CATEGORIES = ("runaway", "runaway", "whereabouts_unknown", "family_abduction", "nonfamily_abduction")
FOUND = ("", "home_relative", "friend", "street", "motel", "unknown_adult_residence", "vehicle", "hospital")
HOW = ("", "self_returned", "law_enforcement", "caseworker", "caregiver", "other")
FACTORS = (
    "food",
    "shelter",
    "money",
    "family_connection",
    "friends_connection",
    "placement_safety",
    "conflict",
    "trauma_response",
    "school",
    "a_say",
    "substances",
    "other",
)
BANDS = ("monitor", "elevated", "high", "urgent")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000, help="Episodes to seed (default 1000000).")
    parser.add_argument("--youth", type=int, default=50_000, help="Youth they belong to (default 50000).")
    parser.add_argument("--teams", type=int, default=24)
    parser.add_argument(
        "--sizes",
        default="100000,500000,1000000",
        help="Rows of the periods to export (comma separated; each period is the days from the first "
        "episode that hold about that many).",
    )
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each measurement (median shown).")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="Rows of the XLSX run (0: none).")
    parser.add_argument(
        "--only", choices=("copy", "csv", "xlsx"), action="append", default=[], help="Only these measurements."
    )
    parser.add_argument("--migrate", action="store_true", help="Run migrate first.")
    parser.add_argument("--reseed", action="store_true", help="Remove the bench agency's data and seed it again.")
    parser.add_argument(
        "--with-jit",
        action="store_true",
        help="Also time the CSV export with PostgreSQL's JIT on (DATABASE_JIT=true in its process).",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one export in a fresh process: "fmt,start,end[,jit]"
    return parser.parse_args()


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def load():
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database (bench/README.md).")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The exports bench compares with PostgreSQL's COPY: DATABASE_URL must name a PostgreSQL database.")


def uptime():
    with open("/proc/loadavg") as handle:
        return "load average " + " ".join(handle.read().split()[:3])


# --- Seeding ------------------------------------------------------------------------------------------------


def _sql_array(values):
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


def seed(args):
    """The bench agency and its data, generated in PostgreSQL. Does nothing when already seeded."""
    from django.db import connection, transaction

    from caseapp.models import Agency, Role, Team, User
    from missing_reports.models import MissingEpisode

    agency = Agency.objects.filter(code=AGENCY_CODE).first()
    if agency and not args.reseed:
        episodes = MissingEpisode.objects.filter(youth__agency=agency).count()
        print(f"Seed: the bench agency has {episodes:,} episodes already (--reseed to make them again).")
        return agency
    if agency:
        unseed(agency)
    youth_count, episode_count, team_count = args.youth, args.episodes, args.teams
    rounds = -(-episode_count // youth_count)  # episodes per youth, at most
    placements_per_youth = -(-rounds // EPISODES_PER_PLACEMENT)
    # A placement lasts while its youth has EPISODES_PER_PLACEMENT episodes: youth_count * 5 minutes each.
    placement_days = max(1, EPISODES_PER_PLACEMENT * youth_count * STEP_MINUTES // (24 * 60))
    print(
        f"Seed: {episode_count:,} episodes of {youth_count:,} youth in {team_count} teams "
        f"({placements_per_youth} placements of {placement_days} days each per youth) ...",
        flush=True,
    )
    started = time.perf_counter()
    with transaction.atomic():
        agency = Agency.objects.create(
            name="Bench Exports County", code=AGENCY_CODE, state="KS", time_zone="America/Chicago"
        )
        teams = Team.objects.bulk_create(Team(agency=agency, name=f"Bench Team {n + 1:02d}") for n in range(team_count))
        User.objects.create(username=STAFF_USERNAME, agency=agency, role=Role.AGENCY_STAFF, first_name="Bench")
        worker = User.objects.create(username=WORKER_USERNAME, agency=agency, role=Role.CASEWORKER, team=teams[0])
        team_ids = "ARRAY[" + ", ".join(str(team.pk) for team in teams) + "]::bigint[]"
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM caseapp_youth")
            youth0 = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM caseapp_placement")
            placement0 = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM missing_reports_missingepisode")
            episode0 = cursor.fetchone()[0] + 1
            steps = [
                (
                    "youth",
                    f"""
                INSERT INTO caseapp_youth (id, case_number, status, covered_population, legal_status,
                    entered_care_on, legal_first_name, legal_middle_name, legal_last_name, preferred_name, aliases,
                    date_of_birth, sex, gender_identity, races, hispanic_latino, primary_language, eye_color,
                    hair_color, complexion, eyewear, has_braces, scars_marks_tattoos, piercings, ssn, medical_needs,
                    mental_health_needs, medications, medical_notes, version, created_at, updated_at, agency_id,
                    team_id)
                SELECT {youth0} + y, 'BX-' || lpad(y::text, 7, '0'), 'active', 'foster_care', 'temporary_custody',
                    DATE '2014-06-01', 'Bench', '', 'Youth ' || y, '', '', DATE '2004-01-01' + (y % 3650),
                    CASE WHEN y % 2 = 0 THEN 'female' ELSE 'male' END, '', '[]'::jsonb, '', 'English', '', '', '', '',
                    false, '', '', '', '', '', '', '', 1, now(), now(), {agency.pk}, ({team_ids})[1 + y % {team_count}]
                FROM generate_series(0, {youth_count - 1}) AS y""",
                ),
                (
                    "placements",
                    f"""
                INSERT INTO caseapp_placement (id, placement_type, provider_name, provider_phone, address, city, state,
                    postal_code, start_date, end_date, end_reason, notes, version, created_at, youth_id)
                SELECT {placement0} + y * {placements_per_youth} + j,
                    ({_sql_array(REGULAR_PLACEMENT_TYPES)})[1 + (y + j) % {len(REGULAR_PLACEMENT_TYPES)}],
                    CASE WHEN (y + j) % 50 = 0 THEN '=HYPERLINK("http://x","Provider ' || (y % 997) || '")'
                         WHEN (y + j) % 70 = 0 THEN '-Provider ' || (y % 997)
                         ELSE 'Provider ' || (y % 997) END,
                    '', '', '', 'KS', '', DATE '2014-12-01' + j * {placement_days},
                    CASE WHEN j < {placements_per_youth - 1} THEN DATE '2014-12-01' + (j + 1) * {placement_days} END,
                    CASE WHEN j < {placements_per_youth - 1} THEN 'other' ELSE '' END, '', 1, now(), {youth0} + y
                FROM generate_series(0, {youth_count - 1}) AS y, generate_series(0, {placements_per_youth - 1}) AS j""",
                ),
                (
                    "episodes",
                    f"""
                INSERT INTO missing_reports_missingepisode (id, status, category, last_seen_at, last_seen_location,
                    agency_learned_at, reported_by, circumstances, clothing, companions, vehicle, phones_and_accounts,
                    possible_locations, belongings_taken, endangerment, endangerment_notes, returned_at, found_address,
                    found_location_type, found_out_of_county, found_out_of_state, how_located, condition_on_return,
                    returned_with, new_marks_tattoos, living_arrangement_note, version, created_at, created_by_id,
                    placement_id, youth_id, endangerment_reasons, endangerment_unticked, agency_endangerment)
                SELECT {episode0} + i, CASE WHEN e.open THEN 'open' ELSE 'returned' END,
                    ({_sql_array(CATEGORIES)})[1 + i % {len(CATEGORIES)}],
                    e.seen, 'Near the bus station', e.seen + (i % 180) * interval '1 minute', 'Foster parent',
                    '', '', '', '', '', '', '', '[]'::jsonb, '',
                    CASE WHEN NOT e.open THEN e.seen + (1 + (i::bigint * 7919) % 240) * interval '1 hour' END, '',
                    CASE WHEN e.open THEN '' ELSE ({_sql_array(FOUND)})[1 + i % {len(FOUND)}] END, false, false,
                    CASE WHEN e.open THEN '' ELSE ({_sql_array(HOW)})[1 + i % {len(HOW)}] END,
                    '', '[]'::jsonb, '', '', 1, now(), {worker.pk},
                    {placement0} + e.y * {placements_per_youth} + e.k / {EPISODES_PER_PLACEMENT}, {youth0} + e.y,
                    '{{}}'::jsonb, '{{}}'::jsonb, '[]'::jsonb
                FROM generate_series(0, {episode_count - 1}) AS i,
                    LATERAL (SELECT i % {youth_count} AS y, i / {youth_count} AS k,
                        TIMESTAMPTZ '{BASE}' + i * interval '{STEP_MINUTES} minutes' AS seen,
                        (i + {youth_count} >= {episode_count} AND i % 10 = 0) AS open) AS e""",
                ),
                (
                    "return interviews",
                    f"""
                INSERT INTO missing_reports_debrief (interview_at, running_direction, primary_factors,
                    primary_factors_notes, where_stayed, basic_needs, experiences_while_absent, youth_own_words,
                    trafficking_screening_done, screening_not_done_reason, follow_up_adult_name, services_referrals,
                    placement_response, created_at, version, interviewer_id, episode_id)
                SELECT e.returned_at + interval '1 day', 'from',
                    jsonb_build_array(({_sql_array(FACTORS)})[1 + e.id % {len(FACTORS)}])
                        || CASE WHEN e.id % 3 = 0 THEN jsonb_build_array(({_sql_array(FACTORS)})[1 + (e.id / 7) % 12])
                                ELSE '[]'::jsonb END,
                    '', '', '', '', '', (ARRAY['yes', 'no', 'declined'])[1 + e.id % 3],
                    CASE WHEN e.id % 3 = 0 THEN '' ELSE 'Not done at the interview.' END,
                    CASE WHEN e.id % 3 = 2 THEN 'Trusted adult (synthetic)' ELSE '' END, '', '', now(), 1,
                    {worker.pk}, e.id
                FROM missing_reports_missingepisode e
                WHERE e.id >= {episode0} AND e.returned_at IS NOT NULL AND e.id % 5 < 3""",
                ),
                (
                    "structured screenings",
                    f"""
                INSERT INTO risk_screening (conducted_at, no_indicators_found, youth_declined, notes, created_at,
                    conducted_by_id, episode_id, youth_id)
                SELECT coalesce(e.returned_at, e.last_seen_at) + interval '2 days', true, false, '', now(),
                    {worker.pk}, e.id, e.youth_id
                FROM missing_reports_missingepisode e
                WHERE e.id >= {episode0} AND e.id % 3 = 0""",
                ),
                (
                    "risk snapshots",
                    f"""
                INSERT INTO risk_risksnapshot (computed_at, score, band, reasons, flags, capped, band_raised_by,
                    settings_used, result_hash, trigger, youth_id)
                SELECT TIMESTAMPTZ '2015-06-01 12:00:00+00' + s * interval '1 year' + y * interval '1 minute',
                    (y + s) % 20, ({_sql_array(BANDS)})[1 + (y + s) % 4], '[]'::jsonb, '[]'::jsonb, '{{}}'::jsonb, '',
                    '{{}}'::jsonb, md5(y::text || '-' || s), 'bench', {youth0} + y
                FROM generate_series(0, {youth_count - 1}) AS y, generate_series(0, {SNAPSHOTS_PER_YOUTH - 1}) AS s
                WHERE y % 4 <> 3""",
                ),
            ]
            for label, sql in steps:
                elapsed, _ = timed(lambda sql=sql: cursor.execute(sql))
                print(f"  {label}: {cursor.rowcount:,} rows in {elapsed:.1f} s", flush=True)
            for table in ("caseapp_youth", "caseapp_placement", "missing_reports_missingepisode"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    elapsed, _ = timed(lambda: connection.cursor().execute("ANALYZE"))
    print(f"Seed done in {time.perf_counter() - started:.1f} s (ANALYZE {elapsed:.1f} s).", flush=True)
    return agency


def unseed(agency):
    from django.db import connection, transaction

    print("Removing the bench agency's data ...", flush=True)
    youth = f"SELECT id FROM caseapp_youth WHERE agency_id = {agency.pk}"
    episodes = f"SELECT id FROM missing_reports_missingepisode WHERE youth_id IN ({youth})"
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in (
            f"DELETE FROM risk_screening WHERE youth_id IN ({youth})",
            f"DELETE FROM risk_risksnapshot WHERE youth_id IN ({youth})",
            f"DELETE FROM missing_reports_debrief WHERE episode_id IN ({episodes})",
            f"DELETE FROM missing_reports_missingepisode WHERE youth_id IN ({youth})",
            f"DELETE FROM caseapp_placement WHERE youth_id IN ({youth})",
            f"DELETE FROM caseapp_youth WHERE agency_id = {agency.pk}",
            f"DELETE FROM exports_exportjob WHERE agency_id = {agency.pk}",
            f"DELETE FROM caseapp_auditevent WHERE agency_id = {agency.pk}",
            f"DELETE FROM caseapp_user WHERE agency_id = {agency.pk}",
            f"DELETE FROM caseapp_team WHERE agency_id = {agency.pk}",
            f"DELETE FROM caseapp_agency WHERE id = {agency.pk}",
        ):
            cursor.execute(sql)


# --- Measuring ----------------------------------------------------------------------------------------------


def periods(agency, sizes):
    """For each size, (first day, last day) in the agency's zone of a period from the first episode holding
    about that many episodes."""
    import datetime

    first = datetime.date(2015, 1, 1)
    days = {size: max(1, -(-size * STEP_MINUTES // 1440)) for size in sizes}
    return {size: (first, first + datetime.timedelta(days=days[size] - 1)) for size in sizes}


def report_query(agency, start, end):
    from django.utils import timezone

    from caseapp.models import User
    from exports.reports.base import ExportFilters, ReportQuery

    return ReportQuery(
        agency=agency,
        user=User.objects.get(username=STAFF_USERNAME),
        filters=ExportFilters(period_start=start, period_end=end),
        as_of=timezone.now(),
    )


def register_sql(query):
    """The SQL the register runs for `query`, with its parameters bound by psycopg2."""
    from django.db import connection

    from exports import reports

    sql, params = reports.get("episode-register").values(query).query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.cursor.mogrify(sql, params).decode()


class _Sink:
    """Where COPY writes: counts bytes and lines, keeps nothing."""

    def __init__(self):
        self.bytes = 0
        self.lines = 0

    def write(self, data):
        self.bytes += len(data)
        self.lines += data.count(b"\n") if isinstance(data, bytes) else data.count("\n")


def time_copy(query):
    from django.db import connection

    sql = register_sql(query)
    sink = _Sink()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        elapsed, _ = timed(lambda: cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH CSV", sink, size=65536))
    return {"rows": sink.lines, "seconds": elapsed, "bytes": sink.bytes}


def run_child(fmt, start, end, jit=False):
    """In a fresh process: one export job through exports.services.jobs.run_export, as a worker runs it."""
    import datetime

    from caseapp.models import Agency, User
    from exports.models import ExportJob, ExportStatus
    from exports.reports.base import ExportFilters
    from exports.services import jobs as services

    agency = Agency.objects.get(code=AGENCY_CODE)
    user = User.objects.get(username=STAFF_USERNAME)
    day = datetime.date.fromisoformat
    filters = ExportFilters(period_start=day(start), period_end=day(end))
    job = ExportJob.objects.create(
        agency=agency, requested_by=user, report="episode-register", format=fmt, filters=filters.to_json()
    )
    page = os.sysconf("SC_PAGE_SIZE")
    progress = []  # (seconds since the run started, rows done, RSS in bytes) at each progress update
    original = services._heartbeat
    started = None

    def heartbeat(job, claim, **fields):
        with open("/proc/self/statm") as handle:
            rss = int(handle.read().split()[1]) * page
        progress.append((time.perf_counter() - started, fields.get("rows_done", 0), rss))
        return original(job, claim, **fields)

    services._heartbeat = heartbeat
    cpu = time.process_time()
    started = time.perf_counter()
    job = services.run_export(job.pk)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if job.status != ExportStatus.READY:
        raise SystemExit(f"The export failed: {job.error}")
    size = job.file.size
    job.file.delete(save=False)
    ExportJob.objects.filter(pk=job.pk).delete()
    first = next((seconds for seconds, rows, _ in progress if rows > 0), None)
    print(
        json.dumps(
            {
                "rows": job.row_count,
                "seconds": elapsed,
                "cpu": cpu,
                "bytes": size,
                "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "first_progress": first,
                "counted": progress[0][0] if progress else None,
                "progress": [(rows, rss) for _, rows, rss in progress],
            }
        )
    )


def time_export(fmt, start, end, jit=False):
    command = [sys.executable, __file__, "--child", f"{fmt},{start},{end}" + (",jit" if jit else "")]
    # PostgreSQL's JIT is off for the app's connections unless DATABASE_JIT (caseapp/settings.py).
    env = {**os.environ, "DATABASE_JIT": "true" if jit else "false"}
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout  # noqa: S603
    return json.loads(output.strip().splitlines()[-1])


def mb(value):
    return f"{value / 1e6:.0f} MB"


def measure(args, agency):
    sizes = [int(size) for size in args.sizes.split(",") if size]
    only = set(args.only) or {"copy", "csv", "xlsx"}
    results = {}
    for size, (start, end) in periods(agency, sizes).items():
        query = report_query(agency, start, end)
        print(f"\nPeriod {start} to {end} (~{size:,} episodes), {args.repeat} runs each, median shown", flush=True)
        # Round by round (COPY, then the export with JIT on if asked, then the export), so a burst of load from
        # other work lands on each alike; each round's export / COPY ratio is printed, and the medians.
        rates = {"copy": [], "jit": [], "csv": []}
        for _ in range(args.repeat):
            if "copy" in only:
                load_before = uptime()
                run = time_copy(query)
                rates["copy"].append(run["rows"] / run["seconds"])
                print(f"  COPY: {run['rows']:,} rows in {run['seconds']:.2f} s ({load_before})", flush=True)
            if "csv" in only and args.with_jit:
                load_before = uptime()
                run = time_export("csv", start, end, jit=True)
                rates["jit"].append(run["rows"] / run["seconds"])
                print(
                    f"  CSV export, JIT on: {run['rows']:,} rows in {run['seconds']:.2f} s (CPU {run['cpu']:.1f} s) "
                    f"({load_before})",
                    flush=True,
                )
            if "csv" in only:
                load_before = uptime()
                run = time_export("csv", start, end)
                rates["csv"].append(run["rows"] / run["seconds"])
                at = ", ".join(
                    f"{rows // 1000}k: {mb(rss)}" for rows, rss in run["progress"] if rows and rows % 100_000 == 0
                )
                print(
                    f"  CSV export: {run['rows']:,} rows in {run['seconds']:.2f} s (CPU {run['cpu']:.1f} s), "
                    f"{mb(run['bytes'])} file, peak RSS {mb(run['maxrss'])}, count {run['counted']:.2f} s, "
                    f"first progress {run['first_progress'] or 0:.2f} s ({load_before})",
                    flush=True,
                )
                if at:
                    print(f"    RSS at progress: {at}", flush=True)
            if rates["copy"] and rates["csv"]:
                print(f"    this round: export / COPY {rates['csv'][-1] / rates['copy'][-1]:.2f}", flush=True)
        copy_rate = statistics.median(rates["copy"]) if rates["copy"] else None
        csv_rate = statistics.median(rates["csv"]) if rates["csv"] else None
        jit_rate = statistics.median(rates["jit"]) if rates["jit"] else None
        for name, rate in (("COPY", copy_rate), ("CSV export, JIT on,", jit_rate), ("CSV export", csv_rate)):
            if rate:
                print(f"  {name} median: {rate:,.0f} rows/s", flush=True)
        if copy_rate and csv_rate:
            print(f"  ratio CSV export / COPY: {csv_rate / copy_rate:.2f}", flush=True)
        if copy_rate and jit_rate:
            print(f"  ratio CSV export with JIT on / COPY: {jit_rate / copy_rate:.2f}", flush=True)
        results[size] = (copy_rate, csv_rate)
    if "xlsx" in only and args.xlsx_rows:
        ((start, end),) = periods(agency, [args.xlsx_rows]).values()
        print(f"\nXLSX, period {start} to {end} (~{args.xlsx_rows:,} episodes)", flush=True)
        runs = []
        for _ in range(args.repeat):
            load_before = uptime()
            run = time_export("xlsx", start, end)
            runs.append(run["rows"] / run["seconds"])
            print(
                f"  XLSX export: {run['rows']:,} rows in {run['seconds']:.2f} s (CPU {run['cpu']:.1f} s), "
                f"{mb(run['bytes'])} file, peak RSS {mb(run['maxrss'])} ({load_before})",
                flush=True,
            )
        print(f"  XLSX export median: {statistics.median(runs):,.0f} rows/s", flush=True)
    return results


def main():
    args = parse_args()
    load()
    if args.child:
        fmt, start, end, *jit = args.child.split(",")
        run_child(fmt, start, end, jit=bool(jit))
        return
    from django.conf import settings
    from django.core.management import call_command
    from seed_bench import describe_database

    print(f"Database: {describe_database()}; DEBUG {settings.DEBUG}; {uptime()}")
    if args.migrate:
        elapsed, _ = timed(lambda: call_command("migrate", verbosity=0))
        print(f"migrate: {elapsed:.1f} s")
    agency = seed(args)
    measure(args, agency)


if __name__ == "__main__":
    main()
