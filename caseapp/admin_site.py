"""The Django admin's site, behind the same sign-in as the app (docs/security.md#admin).

Only a session verified by a second factor gets in (as django_otp's OTPAdminSite), and the admin has no
password form of its own: its login page sends people to /login/, whose lockout and second step apply to it.
Everyone who may open the admin (staff, superusers) must have a second factor (caseapp/two_factor.py).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class VerifiedAdminSite(admin.AdminSite):
    def has_permission(self, request):
        is_verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and callable(is_verified) and is_verified()

    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        going_to = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(going_to, allowed_hosts={request.get_host()}):
            going_to = index
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(going_to)
            return render(request, "admin/no_access.html", status=403)
        from django.contrib.auth.views import redirect_to_login  # not at import: INSTALLED_APPS names this module

        return redirect_to_login(going_to, login_url=reverse("login"))


class VerifiedAdminConfig(AdminConfig):
    """Django's admin app with this site as its default (`admin.site`), named in INSTALLED_APPS."""

    default_site = "caseapp.admin_site.VerifiedAdminSite"
