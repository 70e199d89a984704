"""Record a required notice (a clock) with its evidence, and the updates sent to that party later.

Thin: selectors read (scoped through caseapp.access), services write and check every rule.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from caseapp import conflicts
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error, save_through_service
from caseapp.local_time import short_time
from caseapp.services.errors import EditConflict

from .. import deadlines, selectors, work
from ..forms.notifications import NotificationForm, NotificationUpdateForm
from ..services import episodes as episode_services


def _clocks_url(notification):
    return reverse("episode_detail", args=[notification.episode_id]) + "#clocks-h"


def record_notification(request, notification_id):
    notification = selectors.get_notification_or_404(request.user, notification_id, for_edit=True)
    party, event = notification.party, notification.event
    if request.method == "POST":
        form = NotificationForm(request.POST, instance=notification, party=party, event=event)
        if form.is_valid():
            version, evidence = form.service_fields()
            try:
                saved = episode_services.record_notification(
                    actor=request.user, notification_id=notification.pk, expected_version=version,
                    ip=client_ip(request), **evidence,
                )
            except EditConflict as exc:
                current = exc.current
                form = conflicts.rebuild(
                    form, lambda initial: NotificationForm(instance=current, party=party, event=event, initial=initial),
                    current=current,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"{saved.label}: recorded as given {short_time(saved.done_at)} ({saved.timing()})."
                )
                return redirect(_clocks_url(saved))
    else:
        form = NotificationForm(instance=notification, party=party, event=event)
    return render(
        request,
        "missing_reports/notification_form.html",
        {
            "form": form,
            "notification": notification,
            "episode": notification.episode,
            "is_return_interview": party == deadlines.RETURN_INTERVIEW,
            "is_ncic_confirmation": event == deadlines.NCIC_CONFIRMATION,
            "is_disclosure": event == deadlines.DISCLOSED,
            "what": work.notice_what(notification),  # "Report the disclosure to the child abuse hotline"
            "is_law_enforcement": party == deadlines.LAW_ENFORCEMENT,
            "is_ncmec": party == deadlines.NCMEC,
        },
    )


def notification_update_create(request, notification_id):
    notification = selectors.get_notification_or_404(request.user, notification_id, for_edit=True)
    form = NotificationUpdateForm(request.POST or None)
    saved = save_through_service(
        request, form, episode_services.add_notification_update, notification_id=notification.pk
    )
    if saved is not None:
        messages.success(request, f"Update to {notification.label} recorded.")
        return redirect(_clocks_url(notification))
    return render(
        request,
        "missing_reports/notification_update_form.html",
        {"form": form, "notification": notification, "episode": notification.episode},
    )
