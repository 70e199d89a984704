"""The law-enforcement missing-person packet: what NCIC entry takes (docs/duties.md#ncic-2h)."""

from . import pdf

KIND = "law_enforcement"
TITLE = "Law-Enforcement Missing-Person Packet: Child Missing from Care"
LEAD = (
    "For the missing-person report and NCIC entry (34 USC 41308: no waiting period, entry within 2 hours). "
    "The agency also reports to NCMEC separately (1-800-843-5678)."
)


# After the title and the disclosure notice (every packet opens with both: kinds.render_pdf), in the
# order an officer entering NCIC reads them.
SECTIONS = (
    pdf.law_enforcement_block,
    pdf.identity_block,
    pdf.description_block,
    pdf.missing_event_block,
    pdf.endangerment_block,
    pdf.contacts_block,
    pdf.medical_block,
    pdf.placement_block,
    pdf.prior_block,
    pdf.ncmec_block,
    pdf.contact_block,
)
