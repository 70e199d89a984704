from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("caseapp.urls_app")),
    path("", include("missing_reports.urls")),
    path("", include("risk.urls")),
    path("", include("exports.urls")),
]

# A database failure outside a view gets the same 503 page as one inside it; any other error the calm 500 page.
handler500 = "caseapp.faults.server_error"
