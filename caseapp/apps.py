from django.apps import AppConfig


class CaseappConfig(AppConfig):
    name = "caseapp"
    verbose_name = "Case records"

    def ready(self):
        from . import registry, signin_events, tasks  # noqa: F401  tasks: registers the Celery task names

        # Sign-in audit, session marks, and the end of a user's sessions when their password changes.
        signin_events.connect()

        # Alerts: escalate unacknowledged ones and deliver what a lost message left (docs/alerts.md).
        registry.register_periodic_task("sweep-alerts", "caseapp.tasks.sweep_alerts", 60.0, expires=55)
