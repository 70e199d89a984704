from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("caseapp.urls_app")),
    path("", include("missing_reports.urls")),
    path("", include("risk.urls")),
    path("", include("exports.urls")),
]
