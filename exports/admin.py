"""Django admin for superusers: export jobs, read-only (they are made by the Reports page only)."""

from django.contrib import admin

from caseapp.admin import ReadOnlyMixin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("pk", "agency", "report", "format", "status", "requested_by", "created_at", "row_count")
    list_filter = ("status", "report", "format", "agency")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in ExportJob._meta.fields]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
