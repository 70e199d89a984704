"""The packets' shared ReportLab layout, by seam:

- layout.py: the page (size, margins, frame), paragraph styles, and the flowables every section is made
  of (label/value grids that split across pages, section bands, notice boxes, columns); `render`.
- photo.py: the youth's photo, embedded as stored when it can be, cached per process.
- sections.py: what each section of a packet prints, one builder per section, from the facts alone.
- the typeface and the colours shared with the export summaries: caseapp/pdf_style.py.

The kind modules (ncmec.py, law_enforcement.py, recovery.py) choose and order the sections and call
`render`. Text is real text (extractable); the only image is the youth's photo, loaded by id from storage.
"""

from .layout import CONTENT_WIDTH, fields, grid, render, section
from .photo import known_photos, photo_flowable
from .sections import (
    contact_block,
    contacts_block,
    description_block,
    disclosure_block,
    endangerment_block,
    identity_block,
    law_enforcement_block,
    medical_block,
    missing_event_block,
    ncmec_block,
    placement_block,
    prior_block,
    recovery_block,
    requested_actions_block,
    title_block,
)

__all__ = [
    "CONTENT_WIDTH",
    "contact_block",
    "contacts_block",
    "description_block",
    "disclosure_block",
    "endangerment_block",
    "fields",
    "grid",
    "identity_block",
    "known_photos",
    "law_enforcement_block",
    "medical_block",
    "missing_event_block",
    "ncmec_block",
    "photo_flowable",
    "placement_block",
    "prior_block",
    "recovery_block",
    "render",
    "requested_actions_block",
    "section",
    "title_block",
]
