"""Dependencies point one way (docs/design.md#dependencies). exports sits downstream of every app (it reads caseapp,
missing_reports and risk); nothing imports exports except the wiring (settings, root URLconf)."""

import pytest

from tests.test_dependencies import imported_apps, modules


@pytest.mark.parametrize("app", ["caseapp", "missing_reports", "risk"])
def test_no_app_imports_exports(app):
    offenders = [str(path) for path in modules(app) if "exports" in imported_apps(path)]
    assert offenders == []


def test_exports_pages_and_reports_read_the_other_apps_but_not_their_views():
    from tests.test_dependencies import ROOT

    for path in modules("exports"):
        text = path.read_text()
        for forbidden in ("missing_reports.views", "risk.views", "caseapp.views"):
            assert forbidden not in text, f"{path.relative_to(ROOT)} imports {forbidden}"
