"""The timeliness report and the packet PDF are packages split at their seams; each name has one import path
(a package's __init__ holds only its docstring), the report is registered once, and its figures are computed
in one module that the PDF's tables and the dashboard both read."""

import ast
from pathlib import Path

import pytest

from exports.reports import base
from exports.reports.timeliness import figures, rows, tables
from tests.test_dependencies import ROOT


def aggregate_calls(module) -> set[str]:
    """The Django aggregates a module builds (Count, Exists, TruncMonth, ...) by name."""
    tree = ast.parse(Path(module.__file__).read_text())
    names = {"Count", "Exists", "Sum", "Avg", "TruncMonth", "TruncDate"}
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names
    }


@pytest.mark.parametrize("package", ["exports/reports/timeliness", "missing_reports/packets/pdf"])
def test_the_package_init_re_exports_nothing(package):
    body = ast.parse((ROOT / package / "__init__.py").read_text()).body
    code = [node for node in body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    assert code == []


def test_the_report_is_registered_once_from_its_rows_module():
    assert type(base.get("timeliness")) is rows.TimelinessCompliance
    assert [r.key for r in base.all_reports()].count("timeliness") == 1


def test_the_pdf_tables_and_the_dashboard_read_the_figures_module():
    from exports import dashboard

    assert tables.summary is figures.summary and tables.notification_delays is figures.notification_delays
    assert dashboard.timeliness_figures is figures
    assert aggregate_calls(tables) == set()
    assert aggregate_calls(figures) >= {"Count", "TruncMonth"}
