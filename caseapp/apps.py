from django.apps import AppConfig


class CaseappConfig(AppConfig):
    name = "caseapp"
    verbose_name = "Case records"

    def ready(self):
        from . import registry, tasks  # noqa: F401  registers the Celery task names (caseapp.queue sends by name)

        # Alerts: escalate unacknowledged ones and deliver what a lost message left (docs/alerts.md).
        registry.register_periodic_task("sweep-alerts", "caseapp.tasks.sweep_alerts", 60.0, expires=55)
