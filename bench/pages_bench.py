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
  dashboard count exports.dashboard.count, the task's work (JIT off, as for every connection), and the same with
                 PostgreSQL's JIT on (as the page computed it before it was counted off the request);
  its parts      placement_environment.figures(detail=False) and screening_by_sex() (the count's two costliest
                 reads, with the server's JIT setting);
  home page      caseapp.selectors.dashboard_summary for agency staff and a caseworker, with the cache
                 emptied before each run (cold: the three counts computed) and warm (read from the cache).

Each is the median of --repeat runs, in milliseconds and as a ratio to the floor's median; the load average is
printed before and after. With REDIS_URL set the home page's counts are cached in Redis, as in production.

With --caseload it times only the youth list instead, through the view (time_caseload_pages): page 1, the next
and last pages, searches and filters, for agency staff and a caseworker, against a trivial signed-in page.

With --lists it times the other lists that grow without bound, through the view (time_list_pages): the "Report
a youth missing" picker (a supervisor's of every team: 100,000 youth; a caseworker's: one team) and sign-in activity
(a superuser's) over an audit trail given --audit-rows synthetic rows (by default 1,500,000: one in five a sign-in
event, the rest page views).
"""

import argparse
import datetime
import os
import re
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
        "--caseload", action="store_true", help="Time only the caseload page (youth list), through the view."
    )
    parser.add_argument(
        "--lists", action="store_true", help="Time the report-missing picker and sign-in activity, through the view."
    )
    parser.add_argument(
        "--audit-rows", type=int, default=1_500_000, help="Synthetic audit rows for --lists (default 1500000)."
    )
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
    from django.db import connection, reset_queries, transaction
    from django.test import Client
    from django.utils import timezone
    from seed_bench import describe_database

    from caseapp import selectors
    from caseapp.models import User
    from exports import dashboard
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
    if args.caseload:
        time_caseload_pages(args, agency, staff, worker)
        return
    if args.lists:
        time_list_pages(args, agency, worker)
        return
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
        # The app's connections have PostgreSQL's JIT off (caseapp/settings.py DATABASE_JIT): on for this one
        # transaction to compare.
        with transaction.atomic():
            if jit:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = on")
            dashboard.count(dashboard.query_for(staff, filters))

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
        "dashboard count (exports.dashboard.count: the task), JIT off": (lambda: count(False), None),
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


def name_bench_youth(agency):
    """Give the bench agency's youth (seeded as "Bench Youth N") names drawn from the demo's tables of common
    names, some with a preferred name or an alias, so a name search matches as many youth as it would in an
    agency: about 1 in 85 for a surname. Once; later runs find the names given."""
    from django.db import connection

    from caseapp import demo_data

    firsts = list(demo_data.FEMALE_NAMES + demo_data.MALE_NAMES + demo_data.NEUTRAL_NAMES)
    lasts = list(demo_data.SURNAMES)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE caseapp_youth SET
              legal_first_name = (%(firsts)s::text[])[1 + abs(hashtext('f' || id)) %% %(nf)s],
              legal_last_name = (%(lasts)s::text[])[1 + abs(hashtext('l' || id)) %% %(nl)s],
              preferred_name = CASE WHEN id %% 9 = 0
                THEN (%(firsts)s::text[])[1 + abs(hashtext('p' || id)) %% %(nf)s] ELSE '' END,
              aliases = CASE WHEN id %% 13 = 0
                THEN (%(firsts)s::text[])[1 + abs(hashtext('a' || id)) %% %(nf)s] ELSE '' END
            WHERE agency_id = %(agency)s AND legal_first_name = 'Bench'
            """,
            {"firsts": firsts, "lasts": lasts, "nf": len(firsts), "nl": len(lasts), "agency": agency.pk},
        )
        if cursor.rowcount:
            print(f"Named {cursor.rowcount:,} bench youth.", flush=True)
        # As autovacuum leaves a table soon after a bulk load: statistics, and the visibility map that lets the
        # "current placement" filter read its partial index alone.
        cursor.execute("VACUUM (ANALYZE) caseapp_youth, caseapp_placement")


