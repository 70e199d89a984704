from django.apps import AppConfig


class MissingReportsConfig(AppConfig):
    """Missing-from-care episodes, their reporting clocks and report packets."""

    name = "missing_reports"
    verbose_name = "Missing from care"

    def ready(self):
        # A youth's new photo or changed description makes new versions of their episodes' packets.
        # caseapp sends the signal and never imports this app (docs/design.md#dependencies).
        from caseapp.signals import youth_record_changed

        from .packets import pipeline

        youth_record_changed.connect(
            pipeline.on_youth_record_changed, dispatch_uid="missing_reports.packets.youth_record_changed"
        )
