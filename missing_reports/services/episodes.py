"""The verbs of a missing episode: log the run, record each notice, search, review, return, debrief.

Each runs in one transaction, writes its audit event in it, and enqueues follow-up work only after
commit (caseapp.queue), so a save never depends on Redis or a worker being up.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from caseapp import access, audit
from caseapp.local_time import agency_zone
from caseapp.models import MISSING_PLACEMENT_TYPES, AuditAction, PlacementType, Youth
from caseapp.services import photos as photo_services
from caseapp.services import placements as placement_services
from caseapp.services.errors import EditConflict, save_as

from .. import deadlines, run_alert, signals
from ..models import (
    SCREENING_TRY_AGAIN,
    Debrief,
    EpisodeCategory,
    EpisodeStatus,
    MissingEpisode,
    Notification,
    NotificationUpdate,
    ScreeningDone,
    SearchEffort,
    SupervisoryReview,
)
from ..packets import pipeline
from . import endangerment as endangerment_services
from . import le_followup, screening_follow_up
from .agency_rules import (
    deadlines_for,
    rules_for,  # noqa: F401 (the deadlines in effect; callers ask episode_services.rules_for)
)
from .typed_times import CLOCK_SKEW  # how far in the future a typed time may be; others import it from here too

EPISODE_FIELDS = (
    "category", "last_seen_at", "last_seen_location", "agency_learned_at", "reported_by", "placement",
    "circumstances", "clothing", "companions", "vehicle", "phones_and_accounts", "possible_locations",
    "belongings_taken", "endangerment", "endangerment_notes",
)
RETURN_FIELDS = (
    "located_at", "returned_at", "found_address", "found_location_type", "found_out_of_county",
    "found_out_of_state", "how_located", "condition_on_return", "returned_with", "new_marks_tattoos",
)
EVIDENCE_FIELDS = (
    "done_at", "method", "contact_name", "reference", "explanation", "le_agency", "officer_name",
    "badge_number", "ncic_number", "ncic_confirmed_at", "ncmec_case_number",
)


# What a run needs at the least; everything else can be added later (update_episode).
RUN_REQUIRED = {
    "last_seen_at": "Give the date and time the youth was last seen.",
    "last_seen_location": "Say where the youth was last seen.",
    "reported_by": "Say who reported it.",
}


def _announce_change(episode):
    """Tell listeners (the risk module) after commit; never from inside the transaction."""
    episode_id, youth_id = episode.pk, episode.youth_id
    transaction.on_commit(
        lambda: signals.episode_changed.send(sender=MissingEpisode, episode_id=episode_id, youth_id=youth_id)
    )


def _required(errors, fields, *, partial=False):
    """With `partial`, only the fields being changed: an edit may leave a field out, not blank it."""
    for name, message in RUN_REQUIRED.items():
        if (name in fields or not partial) and not str(fields.get(name) or "").strip():
            errors[name] = message


def _not_in_future(errors, name, value, label, now):
    if value and value > now + CLOCK_SKEW:
        errors[name] = f"{label} cannot be in the future."


def _create_clocks(episode, event, learned_at):
    Notification.objects.bulk_create(
        [
            Notification(
                episode=episode, event=event, party=d.party, due_at=d.due_at,
                rule_hours=d.hours, rule_unit=d.unit, rule_source=d.source,
            )
            for d in deadlines_for(episode.youth.agency, event, learned_at)
        ]
    )


def _local_date(moment, agency):
    return timezone.localtime(moment, agency_zone(agency)).date()


def _spell_kind(episode):
    if episode.category == EpisodeCategory.WHEREABOUTS_UNKNOWN:
        return PlacementType.MISSING_WHEREABOUTS_UNKNOWN
    return PlacementType.MISSING_RUNAWAY


def _open_living_arrangement(actor, episode, ip):
    """AFCARS: the episode is a living arrangement (E120 12/13, E121 4) from the day last seen.

    Best effort: a run is saved even when the placement history cannot take the row cleanly (the
    current placement started that same day, say); the episode then says what needs attention.
    """
    kind = _spell_kind(episode)
    day = _local_date(episode.last_seen_at, episode.youth.agency)
    try:
        with transaction.atomic():
            episode.living_arrangement = placement_services.add_placement(
                actor=actor, youth_id=episode.youth_id, end_current_with_reason="missing", ip=ip,
                placement_type=kind, provider_name="Missing from care", start_date=day,
            )
    except ValidationError as exc:
        episode.living_arrangement_note = (
            "The placement history could not record the missing spell: " + " ".join(exc.messages)
        )[:300]


def _close_living_arrangement(actor, episode, ip, continue_previous):
    spell = episode.living_arrangement
    if spell is None:
        return
    day = _local_date(episode.returned_at, episode.youth.agency)
    try:
        with transaction.atomic():
            placement_services.update_placement(
                actor=actor, youth_id=episode.youth_id, placement_id=spell.pk, expected_version=spell.version,
                ip=ip, end_date=max(day, spell.start_date), end_reason="returned",
            )
            previous = episode.placement
            if continue_previous and previous is not None and previous.placement_type not in MISSING_PLACEMENT_TYPES:
                placement_services.add_placement(
                    actor=actor, youth_id=episode.youth_id, ip=ip,
                    placement_type=previous.placement_type, provider_name=previous.provider_name,
                    provider_phone=previous.provider_phone, address=previous.address, city=previous.city,
                    state=previous.state, postal_code=previous.postal_code, start_date=max(day, spell.start_date),
                    notes="Returned to this placement after a missing episode.",
                )
    except (ValidationError, EditConflict) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        episode.living_arrangement_note = (
            "The placement history could not record the return: " + " ".join(messages)
        )[:300]


@transaction.atomic
def log_run(
    *, actor, youth_id, ip=None, endangerment_unticked=None, agency_endangerment=None, **fields
) -> MissingEpisode:
    """Open a missing episode and its clocks. Only a small minimum is required; the rest can follow.

    The endangerment items the record supports are ticked with their reasons; `endangerment_unticked`
    ({code: reason}) unticks some of them, each with the caseworker's reason (services/endangerment.py)."""
    unknown = set(fields) - set(EPISODE_FIELDS)
    if unknown:
        raise TypeError(f"Not episode fields: {sorted(unknown)}")
    youth = access.get_youth_or_404(actor, youth_id, for_edit=True, queryset=Youth.objects.select_for_update())
    now = timezone.now()
    if fields.get("agency_learned_at") is None:
        fields["agency_learned_at"] = now
    errors = {}
    _required(errors, fields)
    _not_in_future(errors, "last_seen_at", fields.get("last_seen_at"), "The time last seen", now)
    _not_in_future(errors, "agency_learned_at", fields["agency_learned_at"], "The time the agency learned", now)
    last_seen = None if "last_seen_at" in errors else fields.get("last_seen_at")  # one message per field
    if last_seen and last_seen > fields["agency_learned_at"]:
        errors["last_seen_at"] = "The youth must have been last seen before the agency learned they were missing."
    if last_seen and _local_date(last_seen, youth.agency) < youth.date_of_birth:
        errors["last_seen_at"] = "The time last seen cannot be before the youth's date of birth."
    placement = fields.get("placement")
    if placement is not None and placement.youth_id != youth.pk:
        errors["placement"] = "Choose one of this youth's placements."
    if errors:
        raise ValidationError(errors)
    already = youth.missing_episodes.filter(status=EpisodeStatus.OPEN).first()
    if already is not None:
        raise ValidationError(
            f"{youth.display_name} is already recorded as missing (episode {already.pk}). "
            "Add to that episode instead of opening another."
        )
    if placement is None:
        fields["placement"] = youth.placements.filter(end_date__isnull=True).exclude(
            placement_type__in=MISSING_PLACEMENT_TYPES
        ).first()

    # `agency_endangerment`: ids of the agency's own items ticked by hand (services/endangerment.py).
    agency_ticked = endangerment_services.agency_items(youth.agency_id, agency_endangerment)
    episode = MissingEpisode(youth=youth, created_by=actor, agency_endangerment=agency_ticked, **fields)
    endangerment_services.tick_from_record(episode)
    unticked = endangerment_services.untick_items(episode, actor, endangerment_unticked or {}, now)
    save_as(actor, episode, refused=f"{youth.display_name} is already recorded as missing.")
    _create_clocks(episode, deadlines.MISSING, episode.agency_learned_at)
    _open_living_arrangement(actor, episode, ip)
    episode.save(update_fields=["living_arrangement", "living_arrangement_note"])
    detail = {"category": episode.category}
    if episode.endangerment_reasons:
        detail["endangerment_from_record"] = sorted(episode.endangerment_reasons)
    if unticked:
        detail["endangerment_unticked"] = unticked
    if agency_ticked:
        detail["agency_endangerment"] = [item["label"] for item in agency_ticked]
    audit.record(actor, AuditAction.CREATE, episode, youth=youth, ip=ip, detail=detail)

    # The caseworkers and whoever is on call learn of it at once; the alert is saved with the run.
    run_alert.raise_run_alert(episode, actor, now)
    pipeline.request_packets(episode, reason="Run logged", actor=actor)
    _announce_change(episode)
    return episode


