"""The endangerment of a missing episode, from the record and from the caseworker (docs/packets.md#endangerment).

- `tick_from_record` (inside log_run's transaction): the items the record supports are ticked, each
  with its reason (missing_reports/endangerment.py decides which).
- `untick_items` (log_run, update_episode, `untick`): a caseworker unticks an item the record supports
  only by giving a reason; it is kept with who and when, audited, and the record never ticks it again.
  Without a reason the whole save is refused and nothing changes.
- `refresh` / `refresh_open_episode`: a later change to the record while the youth is missing (a new
  identification, the band going High, a date of birth corrected, medications recorded) ticks what it
  now supports, in the transaction of the change. The changed facts make a new packet version (the
  pipeline's content hash decides), and the caseworkers get an alert asking them to send NCMEC and law
  enforcement the update (key "endangerment:<episode>:<hash of the codes>", docs/alerts.md).

Why in the transaction of the change and not when a packet's facts are assembled: the facts assembly
is a read that must give the same bytes for the same records (missing_reports/packets/facts.py), and
the alert must be written with its cause (the outbox, docs/alerts.md#outbox). risk calls
`refresh_open_episode` when it saves a snapshot or a decision (it may import missing_reports; the
reverse goes through the registered contributor), and a youth-record change reaches it through
caseapp's youth_record_changed signal.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from caseapp import access, alert_delivery, audit
from caseapp.models import AuditAction
from caseapp.services.alerts import raise_alert
from caseapp.services.errors import EditConflict

from .. import endangerment, selectors
from ..escalation import CASEWORKER, episode_path, one_line, people
from ..models import AgencyEndangermentItem, Endangerment, EpisodeStatus, MissingEpisode
from ..packets import pipeline

log = logging.getLogger(__name__)

ALERT_KIND = "endangerment_updated"
SUPERVISOR = "Supervisor of the youth's team"
# The fields of the youth record the rule reads (a change to another field changes nothing here).
YOUTH_FIELDS = {"date_of_birth", "medications"}


def alert_key(episode_id, codes) -> str:
    return f"endangerment:{episode_id}:{endangerment.codes_hash(codes)}"


def label(code) -> str:
    return Endangerment(code).label if code in Endangerment.values else code


def computed_for(episode):
    """{code: reason} the record supports for `episode` now."""
    return selectors.record_endangerment(episode.youth, episode.agency_learned_at)


def tick_from_record(episode) -> list[str]:
    """Tick on `episode` (not saved) what the record supports and the caseworker has not unticked.
    Returns the codes newly ticked."""
    merged = endangerment.merge(
        episode.endangerment or [], episode.endangerment_reasons or {}, episode.endangerment_unticked or {},
        computed_for(episode),
    )
    episode.endangerment, episode.endangerment_reasons = merged.codes, merged.reasons
    return merged.added


def untick_message(code, reason) -> str:
    return (
        f"“{label(code)}” is ticked because the record supports it ({reason}). "
        "To untick it, say why in “Why untick an item the record supports”."
    )


def untick_items(episode, actor, unticked: dict, now) -> list[str]:
    """Untick on `episode` (not saved) the items of `unticked` ({code: reason}) that the record ticked.
    A blank reason refuses the whole save (ValidationError on "endangerment"). Returns the codes unticked."""
    reasons = episode.endangerment_reasons or {}
    errors = [
        untick_message(code, reasons[code])
        for code, why in unticked.items()
        if code in reasons and not " ".join(str(why or "").split())
    ]
    if errors:
        raise ValidationError({"endangerment": errors})
    done = []
    for code, why in unticked.items():
        if code not in reasons or code in (episode.endangerment_unticked or {}):
            continue
        episode.endangerment_unticked = {
            **(episode.endangerment_unticked or {}),
            code: _untick_entry(actor, why, reasons[code], now),
        }
        episode.endangerment = [c for c in episode.endangerment if c != code]
        done.append(code)
    return done


def edited(episode, actor, codes, given: dict, now) -> tuple[list[str], dict]:
    """The items and the unticked record after an edit that ticks `codes` (update_episode), without
    changing `episode`. An item the record ticked and `codes` leave out needs its reason in `given`
    ({code: reason}), else the edit is refused (ValidationError on "endangerment"). An item unticked
    earlier and ticked again by hand: that untick no longer stands."""
    reasons = episode.endangerment_reasons or {}
    codes = list(codes)
    unticked = {code: entry for code, entry in (episode.endangerment_unticked or {}).items() if code not in codes}
    removed = [code for code in episode.endangerment if code in reasons and code not in codes and code not in unticked]
    errors = [untick_message(code, reasons[code]) for code in removed if not _words(given.get(code))]
    if errors:
        raise ValidationError({"endangerment": errors})
    for code in removed:
        unticked[code] = _untick_entry(actor, given[code], reasons[code], now)
    return codes, unticked


def _words(text) -> str:
    return " ".join(str(text or "").split())


def _untick_entry(actor, why, record_reason, now):
    return {
        "reason": " ".join(str(why).split()),
        "record_reason": record_reason,
        "by": actor.pk,
        "by_name": str(actor),
        "at": now.isoformat(),
    }


@transaction.atomic
def untick(*, actor, episode_id, expected_version, code, reason, ip=None) -> MissingEpisode:
    """Untick one item the record ticked, with the caseworker's reason (refused without one)."""
    episode = access.get_in_scope_or_404(
        MissingEpisode.objects.select_for_update().filter(youth__in=access.youth_editable_by(actor)), episode_id
    )
    if episode.version != expected_version:
        raise EditConflict(current=episode)
    if code not in (episode.endangerment_reasons or {}) or code not in episode.endangerment:
        raise ValidationError({"endangerment": "That item is not ticked from the record."})
    now = timezone.now()
    untick_items(episode, actor, {code: reason}, now)
    episode.version += 1
    episode._history_user = actor
    episode.save()
    audit.record(
        actor, AuditAction.UPDATE, episode, youth=episode.youth, ip=ip,
        detail={"endangerment_unticked": [code]},
    )
    pipeline.request_packets(episode, reason=f"Endangerment unticked: {label(code)}", actor=actor)
    return episode


