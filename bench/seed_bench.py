"""Time `seed_demo` at statewide scale and the caseload query on the dataset it makes.

Runs against the database DATABASE_URL names (see bench/README.md). Results are printed, never
asserted: speed is measured here, not in the test run (docs/design.md#speed).

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/seed_bench.py --migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_seed .venv/bin/python bench/seed_bench.py --migrate
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseapp.settings")
# The settings these timings were taken with (bench/README.md): DEBUG on unless set, as under make run.
os.environ.setdefault("DEBUG", "true")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--youth", type=int, default=100_000, help="Youth in total (default 100000).")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5, help="Runs of each caseload query (median shown).")
    parser.add_argument("--migrate", action="store_true", help="Run migrate first.")
    parser.add_argument("--skip-seed", action="store_true", help="Only time the caseload queries.")
    parser.add_argument(
        "--allow-default-db",
        action="store_true",
        help="Run even though DATABASE_URL is unset (it would fill the development db.sqlite3).",
    )
    return parser.parse_args()


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def describe_database():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
        else:
            version = "?"
    name = connection.settings_dict["NAME"]
    return f"{connection.vendor} {version} ({name})"


def run_seed(args):
    from django.core.management import call_command

    from caseapp import demo

    options = ["--youth", str(args.youth), "--seed", str(args.seed), "--batch-size", str(args.batch_size)]
    print(f"seed_demo --youth {args.youth} (first run) ...", flush=True)
    first, _ = timed(lambda: call_command("seed_demo", *options, "--no-logins"))
    counts_after_first = demo.totals()
    print(f"seed_demo --youth {args.youth} (second run, should add nothing) ...", flush=True)
    second, _ = timed(lambda: call_command("seed_demo", *options, "--quiet", "--no-logins"))
    counts_after_second = demo.totals()
    print()
    print(f"  first run   {first:8.1f} s")
    print(f"  second run  {second:8.1f} s  (idempotent: {counts_after_first == counts_after_second})")
    print("  rows: " + ", ".join(f"{n} {name}" for name, n in counts_after_second.items()))


def caseload_cases():
    """(label, username, query string) for the caseload page, the list every user opens first."""
    from caseapp.models import Youth

    # A youth on the North Team (the demo caseworker's) from the end of the table, for exact lookups.
    last = Youth.objects.filter(agency__code="alder", team__name="North Team").order_by("-id").first()
    case = last.case_number if last else "A-000001"
    dob = last.date_of_birth.isoformat() if last else "2012-05-04"
    return [
        ("caseworker, page 1", "caseworker", ""),
        ("caseworker, assigned to me", "caseworker", "mine=on"),
        ("caseworker, search name", "caseworker", "q=Jordan+Testperson"),
        ("caseworker, search one word", "caseworker", "q=smith"),
        ("caseworker, search case number", "caseworker", f"q={case}"),
        ("caseworker, group homes", "caseworker", "placement_type=group_home"),
        ("caseworker, last page", "caseworker", "page=last"),
        ("supervisor, page 1", "supervisor", ""),
        ("agency admin, page 1", "agencyadmin", ""),
        ("agency admin, exited", "agencyadmin", "status=exited"),
        ("agency admin, search dob", "agencyadmin", f"q={dob}"),
        ("birch caseworker, page 1", "birch.caseworker", ""),
    ]


def analyze():
    """Refresh planner statistics, as autovacuum would soon after a bulk load on a live database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    elapsed, _ = timed(lambda: connection.cursor().execute("ANALYZE"))
    print(f"\nANALYZE: {elapsed:.1f} s")


def time_caseload(args):
    from django.db import connection, reset_queries
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from caseapp import selectors
    from caseapp.models import User

    print()
    print(f"Caseload query (selectors.caseload_page; median of {args.repeat}, rows rendered = one page)")
    print(f"  {'case':34} {'median ms':>10} {'max ms':>8} {'queries':>8} {'matches':>8}")
    for label, username, query in caseload_cases():
        user = User.objects.get(username=username)
        params = QueryDict(query)

        def load(user=user, params=params):
            _filterset, page = selectors.caseload_page(user, params)
            rows = list(page.object_list)
            for youth in rows:  # what the template touches
                _ = youth.team.name, youth.current_placements
            return page.count

        durations = []
        for _ in range(args.repeat):
            reset_queries()  # the seed filled the (bounded) DEBUG query log
            with CaptureQueriesContext(connection) as queries:
                elapsed, matches = timed(load)
            durations.append(elapsed * 1000)
        print(
            f"  {label:34} {statistics.median(durations):10.1f} {max(durations):8.1f} "
            f"{len(queries.captured_queries):8d} {matches:8d}"
        )


def main():
    args = parse_args()
    if "DATABASE_URL" not in os.environ and not args.allow_default_db:
        sys.exit("Set DATABASE_URL to a scratch database (bench/README.md), or pass --allow-default-db.")

    import django

    django.setup()
    from django.core.management import call_command

    print(f"Database: {describe_database()}")
    if args.migrate:
        elapsed, _ = timed(lambda: call_command("migrate", verbosity=0))
        print(f"migrate: {elapsed:.1f} s")
    if not args.skip_seed:
        run_seed(args)
    analyze()
    time_caseload(args)


if __name__ == "__main__":
    main()
