"""Time report-packet builds: in-process, through Celery workers, and from a saved run to READY.

Runs against the database DATABASE_URL names (see bench/README.md). Results are printed, never
asserted: speed is measured here, not in the test run (docs/design.md#speed). Each run seeds its own
synthetic youth (case numbers PB-<run>-<n>, each with a photo and an open episode) in a bench agency,
so every build is a real one (new facts, new version), never an idempotent no-op.

    # in-process: pipeline.build for N packets, one after the other
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_packets .venv/bin/python bench/packets_bench.py \\
        --migrate --packets 200

    # through Celery: N build tasks drained by the workers (started here with --spawn-workers C, or
    # already running: celery -A caseapp worker -c 2), and K runs saved, timed until both packets are READY
    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/packets_bench.py \\
        --mode workers --packets 400 --spawn-workers 2 --latency 10

    # the same with the workers as deployed (DEBUG off), and with connections kept between tasks
    # (bench/reuse_worker.py), three drains each; CPU per packet is printed too
    ... --mode workers --packets 400 --spawn-workers 2 --repeat 3 --worker-env production
    ... --mode workers --packets 400 --spawn-workers 2 --repeat 3 --worker-env reuse
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseapp.settings")
# The settings these timings were taken with (bench/README.md): DEBUG on unless set, as under make run.
# --worker-env production turns it off for the workers unless it was set here.
DEBUG_SET_BY_USER = "DEBUG" in os.environ
os.environ.setdefault("DEBUG", "true")

KINDS = ("ncmec", "law_enforcement")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mode",
        choices=("direct", "workers"),
        default="direct",
        help="direct: pipeline.build in this process; workers: build tasks through Redis.",
    )
    parser.add_argument("--packets", type=int, default=200, help="Packets to build (two per episode).")
    parser.add_argument(
        "--spawn-workers",
        type=int,
        default=0,
        metavar="C",
        help="workers mode: start `celery worker -c C` on a private queue for the run.",
    )
    parser.add_argument("--queue", default="", help="workers mode: the queue of workers already running.")
    parser.add_argument(
        "--latency",
        type=int,
        default=0,
        metavar="K",
        help="workers mode: also save K runs one at a time (idle workers) and time each "
        "from the commit until both packets are READY.",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="R", help="workers mode: drain R batches of --packets (median)."
    )
    parser.add_argument(
        "--worker-env",
        choices=("inherit", "production", "reuse"),
        default="inherit",
        help="--spawn-workers: the workers' settings. inherit: this environment as it is (DEBUG on and "
        "CONN_MAX_AGE 0 unless set); production: DEBUG off and CONN_MAX_AGE=60, as a deployment runs them; "
        "reuse: production, started by bench/reuse_worker.py (database connections kept between tasks).",
    )
    parser.add_argument(
        "--worker-option",
        action="append",
        default=[],
        metavar="OPT",
        help="--spawn-workers: one more `celery worker` option (repeatable), e.g. --worker-option=-Ofair.",
    )
    parser.add_argument("--migrate", action="store_true", help="Run migrate first.")
    parser.add_argument(
        "--allow-default-db",
        action="store_true",
        help="Run even though DATABASE_URL is unset (it would fill the development db.sqlite3).",
    )
    return parser.parse_args()


def describe_database():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return f"{connection.vendor} {version} ({connection.settings_dict['NAME']})"


def photo():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    # A photo of a realistic size for a phone upload after re-encoding (600x800 JPEG).
    image = Image.new("RGB", (600, 800), (120, 140, 160))
    for x in range(0, 600, 40):
        image.paste((30 + x % 200, 90, 150), (x, 0, x + 20, 800))
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def bench_staff():
    """The bench agency, team and caseworker (created once, reused)."""
    from caseapp.models import Agency, Role, Team, User

    agency, _ = Agency.objects.get_or_create(
        code="bench-packets",
        defaults={"name": "Bench County Children's Services", "state": "KS", "time_zone": "America/Chicago"},
    )
    team, _ = Team.objects.get_or_create(agency=agency, name="Bench Team")
    user = User.objects.filter(username="bench-packets-caseworker").first()
    if user is None:
        user = User.objects.create_user(
            username="bench-packets-caseworker",
            password=uuid.uuid4().hex,
            agency=agency,
            team=team,
            role=Role.CASEWORKER,
            first_name="Bench",
            last_name="Caseworker",
            email="bench-packets@example.org",
        )
    return agency, team, user


def seed_youth(count, run_id):
    """`count` synthetic youth with a placement and a photo. Returns (caseworker, youth list)."""
    import datetime

    from django.utils import timezone

    from caseapp.models import Placement, Youth
    from caseapp.services.photos import add_photo

    agency, team, user = bench_staff()
    today = timezone.localdate()
    youth = []
    for n in range(count):
        person = Youth.objects.create(
            agency=agency,
            team=team,
            case_number=f"PB-{run_id}-{n:05d}",
            legal_first_name="Benchmark",
            legal_last_name=f"Youth{n}",
            date_of_birth=today.replace(year=today.year - 15) - datetime.timedelta(days=n % 300),
            sex="female",
            entered_care_on=today.replace(year=today.year - 2),
            height_inches=63,
            weight_pounds=120,
            scars_marks_tattoos="Small scar above the left eyebrow",
        )
        person.assigned_caseworkers.add(user)
        Placement.objects.create(
            youth=person,
            placement_type="foster_family",
            provider_name="Bench Foster Home",
            city="Topeka",
            state="KS",
            start_date=today - datetime.timedelta(days=90),
        )
        add_photo(actor=user, youth_id=person.pk, image=photo(), taken_on=today - datetime.timedelta(days=20))
        youth.append(person)
    return user, youth


def log_run(user, person):
    import datetime

    from django.utils import timezone

    from missing_reports.services import episodes as services

    now = timezone.now()
    return services.log_run(
        actor=user,
        youth_id=person.pk,
        last_seen_at=now - datetime.timedelta(hours=2),
        agency_learned_at=now - datetime.timedelta(hours=1),
        last_seen_location="Outside Central High",
        reported_by="Foster parent",
        clothing="Grey hoodie, black jeans, white sneakers",
        circumstances="Left after an argument at dinner; took a backpack.",
        possible_locations="A friend's apartment near 5th and Main; the bus station.",
    )


def seed_episodes(episodes, run_id):
    """`episodes` open episodes whose packets were NOT requested (the bench builds them)."""
    from missing_reports.packets import pipeline

    user, youth = seed_youth(episodes, run_id)
    real = pipeline.request_packets
    pipeline.request_packets = lambda *args, **kwargs: None
    try:
        return [log_run(user, person) for person in youth]
    finally:
        pipeline.request_packets = real


def summary(label, seconds):
    seconds = sorted(seconds)
    p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
    return (
        f"  {label}: median {statistics.median(seconds) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {seconds[-1] * 1000:.0f} ms (n={len(seconds)})"
    )


def run_direct(args, run_id):
    from django.db import reset_queries

    from missing_reports.packets import pipeline

    episodes = seed_episodes((args.packets + 1) // 2, run_id)
    print(f"Seeded {len(episodes)} episodes; building {len(episodes) * 2} packets in this process ...", flush=True)
    per_build = []
    started = time.perf_counter()
    cpu_started = time.process_time()
    for episode in episodes:
        for kind in KINDS:
            t = time.perf_counter()
            version = pipeline.build(episode.pk, kind, reason="bench")
            per_build.append(time.perf_counter() - t)
            assert version.status == "ready", version.error
        reset_queries()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print()
    print(
        f"  {len(per_build)} packets in {wall:.2f} s wall ({cpu:.2f} s CPU of this process): "
        f"{len(per_build) / wall:.1f} packets/s"
    )
    print(summary("one build (assemble + hash + claim + render JSON/PDF + store)", per_build))
    catch_up_cost()


def catch_up_cost():
    """The minute sweep's catch-up in a process that has not looked yet (a worker just started):
    it re-checks each recent change once, at most CATCH_UP_MAX_CHECKS per call, then idles."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from missing_reports.models import MissingEpisode
    from missing_reports.packets import pipeline

    time.sleep(pipeline.CHANGE_COMMIT_MARGIN.total_seconds())  # as a sweep a minute later sees it
    calls = []
    for _ in range(100):
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            counts = pipeline.catch_up()
            calls.append((time.perf_counter() - started, len(context.captured_queries), counts["built"]))
        if len(context.captured_queries) <= 4:
            break
    open_episodes = MissingEpisode.objects.filter(status="open").count()
    busy = calls[:-1]
    print(
        f"  catch_up with {open_episodes} open episodes: {len(busy)} calls re-checking "
        f"(longest {max((c[0] for c in busy), default=0) * 1000:.0f} ms, built {sum(c[2] for c in busy)}), "
        f"then idle: {calls[-1][0] * 1000:.0f} ms, {calls[-1][1]} queries"
    )