# The agency's own items (AgencyEndangermentItem): ticked by hand, never from the record.


def agency_choices(agency_id, stored=()) -> list[tuple[str, str]]:
    """[(id, label)] offered on the forms of a youth of the agency: its active items, and any item already
    ticked on the episode (`stored`, with the label it had then) even if renamed or made inactive since."""
    kept = {str(item["id"]): item["label"] for item in stored or []}
    active = AgencyEndangermentItem.objects.filter(agency_id=agency_id, active=True).values_list("pk", "label")
    choices = [(str(pk), kept.get(str(pk), label)) for pk, label in active]
    offered = {pk for pk, _ in choices}
    return choices + [(pk, label) for pk, label in kept.items() if pk not in offered]


def agency_items(agency_id, ids, stored=()) -> list[dict]:
    """[{"id", "label"}] of the agency's own items ticked as `ids`. An item already on the episode keeps
    the label it had when ticked (a rename does not rewrite a sent packet); a new one takes its label now.
    An id that is not an active item of this agency refuses the save (ValidationError)."""
    kept = {str(item["id"]): item for item in stored or []}
    wanted = list(dict.fromkeys(str(i) for i in ids or []))
    new = [i for i in wanted if i not in kept]
    found = {}
    if new:
        numeric = [int(i) for i in new if i.isdigit()]
        found = {
            str(pk): label
            for pk, label in AgencyEndangermentItem.objects.filter(
                agency_id=agency_id, active=True, pk__in=numeric
            ).values_list("pk", "label")
        }
    if any(i not in found for i in new):
        raise ValidationError({"agency_endangerment": "Choose among this agency's own endangerment items."})
    return [kept[i] if i in kept else {"id": int(i), "label": found[i]} for i in wanted]


def _recipients(youth):
    told = people(list(youth.assigned_caseworkers.all()), youth, CASEWORKER)
    return told or people(list(youth.team.supervisors.all()), youth, SUPERVISOR)


