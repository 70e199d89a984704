"""The statewide bench dataset: 5 agencies, 200 teams, 2,000 staff, 100,000 youth, 1,000,000 missing episodes.

PostgreSQL only, in the database BENCH_DATABASE_URL names (it refuses any database whose name does not contain
"bench", so the development and CI databases are never touched; it is created when missing). `make bench` builds it
through `bench/run.py`; on its own:

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_statewide .venv/bin/python bench/statewide.py
    ... --youth 2000 --episodes 20000 --teams 20   # a small one (what BENCH_QUICK=1 builds)
    ... --reseed                                    # drop the database and build it again

Every row is generated inside PostgreSQL (INSERT ... SELECT over generate_series), each a copy of a row
`seed_demo` made (sweep_bench.clone: the columns come from the catalogue, the values from the template, the
bench's own values put in), so the rows keep the real tables' constraints and whatever columns the app adds later
without this file naming them. A second run finds the dataset and does nothing.

  agencies      5, each in its own time zone (copies of the demo agency, so its settings are real ones)
  teams         --teams (200), spread evenly over the agencies
  staff         per team 8 caseworkers and 1 supervisor; per agency 30 agency staff and 10 agency admins:
                2,000 at 200 teams. One password for all (BENCH_PASSWORD, hashed once with Django's hasher), and
                for the roles that must have a second factor (caseapp.two_factor.ALWAYS_REQUIRED_ROLES) a
                confirmed authenticator with the known key BENCH_TOTP_KEY, so the load client computes the code
                as the app checks it (django_otp.oath.totp).
  youth         --youth (100,000), spread evenly over the teams, each assigned to one caseworker of its team;
                names drawn from small lists so a surname prefix or part of a first name matches hundreds;
                1 in 20 exited
  placements    3 per youth, the last one current
  episodes      --episodes (1,000,000): youth 0 of the first team (case number SW-0000000) has 50, the rest are
                spread over the other youth over 8 years; 1 youth in 40 has an open episode (gone within the last
                10 days), the rest returned. With 2 notice clocks each (law enforcement, NCMEC): done for the
                returned ones; for the open ones half done, half open, most of those overdue.
  return interviews  3 in 5 returned episodes; a structured screening for every return but a third of those of
                the last 60 days (the screenings still to do); a recent photo for 9 youth in 10
  risk          2 observations and 1 snapshot per youth; an open review item for 1 youth in 10
  ANALYZE at the end.

Kept as plain constants so the load test (bench/locustfile.py) can name the accounts and records it uses.
"""

# The SQL is built from this file's constants and ids read from the database, never from input.
# ruff: noqa: S608

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BENCH_PASSWORD = "bench-statewide-password-1"
# The authenticator key of every bench account that has one (hex, 20 bytes, as django_otp stores it).
BENCH_TOTP_KEY = "3132333435363738393031323334353637383930"
AGENCIES = (
    ("sw1", "Statewide Bench East Region", "America/New_York"),
    ("sw2", "Statewide Bench Central Region", "America/Chicago"),
    ("sw3", "Statewide Bench Mountain Region", "America/Denver"),
    ("sw4", "Statewide Bench Desert Region", "America/Phoenix"),
    ("sw5", "Statewide Bench Pacific Region", "America/Los_Angeles"),
)
CASEWORKERS_PER_TEAM = 8
AGENCY_STAFF_PER_AGENCY = 30
AGENCY_ADMINS_PER_AGENCY = 10
KNOWN_YOUTH_CASE = "SW-0000000"
KNOWN_YOUTH_EPISODES = 50
OPEN_EVERY = 40  # 1 youth in 40 is missing now
REVIEW_EVERY = 10  # 1 youth in 10 has an open review item
YEARS = 8
FIRST_NAMES = (
    "Jordan", "Taylor", "Alex", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Skyler", "Dakota", "Reese",
    "Emerson", "Rowan", "Hayden", "Kendall", "Logan", "Parker", "Sawyer", "Cameron", "Aaliyah", "Brianna", "Destiny",
    "Gabriela", "Jasmine", "Kayla", "Mariana", "Nevaeh", "Savannah", "Ximena", "Andre", "DeShawn", "Elijah", "Isaiah",
    "Jamal", "Malik", "Mateo", "Santiago", "Tyrone", "Xavier", "Christopher", "Christina", "Kristen", "Kristopher",
)
SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker",
    "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz",
    "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers",
    "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox",
    "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz",
    "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
)
PLACEMENT_TYPES = (
    "foster_family", "relative_kinship", "group_home", "residential_treatment", "shelter", "sil", "pre_adoptive",
    "foster_family", "relative_kinship", "other",
)


