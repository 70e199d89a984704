"""The verbs of what is known about a youth: record and retract observations, record screenings and
external screens. A tripwire opens the identification review at once; every change queues a reassessment.

Each verb runs in one transaction, writes its audit event in it, and enqueues the reassessment only
after commit (caseapp.queue), so a save never waits on Redis.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseapp import access, audit
from caseapp.local_time import agency_zone, display_time
from caseapp.models import AuditAction, Youth
from caseapp.queue import enqueue_on_commit
from missing_reports.models import MissingEpisode
from missing_reports.services import screening_follow_up
from missing_reports.services.episodes import CLOCK_SKEW

from .. import endangerment, screened
from ..models import (
    Evidence,
    ExternalScreen,
    Indicator,
    Observation,
    Screening,
    ScreenTool,
    Source,
    Urgency,
)
from ..reviews import raise_review

# The reassessment task (risk/tasks.py), sent by name: the tasks import this app's modules, never the
# reverse (caseapp/queue.py).
REASSESS_YOUTH_TASK = "risk.tasks.reassess_youth"


def enqueue_reassess(youth_id, trigger):
    """Reassess one youth after the current transaction commits (risk/tasks.py)."""
    enqueue_on_commit(REASSESS_YOUTH_TASK, youth_id, trigger)


def _youth_for_edit(actor, youth_id):
    return access.get_youth_or_404(
        actor, youth_id, for_edit=True, queryset=Youth.objects.select_for_update(of=("self",)).select_related("agency")
    )


def _check_time(errors, name, value, label, now, *, required=True):
    if value is None:
        if required:
            errors[name] = f"Give {label}."
        return
    if value > now + CLOCK_SKEW:
        errors[name] = f"{label[0].upper()}{label[1:]} cannot be in the future."


def _indicator(code, errors, field="indicator"):
    indicator = Indicator.objects.filter(code=code, active=True).first() if code else None
    if indicator is None:
        errors[field] = "Choose an indicator from the catalogue."
    elif indicator.derived:
        errors[field] = (
            f"{indicator.code} is worked out from the missing-episode history; it cannot be recorded by hand."
        )
        return None
    return indicator


def _validate_provenance(errors, source, evidence, prefix=""):
    if source not in Source.values:
        errors[prefix + "source"] = "Choose where the information came from."
    if evidence not in Evidence.values:
        errors[prefix + "evidence"] = "Choose whether it was reported or verified."


def _episode_of(youth, episode_id, errors):
    if episode_id is None:
        return None
    episode = MissingEpisode.objects.filter(pk=episode_id, youth=youth).first()
    if episode is None:
        errors["episode"] = "Choose one of this youth's missing episodes."
    return episode


def _open_identification(actor, youth, observation, now):
    """A tripwire opens the identification workflow at once (docs/risk-catalogue.md#bands): a review item due in 4 h."""
    raise_review(
        youth,
        Urgency.IDENTIFICATION,
        [
            f"Tripwire recorded: {observation.indicator.code} {observation.indicator.label} "
            f"(information received {display_time(observation.information_received_at, agency_zone(youth.agency))})"
        ],
        now=now,
        tripwire=observation,
    )


@transaction.atomic
def record_observation(
    *, actor, youth_id, indicator_code, observed_at, source, evidence, information_received_at=None, note="",
    episode_id=None, ip=None,
) -> Observation:
    """One indicator for a youth, with when it was seen, when the agency learned of it, and its source."""
    youth = _youth_for_edit(actor, youth_id)
    now = timezone.now()
    if information_received_at is None:
        information_received_at = now
    errors = {}
    indicator = _indicator(indicator_code, errors)
    _validate_provenance(errors, source, evidence)
    _check_time(errors, "observed_at", observed_at, "when it was observed", now)
    _check_time(errors, "information_received_at", information_received_at, "when the information was received", now)
    received_too_early = observed_at and information_received_at and observed_at > information_received_at
    if received_too_early and "observed_at" not in errors:
        errors["information_received_at"] = "The information cannot have been received before it was observed."
    episode = _episode_of(youth, episode_id, errors)
    if errors:
        raise ValidationError(errors)
    observation = Observation(
        youth=youth, indicator=indicator, observed_at=observed_at, information_received_at=information_received_at,
        source=source, evidence=evidence, note=note.strip(), episode=episode, recorded_by=actor,
    )
    observation._history_user = actor
    observation.save()
    audit.record(actor, AuditAction.CREATE, observation, youth=youth, ip=ip, detail={"indicator": indicator.code})
    if indicator.is_tripwire:
        _open_identification(actor, youth, observation, now)
        endangerment.refresh(youth.pk, "Identification review opened", actor=actor)
    enqueue_reassess(youth.pk, f"Observation {indicator.code} recorded")
    return observation


@transaction.atomic
def retract_observation(*, actor, observation_id, reason, ip=None) -> Observation:
    """Take an observation out of the score (recorded in error). It stays listed, with the reason."""
    observation = access.get_in_scope_or_404(
        Observation.objects.select_for_update()
        .select_related("youth", "indicator")
        .filter(youth__in=access.youth_editable_by(actor)),
        observation_id,
    )
    if observation.is_retracted:
        raise ValidationError("This observation was already retracted.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the observation is being retracted."})
    observation.retracted_at = timezone.now()
    observation.retracted_by = actor
    observation.retraction_reason = reason.strip()
    observation._history_user = actor
    observation.save()
    audit.record(
        actor, AuditAction.UPDATE, observation, youth=observation.youth, ip=ip,
        detail={"indicator": observation.indicator.code, "retracted": True},
    )
    enqueue_reassess(observation.youth_id, f"Observation {observation.indicator.code} retracted")
    return observation


