"""The NCMEC report packet: everything NCMEC asks a legal guardian for (docs/duties.md#ncmec-packet)."""

from . import pdf

KIND = "ncmec"
TITLE = "NCMEC Report Packet: Child Missing from Care"
LEAD = (
    "For the report to the National Center for Missing & Exploited Children by the child's legal guardian "
    "(call 1-800-843-5678, the caseworker web portal, or system-to-system). Report to law enforcement first."
)


# After the title and the disclosure notice (every packet opens with both: kinds.render_pdf), in the
# order of NCMEC's intake questions.
SECTIONS = (
    pdf.contact_block,
    pdf.identity_block,
    pdf.description_block,
    pdf.missing_event_block,
    pdf.endangerment_block,
    pdf.contacts_block,
    pdf.medical_block,
    pdf.placement_block,
    pdf.law_enforcement_block,
    pdf.ncmec_block,
    pdf.prior_block,
)
