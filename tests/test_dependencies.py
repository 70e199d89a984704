"""Dependencies point one way (docs/design.md#dependencies). `caseapp` never imports `risk`, and imports
`missing_reports` only in pages that show its data, through its selectors (the home dashboard, the youth page);
`missing_reports` never imports `risk` (it announces its changes through signals instead). Only the
wiring (settings, root URLconf, Celery app) names every app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WIRING = {"caseapp/settings.py", "caseapp/urls.py", "caseapp/celery.py"}
FORBIDDEN = {"caseapp": {"missing_reports", "risk"}, "missing_reports": {"risk"}}


# Pages may read another app through its selectors module, and nothing else of it.
SELECTOR_READS = {"caseapp/views/": {"missing_reports.selectors"}}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    relative = str(path.relative_to(ROOT))
    allowed = set().union(*(mods for prefix, mods in SELECTOR_READS.items() if relative.startswith(prefix)))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules_ = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules_ = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            if all(m in allowed for m in modules_[1:]):
                continue
        else:
            continue
        names.update(m.split(".")[0] for m in modules_ if m not in allowed)
    return names


def modules(app):
    return [p for p in sorted((ROOT / app).rglob("*.py")) if str(p.relative_to(ROOT)) not in WIRING]


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_apps_import_only_downstream(app):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in modules(app)
        if imported_apps(path) & FORBIDDEN[app]
    }
    assert offenders == {}, f"{app} must not import {sorted(FORBIDDEN[app])}: {offenders}"


def test_the_check_sees_imports():
    # The scanner itself: a module of risk does import missing_reports.
    assert "missing_reports" in imported_apps(ROOT / "risk" / "services.py")
