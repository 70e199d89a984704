"""The writers: formula-injection guard on every text cell (OWASP CSV injection), numbers kept as numbers,
times in the agency's zone, and XLSX cells that Excel can open."""

import datetime
import decimal
import zoneinfo

import openpyxl
import pytest

from exports.reports.base import Column
from exports.writers import CsvWriter, XlsxWriter, guard

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
COLUMNS = (Column("Text"), Column("Number"))


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.example","Click")', '\'=HYPERLINK("http://evil.example","Click")'),
        ("+1-555-0100", "'+1-555-0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("\uff1d1+1", "'\uff1d1+1"),  # a full-width equals sign
        ("'=already quoted", "'=already quoted"),  # starts with a quote: inert already
        ("Maple House", "Maple House"),
        ("a=b+c", "a=b+c"),  # only the first character matters
        (" =1+1", " =1+1"),  # a leading space makes it text in every spreadsheet
        ("", ""),
    ],
)
def test_guard(text, safe):
    assert guard(text) == safe


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-3, -3),
        (2.5, 2.5),
        (decimal.Decimal("-1.5"), decimal.Decimal("-1.5")),
        (0, 0),
        (True, "Yes"),
        (False, "No"),
        (None, ""),
        (datetime.date(2025, 3, 1), "2025-03-01"),
        (datetime.datetime(2025, 3, 9, 8, 0, tzinfo=datetime.UTC), "2025-03-09T03:00-05:00"),  # after DST began
        (datetime.datetime(2025, 3, 1, 8, 0, tzinfo=datetime.UTC), "2025-03-01T02:00-06:00"),
    ],
)
def test_csv_cells_keep_numbers_as_numbers(tmp_path, value, cell):
    writer = CsvWriter(tmp_path / "x.csv", COLUMNS, CHICAGO)
    try:
        assert writer.cell(value) == cell
    finally:
        writer.close()


def test_the_csv_file_quotes_text_and_leaves_numbers_bare(tmp_path):
    path = tmp_path / "x.csv"
    writer = CsvWriter(path, COLUMNS, CHICAGO)
    writer.write(["=1+1", -3])
    writer.write(['say "hi", then\nleave', 2.5])
    writer.write([None, True])
    writer.close()

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM, so Excel reads UTF-8
    assert raw.decode("utf-8-sig").split("\r\n") == [
        '"Text","Number"',
        '"\'=1+1",-3',
        '"say ""hi"", then\nleave",2.5',
        '"","Yes"',
        "",
    ]


def test_the_xlsx_file_has_inert_text_real_numbers_and_local_times(tmp_path):
    path = tmp_path / "x.xlsx"
    columns = (Column("Text"), Column("Number"), Column("When"), Column("Flag"))
    writer = XlsxWriter(path, columns, CHICAGO, title="Test: a/b", about=[("Report", "=not a formula")])
    writer.write(["=1+1", -3, datetime.datetime(2025, 3, 1, 8, 0, tzinfo=datetime.UTC), True])
    writer.write(["bell\x07 and\x00 nul", 2.5, None, False])
    writer.write(["@SUM(A1)", decimal.Decimal("1.5"), datetime.date(2025, 3, 1), None])
    writer.close()

    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Test  a b"]
    rows = list(sheet.iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in rows[0]] == [
        ("'=1+1", "s"),
        (-3, "n"),
        (datetime.datetime(2025, 3, 1, 2, 0), "d"),
        ("Yes", "s"),
    ]
    assert rows[1][0].value == "bell and nul"  # characters XML cannot hold are dropped
    assert rows[1][1].value == 2.5
    assert rows[2][0].value == "'@SUM(A1)"
    assert rows[2][1].value == 1.5
    assert sheet["A1"].font.bold
    assert dict(workbook["About this export"].iter_rows(values_only=True)) == {"Report": "'=not a formula"}
