"""The packets' shared ReportLab layout, by seam:

- layout.py: the page (size, margins, frame), paragraph styles, and the flowables every section is made
  of (label/value grids that split across pages, section bands, notice boxes, columns); `render`.
- photo.py: the youth's photo, embedded as stored when it can be, cached per process.
- sections.py: what each section of a packet prints, one builder per section, from the facts alone.
- the typeface and the colours shared with the export summaries: caseapp/pdf_style.py.

The kind modules (ncmec.py, law_enforcement.py, recovery.py) choose and order the sections and call
`layout.render`. Text is real text (extractable); the only image is the youth's photo, loaded by id
from storage. This file re-exports nothing, so a name has one import path: import the module.
"""
