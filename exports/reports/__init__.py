"""The report registry: one module per report under exports/reports/, each registering one `Report`.

To add a report: write exports/reports/<key>.py with a `Report` subclass (see base.py for the rules),
decorate it with `@register`, and import the module at the bottom of this file. The Reports page, the
task, the writers, the audit and the download need nothing else. A job names its report by key; a job
whose report no longer exists fails with a clear error instead of running something else.
"""

import re

from caseapp.models import Youth

from ..models import ExportFormat
from .base import FILTERS, Report

REPORTS: dict[str, Report] = {}

_KEY = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


def register(report_class: type[Report]) -> type[Report]:
    """Check a report's declaration and add it to the registry. Raises at import on a bad declaration,
    so a report that reads a restricted field without saying why never reaches a user."""
    report = report_class()
    problems = []
    if not _KEY.match(report.key or ""):
        problems.append(f"key {report.key!r} must be lowercase letters, digits and dashes (2–40)")
    if report.key in REPORTS:
        problems.append(f"key {report.key!r} is taken")
    if not report.title or not report.columns:
        problems.append("a title and columns are required")
    if not report.formats or set(report.formats) - set(ExportFormat.values):
        problems.append(f"formats {report.formats!r} must be among {ExportFormat.values}")
    if set(report.filters) - set(FILTERS):
        problems.append(f"filters {report.filters!r} must be among {FILTERS}")
    restricted = sorted(path for path in report.source_fields if path.rsplit("__", 1)[-1] in Youth.RESTRICTED_FIELDS)
    if restricted and not report.restricted_reason:
        problems.append(f"reads restricted fields {restricted} without a restricted_reason")
    if problems:
        raise ValueError(f"Report {report_class.__name__}: " + "; ".join(problems))
    REPORTS[report.key] = report
    return report_class


def get(key: str) -> Report | None:
    return REPORTS.get(key)


def all_reports() -> list[Report]:
    return list(REPORTS.values())


def choices() -> list[tuple[str, str]]:
    return [(report.key, report.title) for report in REPORTS.values()]


# The reports, in the order the Reports page lists them.
# isort: off
from . import episode_register  # noqa: E402, F401
from . import timeliness  # noqa: E402, F401
from . import annual_count  # noqa: E402, F401
from . import afcars_elements  # noqa: E402, F401
from . import placement_environment  # noqa: E402, F401
# isort: on
