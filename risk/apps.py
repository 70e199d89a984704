from celery.schedules import crontab
from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RiskConfig(AppConfig):
    """Trafficking indicators, screenings, assessments and supervisor review."""

    name = "risk"
    verbose_name = "Risk and review"

    def ready(self):
        # missing_reports announces its changes and never imports this app (docs/design.md#dependencies).
        from caseapp import registry
        from missing_reports import endangerment_sources
        from missing_reports.signals import debrief_recorded, episode_changed

        from . import demo, endangerment, receivers, tasks, work  # noqa: F401  tasks: registers the Celery task names

        # A flush empties the data migration's indicator rows; put them back (risk/demo.py).
        post_migrate.connect(demo.reload_catalogue_after_flush, sender=self, dispatch_uid="risk.catalogue_after_flush")
        episode_changed.connect(receivers.on_episode_changed, dispatch_uid="risk.episode_changed")
        debrief_recorded.connect(receivers.on_debrief_recorded, dispatch_uid="risk.debrief_recorded")
        # What this app adds to caseapp's pages, demo data and schedule (caseapp/registry.py).
        registry.register_youth_panel("risk/_youth_risk_link.html")
        # Review items, identified-victim reports, screenings after a return, out-of-date photos and service
        # referrals with no outcome yet in each person's "My work" list (caseapp/work.py).
        work.register()
        # A high band, an open identification review and a standing identification tick the open episode's
        # endangerment (missing_reports/endangerment_sources.py, docs/packets.md#endangerment).
        endangerment_sources.register_contributor(endangerment.contribute)
        # Before the missing episodes' seeder (order 0): that one leaves the youth with risk observations
        # to this one, so the two demos never share a youth and a second run adds nothing.
        registry.register_demo_seeder(demo.seed, order=-1)
        # The review items and identified-victim reports escalate like the clocks (risk/escalation.py).
        registry.register_periodic_task("risk-sweep-reviews", "risk.tasks.sweep_reviews", 60.0, expires=55)
        # docs/risk-catalogue.md#history-rules: the episode-history rules run nightly as well as on every change.
        registry.register_periodic_task(
            "risk-reassess-nightly", "risk.tasks.reassess_nightly", crontab(hour=2, minute=15)
        )
