"""A view hands a valid form to its service in one way (caseapp.forms.save_through_service): the acting
user and their address go with the data, and a refusal lands on the form with nothing written."""

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
