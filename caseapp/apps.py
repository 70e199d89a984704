from django.apps import AppConfig


class CaseappConfig(AppConfig):
    name = "caseapp"
    verbose_name = "Case records"
