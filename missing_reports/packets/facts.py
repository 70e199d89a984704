"""The one shared assembly of an episode's facts, read by every packet kind (JSON and PDF alike).

`assemble(episode, kind)` returns a JSON-serialisable dict laid out as schema/packet-v1.json and
docs/packets.md describe. It is deterministic: the same records give byte-identical
`json.dumps(facts, sort_keys=True)` (the pipeline hashes that to decide whether a new version is
needed), so nothing in it depends on the clock. "Age" and "photo age" are measured on the day the
agency learned of the episode, not today.

Conventions:
- times are ISO 8601 UTC strings ("2025-03-04T02:15:00Z") with a `<name>_display` twin in the
  agency's time zone ("Mar 3, 2025, 8:15 PM CST"); dates are "YYYY-MM-DD" with a `_display` twin;
- a choice field carries its label under its name and its stored code under `<name>_code`;
- text fields are stripped strings, "" when blank; missing objects are null.

The youth's SSN is never read into the facts. Medical and mental-health information is included
(the legal guardian gives it to NCMEC and law enforcement to locate the child) and marked
confidential in `youth.confidential_notice`; a download by someone who may not see it gets the
facts through `withhold_health` (pipeline.open_packet_file).

Reads a fixed number of queries (5, or 4 for an episode from `load_episode`) whatever the youth's
history.
"""

import datetime

from caseapp.local_time import agency_zone, display_date, display_time
from caseapp.models import (
    Complexion,
    EyeColor,
    Eyewear,
    HairColor,
    Hispanic,
    PlacementType,
    Race,
    Sex,
    YouthPhoto,
)
from missing_reports import deadlines
from missing_reports.models import (
    Endangerment,
    EpisodeCategory,
    EpisodeStatus,
    FoundLocationType,
    HowLocated,
    MissingEpisode,
    Notification,
    PacketKind,
    ReturnedWith,
)

SCHEMA_VERSION = "1.3"
KINDS = tuple(PacketKind.values)  # "ncmec", "law_enforcement", "recovery"

NCMEC_CALL_CENTRE = "1-800-843-5678"
NCMEC_CALL_CENTRE_NAME = "NCMEC 24-hour Call Center, 1-800-THE-LOST (1-800-843-5678)"

DISCLOSURE = [
    "Do not publicly identify this child as being in foster care.",
    "The agency does not consent to the public release of this child's information; the caseworker "
    "cannot give that consent. Consult the agency and law enforcement before any release.",
    "Medical and mental-health information is confidential: for locating the child only.",
]
CONFIDENTIAL_NOTICE = "Confidential: for NCMEC/law enforcement only, not for public release."
CONFIDENTIAL_FIELDS = ["medical_needs", "mental_health_needs", "medications"]

# What a packet downloaded by someone who may not see the health fields says in their place
# (access.can_see_restricted; docs/packets.md, "Who gets the health fields").
RESTRICTED_TEXT = "Restricted: ask the youth's caseworker"

# The earlier episodes a packet lists, most recent first; older ones are counted, not listed
# (`prior_episodes_not_listed`), so a youth with a long history still gets a packet NCMEC can read.
PRIOR_EPISODES_LISTED = 10

RECOVERY_ACTIONS = {
    "law_enforcement": "Law enforcement: the child has been located. Please clear the NCIC missing-person entry "
    "and close the missing-person case.",
    "ncmec": "NCMEC: the child has been located. Please record the recovery and close the NCMEC case.",
}


def _label(choices, value):
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _text(value):
    return (value or "").strip()


def _utc(moment):
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timed(out, name, moment, zone):
    out[name] = _utc(moment)
    out[f"{name}_display"] = display_time(moment, zone)


def _height_display(inches):
    if not inches:
        return ""
    return f"{inches // 12} ft {inches % 12} in"


def _person(user):
    return {
        "id": user.pk,
        "name": user.get_full_name() or user.username,
        "phone": _text(user.phone),
        "email": _text(user.email),
    }


def _agency(agency):
    return {
        "name": agency.name,
        "code": agency.code,
        "state": agency.state,
        "phone": _text(agency.phone),
        "email": _text(agency.email),
        "address": _text(agency.address),
        "time_zone": agency.time_zone,
    }