def _episode_for_edit(actor, episode_id):
    episode = (
        MissingEpisode.objects.select_for_update()
        .filter(youth__in=access.youth_editable_by(actor))
        .filter(pk=episode_id)
        .first()
    )
    if episode is None:
        raise Http404("No such episode.")
    return episode


@transaction.atomic
def update_episode(
    *, actor, episode_id, expected_version, ip=None, endangerment_unticked=None, agency_endangerment=None,
    **fields,
) -> MissingEpisode:
    """Complete or correct the run's details later. The clocks keep their due times.

    An endangerment item the record ticked is unticked only with a reason in `endangerment_unticked`
    ({code: reason}); leaving it out of `endangerment` without one is refused (services/endangerment.py)."""
    unknown = set(fields) - set(EPISODE_FIELDS) - {"agency_learned_at"}
    if unknown:
        raise TypeError(f"Not episode fields: {sorted(unknown)}")
    episode = _episode_for_edit(actor, episode_id)
    if episode.version != expected_version:
        raise EditConflict(current=episode)
    fields.pop("agency_learned_at", None)  # the clocks started then; correcting it is not an edit
    now = timezone.now()
    errors = {}
    _required(errors, fields, partial=True)
    _not_in_future(errors, "last_seen_at", fields.get("last_seen_at"), "The time last seen", now)
    placement = fields.get("placement")
    if placement is not None and placement.youth_id != episode.youth_id:
        errors["placement"] = "Choose one of this youth's placements."
    last_seen = None if "last_seen_at" in errors else fields.get("last_seen_at")  # one message per field
    if last_seen and last_seen > episode.agency_learned_at:
        errors["last_seen_at"] = "The youth must have been last seen before the agency learned they were missing."
    if episode.returned_at and fields.get("last_seen_at") and fields["last_seen_at"] > episode.returned_at:
        errors["last_seen_at"] = "The time last seen must be before the return."
    if errors:
        raise ValidationError(errors)
    if agency_endangerment is not None:  # ids of the agency's own items; None: left as they are
        fields["agency_endangerment"] = endangerment_services.agency_items(
            episode.youth.agency_id, agency_endangerment, episode.agency_endangerment
        )
    if "endangerment" in fields:
        fields["endangerment"], fields["endangerment_unticked"] = endangerment_services.edited(
            episode, actor, fields["endangerment"], endangerment_unticked or {}, now
        )
    changed = sorted(k for k, v in fields.items() if getattr(episode, k) != v)
    if not changed:
        return episode
    for name, value in fields.items():
        setattr(episode, name, value)
    episode.version += 1
    episode._history_user = actor
    if "category" in changed or "last_seen_at" in changed:
        _sync_living_arrangement(actor, episode, ip)
    episode.save()
    audit.record(actor, AuditAction.UPDATE, episode, youth=episode.youth, ip=ip, detail={"changed": changed})
    labels = [str(MissingEpisode._meta.get_field(name).verbose_name) for name in changed]
    pipeline.request_packets(episode, reason="Episode details updated: " + ", ".join(labels), actor=actor)
    _announce_change(episode)
    return episode


