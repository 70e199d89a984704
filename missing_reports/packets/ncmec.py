"""The NCMEC report packet: everything NCMEC asks a legal guardian for (docs/duties.md#ncmec-packet)."""

from .pdf import layout, sections

KIND = "ncmec"
TITLE = "NCMEC Report Packet: Child Missing from Care"
LEAD = (
    "For the report to the National Center for Missing & Exploited Children by the child's legal guardian "
    "(call 1-800-843-5678, the caseworker web portal, or system-to-system). Report to law enforcement first."
)


def render_pdf(facts) -> bytes:
    story = [
        sections.title_block(facts, TITLE, LEAD),
        sections.disclosure_block(facts),
        sections.contact_block(facts),
        sections.identity_block(facts),
        sections.description_block(facts),
        sections.missing_event_block(facts),
        sections.endangerment_block(facts),
        sections.contacts_block(facts),
        sections.medical_block(facts),
        sections.placement_block(facts),
        sections.law_enforcement_block(facts),
        sections.ncmec_block(facts),
        sections.prior_block(facts),
    ]
    return layout.render(facts, TITLE, story)
