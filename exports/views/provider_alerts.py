"""Provider alerts (docs/duties.md#provider-alert): the list of the asker's scope and one alert's page, where its
reviewers close it with a note.

Thin: exports.provider_alerts scopes (404 outside it), exports.services.provider_alerts checks and writes.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from caseapp import access
from caseapp.forms.base import call_service
from caseapp.services.errors import EditConflict

from .. import provider_alerts
from ..forms.provider_alerts import ProviderReviewForm
from ..services import provider_alerts as services


@require_safe
def provider_alert_list(request):
    access.require(access.can_export(request.user))
    show_closed = request.GET.get("show") == "all"
    return render(
        request,
        "exports/provider_alert_list.html",
        {"alerts": list(provider_alerts.listed(request.user, show_closed=show_closed)[:200]),
         "show_closed": show_closed},
    )


def provider_alert_detail(request, alert_id):
    alert = provider_alerts.get_or_404(request.user, alert_id)
    may_review = alert.is_open and provider_alerts.can_review(request.user, alert)
    form = ProviderReviewForm(request.POST or None, initial={"version": alert.version})
    if request.method == "POST":
        if not may_review:
            form.add_error(None, "This provider alert is already reviewed, or it is not yours to review.")
        elif form.is_valid():
            try:
                closed = call_service(
                    request, form, services.close, alert_id=alert.pk,
                    expected_version=form.cleaned_data["version"], review_note=form.cleaned_data["review_note"],
                )
            except EditConflict:
                form.add_error(None, "Someone reviewed this alert after you opened it: nothing was saved.")
                closed = None
            if closed is not None:
                messages.success(request, "The review is recorded and the alert is closed.")
                return redirect("provider_alert_detail", alert_id=alert.pk)
    return render(
        request,
        "exports/provider_alert_detail.html",
        {"alert": alert, "teams": list(alert.teams.order_by("name")), "form": form, "may_review": may_review},
    )
