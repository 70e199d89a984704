"""What each section of a packet prints: one builder per section, each taking the assembled facts
(facts.py) and returning flowables. A builder prints only strings found in the facts (or fixed
labels), so the PDF can never say something the JSON does not. The kind modules (ncmec.py,
law_enforcement.py, recovery.py) choose and order the sections.
"""

from reportlab.lib.units import inch
from reportlab.platypus import Spacer

from ..facts import CONFIDENTIAL_NOTICE, NCMEC_CALL_CENTRE_NAME
from .layout import (
    ALERT,
    ALERT_BG,
    BAND,
    CONFIDENTIAL_BG,
    CONFIDENTIAL_RULE,
    CONTENT_WIDTH,
    LABEL_BG,
    Columns,
    Lines,
    boxed,
    fields,
    grid,
    joined,
    para,
    section,
    yes_no,
)
from .photo import PHOTO_BOX, photo_flowable


def title_block(facts, title, lead):
    youth, episode, agency = facts["youth"], facts["episode"], facts["generated_for"]["agency"]
    meta = (
        f"{agency['name']} ({agency['code']}, {agency['state']}) · Agency case number {youth['case_number']}"
        f" · Episode {episode['id']} · Status: {episode['status']}"
    )
    return [
        Lines(title, "title"),
        Lines(meta, "subtitle"),
        Spacer(1, 3),
        Lines(lead, "subtitle"),
        Spacer(1, 8),
    ]


def disclosure_block(facts):
    items = [Lines("DISCLOSURE INSTRUCTIONS: READ BEFORE ANY RELEASE", "alert_head")]
    items += [Lines("■ " + line, "alert") for line in facts["disclosure"]]
    return [boxed(items, ALERT, ALERT_BG)]


def identity_block(facts, photo_id=None, photo_caption=None):
    """The photo beside who the youth is."""
    youth = facts["youth"]
    photo = youth["current_photo"]
    if photo_id is None and photo is not None:
        photo_id = photo["id"]
        photo_caption = f"Photo taken {photo['taken_on_display']} ({photo['age_in_days']} days before the report)"
    pairs = [
        ("Legal name", youth["legal_name"]),
        ("Preferred name", youth["preferred_name"]),
        ("Aliases / nicknames", joined(youth["aliases"])),
        ("Date of birth", youth["date_of_birth_display"]),
        ("Age when reported", str(youth["age"])),
        ("Sex", youth["sex"]),
        ("Gender identity", youth["gender_identity"]),
        ("Race", joined(youth["race"])),
        ("Hispanic or Latino", youth["hispanic"]),
        ("Primary language", youth["primary_language"]),
        ("Agency case number", youth["case_number"]),
    ]
    right_w = CONTENT_WIDTH - PHOTO_BOX[0] - 0.2 * inch
    photo_cell = [photo_flowable(photo_id)]
    if photo_caption and photo_id is not None:
        photo_cell += [Spacer(1, 2), Lines(photo_caption, "note")]
    left_w = PHOTO_BOX[0] + 0.2 * inch
    table = Columns([(0, left_w - 10, photo_cell), (left_w, right_w, [fields(pairs, columns=1, width=right_w)])])
    return section("Child", table, keep=PHOTO_BOX[1] + 0.9 * inch)


def description_block(facts):
    y = facts["youth"]
    pairs = [
        ("Height", y["height_display"]),
        ("Weight", y["weight_display"]),
        ("Eye colour", y["eye_color"]),
        ("Hair colour", y["hair_color"]),
        ("Complexion", y["complexion"]),
        ("Glasses / contacts", y["eyewear"]),
        ("Braces", yes_no(y["braces"])),
        ("Piercings", y["piercings"]),
        ("Scars, marks, tattoos", y["scars_marks_tattoos"]),
    ]
    return section("Physical description", fields(pairs))


def missing_event_block(facts):
    e = facts["episode"]
    pairs = [
        ("Last seen", e["last_seen_at_display"]),
        ("Agency learned", e["agency_learned_at_display"]),
        ("Where last seen", e["last_seen_location"]),
        ("Category", e["category"]),
        ("Reported by", e["reported_by"]),
        ("Clothing last seen in", e["clothing"]),
        ("Circumstances", e["circumstances"]),
        ("Companions", e["companions"]),
        ("Vehicle", e["vehicle"]),
        ("Belongings taken", e["belongings_taken"]),
    ]
    return section("Missing event", fields(pairs))


def endangerment_lines(episode) -> list[str]:
    """Each item with its reason ("Under 13: Age 10 (born 2016-03-04)"); a version built before 1.2 has
    the labels only. Then the agency's own items (since 1.3), marked as the agency's."""
    own = [f"{label} (agency's own item)" for label in episode.get("agency_endangerment", [])]
    if "endangerment_reasons" not in episode:
        return list(episode["endangerment"]) + own
    listed = [f"{r['item']}: {r['reason']}" if r["reason"] else r["item"] for r in episode["endangerment_reasons"]]
    return listed + own


def endangerment_block(facts):
    e = facts["episode"]
    pairs = [
        ("Endangerment", "\n".join(endangerment_lines(e)) or "None recorded"),
        ("Notes", e["endangerment_notes"]),
    ]
    return section("Endangerment and risk", fields(pairs, columns=1))


def contacts_block(facts):
    e = facts["episode"]
    pairs = [
        ("Phones, email, social media", e["phones_and_accounts"]),
        ("Possible locations and people", e["possible_locations"]),
    ]
    return section("Contact data and possible locations", fields(pairs, columns=1))


