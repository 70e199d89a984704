"""Packet submissions: a packet version given to NCMEC or law enforcement completes its clock.

Runs in one transaction with its audit row; the clock itself is completed through
episodes.record_notification, the one place for a notice's rules.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from caseapp import access, audit
from caseapp.models import AuditAction

from .. import deadlines
from ..models import NotificationMethod, PacketKind, PacketStatus, PacketSubmission, PacketVersion, SubmissionChannel
from .episodes import CLOCK_SKEW, record_notification

# How each submission channel gives the notice (Notification.method).
CHANNEL_METHODS = {
    SubmissionChannel.NCMEC_CALL_CENTRE: NotificationMethod.PHONE,
    SubmissionChannel.NCMEC_PORTAL: NotificationMethod.PORTAL,
    SubmissionChannel.SYSTEM_TO_SYSTEM: NotificationMethod.SYSTEM,
    SubmissionChannel.LAW_ENFORCEMENT_IN_PERSON: NotificationMethod.IN_PERSON,
    SubmissionChannel.LAW_ENFORCEMENT_PHONE: NotificationMethod.PHONE,
    SubmissionChannel.LAW_ENFORCEMENT_WRITTEN: NotificationMethod.WRITTEN,
}
NCMEC_CHANNELS = (
    SubmissionChannel.NCMEC_CALL_CENTRE, SubmissionChannel.NCMEC_PORTAL, SubmissionChannel.SYSTEM_TO_SYSTEM,
)
LAW_ENFORCEMENT_CHANNELS = (
    SubmissionChannel.LAW_ENFORCEMENT_IN_PERSON, SubmissionChannel.LAW_ENFORCEMENT_PHONE,
    SubmissionChannel.LAW_ENFORCEMENT_WRITTEN,
)
# Who a packet goes to decides how it can be given; a recovery notice goes to both. The submission
# form offers these, in this order.
SUBMISSION_CHANNELS = {
    PacketKind.NCMEC: NCMEC_CHANNELS,
    PacketKind.LAW_ENFORCEMENT: LAW_ENFORCEMENT_CHANNELS,
    PacketKind.RECOVERY: NCMEC_CHANNELS + LAW_ENFORCEMENT_CHANNELS,
}


def _clock_for(packet, channel):
    """(event, party) of the clock a submission of `packet` through `channel` completes."""
    if packet.kind == PacketKind.NCMEC:
        return deadlines.MISSING, deadlines.NCMEC
    if packet.kind == PacketKind.LAW_ENFORCEMENT:
        return deadlines.MISSING, deadlines.LAW_ENFORCEMENT
    party = deadlines.LAW_ENFORCEMENT if channel in LAW_ENFORCEMENT_CHANNELS else deadlines.NCMEC
    return deadlines.RETURNED, party


@transaction.atomic
def record_submission(*, actor, packet_id, channel, reference, submitted_at, ip=None) -> PacketSubmission:
    """Record that a READY packet version was given to NCMEC or law enforcement.

    It completes the matching clock when that is still open, through record_notification
    (one place for the clock's rules): an NCMEC packet the NCMEC notice of the run (with the NCMEC
    case number), a law-enforcement packet the law-enforcement notice of the run. A recovery notice
    goes to both parties, so each submission completes the recovery clock of the party it went to:
    through an NCMEC channel (call centre, portal, system-to-system) the NCMEC recovery clock; the
    law-enforcement recovery clock is recorded separately, by submitting the notice again through a
    law-enforcement channel. A clock already done keeps its evidence; the submission still records
    which version was given. Editors of the youth only (404 for anyone else).
    """
    packet = (
        PacketVersion.objects.select_related("episode__youth")
        .filter(pk=packet_id, episode__youth__in=access.youth_editable_by(actor))
        .first()
    )
    if packet is None:
        raise Http404("No such packet.")
    episode = packet.episode
    if packet.status != PacketStatus.READY:
        raise ValidationError(
            f"Version {packet.number} of the {packet.get_kind_display()} is not ready yet; only a ready packet "
            "can be recorded as submitted."
        )
    reference = (reference or "").strip()
    errors = {}
    if channel not in SUBMISSION_CHANNELS[packet.kind]:
        errors["channel"] = "Choose how the packet was submitted."
    if not reference:
        errors["reference"] = "Give the case number or reference you were given."
    if not submitted_at:
        errors["submitted_at"] = "Give the date and time the packet was submitted."
    elif submitted_at > timezone.now() + CLOCK_SKEW:
        errors["submitted_at"] = "The time submitted cannot be in the future."
    elif submitted_at < episode.last_seen_at:
        errors["submitted_at"] = "The packet cannot have been submitted before the youth was last seen."
    if errors:
        raise ValidationError(errors)
    event, party = _clock_for(packet, channel)
    # The clock's row lock also serialises two saves of the same submission (a double click).
    clock = episode.notifications.select_for_update().filter(event=event, party=party).first()
    if clock is None:
        raise ValidationError(f"This episode has no {deadlines.party_label(event, party)} notice to record it against.")
    # A double click, or the same submission recorded twice, must not count twice.
    if PacketSubmission.objects.filter(packet=packet, channel=channel, reference=reference).exists():
        raise ValidationError(
            f"Version {packet.number} was already recorded as submitted this way with reference {reference}."
        )
    if not clock.is_done:
        evidence = {"done_at": submitted_at, "method": CHANNEL_METHODS[channel], "reference": reference}
        if party == deadlines.NCMEC:
            evidence["ncmec_case_number"] = reference
        try:
            clock = record_notification(
                actor=actor, notification_id=clock.pk, expected_version=clock.version, ip=ip, **evidence
            )
        except ValidationError as exc:
            raise _as_submission_error(exc) from None
    submission = PacketSubmission.objects.create(
        packet=packet,
        notification=clock,
        channel=channel,
        reference=reference,
        submitted_at=submitted_at,
        submitted_by=actor,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        submission,
        youth=episode.youth,
        ip=ip,
        detail={"kind": packet.kind, "number": packet.number, "channel": channel, "notification": clock.pk},
    )
    return submission


def _as_submission_error(exc):
    """record_notification's errors, keyed by the submission form's fields."""
    if not hasattr(exc, "error_dict"):
        return exc
    rename = {"done_at": "submitted_at", "method": "channel", "ncmec_case_number": "reference"}
    return ValidationError({rename.get(name, name): errors for name, errors in exc.error_dict.items()})
