"""The recovery notice, for NCMEC and law enforcement: the child is found; clear NCIC, close the case."""

from .pdf import sections

KIND = "recovery"
TITLE = "Recovery Notice: Child Missing from Care Has Been Located"
LEAD = (
    "For law enforcement (to clear the NCIC entry) and NCMEC (to record the recovery; 1-800-843-5678). "
    "A photo on recovery and any new marks or tattoos are recorded below."
)


def identity_with_recovery_photo(facts):
    """Who the youth is, beside the photo taken on recovery when there is one (else the current photo)."""
    photo = facts["recovery"]["recovery_photo"]
    if photo is None:
        return sections.identity_block(facts)
    return sections.identity_block(
        facts, photo_id=photo["id"], photo_caption=f"Photo on recovery, taken {photo['taken_on_display']}"
    )


# After the title and the disclosure notice (every packet opens with both: kinds.render_pdf): what to do
# first, then the recovery itself.
SECTIONS = (
    sections.requested_actions_block,
    sections.recovery_block,
    sections.law_enforcement_block,
    sections.ncmec_block,
    identity_with_recovery_photo,
    sections.description_block,
    sections.missing_event_block,
    sections.contact_block,
)
