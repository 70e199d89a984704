import csv
import io

from exports.reports.base import ExportFilters
from exports.services import jobs as services
from tests.exports.conftest import PERIOD

REGISTER = "episode-register"


def start(user, capture, *, fmt="csv", report=REGISTER, **filters):
    """Ask for an export as `user` and let the eager worker run it at commit; the job, reloaded."""
    with capture(execute=True):
        job = services.start_export(
            actor=user, report=report, fmt=fmt, filters=ExportFilters.from_json({**PERIOD, **filters})
        )
    job.refresh_from_db()
    return job


def csv_rows(job):
    """The file's rows as the csv module reads them back (header first)."""
    with job.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))
