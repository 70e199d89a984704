from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Agency reports and exports: a registry of reports, run as Celery jobs into private files."""

    name = "exports"
    verbose_name = "Reports and exports"
