"""The Alerts page, one-tap acknowledgement, and the signed acknowledgement link of emails and SMS.

docs/alerts.md. The list shows only the signer's own copies (caseapp.selectors.my_alert_copies, cut by the access
gate); another person's copy is a 404. The signed link needs no sign-in: the token names one copy and the way
it was sent, and it shows only the youth's first name and case number.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import access, alert_delivery, audit, selectors
from ..models import AlertRecipient
from ..services import alerts as alert_services


def alert_list(request):
    page = selectors.alerts_page(request.user, request.GET.get("page"))
    return render(request, "caseapp/alerts.html", {"page": page})


def _ack_message(alert) -> str:
    from ..local_time import agency_zone, display_time

    when = display_time(alert.acknowledged_at, agency_zone(alert.agency))
    return f"Acknowledged by {alert.acknowledged_by} on {when}."


@require_POST
def alert_acknowledge(request, recipient_id):
    copy = access.get_in_scope_or_404(
        selectors.my_alert_copies(request.user).select_related("alert__youth", "alert__agency"), recipient_id
    )
    won = alert_services.acknowledge(
        copy.alert, user=request.user, via="app", recipient=copy, ip=audit.client_ip(request)
    )
    if won:
        messages.success(request, f"Acknowledged: {copy.alert.subject}.")
    else:
        messages.info(request, f"Already acknowledged. {_ack_message(copy.alert)}")
    return redirect("alert_list")


def _first_name(youth) -> str:
    return (youth.preferred_name or youth.legal_first_name).split()[0]


@login_not_required
@require_http_methods(["GET", "POST"])
def alert_ack_link(request, token):
    """The link in an alert email or SMS: a small page with one button; no sign-in needed."""
    try:
        recipient_id, via = alert_delivery.read_ack_token(token)
    except signing.SignatureExpired:
        return _link_problem(request, "This acknowledgement link has expired. Sign in and open Alerts instead.", 400)
    except signing.BadSignature:
        return _link_problem(request, "This acknowledgement link is not valid. Sign in and open Alerts instead.", 400)
    copy = (
        AlertRecipient.objects.select_related("alert__youth", "alert__agency", "alert__acknowledged_by", "user")
        .filter(pk=recipient_id, user__isnull=False, user__is_active=True)
        .first()
    )
    if copy is None or not access.youth_visible_to(copy.user).filter(pk=copy.alert.youth_id).exists():
        return _link_problem(request, "This alert is not available any more. Sign in and open Alerts instead.", 404)
    alert = copy.alert
    done_now = False
    if request.method == "POST" and not alert.is_acknowledged:
        done_now = alert_services.acknowledge(
            alert, user=copy.user, via=via, recipient=copy, ip=audit.client_ip(request)
        )
    context = {
        "first_name": _first_name(alert.youth),
        "case_number": alert.youth.case_number,
        "what": alert.kind.replace("_", " "),
        "token": token,
        "alert": alert,
        "done_now": done_now,
        "ack_message": _ack_message(alert) if alert.is_acknowledged else "",
    }
    return render(request, "caseapp/alert_ack_link.html", context)


def _link_problem(request, message, status):
    return render(request, "caseapp/alert_ack_link.html", {"problem": message}, status=status)
