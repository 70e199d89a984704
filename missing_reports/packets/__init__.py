"""Report packets for NCMEC and law enforcement.

- facts.py: `assemble(episode, kind) -> dict`, the one shared assembly of an episode's facts
  (JSON-serialisable, with "schema_version"); both renderings read only this.
- completeness.py: `missing_items(kind, facts) -> list[MissingItem]`, what NCMEC or law enforcement
  will ask for that the record lacks, each with a link to the field to fill.
- ncmec.py, law_enforcement.py, recovery.py: one module per packet kind, each with `KIND`, `TITLE`,
  `LEAD` and its `SECTIONS` in order; kinds.py renders any of them (`render_pdf`), the pdf/ package holds
  their shared ReportLab layout (layout.py, photo.py, sections.py).
- schema/packet-v1.json: the documented, versioned JSON layout (JSON Schema).
- pipeline.py: the idempotent build (hash → version → claim → render → ready/failed), the
  triggers, and recording a submission.
"""
