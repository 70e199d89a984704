"""A view hands a valid form to its service in one way (caseapp.forms.base.save_through_service): the acting
user and their address go with the data, and a refusal lands on the form with nothing written."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("caseapp", "missing_reports", "risk", "exports")


def test_no_view_passes_a_form_to_a_service_by_hand():
    copies = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "ip=client_ip(request), **form.cleaned_data" in path.read_text()
    ]
    assert copies == []


def test_the_form_frame_has_one_template():
    """Errors summary, fields, then the save button and Cancel: caseapp/_form.html, included by every page
    that is one crispy form, so they all look, and answer a refused save, the same way."""
    frame = re.compile(r"\{\{ form\|crispy \}\}\s*<div class=\"[^\"]*\">\s*<button type=\"submit\"")
    copies = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if path.name != "_form.html" and frame.search(path.read_text())
    ]
    assert copies == []


def test_the_gentle_wording_note_has_one_home():
    """After a save, the note about a word to avoid comes from caseapp.forms.base.note_wording only."""
    copies = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != ROOT / "caseapp" / "forms" / "base.py" and "= form_note(form)" in path.read_text()
    ]
    assert copies == []