def _sync_living_arrangement(actor, episode, ip):
    """Keep the AFCARS missing spell's kind in step with the category; flag a moved start date."""
    spell = episode.living_arrangement
    if spell is None:
        return
    kind = _spell_kind(episode)
    if spell.placement_type != kind:
        try:
            with transaction.atomic():
                placement_services.update_placement(
                    actor=actor, youth_id=episode.youth_id, placement_id=spell.pk,
                    expected_version=spell.version, ip=ip, placement_type=kind,
                )
        except (ValidationError, EditConflict):
            episode.living_arrangement_note = "The missing spell in the placement history needs its kind corrected."
    if _local_date(episode.last_seen_at, episode.youth.agency) != spell.start_date:
        episode.living_arrangement_note = (
            "The time last seen changed: check the dates of the missing spell in the placement history."
        )


@transaction.atomic
def record_notification(*, actor, notification_id, expected_version, ip=None, **evidence) -> Notification:
    """Mark a notice done with its evidence, or correct the evidence of one already done."""
    unknown = set(evidence) - set(EVIDENCE_FIELDS)
    if unknown:
        raise TypeError(f"Not evidence fields: {sorted(unknown)}")
    # The notice's own row only: a notice changes nothing else, and locking its episode and youth too (the join)
    # took them in the opposite order to a reassessment and deadlocked (tests/integration/test_row_locks.py).
    notification = access.get_in_scope_or_404(
        Notification.objects.select_for_update(of=("self",))
        .select_related("episode__youth")
        .filter(episode__youth__in=access.youth_editable_by(actor)),
        notification_id,
    )
    if notification.party in deadlines.DONE_ELSEWHERE:
        raise ValidationError(deadlines.DONE_ELSEWHERE[notification.party])
    if notification.version != expected_version:
        raise EditConflict(current=notification)
    if notification.is_closed:
        raise ValidationError("This report is not required: its disclosure was withdrawn as recorded in error.")
    now = timezone.now()
    errors = {}
    if not evidence.get("done_at"):
        errors["done_at"] = "Give the date and time the notice was given."
    _not_in_future(errors, "done_at", evidence.get("done_at"), "The time of the notice", now)
    _not_in_future(errors, "ncic_confirmed_at", evidence.get("ncic_confirmed_at"), "The NCIC confirmation", now)
    confirmed, given = evidence.get("ncic_confirmed_at"), evidence.get("done_at")
    if confirmed and given and confirmed < given and "ncic_confirmed_at" not in errors:
        errors["ncic_confirmed_at"] = "NCIC entry cannot be confirmed before the report to law enforcement."
    if evidence.get("done_at") and evidence["done_at"] < notification.episode.last_seen_at:
        errors["done_at"] = "The notice cannot be before the youth was last seen."
    if not evidence.get("method"):
        errors["method"] = "Say how the notice was given."
    # The party's own number is the reference when no other is given.
    for own in ("ncmec_case_number", "ncic_number"):
        if not evidence.get("reference") and evidence.get(own):
            evidence["reference"] = evidence[own]
    if not evidence.get("reference") and not (evidence.get("explanation") or "").strip():
        errors["reference"] = (
            "Give the reference or case number you were given, or explain why there is none."
        )
    if errors:
        raise ValidationError(errors)
    was_done = notification.is_done
    for name, value in evidence.items():
        setattr(notification, name, value)
    if not was_done:
        # Who gave the notice; a later correction keeps it (the history records the corrector).
        notification.done_by = actor
    notification.version += 1
    notification._history_user = actor
    notification.save()
    audit.record(
        actor, AuditAction.UPDATE, notification, youth=notification.episode.youth, ip=ip,
        detail={"party": notification.party, "event": notification.event, "corrected": was_done,
                "late": notification.was_late()},
    )
    # The report of a run starts the NCIC confirmation clock; a confirmation completes it (docs/duties.md#ncic-2h).
    le_followup.after_notice_recorded(actor, notification, was_done=was_done)
    what = "corrected" if was_done else "recorded"
    pipeline.request_packets(notification.episode, reason=f"{notification.label} notice {what}", actor=actor)
    _announce_change(notification.episode)
    return notification


