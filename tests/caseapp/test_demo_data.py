"""The demo data is split in two: tables (demo_data.py: who, what, which words) and the generators that play
them through the records and services (demo.py). A table module holds data only; a generator holds no table."""

import ast

import pytest

from tests.test_dependencies import ROOT

APPS = ("caseapp", "missing_reports", "risk")


def tree(app, module):
    return ast.parse((ROOT / app / f"{module}.py").read_text())


@pytest.mark.parametrize("app", APPS)
def test_the_tables_are_data_only(app):
    body = tree(app, "demo_data").body
    code = [type(node).__name__ for node in body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    assert code == []
    imported = {
        node.module for node in body if isinstance(node, ast.ImportFrom) and node.module
    } | {alias.name for node in body if isinstance(node, ast.Import) for alias in node.names}
    # Choice values from the app's models at most; nothing that reads or writes the database.
    assert imported <= {"dataclasses", "models"}


@pytest.mark.parametrize("app", APPS)
def test_the_generators_hold_no_table(app):
    """No module-level tuple, list or dict literal of more than a handful of entries in demo.py."""
    tables = []
    for node in tree(app, "demo").body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple | ast.List | ast.Dict):
            size = len(node.value.keys if isinstance(node.value, ast.Dict) else node.value.elts)
            if size > 3:
                tables.append(ast.unparse(node.targets[0]))
    assert tables == []
