"""Report packets: download a version's PDF or JSON, and record that a version was submitted.

Thin: missing_reports.packets.pipeline scopes, audits and checks every rule; the episode page lists
the packets (runs.packet_panels).
"""

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from caseapp import access
from caseapp.audit import client_ip
from caseapp.forms.base import save_through_service
from caseapp.local_time import short_time

from .. import selectors
from ..forms.packets import SubmissionForm
from ..models import PacketStatus, PacketVersion
from ..packets import pipeline
from ..services import submissions as submission_services
from .runs import packet_panels, packets_state

FORMATS = ("pdf", "json")


def packets_url(episode_id):
    return reverse("episode_detail", args=[episode_id]) + "#packets-h"


@require_safe
def packet_download(request, packet_id, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format.")
    handle, filename, content_type = pipeline.open_packet_file(request.user, packet_id, fmt, ip=client_ip(request))
    # The pipeline names the file by agency case number and episode id, never by the youth's name.
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def packet_status(request, episode_id):
    """What the episode page's packet section shows of the builds, for its poll (static/js/packet-status.js).

    Scoped like the page (404 outside the user's scope). Only build states and version numbers, no
    fact of the youth: not audited, as it is asked every few seconds while a build is pending.
    """
    episode = selectors.get_episode_or_404(request.user, episode_id)
    panels = packet_panels(episode, request.user, details=False)
    response = JsonResponse(
        {"pending": any(panel.is_building for panel in panels), "state": packets_state(panels)}
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _packet_for_edit_or_404(user, packet_id):
    packet = (
        PacketVersion.objects.filter(pk=packet_id, episode__youth__in=access.youth_editable_by(user))
        .select_related("episode__youth")
        .defer("facts")
        .first()
    )
    if packet is None:
        raise Http404("No such packet.")
    return packet


def packet_submit(request, packet_id):
    packet = _packet_for_edit_or_404(request.user, packet_id)
    episode = packet.episode
    if packet.status != PacketStatus.READY:
        messages.warning(
            request,
            f"Version {packet.number} of the {packet.get_kind_display()} is not ready, so it cannot be recorded "
            "as submitted. Submit the newest ready version.",
        )
        return redirect(packets_url(episode.pk))
    form = SubmissionForm(request.POST or None, kind=packet.kind)
    submission = save_through_service(request, form, submission_services.record_submission, packet_id=packet.pk)
    if submission is not None:
        done = f" Required notice done: {submission.notification.label}."
        messages.success(
            request,
            f"Version {packet.number} of the {packet.get_kind_display()} recorded as submitted "
            f"{short_time(form.cleaned_data['submitted_at'])} ({form.cleaned_data['reference']}).{done}",
        )
        return redirect(packets_url(episode.pk))
    return render(
        request, "missing_reports/packet_submit.html", {"form": form, "packet": packet, "episode": episode}
    )
