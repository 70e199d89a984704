"""The law-enforcement missing-person packet: what NCIC entry takes (docs/duties.md#ncic-2h)."""

from . import pdf

KIND = "law_enforcement"
TITLE = "Law-Enforcement Missing-Person Packet: Child Missing from Care"
LEAD = (
    "For the missing-person report and NCIC entry (34 USC 41308: no waiting period, entry within 2 hours). "
    "The agency also reports to NCMEC separately (1-800-843-5678)."
)


def render_pdf(facts) -> bytes:
    story = [
        pdf.title_block(facts, TITLE, LEAD),
        pdf.disclosure_block(facts),
        pdf.law_enforcement_block(facts),
        pdf.identity_block(facts),
        pdf.description_block(facts),
        pdf.missing_event_block(facts),
        pdf.endangerment_block(facts),
        pdf.contacts_block(facts),
        pdf.medical_block(facts),
        pdf.placement_block(facts),
        pdf.prior_block(facts),
        pdf.ncmec_block(facts),
        pdf.contact_block(facts),
    ]
    return pdf.render(facts, TITLE, story)
