"""A real `celery beat` process runs the schedule each app registered from its AppConfig.

The schedule is no longer written out in settings: each app adds its entries in ready()
(caseapp/registry.py). Beat reads the schedule only after it has set Django up, so this checks, in a
real beat process, that it sees every entry.
"""

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import PROJECT_DIR, _stop

pytestmark = [pytest.mark.redis]

BEAT_START_TIMEOUT = 30


def test_beat_runs_every_registered_periodic_task(redis_url, settings, tmp_path):
    registered = dict(settings.CELERY_BEAT_SCHEDULE)
    assert {"sweep-clocks", "risk-sweep-reviews", "exports-sweep", "risk-reassess-nightly"} <= set(registered)
    log_path = tmp_path / "beat.log"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "caseapp.settings"),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "caseapp", "beat", "-l", "debug",
        "-s", str(tmp_path / "beat-schedule"), "--pidfile", str(tmp_path / "beat.pid"),
    ]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + BEAT_START_TIMEOUT
        while "Current schedule" not in log_path.read_text(errors="replace"):
            assert process.poll() is None, f"celery beat exited early:\n{log_path.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"celery beat showed no schedule:\n{log_path.read_text()}"
            time.sleep(0.2)
        time.sleep(0.5)  # the schedule is logged over several lines
    finally:
        _stop(process)
    log = log_path.read_text(errors="replace")
    for name, entry in registered.items():
        assert f"<ScheduleEntry: {name} {entry['task']}()" in log, log
