"""The NCMEC report packet: everything NCMEC asks a legal guardian for (docs/duties.md#ncmec-packet)."""

from .pdf import sections

KIND = "ncmec"
TITLE = "NCMEC Report Packet: Child Missing from Care"
LEAD = (
    "For the report to the National Center for Missing & Exploited Children by the child's legal guardian "
    "(call 1-800-843-5678, the caseworker web portal, or system-to-system). Report to law enforcement first."
)


# After the title and the disclosure notice (every packet opens with both: kinds.render_pdf), in the
# order of NCMEC's intake questions.
SECTIONS = (
    sections.contact_block,
    sections.identity_block,
    sections.description_block,
    sections.missing_event_block,
    sections.endangerment_block,
    sections.contacts_block,
    sections.medical_block,
    sections.placement_block,
    sections.law_enforcement_block,
    sections.ncmec_block,
    sections.prior_block,
)
