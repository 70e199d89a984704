"""The AFCARS elements export as an XML fragment, written as the rows come (flat memory).

The layout follows the element names of ICF's AFCARS XML Editor (AXE), as docs/duties.md#afcars
lists them: per child a `record` with the removal loop (`E69_E186_removals` → `removal_2020` →
`E112_E146_living_arrangements` → `living_arrangement`) and, outside that loop, the child-level
sex-trafficking elements E106-E111 (E107/E108 and E110/E111 in their reporting groups, as AXE nests them):

    <afcars_fragment>
      <records>
        <record>
          <E4_child_record_number>A-NORTH-1</E4_child_record_number>
          <E69_E186_removals>
            <removal_2020>
              <E69_removal_date>20240601</E69_removal_date>
              <E112_E146_living_arrangements>
                <living_arrangement>
                  <E112_date_living_arrangement>20241105</E112_date_living_arrangement>
                  <E120_other_living_arrangement_type>12</E120_other_living_arrangement_type>
                  <E121_location_of_living_arrangement>4</E121_location_of_living_arrangement>
                </living_arrangement>
              </E112_E146_living_arrangements>
            </removal_2020>
          </E69_E186_removals>
          <E106_prior_victim_sex_trafficking>0</E106_prior_victim_sex_trafficking>
          <E107_E108_prior_victim_sex_trafficking_reporting>
            <E107_prior_victim_sex_trafficking_reported/>
            ...

It is a fragment, not a whole AFCARS file: only the runaway / whereabouts-unknown living arrangements
(E120 = 12 / 13) are in the living-arrangement loop, and `E4_child_record_number` holds the agency case
number, which the state replaces with its encrypted AFCARS record number when it merges the fragment.
A blank element (not applicable) is written empty.

Validation errors are written as XML comments where they belong, `<!-- AFCARS validation: ... -->`: a
living arrangement's inside its `living_arrangement`, a child's after E110/E111 at the end of its
`record`; the file ends with a comment counting them. So the data stays exactly what the agency holds
and nothing is hidden (the CSV has the same errors in two columns).
"""

import re
from typing import NamedTuple
from xml.sax.saxutils import XMLGenerator


class AfcarsRow(NamedTuple):
    """One row of the AFCARS elements export: a youth's child-level values (repeated on each of their
    rows) and one runaway / whereabouts-unknown living arrangement (blank when they had none).

    Dates are AFCARS dates, YYYYMMDD text; flags and codes are ints; blank is None.
    """

    case_number: str
    team: str
    e69: str | None
    e106: int | None
    e107: int | None
    e108: str | None
    e109: int | None
    e110: int | None
    e111: str | None
    e112: str | None
    e120: int | None
    e121: int | None
    ended_on: str | None
    child_errors: str
    arrangement_errors: str


# Several errors in one cell (CSV) are joined with this; the XML writes one comment each.
ERROR_SEPARATOR = " | "

E4 = "E4_child_record_number"
E69 = "E69_removal_date"
E106 = "E106_prior_victim_sex_trafficking"
E107_E108 = "E107_E108_prior_victim_sex_trafficking_reporting"
E107 = "E107_prior_victim_sex_trafficking_reported"
E108 = "E108_prior_victim_sex_trafficking_reported_date"
E109 = "E109_victim_sex_trafficking"
E110_E111 = "E110_E111_victim_sex_trafficking_reporting"
E110 = "E110_victim_sex_trafficking_reported"
E111 = "E111_victim_sex_trafficking_reported_date"
E112 = "E112_date_living_arrangement"
E120 = "E120_other_living_arrangement_type"
E121 = "E121_location_of_living_arrangement"

# Characters XML 1.0 cannot hold at all (the control characters other than tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str:
    return "" if value is None else _NOT_XML.sub("", str(value))


def _comment_text(text: str) -> str:
    """Text a comment can hold: no '--' inside, no '-' at the end (XML 1.0, production 15)."""
    text = _text(text)
    while "--" in text:
        text = text.replace("--", "- -")
    return text.rstrip("-").replace("\n", " ")