def worker_environment(args):
    """The environment of the workers started here: this one, plus --worker-env's settings."""
    env = dict(os.environ)
    if args.worker_env in ("production", "reuse"):
        # What a deployment runs (README "Deploying"): DEBUG off (no per-query logging) and
        # persistent database connections. Values already in the environment win.
        env.setdefault("CONN_MAX_AGE", "60")
        if not DEBUG_SET_BY_USER:
            env["DEBUG"] = "false"
            env.setdefault("SECRET_KEY", uuid.uuid4().hex * 2)  # a throwaway key for this run only
    return env


def start_workers(args, queue):
    log_path = Path(tempfile.gettempdir()) / f"packets-bench-worker-{queue}.log"
    if args.worker_env == "reuse":
        # The same worker with the proposed connection handling (bench/reuse_worker.py).
        start = [sys.executable, str(ROOT / "bench" / "reuse_worker.py")]
    else:
        start = [sys.executable, "-m", "celery", "-A", "caseapp"]
    command = [
        *start,
        "worker",
        "-c",
        str(args.spawn_workers),
        "-l",
        "warning",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        *args.worker_option,
    ]
    env = worker_environment(args)
    shown = {k: env[k] if k != "SECRET_KEY" else "(set)" for k in ("DEBUG", "CONN_MAX_AGE", "SECRET_KEY") if k in env}
    print(f"Worker: {' '.join(command[1:])}; environment: {shown or 'as this process'}")
    # A fixed command line: this interpreter's celery, with the options above.
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    from caseapp.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"The worker did not start; see {log_path}")
    # Let every child process import the app before timing anything.
    time.sleep(2)
    return process, log_path


