"""`celery -A caseapp worker ...` with the database-connection handling proposed in bench/README.md.

Celery's Django fix-up closes every database connection before and after each task unless
CELERY_DB_REUSE_MAX is set, whatever CONN_MAX_AGE says, so a worker opens a new PostgreSQL
connection for every packet (about 10-15 ms of PostgreSQL CPU each on the bench VM). This starts
the same worker with the proposal applied, so the bench can measure it before anyone changes
caseapp/settings.py and caseapp/celery.py:

- CELERY_DB_REUSE_MAX (here from the environment, default 1000): the fix-up then closes the
  connections only every 500 tasks;
- Django's own rule after each task, as after each web request (`close_old_connections`): a
  connection older than CONN_MAX_AGE, or one that saw an error and is no longer usable, is closed.

    .venv/bin/python bench/reuse_worker.py worker -c 2 -l warning
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseapp.settings")
# The settings these timings were taken with (bench/README.md): DEBUG on unless set, as under make run.
os.environ.setdefault("DEBUG", "true")

from celery import signals

from caseapp.celery import app

app.conf.CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "1000"))


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_connections(**kwargs):
    from django.db import close_old_connections

    close_old_connections()


if __name__ == "__main__":
    app.worker_main(sys.argv[1:])
