"""The law-enforcement missing-person packet: what NCIC entry takes (docs/duties.md#ncic-2h)."""

from .pdf import layout, sections

KIND = "law_enforcement"
TITLE = "Law-Enforcement Missing-Person Packet: Child Missing from Care"
LEAD = (
    "For the missing-person report and NCIC entry (34 USC 41308: no waiting period, entry within 2 hours). "
    "The agency also reports to NCMEC separately (1-800-843-5678)."
)


def render_pdf(facts) -> bytes:
    story = [
        sections.title_block(facts, TITLE, LEAD),
        sections.disclosure_block(facts),
        sections.law_enforcement_block(facts),
        sections.identity_block(facts),
        sections.description_block(facts),
        sections.missing_event_block(facts),
        sections.endangerment_block(facts),
        sections.contacts_block(facts),
        sections.medical_block(facts),
        sections.placement_block(facts),
        sections.prior_block(facts),
        sections.ncmec_block(facts),
        sections.contact_block(facts),
    ]
    return layout.render(facts, TITLE, story)