@transaction.atomic
def add_notification_update(*, actor, notification_id, sent_at, method, note, ip=None) -> NotificationUpdate:
    notification = access.get_in_scope_or_404(
        Notification.objects
        .select_related("episode__youth")
        .filter(episode__youth__in=access.youth_editable_by(actor)),
        notification_id,
    )
    errors = {}
    if not sent_at:
        errors["sent_at"] = "Give the date and time the update was sent."
    _not_in_future(errors, "sent_at", sent_at, "The time sent", timezone.now())
    if not notification.is_done:
        errors["sent_at"] = "Record the first notice before its updates."
    elif sent_at and sent_at < notification.done_at:
        errors["sent_at"] = "An update cannot be sent before the first notice was given."
    if not method:
        errors["method"] = "Say how the update was sent."
    if not note.strip():
        errors["note"] = "Say what the update contained."
    if errors:
        raise ValidationError(errors)
    update = NotificationUpdate.objects.create(
        notification=notification, sent_at=sent_at, method=method, note=note, sent_by=actor
    )
    audit.record(actor, AuditAction.CREATE, update, youth=notification.episode.youth, ip=ip)
    return update


@transaction.atomic
def add_search_effort(*, actor, episode_id, made_at, contact_type, outcome, contact_name="", ip=None):
    episode = _episode_for_edit(actor, episode_id)
    errors = {}
    if not made_at:
        errors["made_at"] = "Give the date and time of the search effort."
    _not_in_future(errors, "made_at", made_at, "The time of the search effort", timezone.now())
    if made_at and made_at < episode.last_seen_at:
        errors["made_at"] = "A search effort cannot be before the youth was last seen."
    if made_at and episode.returned_at and made_at > episode.returned_at:
        errors["made_at"] = "A search effort cannot be after the youth returned."
    if not outcome.strip():
        errors["outcome"] = "Say what came of it, even if nothing did."
    if errors:
        raise ValidationError(errors)
    effort = SearchEffort.objects.create(
        episode=episode, made_at=made_at, made_by=actor, contact_type=contact_type,
        contact_name=contact_name, outcome=outcome,
    )
    audit.record(actor, AuditAction.CREATE, effort, youth=episode.youth, ip=ip)
    return effort


