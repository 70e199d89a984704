"""What a packet's recipient already knows, and what changed between two versions of a packet.

A recipient's own case number is not news to that recipient: NCMEC gave the NCMEC case number, law
enforcement gave its case (report) number. Recording a submission stores that number, so it must
not make a new version of the packet that was just sent (docs/packets.md, "Versioning of a packet").
`hashed_facts` is what a version's content hash is taken over: the facts with the recipient's own
number blanked. The stored facts keep the number, so a later version (made by a real change) still
quotes it to the recipient.

A number given by the *other* recipient is news: NCMEC's case number makes a new law-enforcement
packet, and the law-enforcement case number a new NCMEC packet. The recovery notice goes to both and
asks each to close its case, so both numbers are facts of it.

`changed_fields` names, in words, what differs between a version that was sent and the current one,
so the episode page can say what an update would bring. Pure functions: no database access.
"""

# (section, key) of each kind's facts that its recipient gave the agency.
OWN_FIELDS = {
    "ncmec": (("ncmec", "case_number"),),
    "law_enforcement": (("law_enforcement", "case_number"),),
    "recovery": (),
}

# Who receives each kind (in the words of the episode page).
RECIPIENTS = {"ncmec": "NCMEC", "law_enforcement": "law enforcement"}

# Sections in the order the packets print them, with the words the page uses.
SECTIONS = (
    ("youth", "Youth"),
    ("episode", "Missing episode"),
    ("recovery", "Recovery"),
    ("law_enforcement", "Law enforcement"),
    ("ncmec", "NCMEC"),
    ("prior_episodes", "Earlier episodes"),
    ("prior_episodes_not_listed", "Earlier episodes not listed"),
    ("generated_for", "Agency and caseworker contacts"),
)
# Keys that are no fact a recipient reads (fixed texts, the sending system's ids); the top-level
# keys outside SECTIONS (schema_version, kind, title, disclosure, links) are not compared either.
IGNORED_KEYS = {"id", "confidential_notice", "confidential_fields"}
# A twin (`eye_color_code`, `height_display`) changes with its field: one name for both.
TWIN_SUFFIXES = ("_display", "_code", "_inches", "_pounds")
LABELS = {
    ("youth", "legal_first_name"): "legal name",
    ("youth", "legal_middle_name"): "legal name",
    ("youth", "legal_last_name"): "legal name",
    ("youth", "current_photo"): "photo",
    ("youth", "braces"): "braces",
    ("youth", "age"): "age",
    ("youth", "scars_marks_tattoos"): "scars, marks and tattoos",
    ("youth", "mental_health"): "mental-health needs",
    ("episode", "last_seen"): "when last seen",
    ("episode", "agency_learned"): "when the agency learned",
    ("episode", "clothing"): "clothing last seen in",
    ("episode", "phones_and_accounts"): "phones and accounts",
    ("episode", "placement"): "placement at the time",
    ("episode", "endangerment_reasons"): "endangerment",
    ("episode", "endangerment_assessed"): "endangerment",
    ("episode", "agency_endangerment"): "endangerment",
    ("law_enforcement", "agency"): "law-enforcement agency",
    ("law_enforcement", "case_number"): "law-enforcement case number",
    ("law_enforcement", "ncic_number"): "NCIC number",
    ("law_enforcement", "ncic_confirmed"): "NCIC entry confirmed",
    ("ncmec", "case_number"): "NCMEC case number",
    ("generated_for", "agency"): "agency contact details",
    ("generated_for", "caseworkers"): "caseworkers",
    ("recovery", "located"): "when located",
    ("recovery", "returned"): "when returned",
    ("recovery", "recovery_photo"): "photo on return",
    ("recovery", "new_marks_tattoos"): "new marks or tattoos",
}
HEALTH_FIELDS = {"medical_needs", "mental_health_needs", "medications"}
RESTRICTED_LABEL = "restricted health information"


def hashed_facts(facts: dict) -> dict:
    """`facts` as a version's content hash sees them: the recipient's own number blanked."""
    own = OWN_FIELDS.get(facts.get("kind"), ())
    if not own:
        return facts
    out = dict(facts)
    for section, key in own:
        out[section] = {**out[section], key: ""}
    return out


def with_current_numbers(facts: dict, numbers: dict) -> dict:
    """`facts` with the recipient's own numbers as the record holds them now (`numbers`: {(section,
    key): value}). A version that left out only those numbers is still the current version, but a
    check of what the record lacks must not ask for a number that was recorded since."""
    own = OWN_FIELDS.get(facts.get("kind"), ())
    out = dict(facts)
    for section, key in own:
        if (section, key) in numbers:
            out[section] = {**out[section], key: numbers[(section, key)]}
    return out


def _base(key):
    for suffix in TWIN_SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def _label(section, key, show_restricted):
    if section == "youth" and key in HEALTH_FIELDS and not show_restricted:
        return RESTRICTED_LABEL
    base = _base(key)
    return LABELS.get((section, key)) or LABELS.get((section, base)) or base.replace("_", " ")


def changed_fields(before: dict, after: dict, *, show_restricted: bool) -> list[tuple[str, list[str]]]:
    """What a recipient would find new in `after` compared with `before` (two versions of one kind):
    [(section, [field, ...]), ...] in the packets' order, [] when nothing but the recipient's own
    number differs. Health fields are named only for those who may see them."""
    before, after = hashed_facts(before), hashed_facts(after)
    found = []
    for section, title in SECTIONS:
        old, new = before.get(section), after.get(section)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            keys = [k for k in {**old, **new} if k not in IGNORED_KEYS and old.get(k) != new.get(k)]
        else:  # a list (earlier episodes) or a section only one of them has
            keys = [section]
        labels = []
        for key in keys:
            label = title.lower() if key == section else _label(section, key, show_restricted)
            if label not in labels:
                labels.append(label)
        if labels:
            found.append((title, labels))
    return found
