from django.urls import path

from . import views, views_dashboard

urlpatterns = [
    path("reports/", views.reports_page, name="reports"),
    path("reports/dashboard/", views_dashboard.reports_dashboard, name="reports_dashboard"),
    path("reports/exports/", views.export_list, name="export_list"),
    path("reports/exports/<int:job_id>/", views.export_detail, name="export_detail"),
    path("reports/exports/<int:job_id>/status.json", views.export_status, name="export_status"),
    path("reports/exports/<int:job_id>/download/", views.export_download, name="export_download"),
    path("reports/exports/<int:job_id>/retry/", views.export_retry, name="export_retry"),
    path("reports/exports/<int:job_id>/run-again/", views.export_run_again, name="export_run_again"),
]