def process_tree(pid):
    """`pid` and its descendants (Linux /proc)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pids):
    """{pid: user + system CPU seconds used so far} of those of `pids` still running."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


def cpu_used(before, after):
    """CPU seconds used between two cpu_seconds() readings, by the processes in both."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def database_backends():
    """PIDs of the PostgreSQL server processes serving this database now (other than this one's)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def machine_busy():
    """(busy, total) CPU ticks of the whole machine so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def wait_ready(episode_ids, expected, timeout=600, poll=0.02):
    from missing_reports.models import PacketVersion

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = PacketVersion.objects.filter(episode_id__in=episode_ids, status="ready").count()
        if ready >= expected:
            return True
        time.sleep(poll)
    return False


def wait_queue_empty(queue, timeout=120):
    """Wait until the workers have taken every message of `queue` (the seeding's own tasks), then a
    moment for them to finish, so the timed part starts with idle workers."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    deadline = time.monotonic() + timeout
    while client.llen(queue) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)


def run_workers(args, run_id):
    from caseapp.celery import app

    if app.conf.task_always_eager:
        raise SystemExit("workers mode needs REDIS_URL (Celery is eager without it).")
    queue = args.queue or (f"packets-bench-{run_id}" if args.spawn_workers else app.conf.task_default_queue)
    app.conf.task_default_queue = queue
    # Every task to this one queue (builds and the seeding's own tasks), not to the routes' "urgent" and "bulk".
    app.conf.task_routes = {}
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
    process = None
    if args.spawn_workers:
        process, log_path = start_workers(args, queue)
        print(f"Started a worker with {args.spawn_workers} processes on queue {queue} (log: {log_path}).")
    try:
        rates = []
        for attempt in range(args.repeat):
            rates.append(drain(args, f"{run_id}{attempt or ''}", queue, process))
        if len(rates) > 1:
            print(
                f"\nPackets/s over {len(rates)} drains: median {statistics.median(rates):.1f} "
                f"(each: {', '.join(f'{r:.1f}' for r in rates)})"
            )
        if args.latency:
            run_latency(args, run_id)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)


