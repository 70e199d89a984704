from django.apps import AppConfig


class CaseappConfig(AppConfig):
    name = "caseapp"
    verbose_name = "Case records"

    def ready(self):
        from . import tasks  # noqa: F401  registers the Celery task names (caseapp.queue sends by name)
