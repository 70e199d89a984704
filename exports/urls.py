from django.urls import path

from .views import dashboard, exports, pattern, provider_alerts, punitive_responses

urlpatterns = [
    path("youth/<int:youth_id>/pattern/", pattern.youth_pattern, name="youth_pattern"),
    path("reports/", exports.reports_page, name="reports"),
    path("reports/dashboard/", dashboard.reports_dashboard, name="reports_dashboard"),
    path("reports/dashboard/status.json", dashboard.reports_dashboard_status, name="reports_dashboard_status"),
    path("reports/dashboard/recount/", dashboard.reports_dashboard_recount, name="reports_dashboard_recount"),
    path(
        "reports/punitive-responses/", punitive_responses.punitive_responses_page, name="punitive_responses_report"
    ),
    path("provider-alerts/", provider_alerts.provider_alert_list, name="provider_alert_list"),
    path("provider-alerts/<int:alert_id>/", provider_alerts.provider_alert_detail, name="provider_alert_detail"),
    path("reports/exports/", exports.export_list, name="export_list"),
    path("reports/exports/<int:job_id>/", exports.export_detail, name="export_detail"),
    path("reports/exports/<int:job_id>/status.json", exports.export_status, name="export_status"),
    path("reports/exports/<int:job_id>/download/", exports.export_download, name="export_download"),
    path("reports/exports/<int:job_id>/retry/", exports.export_retry, name="export_retry"),
    path("reports/exports/<int:job_id>/run-again/", exports.export_run_again, name="export_run_again"),
]