def _alert(episode, added, now):
    youth = episode.youth
    items = [f"{label(code)}: {episode.endangerment_reasons.get(code, '')}" for code in added]
    subject = one_line(
        f"Endangerment updated for {youth.display_name} (case {youth.case_number}): "
        "send NCMEC and law enforcement an update"
    )
    body = (
        f"While {youth.display_name} is missing from care, the record now supports "
        f"{len(added)} more endangerment item{pluralize(len(added))}:\n"
        + "\n".join(f"- {item}" for item in items)
        + "\n\nNew versions of the NCMEC and law-enforcement packets are being built. Send each of them "
        "the update and record it on the episode page, so the child keeps the priority an endangered "
        "child gets."
    )
    return raise_alert(
        agency=youth.agency, youth=youth, kind=ALERT_KIND, key=alert_key(episode.pk, episode.endangerment),
        subject=subject[:200], body=body, sms_text=alert_delivery.sms_line(youth, "Endangerment updated"),
        url=episode_path(episode.pk), recipients=_recipients(youth), now=now,
    )


def _drop_retracted(episode, retracted, computed) -> list[str]:
    """Untick the `retracted` items the record ticked and no longer supports (an identification withdrawn
    as recorded in error is a correction, not a later change: its tick goes with it). Returns them."""
    reasons = dict(episode.endangerment_reasons or {})
    dropped = [code for code in retracted if code in reasons and code not in computed and code in episode.endangerment]
    episode.endangerment = [code for code in episode.endangerment if code not in dropped]
    episode.endangerment_reasons = {code: why for code, why in reasons.items() if code not in dropped}
    return dropped


@transaction.atomic
def refresh(episode_id, *, trigger, actor=None, retracted=()):
    """Tick what the record now supports on an open episode; a change is saved, audited, makes new packet
    versions and alerts the caseworkers. `retracted`: codes whose cause was withdrawn as recorded in error
    (`_drop_retracted`). Returns the codes newly ticked ([] when nothing was added)."""
    episode = (
        MissingEpisode.objects.select_for_update(of=("self",)).select_related("youth__agency", "youth__team")
        .filter(pk=episode_id, status=EpisodeStatus.OPEN).first()
    )
    if episode is None:
        return []
    before = (list(episode.endangerment), dict(episode.endangerment_reasons or {}))
    dropped = _drop_retracted(episode, retracted, computed_for(episode)) if retracted else []
    added = tick_from_record(episode)
    if (episode.endangerment, episode.endangerment_reasons) == before:
        return []
    now = timezone.now()
    # Not an edit: the version stays, so a form open meanwhile still saves. A save that would drop a new
    # tick is refused by the untick rule (`edited`), with its message, so nothing is silently lost.
    episode._history_user = actor
    episode.save(update_fields=["endangerment", "endangerment_reasons"])
    audit.record(
        actor, AuditAction.UPDATE, episode, youth=episode.youth,
        detail={"endangerment_from_record": added, "endangerment_retracted": dropped, "trigger": trigger[:200]},
    )
    words = ", ".join(label(code) for code in [*added, *dropped]) or "reasons"
    pipeline.request_packets(episode, reason=f"Endangerment updated from the record: {words} ({trigger})", actor=actor)
    if added:
        _alert(episode, added, now)
    return added


def refresh_open_episode(youth_id, *, trigger, actor=None, retracted=()):
    """`refresh` the youth's open episode, if any (called by risk when a snapshot or decision is saved)."""
    episode_id = (
        MissingEpisode.objects.filter(youth_id=youth_id, status=EpisodeStatus.OPEN).values_list("pk", flat=True).first()
    )
    return refresh(episode_id, trigger=trigger, actor=actor, retracted=retracted) if episode_id else []


def on_youth_record_changed(sender, *, youth_id, actor=None, changed=(), **kwargs):
    """caseapp.signals.youth_record_changed: a date of birth or medications changed while missing."""
    if not YOUTH_FIELDS & set(changed):
        return
    try:
        refresh_open_episode(youth_id, trigger="Youth record updated", actor=actor)
    except Exception:
        log.exception("Could not update the endangerment of youth %s's open episode.", youth_id)