@transaction.atomic
def add_supervisory_review(*, actor, episode_id, notes, next_review_due=None, ip=None):
    # Supervisory reviews are for the roles that decide (the gate's answer, the pages ask it too).
    if not access.can_review_youth(actor):
        raise PermissionDenied
    episode = _episode_for_edit(actor, episode_id)
    errors = {}
    if not notes.strip():
        errors["notes"] = "Record what was reviewed and decided."
    if next_review_due and next_review_due < timezone.localdate():
        errors["next_review_due"] = "The next review cannot be in the past."
    if errors:
        raise ValidationError(errors)
    review = SupervisoryReview.objects.create(
        episode=episode, reviewer=actor, notes=notes, next_review_due=next_review_due
    )
    audit.record(actor, AuditAction.CREATE, review, youth=episode.youth, ip=ip)
    return review


@transaction.atomic
def log_return(
    *, actor, episode_id, expected_version, continue_previous_placement=False, recovery_photo=None,
    ip=None, **fields,
) -> MissingEpisode:
    """Close the episode, start the recovery notices and the return-interview clock."""
    unknown = set(fields) - set(RETURN_FIELDS)
    if unknown:
        raise TypeError(f"Not return fields: {sorted(unknown)}")
    episode = _episode_for_edit(actor, episode_id)
    # Checked before the version: a stale form of a returned episode must not invite a second save.
    if not episode.is_open:
        raise ValidationError("This episode already has a return recorded.")
    if episode.version != expected_version:
        raise EditConflict(current=episode)
    now = timezone.now()
    located_at, returned_at = fields.get("located_at"), fields.get("returned_at")
    errors = {}
    if not returned_at:
        errors["returned_at"] = "Give the date and time the youth returned."
    _not_in_future(errors, "returned_at", returned_at, "The time returned", now)
    _not_in_future(errors, "located_at", located_at, "The time located", now)
    if located_at and returned_at and located_at > returned_at:
        errors["located_at"] = "The youth must have been located before, or when, they returned."
    if returned_at and returned_at < episode.last_seen_at:
        errors["returned_at"] = "The return cannot be before the youth was last seen."
    if located_at and located_at < episode.last_seen_at:
        errors["located_at"] = "The youth cannot have been located before they were last seen."
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(episode, name, value)
    episode.status = EpisodeStatus.RETURNED
    if recovery_photo is not None:
        # NCMEC asks for a photo on recovery (docs/duties.md#photo-on-recovery); it becomes the current photo.
        try:
            with transaction.atomic():
                episode.recovery_photo = photo_services.add_photo(
                    actor=actor, youth_id=episode.youth_id, image=recovery_photo,
                    taken_on=_local_date(returned_at, episode.youth.agency), caption="Photo on return", ip=ip,
                )
        except ValidationError as exc:
            # add_photo names its own fields (image, taken_on); here they are all about this one.
            raise ValidationError({"recovery_photo": exc.messages}) from None
    episode.version += 1
    episode._history_user = actor
    episode.save()
    # The recovery notices run from the return itself (the earliest the agency can have known of it),
    # so a return logged late never gains time.
    _create_clocks(episode, deadlines.RETURNED, min(now, max(returned_at, episode.agency_learned_at)))
    _close_living_arrangement(actor, episode, ip, continue_previous_placement)
    episode.save(update_fields=["living_arrangement_note"])
    audit.record(actor, AuditAction.UPDATE, episode, youth=episode.youth, ip=ip, detail={"changed": ["returned"]})
    pipeline.request_packets(episode, reason="Return logged", actor=actor)
    _announce_change(episode)
    return episode


