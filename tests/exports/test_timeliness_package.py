"""The timeliness report is a package split at its seams (rows, figures, the PDF's tables): the report is
registered once, and its figures are computed in one module that the PDF and the dashboard both read."""

import ast
from pathlib import Path

from exports.reports import base, timeliness
from exports.reports.timeliness import figures, rows, tables


def aggregate_calls(module) -> set[str]:
    """The Django aggregates a module builds (Count, Exists, TruncMonth, ...) by name."""
    tree = ast.parse(Path(module.__file__).read_text())
    names = {"Count", "Exists", "Sum", "Avg", "TruncMonth", "TruncDate"}
    return {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) and node.func.id in names}


def test_the_report_is_registered_once_from_its_rows_module():
    report = base.get("timeliness")
    assert type(report) is rows.TimelinessCompliance is timeliness.TimelinessCompliance
    assert [r.key for r in base.all_reports()].count("timeliness") == 1


def test_the_pdf_tables_and_the_dashboard_read_the_figures_module():
    from exports import dashboard

    assert timeliness.summary is figures.summary is tables.summary
    assert timeliness.notification_delays is figures.notification_delays is tables.notification_delays
    assert dashboard.timeliness.summary is figures.summary
    assert aggregate_calls(tables) == set()
    assert aggregate_calls(figures) >= {"Count", "TruncMonth"}