def _photo(photo, reference_day):
    if photo is None:
        return None
    return {
        "id": photo.pk,
        "taken_on": photo.taken_on.isoformat(),
        "taken_on_display": display_date(photo.taken_on),
        # Days between the photo and the day the agency learned of the episode (0 if taken later).
        "age_in_days": max(0, (reference_day - photo.taken_on).days),
    }


def _youth(youth, photo, reference_day):
    return {
        "id": youth.pk,
        "case_number": youth.case_number,
        "legal_first_name": youth.legal_first_name,
        "legal_middle_name": _text(youth.legal_middle_name),
        "legal_last_name": youth.legal_last_name,
        "legal_name": youth.legal_name,
        "preferred_name": _text(youth.preferred_name),
        "aliases": youth.alias_list,
        "date_of_birth": youth.date_of_birth.isoformat(),
        "date_of_birth_display": display_date(youth.date_of_birth),
        "age": youth.age_on(reference_day),
        "sex": _label(Sex, youth.sex),
        "sex_code": youth.sex,
        "gender_identity": _text(youth.gender_identity),
        "race": [_label(Race, r) for r in youth.races],
        "race_code": list(youth.races),
        "hispanic": _label(Hispanic, youth.hispanic_latino),
        "hispanic_code": youth.hispanic_latino,
        "height_inches": youth.height_inches,
        "height_display": _height_display(youth.height_inches),
        "weight_pounds": youth.weight_pounds,
        "weight_display": f"{youth.weight_pounds} lb" if youth.weight_pounds else "",
        "eye_color": _label(EyeColor, youth.eye_color),
        "eye_color_code": youth.eye_color,
        "hair_color": _label(HairColor, youth.hair_color),
        "hair_color_code": youth.hair_color,
        "complexion": _label(Complexion, youth.complexion),
        "complexion_code": youth.complexion,
        "eyewear": _label(Eyewear, youth.eyewear),
        "eyewear_code": youth.eyewear,
        "braces": bool(youth.has_braces),
        "scars_marks_tattoos": _text(youth.scars_marks_tattoos),
        "piercings": _text(youth.piercings),
        "primary_language": _text(youth.primary_language),
        "current_photo": _photo(photo, reference_day),
        "confidential_notice": CONFIDENTIAL_NOTICE,
        "confidential_fields": list(CONFIDENTIAL_FIELDS),
        "medical_needs": _text(youth.medical_needs),
        "mental_health_needs": _text(youth.mental_health_needs),
        "medications": _text(youth.medications),
    }


def _placement(placement):
    if placement is None:
        return None
    afcars = placement.afcars
    return {
        "id": placement.pk,
        "type": _label(PlacementType, placement.placement_type),
        "type_code": placement.placement_type,
        "provider": _text(placement.provider_name),
        "provider_phone": _text(placement.provider_phone),
        "address": _text(placement.address),
        "city": _text(placement.city),
        "state": _text(placement.state),
        "postal_code": _text(placement.postal_code),
        "afcars": afcars.label,
        "afcars_element": afcars.element,
        "afcars_code": afcars.code,
    }


def _episode(episode, zone):
    out = {
        "id": episode.pk,
        "status": _label(EpisodeStatus, episode.status),
        "status_code": episode.status,
        "category": _label(EpisodeCategory, episode.category),
        "category_code": episode.category,
    }
    _timed(out, "last_seen_at", episode.last_seen_at, zone)
    out["last_seen_location"] = _text(episode.last_seen_location)
    _timed(out, "agency_learned_at", episode.agency_learned_at, zone)
    out.update(
        {
            "reported_by": _text(episode.reported_by),
            "circumstances": _text(episode.circumstances),
            "clothing": _text(episode.clothing),
            "companions": _text(episode.companions),
            "vehicle": _text(episode.vehicle),
            "phones_and_accounts": _text(episode.phones_and_accounts),
            "possible_locations": _text(episode.possible_locations),
            "belongings_taken": _text(episode.belongings_taken),
            "endangerment": episode.endangerment_labels(),
            "endangerment_code": [v for v in episode.endangerment if v in Endangerment.values],
            "endangerment_notes": _text(episode.endangerment_notes),
            # Each item with the record's reason (missing_reports/endangerment.py); never a restricted value.
            "endangerment_reasons": [
                {"code": code, "item": label, "reason": reason} for code, label, reason in episode.endangerment_items()
            ],
            # Since 1.3: the agency's own items ticked, each label as it read when ticked.
            "agency_endangerment": episode.agency_endangerment_labels(),
            "endangerment_assessed": bool(
                episode.endangerment or episode.agency_endangerment or episode.endangerment_unticked
                or episode.endangerment_notes.strip()
            ),
            "placement": _placement(episode.placement),
        }
    )
    return out