@transaction.atomic
def record_screening(
    *, actor, youth_id, conducted_at, findings=(), no_indicators_found=False, youth_declined=False, notes="",
    episode_id=None, ip=None,
) -> Screening:
    """A structured screening and what it found, all or nothing.

    `findings`: dicts with indicator (code), source, evidence, note and optionally observed_at
    (default: the screening time). The information was received at the screening.
    """
    youth = _youth_for_edit(actor, youth_id)
    now = timezone.now()
    errors = {}
    _check_time(errors, "conducted_at", conducted_at, "when the screening took place", now)
    episode = _episode_of(youth, episode_id, errors)
    if episode is not None and conducted_at and episode.returned_at and conducted_at < episode.last_seen_at:
        errors["conducted_at"] = "The screening cannot be before the episode began."
    findings = list(findings)
    if findings and no_indicators_found:
        errors["no_indicators_found"] = "Untick 'no indicators found', or remove the indicators you chose."
    if not findings and not no_indicators_found and not youth_declined:
        errors["findings"] = "Choose what you found, tick 'no indicators found', or note that the youth declined."
    finding_errors, prepared = [], []
    seen_codes = set()
    for finding in findings:
        one = {}
        code = finding.get("indicator")
        indicator = _indicator(code, one)
        _validate_provenance(one, finding.get("source"), finding.get("evidence"))
        observed_at = finding.get("observed_at") or conducted_at
        _check_time(one, "observed_at", observed_at, "when it was observed", now)
        if observed_at and conducted_at and observed_at > conducted_at:
            one["observed_at"] = "It cannot have been observed after the screening."
        if code in seen_codes:
            one["indicator"] = "Each indicator once per screening."
        seen_codes.add(code)
        if one:
            finding_errors.extend(f"{code or 'Indicator'}: {message}" for message in one.values())
        prepared.append((indicator, finding, observed_at))
    if finding_errors:
        errors["findings"] = finding_errors
    if errors:
        raise ValidationError(errors)
    screening = Screening.objects.create(
        youth=youth, episode=episode, conducted_at=conducted_at, conducted_by=actor,
        no_indicators_found=no_indicators_found, youth_declined=youth_declined, notes=notes.strip(),
    )
    tripwires = []
    for indicator, finding, observed_at in prepared:
        observation = Observation(
            youth=youth, indicator=indicator, observed_at=observed_at, information_received_at=conducted_at,
            source=finding["source"], evidence=finding["evidence"], note=(finding.get("note") or "").strip(),
            screening=screening, episode=episode, recorded_by=actor,
        )
        observation._history_user = actor
        observation.save()
        if indicator.is_tripwire:
            tripwires.append(observation)
    audit.record(
        actor, AuditAction.CREATE, screening, youth=youth, ip=ip,
        detail={"indicators": sorted(i.code for i, _f, _o in prepared), "episode": episode_id},
    )
    for observation in tripwires:
        _open_identification(actor, youth, observation, now)
    if screened.counts(screening):
        # A screening that counts completes the episode's follow-up screening clock, if one runs.
        screening_follow_up.complete(
            actor=actor, episode_id=screening.episode_id, done_at=conducted_at, reference=f"Screening {screening.pk}",
            ip=ip,
        )
    enqueue_reassess(youth.pk, "Screening recorded")
    return screening


@transaction.atomic
def record_external_screen(
    *, actor, youth_id, tool, result_category, screened_on, tool_other="", ip=None
) -> ExternalScreen:
    """The final category of an external screen; never its items (docs/risk-catalogue.md#principles, item 6)."""
    youth = _youth_for_edit(actor, youth_id)
    errors = {}
    if tool not in ScreenTool.values:
        errors["tool"] = "Choose the tool."
    if tool == ScreenTool.OTHER and not tool_other.strip():
        errors["tool_other"] = "Name the tool."
    if not (result_category or "").strip():
        errors["result_category"] = "Give the tool's final category."
    if screened_on is None:
        errors["screened_on"] = "Give the date of the screen."
    elif screened_on > timezone.localdate():
        errors["screened_on"] = "The date of the screen cannot be in the future."
    if errors:
        raise ValidationError(errors)
    screen = ExternalScreen.objects.create(
        youth=youth, tool=tool, tool_other=tool_other.strip(), result_category=result_category.strip(),
        screened_on=screened_on, recorded_by=actor,
    )
    audit.record(actor, AuditAction.CREATE, screen, youth=youth, ip=ip, detail={"tool": tool})
    return screen
