"""Time the pages a user opens every day, whole HTTP responses, as ratios to a trivial signed-in page.

Runs against the PostgreSQL database DATABASE_URL names, already holding the exports bench's statewide agency
(bench/exports_bench.py `seed`, or `pages_bench.py`, which seeds it): see bench/README.md.

    createdb -h 127.0.0.1 -U postgres bench_pages   # or a copy of an already seeded database (-T)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/daily_pages_bench.py

It adds (once; `prepare`) what the daily pages need on top of that dataset, through the app's own services
where a page reads what they write: a youth with 50 missing episodes (each logged, returned and interviewed
through missing_reports.services, so with their notice clocks and audit rows; the newest still open), 25
youth assigned to the bench caseworker, a supervisor of the caseworker's team, an agency admin, and open
review items for 2,000 youth across the agency (10 in the caseworker's team).

Then, with production-like settings (DEBUG off, so compiled templates are cached and nothing logs queries;
static files collected into a scratch directory), it signs each person in through Django's test Client as a
real sign-in leaves the session (tests/helpers.sign_in), and times full responses, round by round so the
machine's load touches every page alike:

  floor       GET /health/ (no session, no layout): what any request costs at least;
  trivial     /account/sign-in-security/ for the same person: the layout (top bar, its counts), the middleware
              and the context processors, no data of the page's own;
  the pages   youth detail (the youth with 50 episodes), the episode page (its open episode), the review queue,
              My work, Team work and the missing-now board, for each person who has them.

Each is the median of --repeat requests, in milliseconds and as a ratio to the same person's trivial page,
measured in the same run; the load average is printed before and after. Nothing is asserted: speed is
measured here, never in the test run (docs/design.md#speed).
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseapp.settings")
# As deployed: DEBUG off (no query log, cached templates). Any SECRET_KEY will do for the bench; the test
# Client speaks HTTPS (secure=True) so the production redirect and secure cookies apply as they would.
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("STATIC_ROOT", str(Path(tempfile.gettempdir()) / "caseapp-bench-static"))

import exports_bench  # noqa: E402  (after the path and settings above)

CASE_NUMBER = "BX-PAGES-50"
SUPERVISOR_USERNAME = "bench.pages.supervisor"
ADMIN_USERNAME = "bench.pages.admin"
EPISODES = 50
ASSIGNED = 25
REVIEW_ITEMS = 2_000
# Pages left out, with why (bench/README.md says what they cost).
NOT_TIMED = {
    ("agency admin", "team work"): "every open item of 100,000 youth, about 750,000 here: minutes, see the README",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9, help="Requests of each page (median shown; default 9).")
    parser.add_argument("--only", default="", help="Only the cases whose name contains this text.")
    parser.add_argument("--people", default="caseworker,supervisor,agency admin",
                        help="Whose pages to time, comma-separated (default all three).")
    parser.add_argument("--profile", default="", help="Profile this URL with pyinstrument for the first person.")
    parser.add_argument("--queries", action="store_true", help="Print each page's query count and slowest SQL.")
    return parser.parse_args()


def prepare():
    """What the daily pages need on top of the exports bench's agency (idempotent)."""
    from django.db import transaction

    from caseapp.models import Agency, Role, User, Youth
    from missing_reports.packets import pipeline
    from risk.models import URGENCY_RANK, ReviewItem, ReviewStatus, Urgency

    agency = Agency.objects.get(code=exports_bench.AGENCY_CODE)
    worker = User.objects.get(username=exports_bench.WORKER_USERNAME)
    team = worker.team
    if Youth.objects.filter(agency=agency, case_number=CASE_NUMBER).exists():
        return agency
    print("Preparing the daily pages' data ...", flush=True)
    started = time.perf_counter()
    supervisor = User.objects.create(
        username=SUPERVISOR_USERNAME, agency=agency, role=Role.SUPERVISOR, team=team, first_name="Bench",
        last_name="Supervisor",
    )
    team.supervisors.add(supervisor)
    User.objects.create(
        username=ADMIN_USERNAME, agency=agency, role=Role.AGENCY_ADMIN, first_name="Bench", last_name="Admin"
    )
    youth = Youth.objects.create(
        agency=agency, team=team, case_number=CASE_NUMBER, legal_first_name="Fifty", legal_last_name="Episodes",
        date_of_birth=datetime.date(2010, 3, 4), entered_care_on=datetime.date(2016, 1, 1), sex="female",
    )
    youth.placements.create(
        placement_type="foster_home", provider_name="Bench foster home", start_date=datetime.date(2016, 1, 1)
    )
    for other in Youth.objects.filter(team=team).exclude(pk=youth.pk).order_by("pk")[: ASSIGNED - 1]:
        other.assigned_caseworkers.add(worker)
    youth.assigned_caseworkers.add(worker)
    # The packets would be built by a worker the bench does not run; the pages only read their state.
    real, pipeline.request_packets = pipeline.request_packets, (lambda *args, **kwargs: None)
    try:
        _episodes(worker, youth)
    finally:
        pipeline.request_packets = real
    now = _now()
    with transaction.atomic():
        sample = list(
            Youth.objects.filter(agency=agency).exclude(pk=youth.pk).order_by("team_id", "pk")
            .values_list("pk", "team_id")
        )
        chosen, per_team = [youth.pk], {}
        for pk, team_id in sample:
            if per_team.get(team_id, 0) < REVIEW_ITEMS // 200 and len(chosen) < REVIEW_ITEMS:
                per_team[team_id] = per_team.get(team_id, 0) + 1
                chosen.append(pk)
        urgencies = list(Urgency)
        ReviewItem.objects.bulk_create(
            ReviewItem(
                youth_id=pk, urgency=urgencies[n % 4], urgency_rank=URGENCY_RANK[urgencies[n % 4]],
                reasons=["Bench: a synthetic reason for review."], raised_at=now - datetime.timedelta(hours=n % 96),
                due_at=now + datetime.timedelta(hours=(n % 200) - 100), status=ReviewStatus.OPEN,
            )
            for n, pk in enumerate(chosen)
        )
    from django.db import connection

    connection.cursor().execute("ANALYZE")
    print(f"Prepared in {time.perf_counter() - started:.1f} s.", flush=True)
    return agency


