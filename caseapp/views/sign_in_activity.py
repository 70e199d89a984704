"""Around signing in (docs/security.md): the sign-in page's lockout answer, the session endpoints the idle
warning uses, and the agency admin's "Sign-in activity" page and unlock button."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .. import access, selectors, sessions
from ..models import AuditAction
from ..services import sign_in as sign_in_services
from ..signin_audit import SIGN_IN_ACTIONS


def locked_out(request, original_response=None, credentials=None):
    """What a locked-out sign-in sees (django-axes' AXES_LOCKOUT_CALLABLE): the sign-in page again, with a calm
    message instead of the form's error, and status 429. The same for the Django admin's sign-in."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": request.POST.get("next", request.GET.get("next", "")),
        "locked_out": True,
        "cool_off_minutes": settings.SIGN_IN_COOL_OFF_MINUTES,
    }
    return render(request, "registration/login.html", context, status=429)


def _session_state(request):
    now = timezone.now()
    idle = sessions.idle_minutes(request.user)
    return {
        "signed_in": True,
        "seconds_left": sessions.seconds_left(request.session, request.user, now),
        "idle_seconds": idle * 60,
        "warning_seconds": sessions.warning_seconds(idle),
    }


@require_GET
def session_status(request):
    """How long the session has left. The warning asks it as a background request, so asking is not activity
    (caseapp/middleware.py SessionLimitsMiddleware)."""
    return JsonResponse(_session_state(request))


@require_POST
def session_renew(request):
    """"Stay signed in": a request the person made, so the middleware counted it as activity."""
    sessions.touch(request.session, timezone.now())
    return JsonResponse(_session_state(request))


class SignInFilterForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Everyone", widget=forms.Select(attrs={"class": "form-select"})
    )
    event = forms.ChoiceField(required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = access.staff_manageable_by(user).order_by("last_name", "first_name", "id")
        self.fields["event"].choices = [("", "Any event")] + [
            (a.value, a.label) for a in SIGN_IN_ACTIONS
        ]


def sign_in_activity(request):
    """The sign-in events of the admin's agency (all, for a superuser), newest first."""
    access.require(access.can_manage_staff(request.user))
    form = SignInFilterForm(request.GET or None, user=request.user)
    person_id, action = None, ""
    if form.is_bound and form.is_valid():
        person = form.cleaned_data["person"]
        person_id = person.pk if person else None
        action = form.cleaned_data["event"]
    elif form.is_bound:
        messages.error(request, "That filter is not one of the choices; showing everything.")
    page = selectors.sign_in_activity_page(request.user, request.GET, person_id=person_id, action=action)
    query = request.GET.copy()
    for paging in ("page", "older", "newer"):
        query.pop(paging, None)
    return render(
        request,
        "caseapp/sign_in_activity.html",
        {"form": form, "page": page, "query": query.urlencode(), "unlocked": AuditAction.UNLOCKED},
    )


@require_POST
def staff_unlock(request, staff_id):
    access.require(access.can_manage_staff(request.user))
    staff = sign_in_services.unlock_account(actor=request.user, staff_id=staff_id, request=request)
    messages.success(request, f"{staff} can sign in again now.")
    return redirect("staff_list")