def drain(args, run_id, queue, process):
    """Seed, send the build tasks at once and time until every packet is READY. Returns packets/s."""
    from missing_reports import tasks
    from missing_reports.models import PacketVersion

    episodes = seed_episodes((args.packets + 1) // 2, run_id)
    ids = [e.pk for e in episodes]
    expected = len(ids) * 2
    wait_queue_empty(queue)
    workers = process_tree(process.pid) if process is not None else []
    backends = database_backends()
    print(f"Seeded {len(ids)} episodes; sending {expected} build tasks ...", flush=True)
    load_before = os.getloadavg()[0]
    worker_cpu, backend_cpu, busy = cpu_seconds(workers), cpu_seconds(backends), machine_busy()
    started = time.perf_counter()
    for episode_id in ids:
        for kind in KINDS:
            tasks.build_packet.delay(episode_id, kind, "bench", None)
    sent = time.perf_counter() - started
    finished = wait_ready(ids, expected)
    wall = time.perf_counter() - started
    busy_after = machine_busy()
    backends_after = cpu_seconds(backends)
    # The backends measured: those that served the whole drain (persistent connections).
    backends_kept = bool(backends) and backends_after.keys() == backend_cpu.keys()
    worker_cpu = cpu_used(worker_cpu, cpu_seconds(workers))
    backend_cpu = cpu_used(backend_cpu, backends_after)
    ready = PacketVersion.objects.filter(episode_id__in=ids, status="ready").count()
    cores = os.cpu_count() or 1
    machine = (busy_after[0] - busy[0]) / max(1, busy_after[1] - busy[1]) * cores
    print(
        f"  {ready} of {expected} packets READY {'' if finished else '(TIMED OUT) '}in {wall:.2f} s "
        f"(sending took {sent:.2f} s): {ready / wall:.1f} packets/s"
    )
    if workers:
        per_packet = worker_cpu / max(1, ready) * 1000
        line = f"  CPU per packet: worker processes {per_packet:.1f} ms"
        if backends_kept:
            both = (worker_cpu + backend_cpu) / max(1, ready)
            line += (
                f", their PostgreSQL backends {backend_cpu / max(1, ready) * 1000:.1f} ms: at most "
                f"{cores / both:.0f} packets/s on {cores} otherwise idle cores (a ceiling: Redis, waits and "
                "this process not counted)"
            )
        else:
            line += " (PostgreSQL not measured: the workers' connections did not last the whole drain)"
        print(line)
    print(
        f"  machine: {machine:.2f} of {cores} cores busy during the drain (everything on it, other "
        f"sessions' work included); load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    return ready / wall


def run_latency(args, run_id):
    """Save K runs one at a time, each after the workers went idle; time commit → both READY."""
    from django.db import transaction

    user, youth = seed_youth(args.latency, f"{run_id}L")
    latencies = []
    for person in youth:
        time.sleep(0.5)  # idle workers
        with transaction.atomic():
            episode = log_run(user, person)
        committed = time.perf_counter()  # the builds are queued on commit
        if not wait_ready([episode.pk], 2, timeout=60, poll=0.005):
            print(f"  episode {episode.pk}: packets not ready within 60 s")
            continue
        latencies.append(time.perf_counter() - committed)
    print(summary("run saved (commit) → both packets READY, idle workers", latencies))


def main():
    args = parse_args()
    if not os.environ.get("DATABASE_URL") and not args.allow_default_db:
        raise SystemExit("Set DATABASE_URL to a scratch database (see bench/README.md), or pass --allow-default-db.")
    # Packet files go to a scratch directory (the workers started here inherit it), not private_media/.
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="packets-bench-media-"))
    import django

    django.setup()
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", verbosity=0)
    run_id = uuid.uuid4().hex[:6]
    print(f"Database: {describe_database()}; media: {os.environ['PRIVATE_MEDIA_ROOT']}; run {run_id}")
    if args.mode == "direct":
        run_direct(args, run_id)
    else:
        run_workers(args, run_id)


if __name__ == "__main__":
    main()