# When a notice was given is not a fact of the packet: recording a packet's submission completes
# its clock, and that must not make a new version of the packet just submitted.


def _law_enforcement(notification, zone):
    out = {}
    n = notification
    reference = _text(n.reference) if n else ""
    ncic = _text(n.ncic_number) if n else ""
    # record_notification copies the NCIC number into the reference when no other is given.
    case_number = "" if reference == ncic else reference
    out.update(
        {
            "agency": _text(n.le_agency) if n else "",
            "case_number": case_number,
            "officer": _text(n.officer_name) if n else "",
            "badge": _text(n.badge_number) if n else "",
            "ncic_number": ncic,
        }
    )
    _timed(out, "ncic_confirmed_at", n.ncic_confirmed_at if n else None, zone)
    return out


def _ncmec(notification):
    n = notification
    return {
        "case_number": (_text(n.ncmec_case_number) or _text(n.reference)) if n else "",
        "call_centre": NCMEC_CALL_CENTRE,
    }


def own_numbers(notifications) -> dict:
    """{(section, key): value} of the case numbers NCMEC and law enforcement gave for this run, as
    the record holds them now, read from the episode's notices (changes.with_current_numbers)."""
    notices = {(n.event, n.party): n for n in notifications}
    le = _law_enforcement(notices.get((deadlines.MISSING, deadlines.LAW_ENFORCEMENT)), datetime.UTC)
    ncmec = _ncmec(notices.get((deadlines.MISSING, deadlines.NCMEC)))
    return {("law_enforcement", "case_number"): le["case_number"], ("ncmec", "case_number"): ncmec["case_number"]}


def withhold_health(facts) -> dict:
    """A copy of `facts` with the health fields (CONFIDENTIAL_FIELDS) replaced by RESTRICTED_TEXT,
    empty or not (an empty one would tell that there is nothing to ask about)."""
    youth = {**facts["youth"], **dict.fromkeys(CONFIDENTIAL_FIELDS, RESTRICTED_TEXT)}
    return {**facts, "youth": youth}


def _prior(episodes, zone):
    """The earlier episodes (most recent first, at most PRIOR_EPISODES_LISTED) with where and with whom
    the youth was found: NCMEC and law enforcement look there first (docs/packets.md#prior_episodes)."""
    rows = []
    for e in episodes[:PRIOR_EPISODES_LISTED]:
        row = {"id": e.pk, "category": _label(EpisodeCategory, e.category)}
        _timed(row, "last_seen_at", e.last_seen_at, zone)
        _timed(row, "returned_at", e.returned_at, zone)
        returned_with = [v for v in (e.returned_with or []) if v in ReturnedWith.values]
        row.update(
            {
                "last_seen_location": _text(e.last_seen_location),
                "found_address": _text(e.found_address),
                "found_location_type": _label(FoundLocationType, e.found_location_type),
                "found_location_type_code": e.found_location_type,
                "found_out_of_county": bool(e.found_out_of_county),
                "found_out_of_state": bool(e.found_out_of_state),
                "how_located": _label(HowLocated, e.how_located),
                "how_located_code": e.how_located,
                "companions": _text(e.companions),
                "returned_with": [_label(ReturnedWith, v) for v in returned_with],
                "returned_with_code": returned_with,
            }
        )
        rows.append(row)
    return rows


def _recovery(episode, zone):
    out = {}
    _timed(out, "located_at", episode.located_at, zone)
    _timed(out, "returned_at", episode.returned_at, zone)
    photo = episode.recovery_photo
    out.update(
        {
            "found_address": _text(episode.found_address),
            "found_location_type": _label(FoundLocationType, episode.found_location_type),
            "found_location_type_code": episode.found_location_type,
            "out_of_county": bool(episode.found_out_of_county),
            "out_of_state": bool(episode.found_out_of_state),
            "how_located": _label(HowLocated, episode.how_located),
            "how_located_code": episode.how_located,
            "condition_on_return": _text(episode.condition_on_return),
            "new_marks_tattoos": _text(episode.new_marks_tattoos),
            "recovery_photo": (
                {
                    "id": photo.pk,
                    "taken_on": photo.taken_on.isoformat(),
                    "taken_on_display": display_date(photo.taken_on),
                }
                if photo is not None
                else None
            ),
            "requested_actions": [RECOVERY_ACTIONS["law_enforcement"], RECOVERY_ACTIONS["ncmec"]],
        }
    )
    return out


