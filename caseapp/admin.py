"""Django admin, for superusers (the people who run the installation).

Agency admins manage their staff and teams on the in-app pages (caseapp/views/staff.py). Should an
agency admin be given admin-site access anyway, every list here is still cut to their own agency,
through the same access module as the rest of the app.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import Http404
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from . import access, local_time
from .models import Agency, AgencyHoliday, AuditEvent, Placement, Team, User, Youth
from .services import two_factor as two_factor_services

# django-otp's own device pages would show every account's authenticator key, unscoped and unaudited: a second
# factor is reset through the users' action below (the same service as the staff page), never edited by hand.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


class ReadOnlyMixin:
    """An admin page that only shows: its records change through the app's services (which keep the
    clocks, versions and audit right), or never (the audit trail is append-only)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedHistoryMixin:
    """The history pages of django-simple-history look objects up without get_queryset (and even
    revert them): an object outside the admin's queryset is a 404 there too (docs/design.md#rule-access)."""

    def _require_in_scope(self, request, object_id):
        pk_name = self.model._meta.pk.attname
        try:
            found = self.get_queryset(request).filter(**{pk_name: unquote(object_id)}).exists()
        except (ValueError, TypeError):
            found = False
        if not found:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


class AgencyScopedAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Lists and edits only the signed-in user's agency; superusers see all."""

    agency_field = "agency"

    def get_queryset(self, request):
        return access.scope_to_managed_agencies(super().get_queryset(request), request.user, self.agency_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "agency":
                kwargs["queryset"] = access.agencies_managed_by(request.user)
            elif db_field.name == "team":
                kwargs["queryset"] = access.teams_manageable_by(request.user)
            elif db_field.name == "youth":
                kwargs["queryset"] = access.youth_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser and db_field.related_model is User:
            kwargs["queryset"] = access.staff_manageable_by(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Records are never hard-deleted (docs/design.md#rule-nothing-lost).
        return False


class AgencyForm(forms.ModelForm):
    """The zone is picked from the zones the server knows (US zones first); the model's validator
    words the refusal of anything else."""

    class Meta:
        model = Agency
        fields = (
            "name", "code", "state", "time_zone", "phone", "email", "address", "compliance_contact_email",
            "serves_under_26", "first_hour_reminder_minutes", "reminder_lead_hours_first",
            "reminder_lead_hours_second", "ack_minutes_run", "ack_minutes_reminder", "sms_enabled",
            "require_two_factor_for_caseworkers",
            "search_daily_days", "search_interval_days", "search_until_days", "long_absence_review_days",
            "screening_follow_up_days", "session_idle_minutes",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        self.fields["time_zone"] = forms.TypedChoiceField(
            label=field.label, help_text=field.help_text, required=field.required, initial=field.initial,
            choices=local_time.time_zone_choices(), validators=[local_time.validate_time_zone],
        )
        # A value outside the list gets the validator's wording, not "Select a valid choice".
        self.fields["time_zone"].valid_value = lambda value: True


@admin.register(Agency)
class AgencyAdmin(ScopedHistoryMixin, admin.ModelAdmin):
    # Agency keeps no django-simple-history table, so its admin is Django's own (its history page lists the
    # admin's log entries); SimpleHistoryAdmin's version page crashed on it (found by
    # tests/test_security_headers.py walking every admin URL).
    form = AgencyForm
    list_display = ("name", "code", "state", "time_zone")
    search_fields = ("name", "code")

    def get_queryset(self, request):
        return access.scope_to_managed_agencies(super().get_queryset(request), request.user, "pk")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgencyHoliday)
class AgencyHolidayAdmin(AgencyScopedAdmin):
    """The agency's holidays (docs/duties.md#rule-units): business-day deadlines skip them. Each admin sees and
    picks only the agencies they manage; every change is kept in the holiday's history, with who made it. The
    model's clean refuses a blank name, a weekend day and a day the agency has already."""

    list_display = ("date", "name", "agency")
    list_filter = ("agency",)
    fields = ("agency", "date", "name")
    date_hierarchy = "date"

    def has_delete_permission(self, request, obj=None):
        # A holiday is a setting, not a record of the youth: one entered in error is removed (its history stays).
        return super(AgencyScopedAdmin, self).has_delete_permission(request, obj)


@admin.register(Team)
class TeamAdmin(AgencyScopedAdmin):
    list_display = ("name", "agency")
    list_filter = ("agency",)
    filter_horizontal = ("supervisors",)


@admin.register(User)
class UserAdmin(AgencyScopedAdmin, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "agency", "role", "team", "is_active")
    list_filter = ("agency", "role", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Agency and role", {"fields": ("agency", "role", "team", "phone", "mobile_phone")}),
    )

    actions = ["reset_second_factor"]

    @admin.action(description="Reset second factor (remove the authenticator app and recovery codes, sign out)")
    def reset_second_factor(self, request, queryset):
        """As an agency admin's Reset second factor on the staff page: audited, every session ended
        (docs/security.md#reset)."""
        for staff in queryset:
            two_factor_services.reset(actor=request.user, staff_id=staff.pk, request=request)
        self.message_user(request, f"Second factor reset for {len(queryset)} account(s); they set up a new one at "
                                   "their next sign-in.")

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser hands out superuser or admin-site rights: an agency admin on this site
        # must not be able to make anyone (themselves included) see every agency.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "is_staff", "groups", "user_permissions"]
        return readonly


@admin.register(Youth)
class YouthAdmin(AgencyScopedAdmin):
    list_display = ("case_number", "legal_last_name", "legal_first_name", "agency", "team", "status")
    list_filter = ("agency", "status", "covered_population")
    search_fields = ("case_number", "legal_last_name", "legal_first_name")
    exclude = ("ssn", "medical_notes")
    readonly_fields = ("version",)


@admin.register(Placement)
class PlacementAdmin(AgencyScopedAdmin):
    agency_field = "youth__agency"
    list_display = ("youth", "placement_type", "provider_name", "start_date", "end_date")
    list_filter = ("placement_type",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "youth", "ip_address")
    list_filter = ("action", "object_type")
    date_hierarchy = "at"

    def get_queryset(self, request):
        # The audit trail is for agency admins, not every staff member with admin access.
        return access.scope_to_managed_agencies(
            super().get_queryset(request).select_related("actor", "youth"), request.user
        )