def time_caseload_pages(args, agency, staff, worker):
    """The youth list through the view (django.test.Client, signed in, the template rendered) for agency staff
    (every team: 100,000 youth) and a caseworker (one team), as ratios to a primary-key read in the same run."""
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from caseapp.models import Team, User, Youth
    from tests.helpers import sign_in

    name_bench_youth(agency)
    one = Youth.objects.filter(agency=agency, team=worker.team_id).order_by("-id").first()
    second_team = Team.objects.filter(agency=agency).order_by("pk")[1]
    clients = {}
    for user in (staff, worker):
        clients[user.pk] = sign_in(Client(), user)

    def view(user, query):
        def load():
            response = clients[user.pk].get("/youth/" + (f"?{query}" if query else ""))
            assert response.status_code == 200, response.status_code
            return response

        return load

    def page_two(user):
        """Page 2, as the first page's "Next" link reads it."""
        page = view(user, "")().content.decode()
        link = re.search(r'href="\?([^"]*)">Next<', page) or re.search(r'rel="next" href="\?([^"]*)"', page)
        return view(user, link.group(1).replace("&amp;", "&"))

    def trivial(user):
        def load():
            response = clients[user.pk].get("/account/sign-in-security/")
            assert response.status_code == 200, response.status_code

        return load

    cases = {"floor: one primary-key read of the user": lambda: User.objects.get(pk=staff.pk)}
    for who, user in (("agency staff", staff), ("caseworker", worker)):
        cases.update(
            {
                f"{who}, trivial page (sign-in security)": trivial(user),
                f"{who}, page 1": view(user, ""),
                f"{who}, page 2 (next)": page_two(user),
                f"{who}, last page": view(user, "page=last"),
                f"{who}, search surname prefix (smi)": view(user, "q=smi"),
                f"{who}, search first and last (isabella smith)": view(user, "q=isabella+smith"),
                f"{who}, search case number, lower case": view(user, f"q={one.case_number.lower()}"),
                f"{who}, status exited": view(user, "status=exited"),
                f"{who}, current placement group home": view(user, "placement_type=group_home"),
                f"{who}, assigned to me": view(user, "mine=true"),
            }
        )
    cases[f"agency staff, one team ({second_team.name})"] = view(staff, f"team={second_team.pk}")
    def forget_page_one_count():
        """Only page 1's kept count (the other cases' counts stay kept, as between two loads a minute apart)."""
        from caseapp import selectors
        from caseapp.filters import CaseloadFilter

        if hasattr(selectors, "_caseload_count_key"):  # the earlier code kept no count
            cache.delete(selectors._caseload_count_key(staff, CaseloadFilter(None, user=staff)))

    cases["agency staff, page 1, count not cached"] = view(staff, "")
    befores = {"agency staff, page 1, count not cached": forget_page_one_count}
    matches, queries = {}, {}
    for name, fn in cases.items():  # warm up, and note what each page lists
        with CaptureQueriesContext(connection) as captured:
            result = fn()
        queries[name] = len(captured.captured_queries)
        if hasattr(result, "content"):  # what the page says it lists
            said = re.search(r'aria-live="polite">(About )?([\d,]+) youth', result.content.decode())
            matches[name] = f"{'about ' if said.group(1) else ''}{int(said.group(2).replace(',', '')):,}"
    results = {name: [] for name in cases}
    for _ in range(args.repeat):  # round by round, so a burst of load lands on every case alike
        for name, fn in cases.items():
            results[name].append(median_ms(fn, 1, befores.get(name)))
            reset_queries()
    print(exports_bench.uptime(), flush=True)
    floor = statistics.median(results["floor: one primary-key read of the user"])
    print(f"\n| what | lists | queries | median ms ({args.repeat} runs) | ÷ primary-key read | ÷ trivial page |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, runs in results.items():
        ms = statistics.median(runs)
        who = name.split(",")[0]
        page = results.get(f"{who}, trivial page (sign-in security)")
        versus = f"{ms / statistics.median(page):,.2f}×" if page else ""
        print(f"| {name} | {matches.get(name, '')} | {queries[name]} | {ms:,.1f} | {ms / floor:,.1f}× | {versus} |")


LISTS_ADMIN_USERNAME = "bench.lists.root"
LISTS_SUPERVISOR_USERNAME = "bench.lists.supervisor"


def seed_audit_trail(agency, rows):
    """Synthetic audit rows, once (later runs find them): one in five a sign-in event about one of the bench
    agency's staff (mostly sign-ins and sign-outs, a few failures, one in 400 a lockout), one a minute going
    back; the rest page views of youth, as the trail mostly is. One in ten sign-in events belongs to another
    agency, which the admin must never see."""
    from django.db import connection

    from caseapp.models import Agency, User

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM caseapp_auditevent WHERE detail ? 'bench_lists'")
        if cursor.fetchone()[0]:
            return
        staff = list(User.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True)[:2000])
        other = Agency.objects.exclude(pk=agency.pk).order_by("pk").first() or agency
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO caseapp_auditevent (at, actor_id, agency_id, action, object_type, object_id, youth_id,
                                            ip_address, detail)
            SELECT now() - n * interval '12 seconds', NULL,
                   CASE WHEN n %% 5 = 0 AND n %% 50 = 0 THEN %(other)s ELSE %(agency)s END,
                   CASE WHEN n %% 5 <> 0 THEN 'view'
                        WHEN n %% 2000 = 0 THEN 'locked_out'
                        WHEN n %% 35 = 0 THEN 'sign_in_failed'
                        WHEN n %% 10 = 0 THEN 'sign_out' ELSE 'sign_in' END,
                   CASE WHEN n %% 5 <> 0 THEN 'youth' ELSE 'user' END,
                   CASE WHEN n %% 5 <> 0 THEN '0' ELSE ((%(staff)s::int[])[1 + n %% %(ns)s])::text END,
                   NULL, '10.0.0.1', '{"bench_lists": true}'::jsonb
            FROM generate_series(1, %(rows)s) AS n
            """,
            {"agency": agency.pk, "other": other.pk, "staff": staff, "ns": len(staff), "rows": rows},
        )
        cursor.execute("VACUUM (ANALYZE) caseapp_auditevent")
        print(f"Added {rows:,} audit rows in {time.perf_counter() - started:.0f} s.", flush=True)


def time_list_pages(args, agency, worker):
    """The report-missing picker (a caseworker) and sign-in activity (an agency admin) through the view, signed in,
    as ratios to a trivial signed-in page in the same run. Follows each page's own "next" link, so it times
    whichever paging the code in this checkout has (page numbers before, keyset after)."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from caseapp import work
    from caseapp.models import AuditEvent, Role, Team, User, Youth
    from tests.helpers import sign_in

    # The top bar counts the signed-in person's overdue work on every page (caseapp.work.for_request); at this
    # scale a supervisor of every team's count reads all their teams' work and costs seconds, on the trivial page
    # too, which would hide what the lists cost. It is left out here, for every page and both runs alike: "my work"
    # is timed on its own.
    work.for_request = lambda request, **page: work.MyWork([], 0, 0, timezone.now())
    name_bench_youth(agency)
    seed_audit_trail(agency, args.audit_rows)
    # A superuser (no agency): it sees every agency's sign-in events and may report any youth missing. Not an
    # agency admin: at this scale an agency admin's every page, the trivial one too, is dominated by the top
    # bar's count of the agency-wide work they own, which would hide what the lists cost.
    admin, _ = User.objects.get_or_create(
        username=LISTS_ADMIN_USERNAME, defaults={"is_superuser": True, "is_staff": True, "first_name": "Bench"}
    )
    # A supervisor of every team of the bench agency: the picker over 100,000 youth, as an agency admin's would be.
    supervisor, _ = User.objects.get_or_create(
        username=LISTS_SUPERVISOR_USERNAME, defaults={"agency": agency, "role": Role.SUPERVISOR, "first_name": "Bench"}
    )
    through = Team.supervisors.through  # straight into the through table: the bench needs no history of it
    teams = Team.objects.filter(agency=agency).values_list("pk", flat=True)
    through.objects.bulk_create([through(team_id=pk, user_id=supervisor.pk) for pk in teams], ignore_conflicts=True)
    with connection.cursor() as cursor:  # as autovacuum would soon: without, the planner guesses one team
        cursor.execute(f"ANALYZE {through._meta.db_table}")
    one = Youth.objects.filter(agency=agency, team=worker.team_id).order_by("-id").first()
    person = AuditEvent.objects.filter(agency=agency, object_type="user", action="sign_in").order_by("-id").first()
    clients = {user.pk: sign_in(Client(), user) for user in (admin, supervisor, worker)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM caseapp_auditevent WHERE object_type = 'user' AND agency_id = %s", [agency.pk]
        )
        print(f"Audit trail: {AuditEvent.objects.count():,} rows, {cursor.fetchone()[0]:,} sign-in events of the "
              "bench agency.", flush=True)

    def view(user, url):
        def load():
            response = clients[user.pk].get(url)
            assert response.status_code == 200, response.status_code
            return response

        return load

    def following(user, url):
        """The page after `url`, as its own next link reads it (Next or Older)."""
        page = view(user, url)().content.decode()
        link = re.search(r'rel="next" href="\?([^"]*)"', page) or re.search(r'href="\?([^"]*)">(Next|Older)<', page)
        return view(user, url.split("?")[0] + "?" + link.group(1).replace("&amp;", "&"))

    activity = "/staff/sign-ins/"
    cases = {
        "floor: one primary-key read of the user": lambda: User.objects.get(pk=admin.pk),
        "superuser, trivial page (sign-in security)": view(admin, "/account/sign-in-security/"),
        "sign-in activity, newest page": view(admin, activity),
        "sign-in activity, the next page": following(admin, activity),
        "sign-in activity, one person": view(admin, f"{activity}?person={person.object_id}"),
        "sign-in activity, lockouts only": view(admin, f"{activity}?event=locked_out"),
        "supervisor, trivial page (sign-in security)": view(supervisor, "/account/sign-in-security/"),
        "supervisor's picker (every team), page 1": view(supervisor, "/missing/report/"),
        "supervisor's picker (every team), the next page": following(supervisor, "/missing/report/"),
        "supervisor's picker (every team), search surname prefix (smi)": view(supervisor, "/missing/report/?q=smi"),
        "supervisor's picker (every team), search case number": view(
            supervisor, f"/missing/report/?q={one.case_number.lower()}"
        ),
        "caseworker, trivial page (sign-in security)": view(worker, "/account/sign-in-security/"),
        "caseworker's picker (one team), page 1": view(worker, "/missing/report/"),
        "caseworker's picker (one team), the next page": following(worker, "/missing/report/"),
        "caseworker's picker (one team), search surname prefix (smi)": view(worker, "/missing/report/?q=smi"),
        "caseworker's picker (one team), search case number": view(
            worker, f"/missing/report/?q={one.case_number.lower()}"
        ),
    }
    queries = {}
    for name, fn in cases.items():  # warm up
        with CaptureQueriesContext(connection) as captured:
            fn()
        queries[name] = len(captured.captured_queries)
    results = {name: [] for name in cases}
    for _ in range(args.repeat):  # round by round, so a burst of load lands on every case alike
        for name, fn in cases.items():
            results[name].append(median_ms(fn, 1))
            reset_queries()
    print(exports_bench.uptime(), flush=True)
    floor = statistics.median(results["floor: one primary-key read of the user"])
    print(f"\n| what | queries | median ms ({args.repeat} runs) | ÷ primary-key read | ÷ trivial page |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, runs in results.items():
        ms = statistics.median(runs)
        who = next((w for w in ("caseworker", "supervisor") if name.startswith(w)), "superuser")
        page = None if name.startswith("floor") else results[f"{who}, trivial page (sign-in security)"]
        versus = f"{ms / statistics.median(page):,.2f}×" if page else ""
        print(f"| {name} | {queries[name]} | {ms:,.1f} | {ms / floor:,.1f}× | {versus} |")


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