@transaction.atomic
def record_debrief(*, actor, episode_id, ip=None, **fields) -> Debrief:
    """A return interview: the first, or a follow-up one (an episode can have several). The first completes the
    return-interview clock; "declined" or "not possible" starts the follow-up screening clock
    (services/screening_follow_up.py) with the trusted adult who will try again. Tells the risk module (signals)."""
    episode = _episode_for_edit(actor, episode_id)
    if episode.is_open:
        raise ValidationError("Record the return before the return interview.")
    errors = {}
    interview_at = fields.get("interview_at")
    _not_in_future(errors, "interview_at", interview_at, "The interview time", timezone.now())
    if interview_at and interview_at < episode.returned_at:
        errors["interview_at"] = "The interview cannot be before the youth returned."
    if not fields.get("primary_factors"):
        errors["primary_factors"] = "Choose at least one factor, or 'Other' and describe it."
    answer = fields.get("trafficking_screening_done")
    if answer != ScreeningDone.YES and not (fields.get("screening_not_done_reason") or "").strip():
        errors["screening_not_done_reason"] = "Say why no trafficking screening was done."
    fields["follow_up_adult_name"] = (fields.get("follow_up_adult_name") or "").strip()
    adult = fields.get("follow_up_adult")
    if adult is not None and not access.users_who_see_youth(episode.youth).filter(pk=adult.pk).exists():
        errors["follow_up_adult"] = "Choose a member of staff who works with this youth, or give a name instead."
    if answer in SCREENING_TRY_AGAIN and adult is None and not fields["follow_up_adult_name"]:
        errors["follow_up_adult_name"] = (
            "Name the trusted adult who will try the screening again: choose a member of staff or give a name."
        )
    if errors:
        raise ValidationError(errors)
    if answer not in SCREENING_TRY_AGAIN:
        fields["follow_up_adult"], fields["follow_up_adult_name"] = None, ""
    debrief = Debrief(episode=episode, interviewer=actor, **fields)
    debrief._history_user = actor
    debrief.save()
    interview = episode.notifications.filter(event=deadlines.RETURNED, party=deadlines.RETURN_INTERVIEW).first()
    if interview is not None and not interview.is_done:
        interview.done_at = debrief.interview_at
        interview.done_by = actor
        interview.method = "in_person"
        interview.reference = f"Debrief {debrief.pk}"
        interview.version += 1
        interview._history_user = actor
        interview.save()
    audit.record(actor, AuditAction.CREATE, debrief, youth=episode.youth, ip=ip)
    if answer in SCREENING_TRY_AGAIN:
        screening_follow_up.start(actor=actor, debrief=debrief)
    transaction.on_commit(lambda: signals.debrief_recorded.send(sender=Debrief, debrief=debrief))
    return debrief
