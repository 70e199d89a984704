"""Django admin for superusers: the indicator catalogue and read-only risk records.

Everything here is read-only: observations, decisions and report clocks change only through the
app's services, which validate, audit and keep the clocks right (docs/design.md#rule-nothing-lost and #rule-bad-input).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from caseapp import access
from caseapp.admin import ReadOnlyMixin, ScopedHistoryMixin

from .models import IdentificationReport, Indicator, Observation, ReviewDecision, ReviewItem, ScoringVersion


class YouthScopedAdmin(ReadOnlyMixin, ScopedHistoryMixin, SimpleHistoryAdmin):
    """Through the access gate, should a non-superuser reach the admin site."""

    def get_queryset(self, request):
        return access.scope_to_visible_youth(super().get_queryset(request), request.user)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The default catalogue (docs/risk-catalogue.md#catalogue), loaded by a migration; agencies change weights
    in the app."""

    list_display = ("code", "category", "label", "weight", "flag", "derived")
    list_filter = ("category", "flag", "derived")
    search_fields = ("code", "label")


@admin.register(ScoringVersion)
class ScoringVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("agency", "number", "created_by", "created_at", "reason")

    def get_queryset(self, request):
        return access.scope_to_managed_agencies(super().get_queryset(request), request.user)


@admin.register(Observation)
class ObservationAdmin(YouthScopedAdmin):
    list_display = ("id", "youth", "indicator", "observed_at", "evidence", "retracted_at")
    list_filter = ("evidence", "indicator__category")


@admin.register(ReviewItem)
class ReviewItemAdmin(YouthScopedAdmin):
    list_display = ("id", "youth", "urgency", "status", "due_at", "overdue_at")
    list_filter = ("status", "urgency")


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "youth", "outcome", "decided_by", "decided_at")
    list_filter = ("outcome",)

    def get_queryset(self, request):
        return access.scope_to_visible_youth(super().get_queryset(request), request.user)


@admin.register(IdentificationReport)
class IdentificationReportAdmin(YouthScopedAdmin):
    list_display = ("id", "youth", "due_at", "done_at", "reference")
