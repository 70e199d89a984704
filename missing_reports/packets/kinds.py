"""The packet kinds, and `render(kind, facts)`: validate the facts, then write the JSON and the PDF.

Both files come from the one facts dict, so they can never disagree. The JSON is what
schema/packet-v1.json describes (docs/packets.md); a facts dict that does not match it is refused
with ValueError before anything is written.
"""

import functools
import json
from pathlib import Path

import jsonschema

from . import law_enforcement, ncmec, recovery
from .pdf import layout, sections

KINDS = {"ncmec": ncmec, "law_enforcement": law_enforcement, "recovery": recovery}

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "packet-v1.json"


@functools.cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator():
    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    return cls(schema(), format_checker=cls.FORMAT_CHECKER)


def validate(facts) -> None:
    """Raise ValueError naming the first mismatches when `facts` do not match the schema."""
    errors = sorted(_validator().iter_errors(facts), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:5])
        raise ValueError(f"packet facts do not match {SCHEMA_PATH.name}: {details}")


def to_json(facts) -> bytes:
    """The JSON file: sorted keys, UTF-8, indented (stable bytes for the same facts)."""
    return (json.dumps(facts, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_pdf(module, facts) -> bytes:
    """The PDF of packet kind `module`: the title and the disclosure notice every packet opens with, then
    the kind's own SECTIONS in its order, under the shared page frame."""
    story = [sections.title_block(facts, module.TITLE, module.LEAD), sections.disclosure_block(facts)]
    story += [section(facts) for section in module.SECTIONS]
    return layout.render(facts, module.TITLE, story)


def _checked_module(kind, facts):
    module = KINDS.get(kind)
    if module is None:
        raise ValueError(f"unknown packet kind {kind!r}")
    if facts.get("kind") != kind:
        raise ValueError(f"these facts were assembled for {facts.get('kind')!r}, not {kind!r}")
    validate(facts)
    return module


def render(kind, facts) -> tuple[bytes, bytes]:
    """(json_bytes, pdf_bytes) of `facts` as packet `kind`. ValueError for an unknown kind or bad facts."""
    module = _checked_module(kind, facts)
    return to_json(facts), render_pdf(module, facts)


def render_one(kind, facts, fmt) -> bytes:
    """Only the "json" or the "pdf" file of `facts` as packet `kind` (a download made on request)."""
    module = _checked_module(kind, facts)
    return to_json(facts) if fmt == "json" else render_pdf(module, facts)
