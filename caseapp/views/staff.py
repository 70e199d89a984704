"""Staff accounts and teams, for agency admins, within their own agency only.

Everyone else gets a 404, as for any page outside their scope (README "Roles"): the gate
(access.can_manage_staff) decides, and another agency's records are not in the admin's querysets.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from .. import access, lockout
from ..forms.base import call_service, save_through_service
from ..forms.staff import PasswordForm, StaffForm, TeamForm
from ..services import staff as staff_services
from ..services import two_factor as two_factor_services
from ..two_factor import authenticator_of


def _require_manager(request):
    access.require(access.can_manage_staff(request.user))


def staff_list(request):
    _require_manager(request)
    staff = access.staff_manageable_by(request.user).select_related("team", "agency").prefetch_related(
        "supervised_teams"
    )
    page = Paginator(staff.order_by("last_name", "first_name", "id"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    teams = access.teams_manageable_by(request.user).prefetch_related("supervisors")
    locked = lockout.locked_usernames([s.username for s in page.object_list])
    return render(request, "caseapp/staff_list.html", {"page": page, "teams": teams, "locked": locked})


def staff_create(request):
    _require_manager(request)
    form = StaffForm(request.POST or None, agency_id=request.user.agency_id)
    if request.method == "POST" and form.is_valid():
        fields, teams = form.service_fields()
        staff = call_service(request, form, staff_services.create_staff, supervised_teams=teams, **fields)
        if staff is not None:
            messages.success(request, f"Account created for {staff}.")
            return redirect("staff_list")
    return render(request, "caseapp/staff_form.html", {"form": form, "staff": None})


def staff_edit(request, staff_id):
    _require_manager(request)
    staff = access.get_in_scope_or_404(access.staff_manageable_by(request.user), staff_id)
    form = StaffForm(request.POST or None, instance=staff, agency_id=staff.agency_id)
    if request.method == "POST" and form.is_valid():
        fields, teams = form.service_fields()
        saved = call_service(
            request, form, staff_services.update_staff, staff_id=staff.pk, supervised_teams=teams, **fields
        )
        if saved is not None:
            messages.success(request, "Account updated.")
            return redirect("staff_list")
    return render(request, "caseapp/staff_form.html", {
        "form": form, "staff": staff, "authenticator": authenticator_of(staff),
    })


def staff_password(request, staff_id):
    _require_manager(request)
    staff = access.get_in_scope_or_404(access.staff_manageable_by(request.user), staff_id)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            request, form, staff_services.set_staff_password,
            staff_id=staff.pk, password=form.cleaned_data["password"],
        )
        if saved is not None:
            messages.success(request, f"Password set for {staff}.")
            return redirect("staff_list")
    return render(request, "caseapp/staff_password.html", {"form": form, "staff": staff})


def staff_two_factor_reset(request, staff_id):
    """Reset a staff member's lost second factor: their authenticator app and recovery codes are removed and
    every session of theirs ends (docs/security.md#reset)."""
    _require_manager(request)
    staff = access.get_in_scope_or_404(access.staff_manageable_by(request.user), staff_id)
    if request.method == "POST":
        two_factor_services.reset(actor=request.user, staff_id=staff.pk, request=request)
        messages.success(
            request,
            f"Second factor reset for {staff}: their authenticator app and recovery codes are removed and they are "
            "signed out. They set up a new authenticator app when they next log in.",
        )
        return redirect("staff_edit", staff.pk)
    return render(request, "caseapp/staff_two_factor_reset.html", {
        "staff": staff, "has_authenticator": authenticator_of(staff) is not None,
    })


def team_form(request, team_id=None):
    _require_manager(request)
    team = None
    initial = {}
    if team_id is not None:
        team = access.get_in_scope_or_404(access.teams_manageable_by(request.user), team_id)
        initial = {"name": team.name, "supervisors": list(team.supervisors.all())}
    agency_id = team.agency_id if team else request.user.agency_id
    form = TeamForm(request.POST or None, initial=initial, agency_id=agency_id)
    if save_through_service(request, form, staff_services.save_team, team_id=team_id) is not None:
        messages.success(request, "Team saved.")
        return redirect("staff_list")
    return render(request, "caseapp/team_form.html", {"form": form, "team": team})
