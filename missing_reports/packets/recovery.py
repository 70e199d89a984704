"""The recovery notice, for NCMEC and law enforcement: the child is found; clear NCIC, close the case."""

from .pdf import layout, sections

KIND = "recovery"
TITLE = "Recovery Notice: Child Missing from Care Has Been Located"
LEAD = (
    "For law enforcement (to clear the NCIC entry) and NCMEC (to record the recovery; 1-800-843-5678). "
    "A photo on recovery and any new marks or tattoos are recorded below."
)


def render_pdf(facts) -> bytes:
    recovery = facts["recovery"]
    photo = recovery["recovery_photo"]
    photo_id = photo["id"] if photo else None
    caption = f"Photo on recovery, taken {photo['taken_on_display']}" if photo else None
    story = [
        sections.title_block(facts, TITLE, LEAD),
        sections.disclosure_block(facts),
        sections.requested_actions_block(facts),
        sections.recovery_block(facts),
        sections.law_enforcement_block(facts),
        sections.ncmec_block(facts),
        sections.identity_block(facts, photo_id=photo_id, photo_caption=caption),
        sections.description_block(facts),
        sections.missing_event_block(facts),
        sections.contact_block(facts),
    ]
    return layout.render(facts, TITLE, story)
