"""The law-enforcement missing-person packet: what NCIC entry takes (docs/duties.md#ncic-2h)."""

from .pdf import sections

KIND = "law_enforcement"
TITLE = "Law-Enforcement Missing-Person Packet: Child Missing from Care"
LEAD = (
    "For the missing-person report and NCIC entry (34 USC 41308: no waiting period, entry within 2 hours). "
    "The agency also reports to NCMEC separately (1-800-843-5678)."
)


# After the title and the disclosure notice (every packet opens with both: kinds.render_pdf), in the
# order an officer entering NCIC reads them.
SECTIONS = (
    sections.law_enforcement_block,
    sections.identity_block,
    sections.description_block,
    sections.missing_event_block,
    sections.endangerment_block,
    sections.contacts_block,
    sections.medical_block,
    sections.placement_block,
    sections.prior_block,
    sections.ncmec_block,
    sections.contact_block,
)
