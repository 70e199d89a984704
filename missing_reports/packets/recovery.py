"""The recovery notice, for NCMEC and law enforcement: the child is found; clear NCIC, close the case."""

from . import pdf

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
        pdf.title_block(facts, TITLE, LEAD),
        pdf.disclosure_block(facts),
        pdf.requested_actions_block(facts),
        pdf.recovery_block(facts),
        pdf.law_enforcement_block(facts),
        pdf.ncmec_block(facts),
        pdf.identity_block(facts, photo_id=photo_id, photo_caption=caption),
        pdf.description_block(facts),
        pdf.missing_event_block(facts),
        pdf.contact_block(facts),
    ]
    return pdf.render(facts, TITLE, story)
