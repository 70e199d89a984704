from django.apps import AppConfig


class MissingReportsConfig(AppConfig):
    """Missing-from-care episodes, their reporting clocks and report packets (issues 3 and 4)."""

    name = "missing_reports"
    verbose_name = "Missing from care"

    def ready(self):
        # A youth's new photo or changed description makes new versions of their episodes' packets.
        # caseapp sends the signal and never imports this app (DESIGN.md: dependencies point one way).
        from caseapp.signals import youth_record_changed

        from . import tasks  # noqa: F401  registers the Celery task names (services send by name)
        from .packets import pipeline

        youth_record_changed.connect(
            pipeline.on_youth_record_changed, dispatch_uid="missing_reports.packets.youth_record_changed"
        )