class AfcarsXmlWriter:
    """The export framework's writer for the "xml" format (exports/writers.py). Rows must come grouped
    by youth (the report orders them by case number); each youth's record is closed when the next
    youth's first row arrives, so memory holds one row, whatever the file's size."""

    extension = "xml"
    content_type = "application/xml; charset=utf-8"

    def __init__(self, path, columns, tz, *, title="", about=()):
        self._file = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 (closed in close())
        self._xml = XMLGenerator(self._file, encoding="utf-8", short_empty_elements=True)
        self._xml.startDocument()
        header = [
            f"{title or 'AFCARS elements'}: an XML fragment, not a whole AFCARS file.",
            *(f"{label}: {value}" for label, value in about),
            f"{E4} holds the agency case number: replace it with the state's encrypted AFCARS record number.",
            "Only runaway (E120 = 12) and whereabouts-unknown (E120 = 13) living arrangements are listed.",
            "Validation errors are comments starting 'AFCARS validation:'.",
        ]
        for line in header:
            self._comment(line)
            self._newline(0)
        self._xml.startElement("afcars_fragment", {})
        self._newline(1)
        self._xml.startElement("records", {})
        self._current = None  # the open record's first row
        self._records = 0
        self._errors = 0
        self._records_with_errors = 0

    # --- the framework's interface ---------------------------------------------------------------

    def write(self, row):
        row = AfcarsRow._make(row)
        if self._current is None or row.case_number != self._current.case_number:
            if self._current is not None:
                self._end_record()
            self._start_record(row)
        if row.e112 is not None or row.e120 is not None:
            self._living_arrangement(row)

    def close(self):
        try:
            if self._current is not None:
                self._end_record()
            self._newline(1)
            self._xml.endElement("records")
            self._newline(0)
            self._xml.endElement("afcars_fragment")
            self._newline(0)
            self._comment(
                f"{self._records} record(s); {self._errors} validation error(s) in "
                f"{self._records_with_errors} record(s)."
            )
            self._newline(0)
            self._xml.endDocument()
        finally:
            self._file.close()

    # --- records ---------------------------------------------------------------------------------

    def _start_record(self, row):
        self._current = row
        self._record_has_error = bool(row.child_errors)
        self._records += 1
        self._newline(2)
        self._xml.startElement("record", {})
        self._element(3, E4, row.case_number)
        self._newline(3)
        self._xml.startElement("E69_E186_removals", {})
        self._newline(4)
        self._xml.startElement("removal_2020", {})
        self._element(5, E69, row.e69)
        self._newline(5)
        self._xml.startElement("E112_E146_living_arrangements", {})

    def _living_arrangement(self, row):
        self._newline(6)
        self._xml.startElement("living_arrangement", {})
        self._element(7, E112, row.e112)
        self._element(7, E120, row.e120)
        self._element(7, E121, row.e121)
        if row.arrangement_errors:
            self._record_has_error = True
            self._errors_as_comments(7, row.arrangement_errors)
        self._newline(6)
        self._xml.endElement("living_arrangement")

    def _end_record(self):
        row = self._current
        self._newline(5)
        self._xml.endElement("E112_E146_living_arrangements")
        self._newline(4)
        self._xml.endElement("removal_2020")
        self._newline(3)
        self._xml.endElement("E69_E186_removals")
        # Child level, outside the removal loop (docs/duties.md#afcars).
        self._element(3, E106, row.e106)
        self._group(3, E107_E108, ((E107, row.e107), (E108, row.e108)))
        self._element(3, E109, row.e109)
        self._group(3, E110_E111, ((E110, row.e110), (E111, row.e111)))
        if row.child_errors:
            self._errors_as_comments(3, row.child_errors)
        if self._record_has_error:
            self._records_with_errors += 1
        self._newline(2)
        self._xml.endElement("record")
        self._current = None

    # --- pieces ----------------------------------------------------------------------------------

    def _element(self, depth, name, value):
        self._newline(depth)
        self._xml.startElement(name, {})
        text = _text(value)
        if text:
            self._xml.characters(text)
        self._xml.endElement(name)

    def _group(self, depth, name, children):
        self._newline(depth)
        self._xml.startElement(name, {})
        for child, value in children:
            self._element(depth + 1, child, value)
        self._newline(depth)
        self._xml.endElement(name)

    def _errors_as_comments(self, depth, errors):
        for error in errors.split(ERROR_SEPARATOR):
            if error:
                self._errors += 1
                self._newline(depth)
                self._comment(f"AFCARS validation: {error}")

    def _comment(self, text):
        # XMLGenerator has no comment(); ignorableWhitespace() writes its text as it is (after closing a
        # pending start tag), so a comment made safe by _comment_text goes through it.
        self._xml.ignorableWhitespace(f"<!-- {_comment_text(text)} -->")

    def _newline(self, depth):
        self._xml.ignorableWhitespace("\n" + "  " * depth)