def load_episode(episode_id) -> MissingEpisode:
    """The episode `episode_id` with its youth, agency, placement and recovery photo, read now (one
    query), marked so that `assemble` uses it as it is instead of reading it again."""
    episode = MissingEpisode.objects.select_related("youth__agency", "placement", "recovery_photo").get(pk=episode_id)
    episode._packet_facts_loaded = True
    return episode


def assemble(episode, kind) -> dict:
    """The facts of `episode` for packet `kind`. Five queries.

    `episode` is a MissingEpisode or its id. Any episode is read again (query 1), so the facts are
    those in the database now, except one `load_episode` just returned: that one is used as it is
    (four queries), so a build that needs the episode itself reads it once.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown packet kind {kind!r}")
    kind = str(kind)  # a PacketKind member or its value
    if getattr(episode, "_packet_facts_loaded", False):
        episode._packet_facts_loaded = False  # once: a later call reads the episode again
    else:
        # 1: the episode with its youth, agency, placement and recovery photo.
        episode = load_episode(episode.pk if isinstance(episode, MissingEpisode) else int(episode))
        episode._packet_facts_loaded = False
    youth = episode.youth
    agency = youth.agency
    zone = agency_zone(agency)
    reference_day = episode.agency_learned_at.astimezone(zone).date()
    # 2: the caseworkers, in the model's order (last name, first name, username).
    caseworkers = list(youth.assigned_caseworkers.all())
    # 3: the current photo (the newest by date taken).
    photo = YouthPhoto.objects.filter(youth_id=youth.pk).order_by("-taken_on", "-uploaded_at", "-id").first()
    # The photo rows read here, for the PDF of these facts (pipeline: pdf/photo.py known_photos).
    episode.packet_photos = (photo, episode.recovery_photo)
    # 4: the law-enforcement and NCMEC clocks of this episode.
    notices = {
        (n.event, n.party): n
        for n in Notification.objects.filter(
            episode_id=episode.pk, party__in=(deadlines.LAW_ENFORCEMENT, deadlines.NCMEC)
        )
    }
    # 5: the youth's earlier episodes, most recent first (all of them: the ones past the cap are counted).
    prior = list(
        MissingEpisode.objects.filter(youth_id=youth.pk, last_seen_at__lt=episode.last_seen_at)
        .exclude(pk=episode.pk)
        .order_by("-last_seen_at", "-id")
    )

    le_missing = notices.get((deadlines.MISSING, deadlines.LAW_ENFORCEMENT))
    ncmec_missing = notices.get((deadlines.MISSING, deadlines.NCMEC))
    le_return = notices.get((deadlines.RETURNED, deadlines.LAW_ENFORCEMENT))
    ncmec_return = notices.get((deadlines.RETURNED, deadlines.NCMEC))

    facts = {
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "title": str(PacketKind(kind).label),
        "generated_for": {"agency": _agency(agency), "caseworkers": [_person(u) for u in caseworkers]},
        "youth": _youth(youth, photo, reference_day),
        "episode": _episode(episode, zone),
        "law_enforcement": _law_enforcement(le_missing, zone),
        "ncmec": _ncmec(ncmec_missing),
        "prior_episodes": _prior(prior, zone),
        "prior_episodes_not_listed": max(0, len(prior) - PRIOR_EPISODES_LISTED),
        "disclosure": list(DISCLOSURE),
        "links": {
            "youth_id": youth.pk,
            "episode_id": episode.pk,
            "placement_id": episode.placement_id,
            "caseworker_ids": [u.pk for u in caseworkers],
            "le_notification_id": le_missing.pk if le_missing else None,
            "ncmec_notification_id": ncmec_missing.pk if ncmec_missing else None,
            "le_return_notification_id": le_return.pk if le_return else None,
            "ncmec_return_notification_id": ncmec_return.pk if ncmec_return else None,
        },
    }
    if kind == PacketKind.RECOVERY:
        facts["recovery"] = _recovery(episode, zone)
    return facts