def medical_block(facts):
    y = facts["youth"]
    pairs = [
        ("Medical needs", y["medical_needs"]),
        ("Mental-health needs", y["mental_health_needs"]),
        ("Medications", y["medications"]),
    ]
    inner = [
        Lines(CONFIDENTIAL_NOTICE, "alert_head"),
        fields(pairs, columns=1, width=CONTENT_WIDTH - 16),
    ]
    return section("Medical and mental health (confidential)", boxed(inner, CONFIDENTIAL_RULE, CONFIDENTIAL_BG))


def placement_block(facts):
    p = facts["episode"]["placement"]
    if p is None:
        return section("Placement at the time", para(""))
    address = ", ".join(part for part in (p["address"], p["city"], p["state"], p["postal_code"]) if part)
    pairs = [
        ("Placement type", p["type"]),
        ("Provider", p["provider"]),
        ("Provider phone", p["provider_phone"]),
        ("AFCARS setting", p["afcars"]),
        ("Address", address),
    ]
    return section("Placement at the time", fields(pairs))


def law_enforcement_block(facts):
    le = facts["law_enforcement"]
    pairs = [
        ("Law-enforcement agency", le["agency"]),
        ("LE case number", le["case_number"]),
        ("Officer", le["officer"]),
        ("Badge number", le["badge"]),
        ("NCIC number", le["ncic_number"]),
        ("NCIC entry confirmed", le["ncic_confirmed_at_display"]),
    ]
    return section("Law enforcement", fields(pairs))


def ncmec_block(facts):
    pairs = [
        ("NCMEC case number", facts["ncmec"]["case_number"]),
        ("NCMEC call centre", NCMEC_CALL_CENTRE_NAME),
    ]
    return section("NCMEC", fields(pairs, columns=1))


def _where_found(p):
    """The place a prior episode ended: the address, the kind of place, out of county or state."""
    away = [
        label
        for flag, label in ((p["found_out_of_county"], "out of county"), (p["found_out_of_state"], "out of state"))
        if flag
    ]
    kind = p["found_location_type"]
    if away:
        kind = f"{kind} ({', '.join(away)})" if kind else ", ".join(away)
    # A 1.0 document (stored before 1.1) has no address.
    return "\n".join(part for part in (p.get("found_address", ""), kind) if part)


def _with_whom(p):
    """With whom the youth was last seen, what they came back with, and how they were located."""
    parts = [p.get("companions", "")]
    if p.get("returned_with"):
        parts.append("Came back with: " + joined(p["returned_with"]))
    if p["how_located"]:
        parts.append(f"Located: {p['how_located']}")
    return "\n".join(part for part in parts if part)


def prior_block(facts):
    """The earlier episodes, most recent first, with where and with whom the youth was found; the older
    ones past the cap are counted ("and N earlier")."""
    rows = [
        [p["last_seen_at_display"], p["returned_at_display"], _where_found(p), _with_whom(p)]
        for p in facts["prior_episodes"]
    ]
    if not rows:
        return section("Prior missing episodes", Lines("No prior missing episodes recorded.", "note"))
    widths = [1.45 * inch, 1.45 * inch, (CONTENT_WIDTH - 2.9 * inch) / 2, (CONTENT_WIDTH - 2.9 * inch) / 2]
    flowables = [
        Lines("Most recent first.", "note"),
        grid(["Last seen", "Returned", "Where found", "With whom, how located"], rows, widths),
    ]
    earlier = facts.get("prior_episodes_not_listed", 0)
    if earlier:
        episodes = "episode" if earlier == 1 else "episodes"
        flowables.append(Lines(f"And {earlier} earlier missing {episodes} (not listed).", "note"))
    return section("Prior missing episodes", *flowables)


def contact_block(facts):
    gf = facts["generated_for"]
    agency = gf["agency"]
    pairs = [
        ("Agency", f"{agency['name']} ({agency['code']})"),
        ("State", agency["state"]),
        ("Agency phone", agency["phone"]),
        ("Agency email", agency["email"]),
        ("Agency address", agency["address"]),
    ]
    flowables = [fields(pairs)]
    if gf["caseworkers"]:
        widths = [CONTENT_WIDTH * 0.34, CONTENT_WIDTH * 0.26, CONTENT_WIDTH * 0.40]
        rows = [[c["name"], c["phone"], c["email"]] for c in gf["caseworkers"]]
        flowables += [Spacer(1, 5), grid(["Caseworker", "Phone", "Email"], rows, widths)]
    else:
        flowables.append(Lines("No caseworker assigned.", "note"))
    return section("Agency (legal guardian) and caseworker contact", *flowables)


def recovery_block(facts):
    r = facts["recovery"]
    pairs = [
        ("Located", r["located_at_display"]),
        ("Returned", r["returned_at_display"]),
        ("Where found", r["found_address"]),
        ("Kind of place", r["found_location_type"]),
        ("Found out of county", yes_no(r["out_of_county"])),
        ("Found out of state", yes_no(r["out_of_state"])),
        ("How located", r["how_located"]),
        ("Condition on return", r["condition_on_return"]),
        ("New marks or tattoos", r["new_marks_tattoos"] or "None recorded"),
    ]
    return section("Recovery", fields(pairs))


def requested_actions_block(facts):
    items = [Lines("ACTION REQUESTED", "alert_head")]
    items += [Lines("■ " + line, "alert") for line in facts["recovery"]["requested_actions"]]
    return [Spacer(1, 6), boxed(items, BAND, LABEL_BG)]