def caseworker_username(agency, team, n):
    """Caseworker n (1..8) of team `team` (1-based within its agency) of agency index `agency` (1..5)."""
    return f"sw{agency}.t{team:02d}.cw{n}"


def supervisor_username(agency, team):
    return f"sw{agency}.t{team:02d}.sup"


def staff_username(agency, n):
    return f"sw{agency}.staff{n:02d}"


def admin_username(agency, n):
    return f"sw{agency}.admin{n:02d}"


# --- The database -------------------------------------------------------------------------------------------


def database_url():
    """BENCH_DATABASE_URL, refused unless it names a PostgreSQL database with "bench" in its name."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme not in ("postgres", "postgresql") or not name:
        sys.exit("Set BENCH_DATABASE_URL=postgres://.../bench_<name>: the statewide bench runs on PostgreSQL only.")
    if "bench" not in name or name.startswith("test_"):
        sys.exit(f"BENCH_DATABASE_URL names {name!r}: the bench only uses a database with 'bench' in its name, never "
                 "the development or CI databases.")
    return url


def _maintenance(url, sql_fn):
    import psycopg2

    parsed = urlparse(url)
    connection = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, password=parsed.password,
        dbname="postgres",
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            return sql_fn(cursor, parsed.path.lstrip("/"))
    finally:
        connection.close()


def ensure_database(url, drop=False):
    """Create the bench database when missing (after dropping it with drop=True). Returns whether it was created."""
    def work(cursor, name):
        if drop:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                           "AND pid <> pg_backend_pid()", [name])
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone():
            return False
        cursor.execute(f'CREATE DATABASE "{name}"')
        return True

    return _maintenance(url, work)


def setup_django(url, settings_module="caseapp.settings"):
    """Point Django at the bench database and set it up (DEBUG off unless set, as the server runs)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret-0123456789abcdefghijklmnopqrstuvwxyz-statewide")
    import django

    django.setup()


# --- The build ----------------------------------------------------------------------------------------------


def present(cursor, youth):
    cursor.execute("SELECT to_regclass('caseapp_youth') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SELECT count(*) FROM caseapp_youth WHERE case_number LIKE 'SW-%%'")
    return cursor.fetchone()[0] == youth


