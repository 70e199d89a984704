"""The reports: one module per report under exports/reports/, each registering one `Report`.

To add a report: write exports/reports/<key>.py with a `Report` subclass (see base.py for the rules),
decorate it with `@register` (base.py), and import the module in exports/apps.py, in the order the
Reports page lists them. The Reports page, the task, the writers, the audit and the download need
nothing else. A job names its report by key; a job whose report no longer exists fails with a clear
error instead of running something else.

The registry lives in base.py, which the report modules import; this package only presents it, so no
report module imports the package that imports it.
"""

from .base import REPORTS, all_reports, choices, get, register

__all__ = ["REPORTS", "all_reports", "choices", "get", "register"]
