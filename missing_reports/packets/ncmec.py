"""The NCMEC report packet: everything NCMEC asks a legal guardian for (docs/duties.md#ncmec-packet)."""

from . import pdf

KIND = "ncmec"
TITLE = "NCMEC Report Packet: Child Missing from Care"
LEAD = (
    "For the report to the National Center for Missing & Exploited Children by the child's legal guardian "
    "(call 1-800-843-5678, the caseworker web portal, or system-to-system). Report to law enforcement first."
)


def render_pdf(facts) -> bytes:
    story = [
        pdf.title_block(facts, TITLE, LEAD),
        pdf.disclosure_block(facts),
        pdf.contact_block(facts),
        pdf.identity_block(facts),
        pdf.description_block(facts),
        pdf.missing_event_block(facts),
        pdf.endangerment_block(facts),
        pdf.contacts_block(facts),
        pdf.medical_block(facts),
        pdf.placement_block(facts),
        pdf.law_enforcement_block(facts),
        pdf.ncmec_block(facts),
        pdf.prior_block(facts),
    ]
    return pdf.render(facts, TITLE, story)
