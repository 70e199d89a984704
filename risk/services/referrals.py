"""Service referrals: each service a supervisor's decision determined becomes a tracked referral, and a
caseworker records how far it got (docs/risk-catalogue.md#referrals; SSA §471(a)(9)(C),
docs/duties.md#identify-document).

A referral starts as "sent", dated the decision's day in the agency's zone: the decision form asks for
"every service the youth is referred to", so choosing a service there is the referral, and a "to send" step
would be a second tick for the same act. The steps and their due days are the pure risk/referral_steps.py.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from caseapp import access, audit
from caseapp.local_time import agency_zone
from caseapp.models import AuditAction
from caseapp.services.errors import EditConflict, save_as

from .. import referral_steps
from ..models import OPEN_REFERRAL_STATUSES, ReferralStatus, ServiceReferral


def create_for_decision(*, actor, decision, ip=None) -> list[ServiceReferral]:
    """The referrals of a decision just recorded, in the caller's transaction (decisions.decide).

    A service the youth already has a referral for that is open or started is not sent again: a later
    decision (a correction, or "at risk" becoming "identified") that names it again is met by that one.
    A service declined or not available before is sent again: the new decision is a new try.
    """
    youth = decision.youth
    already = set(
        ServiceReferral.objects.filter(
            youth=youth, status__in=[*OPEN_REFERRAL_STATUSES, ReferralStatus.STARTED]
        ).values_list("service", flat=True)
    )
    sent_on = timezone.localdate(decision.decided_at, agency_zone(youth.agency))
    created = []
    for service in dict.fromkeys(decision.referrals):  # once each, in the decision's order
        if service in already:
            continue
        referral = ServiceReferral.objects.create(
            youth=youth, decision=decision, service=service, status=ReferralStatus.SENT, sent_on=sent_on,
            next_step_due=referral_steps.next_step_due(referral_steps.SENT, sent_on), created_by=actor,
        )
        audit.record(
            actor, AuditAction.CREATE, referral, youth=youth, ip=ip,
            detail={"service": service, "decision": decision.pk, "status": referral.status},
        )
        created.append(referral)
    return created


def status_word(status) -> str:
    """'sent', 'accepted', 'not available': a status as a word in a sentence."""
    return ReferralStatus(status).label.split(",")[0].lower()


def _check_step(referral, status, on, reason, today):
    errors = {}
    current = status_word(referral.status)
    if status not in ReferralStatus.values:
        errors["status"] = "Choose the referral's next status."
    elif not referral_steps.can_move(referral.status, status):
        if not referral_steps.allowed_next(referral.status):
            errors["status"] = f"This referral is {current}: that is its last step, so it cannot change."
        else:
            allowed = ", ".join(status_word(s) for s in referral_steps.allowed_next(referral.status))
            errors["status"] = f"A referral that is {current} can only become: {allowed}."
    if on is None:
        errors["on"] = "Give the date of this step."
    elif on > today:
        errors["on"] = "The date cannot be in the future."
    else:
        last = referral.accepted_on or referral.sent_on
        if on < last:
            errors["on"] = f"The date cannot be before the referral's last step ({last:%m/%d/%Y})."
    if status in referral_steps.NEEDS_REASON and not (reason or "").strip():
        errors["reason"] = "Say why the service was declined or is not available."
    return errors


@transaction.atomic
def advance_referral(*, actor, referral_id, expected_version, status, on, reason="", provider=None,
                     ip=None) -> ServiceReferral:
    """Move a referral to its next status on day `on` (the agency's date), with the reason when it was
    declined or is not available. `provider`, when given, records who provides the service.

    Allowed: sent -> accepted -> started; sent or accepted -> declined or not available. Nothing goes back.
    A stale `expected_version` raises EditConflict and writes nothing (caseapp/conflicts.py).
    """
    referral = access.get_in_scope_or_404(
        ServiceReferral.objects.select_for_update()
        .select_related("youth__agency")
        .filter(youth__in=access.youth_visible_to(actor)),
        referral_id,
    )
    if not access.can_edit_youth(actor, referral.youth):
        raise PermissionDenied("Agency staff read referrals; the youth's team records them.")
    if referral.version != expected_version:
        raise EditConflict(current=referral)
    today = timezone.localdate(timezone.now(), agency_zone(referral.youth.agency))
    errors = _check_step(referral, status, on, reason, today)
    if errors:
        raise ValidationError(errors)
    before = referral.status
    referral.status = status
    if status == ReferralStatus.ACCEPTED:
        referral.accepted_on = on
    elif status == ReferralStatus.STARTED:
        referral.started_on = on
    else:
        referral.closed_on = on
        referral.reason = reason.strip()
    if provider is not None and provider.strip():
        referral.provider = provider.strip()
    referral.next_step_due = referral_steps.next_step_due(status, on)
    referral.version += 1
    save_as(actor, referral, refused="This step does not fit the referral's dates; nothing was saved.")
    audit.record(
        actor, AuditAction.UPDATE, referral, youth=referral.youth, ip=ip,
        detail={"from": before, "to": status, "on": on.isoformat()},
    )
    return referral
