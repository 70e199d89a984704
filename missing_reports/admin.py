"""Django admin for superusers: the agencies' deadline tables, and read-only episode records."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import MissingEpisode, Notification, ReportingRule


@admin.register(ReportingRule)
class ReportingRuleAdmin(SimpleHistoryAdmin):
    list_display = ("agency", "event", "party", "hours", "source")
    list_filter = ("agency", "event", "party")


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    fields = ("event", "party", "due_at", "done_at", "done_by", "method", "reference")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MissingEpisode)
class MissingEpisodeAdmin(SimpleHistoryAdmin):
    """Read-only here: episodes change through the app's services, which keep the clocks right."""

    list_display = ("id", "youth", "status", "category", "agency_learned_at", "returned_at")
    list_filter = ("status", "category")
    inlines = [NotificationInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
