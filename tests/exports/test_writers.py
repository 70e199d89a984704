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


# --- write_rows: a chunk at a time, the same bytes as write() of each row -------------------------------------

UTC = datetime.UTC


def csv_bytes(tmp_path, name, rows, *, tz=CHICAGO, chunked):
    path = tmp_path / name
    width = max((len(row) for row in rows), default=1)
    writer = CsvWriter(path, [Column(f"C{n}") for n in range(width)], tz)
    if chunked:
        writer.write_rows(rows)
    else:
        for row in rows:
            writer.write(row)
    writer.close()
    return path.read_bytes()


def test_write_rows_guards_every_text_cell_of_a_chunk(tmp_path):
    rows = [
        ("Maple House", 1, "ok"),
        ('=HYPERLINK("http://x","y")', 2, "@SUM(A1)"),
        ("-2+3", 3, "+1-555-0100"),
        ("\t=1", 4, "\r=1"),
        ("\uff1d1+1", 5, "a=b"),
    ]
    raw = csv_bytes(tmp_path, "x.csv", rows, chunked=True)

    assert raw.decode("utf-8-sig").split("\r\n") == [
        '"C0","C1","C2"',
        '"Maple House",1,"ok"',
        '"\'=HYPERLINK(""http://x"",""y"")",2,"\'@SUM(A1)"',
        '"\'-2+3",3,"\'+1-555-0100"',
        '"\'\t=1",4,"\'\r=1"',
        '"\'\uff1d1+1",5,"a=b"',
        "",
    ]
    assert raw == csv_bytes(tmp_path, "y.csv", rows, chunked=False)


def test_write_rows_times_are_in_the_agency_zone_across_both_daylight_saving_changes(tmp_path):
    times = [
        datetime.datetime(2025, 3, 9, 7, 59, tzinfo=UTC),  # 01:59 CST
        datetime.datetime(2025, 3, 9, 8, 0, tzinfo=UTC),  # 03:00 CDT: 02:00-02:59 does not exist
        datetime.datetime(2025, 3, 9, 8, 1, 59, tzinfo=UTC),  # seconds are dropped, not rounded
        datetime.datetime(2025, 11, 2, 5, 30, tzinfo=UTC),  # 00:30 CDT
        datetime.datetime(2025, 11, 2, 6, 30, tzinfo=UTC),  # 01:30 CDT, the first time
        datetime.datetime(2025, 11, 2, 7, 30, tzinfo=UTC),  # 01:30 CST, the second time
        datetime.datetime(2025, 11, 2, 8, 30, tzinfo=UTC),  # 02:30 CST
        None,
        datetime.datetime(2025, 3, 9, 3, 0, tzinfo=CHICAGO),  # already in another zone than UTC
    ]
    rows = [(value,) for value in times]
    raw = csv_bytes(tmp_path, "x.csv", rows, chunked=True)

    assert raw.decode("utf-8-sig").split("\r\n")[1:] == [
        '"2025-03-09T01:59-06:00"',
        '"2025-03-09T03:00-05:00"',
        '"2025-03-09T03:01-05:00"',
        '"2025-11-02T00:30-05:00"',
        '"2025-11-02T01:30-05:00"',
        '"2025-11-02T01:30-06:00"',
        '"2025-11-02T02:30-06:00"',
        '""',
        '"2025-03-09T03:00-05:00"',
        "",
    ]
    assert raw == csv_bytes(tmp_path, "y.csv", rows, chunked=False)


@pytest.mark.parametrize(
    "zone", ["America/Chicago", "UTC", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns", "Europe/Dublin"]
)
def test_write_rows_writes_the_same_bytes_as_write(tmp_path, zone):
    """Whatever the columns hold (mixed kinds, NULLs, quotes, line breaks, zones with half-hour offsets or
    a half-hour daylight-saving change), a chunk comes out as the rows written one at a time."""
    import random

    tz = zoneinfo.ZoneInfo(zone)
    rnd = random.Random(zone)
    texts = ["", "a", 'say "hi"', "=1+1", "-x", "@a", "\t=1", "line\nbreak", "a,b", "é 漢", "nul\x00", '"', "'=q"]
    start = datetime.datetime(1990, 1, 1, tzinfo=UTC)
    makers = {
        "text": lambda: rnd.choice(texts),
        "int": lambda: rnd.randint(-(10**6), 10**6),
        "float": lambda: rnd.choice([rnd.uniform(-1e3, 1e3), 1e16, 0.1, -0.0, 28.0]),
        "time": lambda: start + datetime.timedelta(seconds=rnd.randint(0, 40 * 365 * 24 * 3600)),
        "bool": lambda: rnd.random() < 0.5,
        "date": lambda: datetime.date(2020, 1, 1) + datetime.timedelta(days=rnd.randint(0, 1000)),
        "decimal": lambda: decimal.Decimal(rnd.randint(-1000, 1000)) / 10,
        "naive": lambda: datetime.datetime(2021, 3, 14, 2, 30),
        "zoned": lambda: datetime.datetime(2021, 3, 14, 2, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")),
    }
    for _ in range(25):
        kinds = [rnd.choice(list(makers)) for _ in range(rnd.randint(1, 7))]
        nulls = [rnd.choice([0, 0, 0.2, 1]) for _ in kinds]
        rows = [
            tuple(None if rnd.random() < null else makers[kind]() for kind, null in zip(kinds, nulls, strict=True))
            for _ in range(rnd.randint(1, 200))
        ]
        if rnd.random() < 0.2:
            rows[0] = (*rows[0], "one more cell")  # rows of different lengths
        assert csv_bytes(tmp_path, "x.csv", rows, tz=tz, chunked=True) == csv_bytes(
            tmp_path, "y.csv", rows, tz=tz, chunked=False
        ), kinds


def test_write_rows_remembers_a_bounded_number_of_hours(tmp_path, monkeypatch):
    from exports import writers

    monkeypatch.setattr(writers, "_HOURS_KEPT", 10)
    writer = CsvWriter(tmp_path / "x.csv", COLUMNS, CHICAGO)
    start = datetime.datetime(2025, 1, 1, tzinfo=UTC)
    for chunk in range(5):
        writer.write_rows([(start + datetime.timedelta(hours=chunk * 8 + n), n) for n in range(8)])
        assert len(writer._hours) <= 10 + 8
    writer.close()
