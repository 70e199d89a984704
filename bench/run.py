"""`make bench`: the statewide speed run. Builds (or reuses) the dataset, load-tests the daily pages, runs the
sweep, export and packet benches, and writes the figures into bench/README.md and bench/results.json.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_statewide BENCH_REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench                       # the full run (about 40 minutes on the 2-core VM)
    BENCH_QUICK=1 ... make bench         # a small dataset, short phases: a smoke run of the whole harness
    .venv/bin/python bench/run.py --only pages --no-write   # one part, figures printed only

Nothing here is asserted: every figure is a ratio to a floor measured in the same run, printed with the load
average, and kept beside the previous ones (bench/README.md). The databases: BENCH_DATABASE_URL for the
statewide dataset, and beside it `<name>_sweep`, `<name>_exports` and `<name>_packets` for the other benches'
own datasets (each reused from run to run); every one must have "bench" in its name and is created if missing.
Redis: BENCH_REDIS_URL (or REDIS_URL), the database number the run may use (the server's cache, the packet
workers' queue); nothing is flushed.
"""

import argparse
import contextlib
import datetime
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import statewide  # noqa: E402  (after the path above)

README = ROOT / "bench" / "README.md"
RESULTS = ROOT / "bench" / "results.json"
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
# The trivial page: signed in, the whole layout (navigation, session timer, alerts badge), and no records of the
# user's scope: what any page costs before its own data. The sign-in security page reads only the user's own
# authenticator, so it is the same work at 200 and 100,000 youth.
TRIVIAL_URL = "/account/sign-in-security/"
GOAL = 2.0
USERS = 20
LATEST_START = "<!-- make-bench:latest:start -->"
LATEST_END = "<!-- make-bench:latest:end -->"
PREVIOUS = "<!-- make-bench:previous -->"
PARTS = ("pages", "sweep", "exports", "packets")

FULL = {"youth": 100_000, "episodes": 1_000_000, "teams": 200}
QUICK = {"youth": 2_000, "episodes": 20_000, "teams": 20}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1",
                        help="A small dataset and short phases (also BENCH_QUICK=1).")
    parser.add_argument("--only", action="append", choices=PARTS, default=[], help="Run only these parts.")
    parser.add_argument("--page", action="append", default=[], metavar="TEXT",
                        help="Load-test only the pages whose name contains TEXT (repeatable).")
    parser.add_argument("--reseed", action="store_true", help="Drop the statewide database and build it again.")
    parser.add_argument("--phase-seconds", type=float, help="Length of each measured phase (default 20, quick 5).")
    parser.add_argument("--no-write", action="store_true", help="Print only: leave README.md and results.json.")
    parser.add_argument("--rewrite", action="store_true",
                        help="Measure nothing: write the table of bench/results.json into README.md again.")
    return parser.parse_args(argv)


def loadavg():
    return [round(x, 2) for x in os.getloadavg()]


def log(line):
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {line}", flush=True)


def sibling_url(url, suffix):
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=parsed.path + suffix))


def redis_url():
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    if not url:
        sys.exit("Set BENCH_REDIS_URL (e.g. redis://127.0.0.1:6379/3): the server caches in Redis as in production, "
                 "and the packet bench's workers take their tasks from it.")
    return url


# --- The load test's plan -----------------------------------------------------------------------------------


def team_of(rn):
    """(agency number, team number within it) of team rn (0-based, statewide), as statewide.py numbers them."""
    return rn % len(statewide.AGENCIES) + 1, rn // len(statewide.AGENCIES) + 1


def account(username, url=None):
    from caseapp import two_factor
    from caseapp.models import User

    user = User.objects.get(username=username)
    entry = {"username": username, "url": url}
    if user.role in two_factor.ALWAYS_REQUIRED_ROLES:
        entry["totp_key"] = statewide.BENCH_TOTP_KEY
    return entry


