"""Django admin for superusers: the agencies' deadline tables and own endangerment items, and read-only
episode records."""

from django import forms
from django.contrib import admin
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from caseapp import access
from caseapp.admin import ReadOnlyMixin, ScopedHistoryMixin

from . import deadlines, rules
from .models import AgencyEndangermentItem, MissingEpisode, Notification, ReportingRule


class ReportingRuleForm(forms.ModelForm):
    """A row that would lengthen (or only repeat) a federal or state deadline is refused with the
    deadline that applies: the merge would ignore it, and an admin must not believe it changed anything."""

    class Meta:
        model = ReportingRule
        fields = ("agency", "event", "party", "hours", "unit", "source")
        help_texts = {
            "hours": "How many of the unit below. Federal and state deadlines apply to the agency without a row "
            "here; a row can add a party or make a deadline shorter, never longer.",
        }

    def clean(self):
        data = super().clean()
        agency, event, party, hours, unit = (data.get(name) for name in ("agency", "event", "party", "hours", "unit"))
        if unit and unit != deadlines.HOURS and hours is not None and not 1 <= hours <= deadlines.MAX_DAYS:
            self.add_error("hours", f"A deadline in days is 1 to {deadlines.MAX_DAYS} days.")
        elif agency and event and party and hours is not None and unit:
            reason = rules.longer_than_the_law(agency, event, party, hours, unit)
            if reason:
                self.add_error("hours", reason)
        return data


@admin.register(ReportingRule)
class ReportingRuleAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    form = ReportingRuleForm
    list_display = ("agency", "event", "party", "within", "source")
    list_filter = ("agency", "event", "party")

    @admin.display(description="within", ordering="hours")
    def within(self, rule):
        return deadlines.span_text(rule.hours, rule.unit)

    # Should a non-superuser reach the admin site, they still see only their own agency's rules.
    def get_queryset(self, request):
        return access.scope_to_managed_agencies(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency" and not request.user.is_superuser:
            kwargs["queryset"] = access.agencies_managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        view = self.admin_site.admin_view(self.effective_view)
        return [
            path("effective/<int:agency_id>/", view, name="missing_reports_reportingrule_effective"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        # Links to each agency's deadlines in effect, above the rows (which are only the agency's own).
        agencies = [
            (agency, reverse("admin:missing_reports_reportingrule_effective", args=[agency.pk]))
            for agency in access.agencies_managed_by(request.user).order_by("name")
        ]
        return super().changelist_view(request, {**(extra_context or {}), "effective_links": agencies})

    def effective_view(self, request, agency_id):
        """Read-only: every deadline in effect for the agency, where it comes from, and the rows that
        change nothing. Another agency's table is a 404, as everywhere (docs/design.md#rule-access)."""
        if not self.has_view_permission(request):
            raise Http404("No such page.")
        agency = access.get_in_scope_or_404(access.agencies_managed_by(request.user), agency_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Deadlines in effect: {agency.name}",
            "agency": agency,
            "rows": rules.effective_table(agency),
            "state_rules_known": bool(deadlines.STATE_RULES.get(agency.state)),
            # The holidays business-day deadlines skip from today on (the agency's page edits them).
            "holidays": rules.upcoming_holidays(agency),
            "holidays_url": f"{reverse('admin:caseapp_agencyholiday_changelist')}?agency__id__exact={agency.pk}",
        }
        return TemplateResponse(request, "admin/missing_reports/reportingrule/effective.html", context)


@admin.register(AgencyEndangermentItem)
class AgencyEndangermentItemAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """An agency's own endangerment items (docs/packets.md#agency-items). The model's clean refuses a blank
    label; an admin sees and picks only the agencies they manage, like the deadline table."""

    list_display = ("label", "agency", "active")
    list_filter = ("active", "agency")
    fields = ("agency", "label", "active")

    def get_queryset(self, request):
        return access.scope_to_managed_agencies(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency" and not request.user.is_superuser:
            kwargs["queryset"] = access.agencies_managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    fields = ("event", "party", "disclosure", "due_at", "done_at", "done_by", "method", "reference")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MissingEpisode)
class MissingEpisodeAdmin(ReadOnlyMixin, ScopedHistoryMixin, SimpleHistoryAdmin):
    """Read-only here: episodes change through the app's services, which keep the clocks right."""

    def get_queryset(self, request):
        # Through the access gate, should a non-superuser reach the admin site.
        return access.scope_to_visible_youth(super().get_queryset(request), request.user)

    list_display = ("id", "youth", "status", "category", "agency_learned_at", "returned_at")
    list_filter = ("status", "category")
    inlines = [NotificationInline]
