"""The on-call roster page: who is on call now, the week's pattern and the coming swaps, for everyone of the
agency; the forms to change it, and the remove buttons, for its agency admins (docs/design.md#on-call).

Another agency's staff, and anyone without a role, get a 404 (caseapp/access.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from .. import access, on_call
from ..audit import client_ip
from ..forms.base import save_through_service
from ..forms.on_call import ShiftForm, SwapForm
from ..local_time import zone_name
from ..models import OnCallShift, OnCallSwap
from ..services import on_call as on_call_services

FORMS = {
    "shift": (ShiftForm, on_call_services.add_shift, "Weekly shift added."),
    "swap": (SwapForm, on_call_services.add_swap, "Swap added."),
}


def on_call_page(request):
    access.require(access.can_see_on_call(request.user))
    can_manage = access.can_manage_on_call(request.user)
    access.require(can_manage or request.method != "POST")
    agency = request.user.agency
    posted = request.POST.get("form") if request.method == "POST" else None
    forms = {}
    if can_manage:
        for name, (form_class, service, done) in FORMS.items():
            data = request.POST if posted == name else None
            forms[name] = form = form_class(data, agency_id=agency.pk, prefix=name)
            if data is not None and save_through_service(request, form, service) is not None:
                messages.success(request, done)
                return redirect("on_call")
    now = timezone.now()
    return render(
        request,
        "caseapp/on_call.html",
        {
            "now_scopes": on_call.on_call_now(agency, now),
            "week": on_call.week_pattern(agency),
            "swaps": on_call.upcoming_swaps(agency, now),
            "can_manage": can_manage,
            "shift_form": forms.get("shift"),
            "swap_form": forms.get("swap"),
            "zone": zone_name(timezone.get_current_timezone()),
        },
    )


def _remove(request, model, pk, service, what):
    access.require(access.can_manage_on_call(request.user))
    row = access.get_in_scope_or_404(
        model.objects.current().filter(agency_id=request.user.agency_id).select_related("user", "team"), pk
    )
    if request.method == "POST":
        service(actor=request.user, ip=client_ip(request), **{f"{what}_id": row.pk})
        messages.success(request, f"{what.capitalize()} of {row.user} removed.")
        return redirect("on_call")
    window = on_call.window_label(row.start_hour, row.end_hour) if what == "shift" else ""
    return render(request, "caseapp/on_call_remove.html", {"row": row, "what": what, "window": window})


def shift_remove(request, shift_id):
    return _remove(request, OnCallShift, shift_id, on_call_services.remove_shift, "shift")


def swap_remove(request, swap_id):
    return _remove(request, OnCallSwap, swap_id, on_call_services.remove_swap, "swap")