def make_plan(host, sizes, phase_seconds, only_pages=()):
    """The pages, each with the role that opens it daily and USERS accounts of that role."""
    from django.db import connection

    from caseapp.models import User

    n_teams = min(USERS, sizes["teams"])
    # Caseworker 1 of each of the first 20 teams (of fewer teams, caseworkers 2, 3, ... of them too).
    caseworkers = [statewide.caseworker_username(*team_of(i % n_teams), 1 + i // n_teams) for i in range(USERS)]
    supervisors = [statewide.supervisor_username(*team_of(rn)) for rn in range(n_teams)]
    per_agency = USERS // len(statewide.AGENCIES)
    agencies = range(1, len(statewide.AGENCIES) + 1)
    staff = [statewide.staff_username(a, s) for a in agencies for s in range(1, per_agency + 1)]
    admins = [statewide.admin_username(a, s) for a in agencies for s in range(1, per_agency + 1)]
    known = statewide.known_records()
    # The 50-episode youth is in team 1 of agency 1: its caseworkers, its supervisor and the agency's admins.
    near_known = [statewide.caseworker_username(1, 1, c) for c in range(1, statewide.CASEWORKERS_PER_TEAM + 1)]
    near_known += [statewide.supervisor_username(1, 1)]
    # and agency staff of its agency (not its admins: an admin's layout builds the agency's whole My work list on
    # every page, which would hide the youth page's own cost; bench/README.md).
    near_known += [statewide.staff_username(1, s) for s in range(1, USERS - len(near_known) + 1)]
    # Each caseworker's own latest episode (of a youth assigned to them).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.username, max(e.id) FROM caseapp_user u JOIN caseapp_youth_assigned_caseworkers a "
            "ON a.user_id = u.id JOIN missing_reports_missingepisode e ON e.youth_id = a.youth_id "
            "WHERE u.username = ANY(%s) GROUP BY u.username",
            [caseworkers],
        )
        own_episode = dict(cursor.fetchall())
    # The agency-wide caseload is opened by agency staff (every youth of the agency, looked up for the reports),
    # not admins: an admin's layout counts the admin's whole My work list for the navigation's badge (kept for a
    # minute, WORK_COUNT_SECONDS), which would mix that cost into the trivial page's (bench/README.md).
    admins = staff
    admin_rows = User.objects.filter(username__in=admins).values_list("username", "agency_id")
    team_filter = {
        username: User.objects.filter(agency_id=agency_id, role="supervisor").order_by("team__name")
        .values_list("team_id", flat=True).first()
        for username, agency_id in admin_rows
    }

    def pages():
        yield "caseload page 1 (own team)", "caseworker", "/youth/", caseworkers
        yield "caseload page 1 (whole agency)", "agency staff", "/youth/", admins
        # The caseload pages by name order (keyset): its "Last" link reads the order backwards.
        yield "caseload last page (whole agency)", "agency staff", "/youth/?page=last", admins
        yield "caseload search: surname prefix", "agency staff", "/youth/?q=Mart", admins
        yield "caseload search: part of a first name", "agency staff", "/youth/?q=ristop", admins
        yield "caseload filters: team and status", "agency staff", None, [
            account(u, f"/youth/?team={team_filter[u]}&status=active") for u in admins]
        yield "youth detail (50 episodes)", "its caseworkers and supervisor, agency staff", \
            f"/youth/{known['youth_id']}/", near_known
        yield "episode page", "caseworker", None, [
            account(u, f"/episodes/{own_episode[u]}/") for u in caseworkers]
        yield "missing-now board", "supervisor", "/missing/", supervisors
        yield "review queue", "supervisor", "/risk/review/", supervisors
        yield "my work", "caseworker", "/work/", caseworkers
        yield "reports dashboard", "agency staff", "/reports/dashboard/", staff

    plan_pages = []
    for name, role, url, accounts in pages():
        if only_pages and not any(part in name for part in only_pages):
            continue
        accounts = [a if isinstance(a, dict) else account(a) for a in accounts]
        plan_pages.append({"name": name, "role": role, "url": url, "accounts": accounts})
    return {
        "host": host,
        "trivial_url": TRIVIAL_URL,
        "password": statewide.BENCH_PASSWORD,
        "settings": {"users": USERS, "phase_seconds": phase_seconds, "warmup": min(3.0, phase_seconds / 3),
                     "min_requests": 40},
        "pages": plan_pages,
        "known": known,
    }


# --- The server -----------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database, redis, port, scratch):
    """Production settings (DEBUG off, a secret key, Redis cache), on the loopback, against the bench database."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-not-secret-0123456789abcdefghijklmnopqrstuvwxyz-server"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        # Tasks the pages enqueue wait in the bench's own queues (no worker runs for them here).
        "TASK_QUEUE_PREFIX": "bench-",
        "WEB_CONCURRENCY": "2",
        "CONN_MAX_AGE": "60",  # as make serve runs gunicorn
        # No worker recycling (gunicorn.conf.py restarts a worker after about 1,000 requests): a restart's few
        # seconds of start-up would land in whichever page's window it happened to fall.
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_LOG_LEVEL": "warning",
        "STATIC_ROOT": str(scratch / "static"),
        "PRIVATE_MEDIA_ROOT": str(scratch / "media"),
    }


@contextlib.contextmanager
def gunicorn(database, redis):
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="caseapp-bench-") as scratch:
        env = server_environment(database, redis, port, Path(scratch))
        subprocess.run([str(APP_PYTHON), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],  # noqa: S603
                       cwd=ROOT, env=env, check=True)
        log_path = Path(scratch) / "gunicorn.log"
        with open(log_path, "w") as log_file:
            process = subprocess.Popen(  # noqa: S603
                [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py",
                 "--access-logfile", str(Path(scratch) / "access.log")],
                cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            )
        try:
            host = f"http://127.0.0.1:{port}"
            for _ in range(120):
                try:
                    with urllib.request.urlopen(host + "/health/", timeout=5) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except OSError:
                    if process.poll() is not None:
                        raise SystemExit("gunicorn stopped:\n" + log_path.read_text()[-3000:]) from None
                    time.sleep(0.5)
            else:
                raise SystemExit("gunicorn did not answer /health/ within a minute")
            log(f"gunicorn (2 workers, DEBUG off, Redis cache) on {host}")
            yield host, log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def run_pages(database, redis, sizes, phase_seconds, only_pages=()):
    if not BENCH_PYTHON.exists():
        sys.exit("The load test needs .venv-bench: make bench-install (requirements-bench.txt).")
    with gunicorn(database, redis) as (host, log_path), tempfile.TemporaryDirectory() as scratch:
        plan = make_plan(host, sizes, phase_seconds, only_pages)
        plan_path, results_path = Path(scratch) / "plan.json", Path(scratch) / "results.json"
        plan_path.write_text(json.dumps(plan))
        finished = subprocess.run(  # noqa: S603
            [str(BENCH_PYTHON), str(ROOT / "bench" / "locust_pages.py"), str(plan_path), str(results_path)],
            cwd=ROOT, check=False,
        )
        rows = json.loads(results_path.read_text()) if results_path.exists() else []
        errors = [f"{row['page']}: {error}" for row in rows
                  for error in row["trivial"]["errors"] + row["measured"]["errors"]]
        if finished.returncode or errors:
            # Loudly, but after the other pages: a page that answered other than 200 has no figure (its row says
            # "failed"), and the run ends non-zero.
            tail = log_path.read_text()[-4000:]
            log("THE LOAD TEST HAD ERRORS (a page answered other than 200, or locust stopped):\n" + "\n".join(errors)
                + f"\n--- gunicorn log (end) ---\n{tail}")
    for row in rows:
        row["goal"] = GOAL
        row["failed"] = bool(row["trivial"]["errors"] or row["measured"]["errors"]) or row.get("ratio") is None
        row["pass"] = not row["failed"] and row["ratio"] <= GOAL
    return {"known": plan["known"], "rows": rows, "locust_exit": finished.returncode}


# --- The other benches ------------------------------------------------------------------------------------------


def child_environment(database, redis):
    return {**os.environ, "DATABASE_URL": database, "REDIS_URL": redis, "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-not-secret-0123456789abcdefghijklmnopqrstuvwxyz-child")}


def run_script(args, env):
    """Run a bench script, echo its output, return it."""
    log(" ".join(args))
    finished = subprocess.run([str(APP_PYTHON), *args], cwd=ROOT, env=env, text=True,  # noqa: S603
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    print(finished.stdout, flush=True)
    if finished.returncode:
        raise SystemExit(f"{args[0]} failed ({finished.returncode})")
    return finished.stdout


def run_sweep(database, redis, sizes):
    url = sibling_url(database, "_sweep")
    statewide.ensure_database(url)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "sweep.json"
        run_script(["bench/sweep_bench.py", "--migrate", "--youth", str(sizes["youth"]),
                    "--episodes", str(sizes["episodes"]), "--json", str(out)], child_environment(url, redis))
        figures = json.loads(out.read_text())
    return {
        "clocks": figures["clocks"], "open_overdue": figures["open_overdue"],
        "sweep_ms": round(figures["sweep_pass"]["median_ms"], 2),
        "steady_ms": round(figures["steady_sweep_pass"]["median_ms"], 2),
        "floor_pk_ms": round(figures["floor_pk_lookup"]["median_ms"], 3),
        "ratio_to_floor": round(figures["sweep_pass"]["ratio_to_floor"], 1),
        "goal_ms": 50, "pass": figures["sweep_pass"]["median_ms"] <= 50,
        "explain": figures["explain"],
    }


def run_exports(database, redis, quick):
    url = sibling_url(database, "_exports")
    statewide.ensure_database(url)
    size = 20_000 if quick else 1_000_000
    args = ["bench/exports_bench.py", "--migrate", "--episodes", str(size), "--sizes", str(size),
            "--only", "copy", "--only", "csv", "--repeat", "1" if quick else "3"]
    if quick:
        args += ["--youth", "2000", "--teams", "4"]
    out = run_script(args, child_environment(url, redis))
    copy = re.search(r"COPY median: ([\d,]+) rows/s", out)
    export = re.search(r"CSV export median: ([\d,]+) rows/s", out)
    rss = re.findall(r"peak RSS (\d+) MB", out)
    copy_rate, export_rate = (int(m.group(1).replace(",", "")) for m in (copy, export))
    return {"rows": size, "copy_rows_per_s": copy_rate, "export_rows_per_s": export_rate,
            "ratio": round(export_rate / copy_rate, 2), "goal": 0.5, "pass": export_rate / copy_rate >= 0.5,
            "peak_rss_mb": [int(x) for x in rss]}


def run_packets(database, redis, quick):
    url = sibling_url(database, "_packets")
    statewide.ensure_database(url)
    args = ["bench/packets_bench.py", "--migrate", "--mode", "workers", "--spawn-workers", "2",
            "--worker-env", "production", "--packets", "40" if quick else "400", "--repeat", "1" if quick else "3",
            "--latency", "3" if quick else "10"]
    out = run_script(args, child_environment(url, redis))
    rates = [float(x) for x in re.findall(r"packets READY .*?: ([\d.]+) packets/s", out)]
    latency = re.search(r"both packets READY, idle workers: median (\d+) ms, p95 (\d+) ms", out)
    return {"packets_per_s": [round(r, 1) for r in rates], "median_packets_per_s": round(statistics.median(rates), 1),
            "goal_packets_per_s": 50, "save_to_ready_median_ms": int(latency.group(1)),
            "save_to_ready_p95_ms": int(latency.group(2)), "goal_save_to_ready_ms": 2000,
            "pass": statistics.median(rates) >= 50 and int(latency.group(2)) <= 2000}


# --- The README and JSON ------------------------------------------------------------------------------------------


def render_table(results):
    """The markdown of one run's figures."""
    lines = [
        f"**Run of {results['finished']}** ({'quick: ' if results['quick'] else ''}{results['dataset']}); "
        f"{results['machine']}; load average before {results['load_before']}, after {results['load_after']}.",
        "",
    ]
    pages = results.get("pages")
    if pages:
        lines += [
            f"Pages: {USERS} concurrent signed-in users each, gunicorn with 2 workers; each page's p95 over the "
            f"p95 of the trivial page (`{TRIVIAL_URL}`) measured by the same users just before it.",
            "",
            "| page | as | p95 ms | trivial p95 ms | ratio | goal | met | requests |",
            "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |",
        ]
        for row in pages["rows"]:
            ratio = row.get("ratio")
            met = "**failed**: " + "; ".join(row["trivial"]["errors"] + row["measured"]["errors"]) \
                if row.get("failed") else "yes" if row["pass"] else "**no**"
            lines.append(
                f"| {row['page']} | {row['role']} | {row['measured']['p95_ms']} | {row['trivial']['p95_ms']} | "
                f"{'' if ratio is None else f'{ratio:.2f}×'} | ≤ {row['goal']:g}× | {met} | "
                f"{row['measured']['requests']} |"
            )
        lines.append("")
    others = [("the deadline sweep", "sweep"), ("the episode register export", "exports"), ("packets", "packets")]
    if any(results.get(key) for _, key in others):
        lines += ["| job | figure | floor | ratio | goal | met |", "| --- | --- | --- | ---: | --- | --- |"]
        sweep = results.get("sweep")
        if sweep:
            lines.append(
                f"| deadline sweep, {sweep['clocks']:,} clocks ({sweep['open_overdue']:,} open and overdue) | "
                f"{sweep['sweep_ms']} ms (a minute later: {sweep['steady_ms']} ms) | a notice read by primary key, "
                f"{sweep['floor_pk_ms']} ms | {sweep['ratio_to_floor']}× | ≤ 50 ms | "
                f"{'yes' if sweep['pass'] else '**no**'} |"
            )
        exports = results.get("exports")
        if exports:
            lines.append(
                f"| episode register CSV export, {exports['rows']:,} rows | {exports['export_rows_per_s']:,} rows/s, "
                f"peak RSS {', '.join(str(x) for x in exports['peak_rss_mb'])} MB | COPY of the same rows, "
                f"{exports['copy_rows_per_s']:,} rows/s | {exports['ratio']:.2f}× | ≥ 0.5× | "
                f"{'yes' if exports['pass'] else '**no**'} |"
            )
        packets = results.get("packets")
        if packets:
            lines.append(
                f"| packets, 2 worker processes | {packets['median_packets_per_s']} packets/s "
                f"({', '.join(str(x) for x in packets['packets_per_s'])}); save → ready median "
                f"{packets['save_to_ready_median_ms']} ms, p95 {packets['save_to_ready_p95_ms']} ms | | | "
                f"≥ 50/s, ≤ 2 s | {'yes' if packets['pass'] else '**no**'} |"
            )
        lines.append("")
        if sweep and sweep.get("explain"):
            lines += ["<details><summary>EXPLAIN (ANALYZE, BUFFERS) of the sweep's candidate read</summary>", "",
                      "```", sweep["explain"].rstrip(), "```", "", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_readme(text, table, keep_previous=True):
    """`text` with `table` between the latest-run markers; the table that was there moves to the top of the
    previous runs (below their marker), unless keep_previous is false (the same run written again). Markers
    missing: a `make bench` section is added at the end."""
    if LATEST_START not in text or LATEST_END not in text or PREVIOUS not in text:
        text = text.rstrip() + (
            "\n\n## `make bench`: the latest statewide run\n\n"
            f"{LATEST_START}\n{LATEST_END}\n\n### Previous `make bench` runs\n\n{PREVIOUS}\n"
        )
    head, rest = text.split(LATEST_START, 1)
    old, tail = rest.split(LATEST_END, 1)
    old = old.strip()
    if old and keep_previous:
        before, after = tail.split(PREVIOUS, 1)
        tail = f"{before}{PREVIOUS}\n\n{old}\n{after}"
    return f"{head}{LATEST_START}\n{table.strip()}\n{LATEST_END}{tail}"


def main(argv=None):
    # A stopped run still stops the gunicorn it started (the `finally` of gunicorn() runs on SystemExit, not on
    # the default SIGTERM).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    args = parse_args(argv)
    if args.rewrite:
        table = render_table(json.loads(RESULTS.read_text()))
        README.write_text(write_readme(README.read_text(), table, keep_previous=False))
        print(table)
        return
    parts = set(args.only) or set(PARTS)
    sizes = QUICK if args.quick else FULL
    phase_seconds = args.phase_seconds or (5.0 if args.quick else 20.0)
    database = statewide.database_url()
    redis = redis_url()
    results = {
        "started": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        "quick": args.quick,
        "dataset": f"{sizes['youth']:,} youth, {sizes['episodes']:,} episodes, {sizes['teams']} teams",
        "machine": f"{os.cpu_count()} cores",
        "load_before": loadavg(),
    }
    log(f"load average {results['load_before']}; {results['machine']}")
    statewide.ensure_database(database, drop=args.reseed)
    statewide.setup_django(database)
    results["build_seconds"] = statewide.build(**sizes, log=log)
    if "pages" in parts:
        results["pages"] = run_pages(database, redis, sizes, phase_seconds, args.page)
    if "sweep" in parts:
        results["sweep"] = run_sweep(database, redis, sizes)
    if "exports" in parts:
        results["exports"] = run_exports(database, redis, args.quick)
    if "packets" in parts:
        results["packets"] = run_packets(database, redis, args.quick)
    results["load_after"] = loadavg()
    results["finished"] = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    table = render_table(results)
    print("\n" + table)
    if not args.no_write:
        README.write_text(write_readme(README.read_text(), table))
        RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
        log(f"written to {README.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")
    pages = results.get("pages") or {}
    if pages.get("locust_exit") or any(row["failed"] for row in pages.get("rows", [])):
        sys.exit("Some pages have no figure: they answered other than 200 (see above and the table).")


if __name__ == "__main__":
    main()
