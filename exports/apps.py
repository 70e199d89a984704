from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Agency reports and exports: a registry of reports, run as Celery jobs into private files."""

    name = "exports"
    verbose_name = "Reports and exports"

    def ready(self):
        from django.conf import settings

        from caseapp import registry

        from . import provider_alerts, tasks  # noqa: F401  tasks: registers the Celery task names

        # The reports, each registering itself (reports/base.py), in the order the Reports page lists them.
        # isort: off
        from .reports import episode_register  # noqa: F401
        from .reports.timeliness import rows  # noqa: F401
        from .reports import annual_count  # noqa: F401
        from .reports import afcars_elements  # noqa: F401
        from .reports import placement_environment  # noqa: F401
        from .reports import punitive_responses  # noqa: F401

        # isort: on

        from . import panels

        # The youth page's summary of the youth's pattern of missing episodes, with a link to the timeline.
        registry.register_youth_panel("exports/_youth_pattern.html", panels.youth_pattern_context)
        # The provider alert (docs/duties.md#provider-alert): checked every few hours; each opens once per period.
        registry.register_periodic_task(
            "exports-provider-alerts", "exports.tasks.check_provider_alerts", float(6 * 3600), expires=3600
        )
        # Open provider reviews on the reviewers' My work (a provider is not one youth: a list of its own).
        registry.register_work_panel("exports/_work_provider_reviews.html", provider_alerts.work_panel_context)
        # Agency exports: expired files removed (rows kept), lost or abandoned export jobs sent again.
        registry.register_periodic_task("exports-sweep", "exports.tasks.sweep_exports", 60.0, expires=55)
        # The reports dashboard's default period of every agency, counted before its first viewer of the day.
        registry.register_periodic_task(
            "exports-warm-dashboards", "exports.tasks.warm_dashboards", float(settings.DASHBOARD_STALE_SECONDS),
            expires=60,
        )
