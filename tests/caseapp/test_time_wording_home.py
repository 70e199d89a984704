"""An agency-local time and a span of time are worded in one place (caseapp.local_time and the template
filters agency_time / agency_time_long): no app module or template formats a time of day or a duration
itself, so every page, email and note labels its times with the agency's zone the same way."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("caseapp", "missing_reports", "risk", "exports")
HOME = ROOT / "caseapp" / "local_time.py"
# Machine formats, not wording: the datetime-local input's value and the packets' ISO 8601 UTC timestamps.
MACHINE_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%SZ")
TIME_OF_DAY = re.compile(r"%[HIMp]|dateformat|timesince|naturaltime")
# A span worded by hand: "… hour{'s' …", "… minutes".
DURATION_WORDS = re.compile(r"""\bhour\{|\bminute\{|["'] hours?["']|["'] minutes?["']""")
TEMPLATE_TIME = re.compile(r"""\|\s*(date|time):\s*["'][^"']*[HhGgiAaPTsU]|\|\s*(timesince|timeuntil|naturaltime)""")


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path != HOME and "migrations" not in path.parts:
                yield path


def test_no_app_module_formats_a_time_of_day_or_a_duration_itself():
    copies = []
    for path in _app_modules():
        text = path.read_text()
        for format_ in MACHINE_FORMATS:
            text = text.replace(format_, "")
        if TIME_OF_DAY.search(text) or DURATION_WORDS.search(text):
            copies.append(str(path.relative_to(ROOT)))
    assert copies == []


def test_no_template_formats_a_time_of_day_itself():
    copies = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.suffix in (".html", ".txt") and TEMPLATE_TIME.search(path.read_text())
    ]
    assert copies == []
