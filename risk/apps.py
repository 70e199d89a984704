from django.apps import AppConfig


class RiskConfig(AppConfig):
    """Trafficking indicators, screenings, assessments and supervisor review."""

    name = "risk"
    verbose_name = "Risk and review"

    def ready(self):
        # missing_reports announces its changes and never imports this app (docs/design.md#dependencies).
        from missing_reports.signals import debrief_recorded, episode_changed

        from . import receivers

        episode_changed.connect(receivers.on_episode_changed, dispatch_uid="risk.episode_changed")
        debrief_recorded.connect(receivers.on_debrief_recorded, dispatch_uid="risk.debrief_recorded")
