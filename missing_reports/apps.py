from django.apps import AppConfig


class MissingReportsConfig(AppConfig):
    """Missing-from-care episodes, their reporting clocks and report packets (issues 3 and 4)."""

    name = "missing_reports"
    verbose_name = "Missing from care"
