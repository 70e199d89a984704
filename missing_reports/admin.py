"""Django admin for superusers: the agencies' deadline tables, and read-only episode records."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from caseapp import access
from caseapp.admin import ScopedHistoryMixin
from caseapp.models import Agency

from .models import MissingEpisode, Notification, ReportingRule


@admin.register(ReportingRule)
class ReportingRuleAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    list_display = ("agency", "event", "party", "hours", "source")
    list_filter = ("agency", "event", "party")

    # Should a non-superuser reach the admin site, they still see only their own agency's rules.
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if not access.can_manage_staff(request.user):
            return qs.none()
        return qs.filter(agency_id=request.user.agency_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency" and not request.user.is_superuser:
            kwargs["queryset"] = Agency.objects.filter(pk=request.user.agency_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    fields = ("event", "party", "due_at", "done_at", "done_by", "method", "reference")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MissingEpisode)
class MissingEpisodeAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Read-only here: episodes change through the app's services, which keep the clocks right."""

    def get_queryset(self, request):
        # Through the access gate, should a non-superuser reach the admin site.
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(youth__in=access.youth_visible_to(request.user))

    list_display = ("id", "youth", "status", "category", "agency_learned_at", "returned_at")
    list_filter = ("status", "category")
    inlines = [NotificationInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