def _array(values):
    return "ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def record_created(cursor, table, where):
    """The history row django-simple-history writes when a record is created ("+"), for each row of `table`
    matching `where` (the youth page's change history starts there, as for seed_demo's youth)."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    base = {row[0] for row in cursor.fetchall()}
    history_table = table.replace("_", "_historical", 1)
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'history_id' "
        "ORDER BY ordinal_position",
        [history_table],
    )
    extras = {"history_date": "b.created_at", "history_change_reason": "NULL", "history_type": "'+'",
              "history_user_id": "NULL"}
    cols = [row[0] for row in cursor.fetchall()]
    values = [f'b."{c}"' if c in base else extras[c] for c in cols]
    cursor.execute(
        f'INSERT INTO {history_table} ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
        f"SELECT {', '.join(values)} FROM {table} b WHERE {where}"
    )
    return cursor.rowcount


def build(youth=100_000, episodes=1_000_000, teams=200, log=print, migrate=True):
    """Build the dataset in the database Django is set up on unless it is there. Returns the seconds it took, or
    None when it was there already."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from sweep_bench import clone, one

    if teams % len(AGENCIES) or youth < 2 * teams or episodes < youth + KNOWN_YOUTH_EPISODES:
        raise SystemExit("--teams must be a multiple of 5, --youth at least 2 per team, --episodes above --youth + 50.")
    started = time.perf_counter()
    if migrate:
        call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        if present(cursor, youth):
            log(f"statewide: the dataset is there ({youth:,} youth); --reseed builds it again")
            return None
        cursor.execute("SELECT count(*) FROM caseapp_youth WHERE case_number LIKE 'SW-%%'")
        if cursor.fetchone()[0]:
            raise SystemExit("The bench database holds a statewide dataset of another size: --reseed.")
        cursor.execute("SELECT count(*) FROM missing_reports_debrief")
        if cursor.fetchone()[0] == 0:
            log("statewide: seed_demo --youth 40 (the rows the bench copies) ...")
            call_command("seed_demo", "--youth", "40", "--quiet", "--no-logins")
    password = make_password(BENCH_PASSWORD)
    per_agency = teams // len(AGENCIES)
    other_youth = youth - 1
    spread = episodes - KNOWN_YOUTH_EPISODES  # the episodes of every youth but the known one

    def step(label, fn):
        t = time.perf_counter()
        rows = fn()
        log(f"  {label}: {rows:,} rows in {time.perf_counter() - t:.1f} s")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        template = {
            "agency": one(cursor, "SELECT min(id) FROM caseapp_agency"),
            "team": one(cursor, "SELECT min(id) FROM caseapp_team"),
            "user": one(cursor, "SELECT min(id) FROM caseapp_user WHERE role = 'caseworker'"),
            "device": one(cursor, "SELECT min(id) FROM otp_totp_totpdevice"),
            "youth": one(cursor, "SELECT min(id) FROM caseapp_youth WHERE status = 'active'"),
            "placement": one(cursor, "SELECT min(id) FROM caseapp_placement WHERE end_date IS NOT NULL"),
            "episode": one(cursor, "SELECT min(id) FROM missing_reports_missingepisode WHERE status = 'returned'"),
            "clock": one(cursor, "SELECT min(id) FROM missing_reports_notification WHERE done_at IS NOT NULL "
                                 "AND disclosure_id IS NULL AND reference <> ''"),
            "debrief": one(cursor, "SELECT min(id) FROM missing_reports_debrief"),
            "observation": one(cursor, "SELECT min(id) FROM risk_observation WHERE retracted_at IS NULL"),
            "snapshot": one(cursor, "SELECT min(id) FROM risk_risksnapshot"),
            "review": one(cursor, "SELECT min(id) FROM risk_reviewitem WHERE status = 'open'"),
        }
        agencies_sql = "(VALUES " + ", ".join(
            f"({n + 1}, '{code}', '{name}', '{zone}')" for n, (code, name, zone) in enumerate(AGENCIES)
        ) + ") AS a(n, code, name, zone)"
        step("agencies", lambda: clone(cursor, "caseapp_agency", template["agency"], agencies_sql, {
            "code": "a.code", "name": "a.name", "time_zone": "a.zone", "require_two_factor_for_caseworkers": "false",
            # The longest idle time the agency setting allows: an account waits while other pages are measured.
            "session_idle_minutes": "720",
        }))
        cursor.execute(
            "CREATE TEMP TABLE sw_agency ON COMMIT DROP AS SELECT substr(code, 3)::int AS n, id FROM caseapp_agency "
            "WHERE code LIKE 'sw_'"
        )
        step("teams", lambda: clone(
            cursor, "caseapp_team", template["team"], f"sw_agency a, generate_series(1, {per_agency}) k",
            {"agency_id": "a.id", "name": "'Team ' || lpad(k::text, 2, '0')"},
        ))
        # Team rn (0-based, statewide) is team k = rn / 5 + 1 of agency n = rn % 5 + 1: youth g belongs to team g % T.
        cursor.execute(
            "CREATE TEMP TABLE sw_team ON COMMIT DROP AS SELECT (substr(t.name, 6)::int - 1) * 5 + a.n - 1 AS rn, "
            "a.n AS agency_n, substr(t.name, 6)::int AS k, t.id, t.agency_id FROM caseapp_team t "
            "JOIN sw_agency a ON a.id = t.agency_id"
        )
        cursor.execute("ALTER TABLE sw_team ADD PRIMARY KEY (rn)")
        user_common = {"password": f"'{password}'", "last_login": "NULL", "is_superuser": "false",
                       "is_staff": "false", "is_active": "true", "date_joined": "now()", "phone": "''",
                       "mobile_phone": "''"}
        step("caseworkers and supervisors", lambda: clone(
            cursor, "caseapp_user", template["user"], f"sw_team tm, generate_series(0, {CASEWORKERS_PER_TEAM}) c", {
                **user_common,
                "username": "'sw' || tm.agency_n || '.t' || lpad(tm.k::text, 2, '0') || CASE WHEN c = 0 THEN '.sup' "
                            "ELSE '.cw' || c END",
                "first_name": f"({_array(FIRST_NAMES)})[1 + (tm.rn * 9 + c) % {len(FIRST_NAMES)}]",
                "last_name": "'Bench' || tm.rn",
                "email": "'sw' || tm.agency_n || '.t' || tm.k || '.' || c || '@bench.example.org'",
                "role": "CASE WHEN c = 0 THEN 'supervisor' ELSE 'caseworker' END",
                "agency_id": "tm.agency_id", "team_id": "tm.id",
            }))
        step("agency staff and admins", lambda: clone(
            cursor, "caseapp_user", template["user"],
            f"sw_agency a, generate_series(1, {AGENCY_STAFF_PER_AGENCY + AGENCY_ADMINS_PER_AGENCY}) s", {
                **user_common,
                "username": f"'sw' || a.n || CASE WHEN s <= {AGENCY_STAFF_PER_AGENCY} "
                            "THEN '.staff' || lpad(s::text, 2, '0') "
                            f"ELSE '.admin' || lpad((s - {AGENCY_STAFF_PER_AGENCY})::text, 2, '0') END",
                "first_name": f"({_array(FIRST_NAMES)})[1 + s % {len(FIRST_NAMES)}]",
                "last_name": "'Bench Office ' || a.n",
                "email": "'sw' || a.n || '.office' || s || '@bench.example.org'",
                "role": f"CASE WHEN s <= {AGENCY_STAFF_PER_AGENCY} THEN 'agency_staff' ELSE 'agency_admin' END",
                "agency_id": "a.id", "team_id": "NULL",
            }))
        cursor.execute(
            "INSERT INTO caseapp_team_supervisors (team_id, user_id) SELECT t.id, u.id FROM caseapp_user u "
            "JOIN sw_team t ON t.id = u.team_id WHERE u.role = 'supervisor' AND u.username LIKE 'sw%%'"
        )
        step("authenticators", lambda: clone(
            cursor, "otp_totp_totpdevice", template["device"],
            "(SELECT id FROM caseapp_user WHERE username LIKE 'sw%%' AND role IN ('supervisor', 'agency_staff', "
            "'agency_admin')) u",
            {"user_id": "u.id", "name": "'Bench authenticator'", "confirmed": "true", "key": f"'{BENCH_TOTP_KEY}'",
             "last_t": "-1", "drift": "0", "throttling_failure_count": "0", "throttling_failure_timestamp": "NULL",
             "last_used_at": "NULL", "created_at": "now()"},
        ))
        cursor.execute(
            "CREATE TEMP TABLE sw_caseworker ON COMMIT DROP AS SELECT t.rn, substr(u.username, "
            "length(u.username))::int AS c, u.id FROM caseapp_user u JOIN sw_team t ON t.id = u.team_id "
            "WHERE u.role = 'caseworker' AND u.username LIKE 'sw%%'"
        )
        cursor.execute("ALTER TABLE sw_caseworker ADD PRIMARY KEY (rn, c)")
        step("youth", lambda: clone(
            cursor, "caseapp_youth", template["youth"], f"generate_series(0, {youth - 1}) g JOIN sw_team tm "
            f"ON tm.rn = g %% {teams}", {
                "agency_id": "tm.agency_id", "team_id": "tm.id", "case_number": "'SW-' || lpad(g::text, 7, '0')",
                "status": "CASE WHEN g % 20 = 19 THEN 'exited' ELSE 'active' END",
                "exited_on": "CASE WHEN g % 20 = 19 THEN current_date - (g % 300) END",
                "legal_first_name": f"({_array(FIRST_NAMES)})[1 + (g * 7) % {len(FIRST_NAMES)}]",
                "legal_middle_name": "''",
                "legal_last_name": f"({_array(SURNAMES)})[1 + (g / 7 + g * 13) % {len(SURNAMES)}]",
                "preferred_name": "''", "aliases": "''",
                "date_of_birth": "current_date - 365 * 6 - (g * 37) % (365 * 14)",
                "entered_care_on": f"current_date - 365 * {YEARS} - 30 + (g % 200)",
                "sex": "CASE WHEN g % 2 = 0 THEN 'female' ELSE 'male' END",
                "ssn": "''", "version": "1", "created_at": "now()", "updated_at": "now()",
            }))
        cursor.execute(
            "CREATE TEMP TABLE sw_youth ON COMMIT DROP AS SELECT substr(case_number, 4)::int AS g, id, team_id "
            "FROM caseapp_youth WHERE case_number LIKE 'SW-%%'"
        )
        cursor.execute("ALTER TABLE sw_youth ADD PRIMARY KEY (g)")
        step("caseworker assignments", lambda: cursor.execute(
            "INSERT INTO caseapp_youth_assigned_caseworkers (youth_id, user_id) SELECT y.id, c.id FROM sw_youth y "
            f"JOIN sw_caseworker c ON c.rn = y.g % {teams} AND c.c = 1 + (y.g / {teams}) % {CASEWORKERS_PER_TEAM}"
        ) or cursor.rowcount)
        # Placement j (0..2) of a youth covers the j-th third of the 8 years; the last one is current.
        third = 365 * YEARS // 3
        step("placements", lambda: clone(
            cursor, "caseapp_placement", template["placement"], "sw_youth y, generate_series(0, 2) j", {
                "youth_id": "y.id",
                "placement_type": f"({_array(PLACEMENT_TYPES)})[1 + (y.g + j * 3) % {len(PLACEMENT_TYPES)}]",
                "provider_name": "'Provider ' || (y.g * 3 + j) % 4999",
                "start_date": f"current_date - {365 * YEARS} + j * {third}",
                "end_date": f"CASE WHEN j < 2 THEN current_date - {365 * YEARS} + (j + 1) * {third} END",
                "end_reason": "CASE WHEN j < 2 THEN 'other' ELSE '' END",
                "version": "1", "created_at": "now()",
            }))
        step("youth and placement history (created)", lambda: record_created(
            cursor, "caseapp_youth", "b.case_number LIKE 'SW-%'"
        ) + record_created(cursor, "caseapp_placement", "b.youth_id IN (SELECT id FROM sw_youth)"))
        cursor.execute(
            "CREATE TEMP TABLE sw_placement ON COMMIT DROP AS SELECT y.g, row_number() OVER (PARTITION BY p.youth_id "
            "ORDER BY p.start_date) - 1 AS j, p.id FROM caseapp_placement p JOIN sw_youth y ON y.id = p.youth_id"
        )
        cursor.execute("ALTER TABLE sw_placement ADD PRIMARY KEY (g, j)")
        # Episode i: the first `spread` belong to youth 1 + i % (Y - 1) in time order over the 8 years; the last 50
        # to youth 0. A youth's last episode is open when the youth is one in OPEN_EVERY (and active): gone within
        # the last 10 days.
        last_round = f"(i + {other_youth} >= {spread})"
        step("episodes", lambda: clone(
            cursor, "missing_reports_missingepisode", template["episode"],
            f"generate_series(0, {episodes - 1}) i, LATERAL (SELECT "
            f"CASE WHEN i < {spread} THEN 1 + i %% {other_youth} ELSE 0 END AS g, "
            f"CASE WHEN i < {spread} THEN now() - interval '{YEARS} years' "
            f"+ i * ((interval '{YEARS} years' - interval '10 days') / {spread}) "
            f"ELSE now() - interval '{YEARS} years' + (i - {spread}) * interval '{YEARS * 365 // 51} days' END "
            "AS t) e0, "
            f"LATERAL (SELECT e0.g, {last_round} AND e0.g %% {OPEN_EVERY} = 1 AND e0.g %% 20 <> 19 AS open, "
            f"CASE WHEN {last_round} AND e0.g %% {OPEN_EVERY} = 1 AND e0.g %% 20 <> 19 "
            "THEN now() - (e0.g %% 2880) * interval '5 minutes' ELSE e0.t END AS seen) e "
            "JOIN sw_youth y ON y.g = e.g "
            f"JOIN sw_placement p ON p.g = e.g AND p.j = least(2, floor(extract(epoch FROM e.seen - (now() - "
            f"interval '{YEARS} years')) / {third * 86400})::int)", {
                "youth_id": "y.id", "placement_id": "p.id",
                "status": "CASE WHEN e.open THEN 'open' ELSE 'returned' END",
                "last_seen_at": "e.seen",
                "agency_learned_at": "e.seen + (i % 180) * interval '1 minute'",
                "located_at": "NULL",
                "returned_at": "CASE WHEN NOT e.open "
                               "THEN e.seen + (1 + (i::bigint * 7919) % 120) * interval '1 hour' END",
                "created_at": "e.seen", "version": "1",
                "created_by_id": f"(SELECT c.id FROM sw_caseworker c WHERE c.rn = e.g % {teams} AND c.c = 1)",
            }))
        cursor.execute(
            "CREATE TEMP TABLE sw_episode ON COMMIT DROP AS SELECT e.id, e.status, e.agency_learned_at, e.returned_at, "
            f"c.id AS worker FROM missing_reports_missingepisode e JOIN sw_youth y ON y.id = e.youth_id "
            f"JOIN sw_caseworker c ON c.rn = y.g % {teams} AND c.c = 1 + (y.g / {teams}) % {CASEWORKERS_PER_TEAM}"
        )
        # Two clocks an episode, due 24 h after the agency learned of the run: done for returned runs; for open
        # ones half done, the others open (overdue unless the run began within the last day).
        step("notice clocks", lambda: clone(
            cursor, "missing_reports_notification", template["clock"],
            "sw_episode e, (VALUES ('law_enforcement'), ('ncmec')) AS p(party)", {
                "episode_id": "e.id", "event": "'missing'", "party": "p.party", "disclosure_id": "NULL",
                "due_at": "e.agency_learned_at + interval '24 hours'", "rule_hours": "24",
                "rule_source": "'Federal: within 24 hours'",
                "done_at": "CASE WHEN e.status = 'returned' OR e.id % 2 = 0 THEN e.agency_learned_at "
                           "+ (1 + e.id % 20) * interval '1 hour' END",
                "done_by_id": "CASE WHEN e.status = 'returned' OR e.id % 2 = 0 THEN e.worker END",
                "reference": "CASE WHEN e.status = 'returned' OR e.id % 2 = 0 THEN 'SW-' || p.party || '-' || e.id "
                             "ELSE '' END",
                "explanation": "''",
                "overdue_at": "NULL", "version": "1",
            }))
        step("return interviews", lambda: clone(
            cursor, "missing_reports_debrief", template["debrief"],
            "(SELECT * FROM sw_episode WHERE status = 'returned' AND id %% 5 < 3) e", {
                "episode_id": "e.id", "interview_at": "e.returned_at + interval '1 day'", "interviewer_id": "e.worker",
                "trafficking_screening_done": "CASE WHEN e.id % 4 = 0 THEN 'no' ELSE 'yes' END",
                "screening_not_done_reason": "CASE WHEN e.id % 4 = 0 THEN 'Not done at the interview.' ELSE '' END",
                "follow_up_adult_id": "NULL", "follow_up_adult_name": "''",
                "created_at": "e.returned_at + interval '1 day'", "version": "1",
            }))
        # Every return is screened (a structured screening: risk/screened.py) but a third of those of the last 60
        # days, which are the screenings still to do on My work.
        step("structured screenings", lambda: cursor.execute(
            "INSERT INTO risk_screening (conducted_at, no_indicators_found, youth_declined, notes, created_at, "
            "conducted_by_id, episode_id, youth_id) SELECT e.returned_at + interval '2 days', true, false, '', now(), "
            "e.worker, e.id, m.youth_id FROM sw_episode e JOIN missing_reports_missingepisode m ON m.id = e.id "
            "WHERE e.status = 'returned' AND (e.returned_at < now() - interval '60 days' OR e.id % 3 <> 0)"
        ) or cursor.rowcount)
        # 9 youth in 10 have a recent photo (the others are on My work for one); the file itself is not read by
        # the measured pages.
        step("photos", lambda: cursor.execute(
            "INSERT INTO caseapp_youthphoto (youth_id, image, width, height, content_type, taken_on, caption, "
            "uploaded_by_id, uploaded_at) SELECT y.id, 'youth_photos/bench/' || y.g || '.jpg', 600, 800, "
            "'image/jpeg', current_date - y.g % 120, '', c.id, now() - (y.g % 120) * interval '1 day' "
            f"FROM sw_youth y JOIN sw_caseworker c ON c.rn = y.g % {teams} AND c.c = 1 WHERE y.g % 10 <> 0"
        ) or cursor.rowcount)
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM risk_indicator WHERE active AND NOT derived")
        indicators = cursor.fetchone()[0] or [one(cursor, "SELECT min(id) FROM risk_indicator")]
        indicator_ids = "ARRAY[" + ", ".join(str(i) for i in indicators) + "]::bigint[]"
        step("risk observations", lambda: clone(
            cursor, "risk_observation", template["observation"],
            f"sw_youth y JOIN sw_caseworker c ON c.rn = y.g %% {teams} AND c.c = 1, generate_series(0, 1) k", {
                "youth_id": "y.id", "indicator_id": f"({indicator_ids})[1 + (y.g + k * 7) % {len(indicators)}]",
                "observed_at": "now() - (1 + (y.g * 3 + k * 101) % 1500) * interval '1 day'",
                "information_received_at": "now() - (1 + (y.g * 3 + k * 101) % 1500) * interval '1 day' "
                                           "+ interval '2 hours'",
                "episode_id": "NULL", "screening_id": "NULL", "recorded_by_id": "c.id", "created_at": "now()",
                "retracted_at": "NULL", "retracted_by_id": "NULL", "retraction_reason": "''",
            }))
        step("risk snapshots", lambda: clone(
            cursor, "risk_risksnapshot", template["snapshot"], "sw_youth y", {
                "youth_id": "y.id", "computed_at": "now() - (y.g % 90) * interval '1 day'",
                "score": "(y.g % 20)", "band": "(ARRAY['monitor', 'elevated', 'high', 'urgent'])[1 + y.g % 4]",
                "result_hash": "md5('sw-' || y.g)", "trigger": "'bench'",
            }))
        step("review items", lambda: clone(
            cursor, "risk_reviewitem", template["review"],
            "(SELECT y.id, y.g, s.id AS snapshot FROM sw_youth y LEFT JOIN risk_risksnapshot s ON s.youth_id = y.id "
            f"AND s.trigger = 'bench' WHERE y.g %% {REVIEW_EVERY} = 3) y", {
                "youth_id": "y.id", "snapshot_id": "y.snapshot", "tripwire_id": "NULL", "status": "'open'",
                "urgency": "(ARRAY['urgent', 'high', 'elevated'])[1 + y.g % 3]", "urgency_rank": "y.g % 3 + 1",
                "raised_at": "now() - (y.g % 30) * interval '1 day'",
                "due_at": "now() - (y.g % 30) * interval '1 day' + interval '7 days'",
                "overdue_at": "NULL",
            }))
    with connection.cursor() as cursor:
        t = time.perf_counter()
        cursor.execute("ANALYZE")
        log(f"  ANALYZE: {time.perf_counter() - t:.1f} s")
    seconds = time.perf_counter() - started
    log(f"statewide: built in {seconds:.0f} s")
    return seconds


def known_records():
    """Ids the load test opens: the 50-episode youth, one of its episodes, and names to search for."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, team_id FROM caseapp_youth WHERE case_number = '{KNOWN_YOUTH_CASE}'")
        youth_id, team_id = cursor.fetchone()
        cursor.execute("SELECT max(id) FROM missing_reports_missingepisode WHERE youth_id = %s", [youth_id])
        episode_id = cursor.fetchone()[0]
    return {"youth_id": youth_id, "team_id": team_id, "episode_id": episode_id}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--youth", type=int, default=100_000)
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--reseed", action="store_true", help="Drop the bench database and build it again.")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    url = database_url()
    ensure_database(url, drop=args.reseed)
    setup_django(url)
    build(args.youth, args.episodes, args.teams, log=lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()
