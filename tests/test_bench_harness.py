"""The `make bench` harness's own parts (bench/run.py, bench/statewide.py), so `make test` keeps it from rotting:
the README table writer, and the statewide generator at a tiny size making rows every measured page renders for
the role that opens it. No timing here: the figures are measured by `make bench` only (docs/design.md#speed)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import run
import statewide

from tests.helpers import sign_in

TINY = {"youth": 60, "episodes": 400, "teams": 5}


def results(ratio=1.5):
    page = {"page": "caseload page 1", "role": "caseworker", "goal": 2.0, "pass": ratio <= 2.0, "ratio": ratio,
            "measured": {"p95_ms": 30, "requests": 400, "errors": []}, "trivial": {"p95_ms": 20, "errors": []}}
    return {"finished": "2026-12-06 23:00 UTC", "quick": False, "dataset": "100,000 youth", "machine": "2 cores",
            "load_before": [1.0, 1.0, 1.0], "load_after": [2.0, 2.0, 2.0], "pages": {"rows": [page]},
            "sweep": {"clocks": 2_000_000, "open_overdue": 50_000, "sweep_ms": 40.0, "steady_ms": 30.0,
                      "floor_pk_ms": 0.5, "ratio_to_floor": 80.0, "pass": True}}


def test_the_table_shows_each_page_its_trivial_page_the_ratio_and_the_goal():
    table = run.render_table(results(ratio=2.5))

    assert "| caseload page 1 | caseworker | 30 | 20 | 2.50× | ≤ 2× | **no** | 400 |" in table
    assert "load average before [1.0, 1.0, 1.0], after [2.0, 2.0, 2.0]" in table
    assert "deadline sweep, 2,000,000 clocks (50,000 open and overdue) | 40.0 ms" in table


def test_a_run_replaces_only_the_latest_table_and_keeps_the_earlier_ones_as_previous_runs():
    readme = "# Benchmarks\n\nEarlier figures, by hand.\n"

    first = run.write_readme(readme, "table one\n")
    second = run.write_readme(first, "table two\n")
    third = run.write_readme(second, "table three\n")

    assert third.startswith(readme.rstrip())  # what was there before is untouched
    latest = third.split(run.LATEST_START)[1].split(run.LATEST_END)[0]
    assert latest.strip() == "table three"
    previous = third.split(run.PREVIOUS)[1]
    assert previous.index("table two") < previous.index("table one")  # newest first
    assert third.count("table one") == third.count("table two") == third.count("table three") == 1
    again = run.write_readme(third, "table three, written again\n", keep_previous=False)
    assert "table three" not in again.split(run.PREVIOUS)[1]


def test_only_a_bench_database_on_postgresql_is_used(monkeypatch):
    for url in ("postgres://postgres@127.0.0.1:5432/caseapp", "postgres://postgres@127.0.0.1:5432/test_bench",
                "sqlite:////tmp/bench.sqlite3", ""):
        monkeypatch.setenv("BENCH_DATABASE_URL", url)
        with pytest.raises(SystemExit):
            statewide.database_url()
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_statewide")
    assert statewide.database_url().endswith("/bench_statewide")


def test_the_statewide_generator_makes_rows_every_measured_page_renders(postgres_db, client):
    from caseapp.models import User, Youth
    from missing_reports.models import MissingEpisode, Notification

    statewide.build(**TINY, log=lambda line: None, migrate=False)

    assert Youth.objects.filter(case_number__startswith="SW-").count() == TINY["youth"]
    known = statewide.known_records()
    assert MissingEpisode.objects.filter(youth_id=known["youth_id"]).count() == statewide.KNOWN_YOUTH_EPISODES
    assert Notification.objects.filter(episode__youth__case_number__startswith="SW-").count() == 2 * TINY["episodes"]
    assert statewide.build(**TINY, log=lambda line: None, migrate=False) is None  # there already: nothing done

    plan = run.make_plan("http://127.0.0.1", TINY, 1)
    for page in [{"name": "trivial", "url": run.TRIVIAL_URL, "accounts": plan["pages"][0]["accounts"]},
                 *plan["pages"]]:
        account = page["accounts"][0]
        sign_in(client, User.objects.get(username=account["username"]))
        response = client.get(page["url"] or account["url"])
        assert response.status_code == 200, (page["name"], account["username"])
