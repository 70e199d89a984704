"""Dependencies point one way (docs/design.md#dependencies). caseapp < missing_reports < risk < exports: an app may use
the apps before it, never one after it, and no two project modules import each other.

The check reads every module of the four apps with `ast` and collects its arrows: imports at module
level and inside functions, relative or absolute, and strings that name a project module (a beat entry
"risk.tasks.sweep_reviews", a dotted path for import_string, a model label "risk.Flag"). Only the
wiring (settings, the root URLconf, the Celery app) names every app. An app that contributes to a
page, a schedule or the demo data of a lower app registers itself there (caseapp/registry.py).

A string that names a Celery task ("missing_reports.tasks.build_packet") is how a service sends work
to it (caseapp/queue.py): an arrow for the upward rule, but not for cycles, since the task imports the
service and the service only posts a message to the task's name.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("caseapp", "missing_reports", "risk", "exports")  # lowest first: each may use those before it
WIRING = {"caseapp/settings.py", "caseapp/urls.py", "caseapp/celery.py"}
FORBIDDEN = {app: set(APPS[i + 1 :]) for i, app in enumerate(APPS) if APPS[i + 1 :]}
DOTTED = re.compile(r"^(" + "|".join(APPS) + r")(\.[A-Za-z_]\w*)*$")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(app):
    """The app's modules, wiring left out."""
    return [p for p in sorted((ROOT / app).rglob("*.py")) if str(p.relative_to(ROOT)) not in WIRING]


PROJECT = {module_name(p): p for app in APPS for p in sorted((ROOT / app).rglob("*.py"))}


def resolve(dotted: str) -> str | None:
    """The project module a dotted name is in: the longest prefix that is a module (None outside)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in PROJECT:
            return candidate
    return None


def is_task_address(dotted: str) -> bool:
    """"<app>.tasks.<name>", a task's registered name: a message address, not an import."""
    module, _, name = dotted.rpartition(".")
    return module.endswith(".tasks") and resolve(dotted) == module and bool(name)


def references(source: str, name: str, is_package: bool = False) -> list[tuple[str, str]]:
    """(kind, dotted name) of everything module `name` imports or names: kind "import", "string" or
    "task" (a task's registered name). Function-level imports count as much as module-level ones."""
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [("import", alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module
            # `from a import b`: the module a.b when it is one, else a (b is a name in it).
            found += [("import", f"{origin}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.match(node.value):
            found.append(("task" if is_task_address(node.value) else "string", node.value))
    return found


def module_references(path: Path) -> list[tuple[str, str]]:
    return references(path.read_text(), module_name(path), path.name == "__init__.py")


def imported_apps(path: Path) -> set[str]:
    """Top-level packages the module imports or names (project apps by string too)."""
    return {dotted.split(".")[0] for _, dotted in module_references(path)}


def arrows(path: Path, *, kinds=("import", "string", "task")) -> set[str]:
    """The project modules `path` points at, itself left out."""
    own = module_name(path)
    targets = {resolve(dotted) for kind, dotted in module_references(path) if kind in kinds}
    return {target for target in targets if target and target != own}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_apps_import_only_downstream(app):
    offenders = {}
    for path in modules(app):
        upward = sorted(target for target in arrows(path) if target.split(".")[0] in FORBIDDEN[app])
        if upward:
            offenders[str(path.relative_to(ROOT))] = upward
    assert offenders == {}, f"{app} must not import or name {sorted(FORBIDDEN[app])}: {offenders}"


def test_no_two_project_modules_import_each_other():
    wiring = {module_name(ROOT / path) for path in WIRING}
    graph = {
        module_name(path): arrows(path, kinds=("import", "string")) - wiring
        for app in APPS
        for path in modules(app)
    }
    assert cycles(graph) == []


# The scanner itself.


def test_the_check_sees_imports():
    # A module of risk does import missing_reports.
    assert "missing_reports" in imported_apps(ROOT / "risk" / "services" / "decisions.py")


def test_the_check_sees_function_level_relative_and_string_references():
    source = '''
from . import selectors
from ..models import Flag

def later():
    from risk import scoring
    import exports.tasks
    return "missing_reports.demo.seed", "missing_reports.tasks.sweep_clocks", "notes.md A4", "not.a.module"
'''
    found = references(source, "caseapp.views.youth")
    assert ("import", "caseapp.views.selectors") in found
    assert ("import", "caseapp.models.Flag") in found
    assert ("import", "risk.scoring") in found
    assert ("import", "exports.tasks") in found
    assert ("string", "missing_reports.demo.seed") in found
    assert ("task", "missing_reports.tasks.sweep_clocks") in found
    assert all(dotted not in ("notes.md A4", "not.a.module") for _, dotted in found)
    assert resolve("missing_reports.demo.seed") == "missing_reports.demo"
    assert resolve("caseapp.models.Youth") == "caseapp.models"


def test_the_check_finds_a_cycle_of_three_and_ignores_a_chain():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
