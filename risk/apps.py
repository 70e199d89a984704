from django.apps import AppConfig


class RiskConfig(AppConfig):
    """Trafficking indicators, screenings, assessments and supervisor review (issue 5)."""

    name = "risk"
    verbose_name = "Risk and review"