def _now():
    from django.utils import timezone

    return timezone.now()


def _episodes(worker, youth):
    """EPISODES episodes of `youth`, one a week back from now, logged, returned and interviewed through the
    services (so with their clocks, history and audit rows); the newest stays open."""
    from missing_reports.models import MissingEpisode
    from missing_reports.services import episodes as services

    now = _now()
    for n in range(EPISODES, 0, -1):
        seen = now - datetime.timedelta(days=7 * n, hours=3)
        episode = services.log_run(
            actor=worker, youth_id=youth.pk, last_seen_at=seen, agency_learned_at=seen + datetime.timedelta(hours=1),
            last_seen_location="Near the bus station", reported_by="Foster parent", category="runaway",
        )
        if n == 1:
            break
        episode = MissingEpisode.objects.get(pk=episode.pk)
        services.log_return(
            actor=worker, episode_id=episode.pk, expected_version=episode.version,
            returned_at=seen + datetime.timedelta(days=1), located_at=seen + datetime.timedelta(days=1),
            found_location_type="friend", how_located="self_returned",
        )
        services.record_debrief(
            actor=worker, episode_id=episode.pk, interview_at=seen + datetime.timedelta(days=2),
            primary_factors=[exports_bench.FACTORS[0]], trafficking_screening_done="yes", running_direction="from",
        )


def client_for(user):
    from django.test import Client
    from helpers import sign_in

    client = Client(secure=True, HTTP_X_FORWARDED_PROTO="https")
    sign_in(client, user)
    return client


def main():
    args = parse_args()
    exports_bench.load()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from seed_bench import describe_database

    from caseapp.models import User, Youth
    from missing_reports.models import MissingEpisode

    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Database: {describe_database()}; DEBUG {settings.DEBUG}; cache {settings.CACHES['default']['BACKEND']}")
    print(exports_bench.uptime(), flush=True)
    prepare()
    youth = Youth.objects.get(case_number=CASE_NUMBER)
    episode = MissingEpisode.objects.filter(youth=youth).order_by("-last_seen_at").first()
    people = {
        "caseworker": User.objects.get(username=exports_bench.WORKER_USERNAME),
        "supervisor": User.objects.get(username=SUPERVISOR_USERNAME),
        "agency admin": User.objects.get(username=ADMIN_USERNAME),
    }
    pages = {
        "youth detail (50 episodes)": f"/youth/{youth.pk}/",
        "episode page": f"/episodes/{episode.pk}/",
        "review queue": "/risk/review/",
        "my work": "/work/",
        "team work": "/work/team/",
        "missing-now board": "/missing/",
    }
    wanted = args.people.split(",")
    clients = {name: client_for(user) for name, user in people.items() if name in wanted}
    from django.test import Client

    floor_client = Client(secure=True, HTTP_X_FORWARDED_PROTO="https")
    cases = {"floor: /health/, no session": (floor_client, "/health/")}
    for person, client in clients.items():
        cases[f"{person}: trivial page"] = (client, "/account/sign-in-security/")
        for page, url in pages.items():
            if (person, page) in NOT_TIMED:
                print(f"Not timed: {person}, {page} ({NOT_TIMED[person, page]})")
                continue
            if client.get(url).status_code == 200:  # only the pages this person has
                cases[f"{person}: {page}"] = (client, url)
    if args.only:
        cases = {name: case for name, case in cases.items() if args.only in name or "trivial" in name
                 or name.startswith("floor")}
    if args.profile:
        profile(next(iter(clients.values())), args.profile)
        return
    if args.queries:
        show_queries(cases)
        return
    for client, url in cases.values():  # warm up: connections, caches, the planner
        client.get(url)
    results = {name: [] for name in cases}
    for _ in range(args.repeat):
        for name, (client, url) in cases.items():
            started = time.perf_counter()
            response = client.get(url)
            results[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
    print(exports_bench.uptime(), flush=True)
    connection.close()
    floor = statistics.median(results["floor: /health/, no session"])
    trivial = {}
    print(f"\n| page | median ms ({args.repeat} runs) | ÷ floor | ÷ the person's trivial page |")
    print("| --- | ---: | ---: | ---: |")
    for name, runs in results.items():
        ms = statistics.median(runs)
        person = name.split(":")[0]
        if name.endswith("trivial page"):
            trivial[person] = ms
        ratio = f"{ms / trivial[person]:.1f}×" if person in trivial and not name.endswith("trivial page") else ""
        print(f"| {name} | {ms:,.1f} | {ms / floor:,.1f}× | {ratio} |")


def show_queries(cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, (client, url) in cases.items():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        slow = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
        print(f"\n== {name}: {len(captured)} queries, {sum(float(q['time']) for q in captured.captured_queries):.3f} s")
        for query in slow:
            print(f"  {query['time']} s: {query['sql'][:600]}")


def profile(client, url):
    from pyinstrument import Profiler

    client.get(url)
    profiler = Profiler()
    profiler.start()
    for _ in range(3):
        client.get(url)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
