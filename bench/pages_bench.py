"""Time the reports dashboard's and the home page's selectors at statewide scale, as ratios to a floor.

Runs against the PostgreSQL database DATABASE_URL names (see bench/README.md). Results are printed, never
asserted: speed is measured here, not in the test run (docs/design.md#speed).

    createdb -h 127.0.0.1 -U postgres bench_pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/pages_bench.py --migrate

It seeds (once) the exports bench's agency (bench/exports_bench.py `seed`: synthetic youth, placements,
episodes, return interviews, screenings and risk snapshots generated inside PostgreSQL), by default 100,000
youth in 200 teams with 1,000,000 episodes. Then, in the same run and interleaved round by round so the
machine's load touches every measurement alike, it times:

  floor          one primary-key read of the signed-in user through the ORM (what any page costs at least);
  page floor     a trivial signed-in page through Django's whole stack (GET /account/sign-in-security/, the test
                 client: middleware, session, second factor, no HTTP server), agency staff;
  dashboard page GET /reports/dashboard/ the same way, the figures kept (counted by the task beforehand):
                 what almost every load costs;
  dashboard count exports.dashboard.count, the task's work (JIT off in its transaction), and the same with
                 PostgreSQL's JIT on (as the page computed it before it was counted off the request);
  its parts      placement_environment.figures(detail=False) and screening_by_sex() (the count's two costliest
                 reads, with the server's JIT setting);
  home page      caseapp.selectors.dashboard_summary for agency staff and a caseworker, with the cache
                 emptied before each run (cold: the three counts computed) and warm (read from the cache).

Each is the median of --repeat runs, in milliseconds and as a ratio to the floor's median; the load average is
printed before and after. With REDIS_URL set the home page's counts are cached in Redis, as in production.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseapp.settings")
os.environ.setdefault("DEBUG", "true")  # as the other bench scripts (bench/README.md)

import exports_bench  # noqa: E402  (after the path and settings above)

PAGE_FLOOR = "page floor: GET /account/sign-in-security/ (layout, no data), agency staff"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=1_000_000, help="Episodes to seed (default 1000000).")
    parser.add_argument("--youth", type=int, default=100_000, help="Youth they belong to (default 100000).")
    parser.add_argument("--teams", type=int, default=200, help="Teams (default 200).")
    parser.add_argument("--repeat", type=int, default=5, help="Runs of each measurement (median shown).")
    parser.add_argument("--migrate", action="store_true", help="Run migrate first.")
    parser.add_argument("--reseed", action="store_true", help="Remove the bench agency's data and seed it again.")
    parser.add_argument(
        "--pages-only", action="store_true", help="Only the floors and the dashboard page (no counts, no home counts)."
    )
    return parser.parse_args()


def median_ms(fn, repeat, before=None):
    runs = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main():
    args = parse_args()
    exports_bench.load()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import reset_queries
    from django.test import Client
    from django.utils import timezone
    from seed_bench import describe_database

    from caseapp import selectors
    from caseapp.models import User
    from exports import dashboard
    from exports.reports import base as report_base
    from exports.reports import placement_environment
    from exports.reports.base import ExportFilters, ReportQuery
    from exports.reports.timeliness import figures as timeliness_figures
    from tests.helpers import sign_in

    print(f"Database: {describe_database()}; DEBUG {settings.DEBUG}; cache {settings.CACHES['default']['BACKEND']}")
    print(exports_bench.uptime(), flush=True)
    if args.migrate:
        call_command("migrate", verbosity=0)
    agency = exports_bench.seed(args)
    staff = User.objects.get(username=exports_bench.STAFF_USERNAME)
    worker = User.objects.get(username=exports_bench.WORKER_USERNAME)
    # The bench's episodes run from 2015 at one every 5 minutes: the last full 12 months holding episodes.
    last = agency_last_episode_day(agency)
    first = (last.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    filters = ExportFilters(period_start=first, period_end=last)
    query = ReportQuery(agency=agency, user=staff, filters=filters, as_of=timezone.now())
    if not args.pages_only:
        environment = placement_environment.figures(query)
        print(
            f"Period {first} to {last}: {environment.episodes:,} episodes, {environment.total.placement_days:,} "
            f"placement-days; {len(environment.by_type)} placement types, {len(environment.by_provider):,} "
            f"providers, {len(environment.by_team)} teams",
            flush=True,
        )

    settings.DASHBOARD_STALE_SECONDS = 24 * 60 * 60  # the kept figures stay fresh for the whole run
    browser = sign_in(Client(HTTP_HOST="localhost"), staff)
    dashboard_get = {"period_start": first.isoformat(), "period_end": last.isoformat()}

    def page(url, params=None):
        response = browser.get(url, params)
        assert response.status_code == 200, (url, response.status_code)

    def count(jit):
        report_base.WITHOUT_JIT = not jit
        try:
            dashboard.count(dashboard.query_for(staff, filters))
        finally:
            report_base.WITHOUT_JIT = True

    def home_keys(user):
        counts_key = f"home-counts:{selectors.scope_key(user)}"
        return [counts_key, f"home-assigned:{user.pk}:{counts_key}"]

    def forget_home_counts():  # these keys only, never the whole cache (it may be a shared Redis)
        cache.delete_many(home_keys(staff) + home_keys(worker))

    cases = {
        "floor: one primary-key read of the user": (lambda: User.objects.get(pk=staff.pk), None),
        PAGE_FLOOR: (
            lambda: page("/account/sign-in-security/"),
            None,
        ),
        "dashboard page, figures kept (GET /reports/dashboard/), agency staff": (
            lambda: page("/reports/dashboard/", dashboard_get),
            None,
        ),
        "dashboard count (exports.dashboard.count: the task), JIT off in its transaction": (lambda: count(False), None),
        "dashboard count with PostgreSQL's JIT on (the page's work before)": (lambda: count(True), None),
        "placement environment, types only (the dashboard's)": (
            lambda: placement_environment.figures(query, detail=False),
            None,
        ),
        "screening by sex (the dashboard's)": (lambda: timeliness_figures.screening_by_sex(query), None),
        "home counts, agency staff, cold cache": (lambda: selectors.dashboard_summary(staff), forget_home_counts),
        "home counts, agency staff, warm cache": (lambda: selectors.dashboard_summary(staff), None),
        "home counts, caseworker, cold cache": (lambda: selectors.dashboard_summary(worker), forget_home_counts),
        "home counts, caseworker, warm cache": (lambda: selectors.dashboard_summary(worker), None),
    }
    if args.pages_only:
        cases = {name: case for name, case in cases.items() if "floor" in name or "page" in name}
    for fn, _ in cases.values():  # warm up: connections, the planner, the cache for the "warm" cases
        fn()
    results = {name: [] for name in cases}
    for _ in range(args.repeat):  # round by round, so a burst of load lands on every case alike
        for name, (fn, before) in cases.items():
            results[name].append(median_ms(fn, 1, before))
            reset_queries()
        if not args.pages_only:
            forget_home_counts()
            selectors.dashboard_summary(staff)
            selectors.dashboard_summary(worker)
    print(exports_bench.uptime(), flush=True)
    floor = statistics.median(results["floor: one primary-key read of the user"])
    page_floor = statistics.median(results[PAGE_FLOOR])
    print(f"\n| what | median ms ({args.repeat} runs) | ÷ floor | ÷ page floor |\n| --- | ---: | ---: | ---: |")
    for name, runs in results.items():
        ms = statistics.median(runs)
        print(f"| {name} | {ms:,.1f} | {ms / floor:,.0f}× | {ms / page_floor:,.1f}× |")


def agency_last_episode_day(agency):
    from django.db.models import Max

    from missing_reports.models import MissingEpisode

    last = MissingEpisode.objects.filter(youth__agency=agency).aggregate(last=Max("last_seen_at"))["last"]
    return last.astimezone(agency_zone(agency)).date()


def agency_zone(agency):
    from caseapp import local_time

    return local_time.agency_zone(agency)


if __name__ == "__main__":
    main()
