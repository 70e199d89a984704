"""One shape for each concept in every app (docs/design.md#one-shape): views, forms and services are
packages with one module per page group or job, never a module of that name or a `views_*.py`,
`forms_*.py`, `services_*.py` beside it; and a package's `__init__.py` re-exports nothing, so every
name has one import path."""

import ast

import pytest

from tests.test_dependencies import APPS, ROOT

PACKAGES = ("views", "forms", "services")


def loose_modules(app):
    """The app's top-level modules that are a views, forms or services module rather than the package."""
    return sorted(
        path.name
        for path in (ROOT / app).glob("*.py")
        if path.stem in PACKAGES or path.stem.split("_")[0] in PACKAGES
    )


@pytest.mark.parametrize("app", APPS)
def test_views_forms_and_services_are_packages(app):
    assert loose_modules(app) == []
    for name in PACKAGES:
        package = ROOT / app / name
        if package.exists():
            assert (package / "__init__.py").is_file(), f"{app}/{name}/ is not a package"
            assert sorted(p.name for p in package.glob("*.py") if p.name != "__init__.py"), f"{app}/{name}/ is empty"


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("name", PACKAGES)
def test_a_package_init_re_exports_nothing(app, name):
    init = ROOT / app / name / "__init__.py"
    body = ast.parse(init.read_text()).body
    code = [node for node in body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    assert code == [], f"{init.relative_to(ROOT)} should hold only its docstring; import the module instead"


def test_every_app_has_the_same_packages():
    shapes = {app: sorted(name for name in PACKAGES if (ROOT / app / name).is_dir()) for app in APPS}
    assert shapes == {app: sorted(PACKAGES) for app in APPS}


def test_the_check_sees_a_loose_module(tmp_path, monkeypatch):
    import tests.test_app_shape as shape

    (tmp_path / "someapp").mkdir()
    for name in ("views_dashboard.py", "forms.py", "models.py", "selectors.py"):
        (tmp_path / "someapp" / name).write_text("")
    monkeypatch.setattr(shape, "ROOT", tmp_path)
    assert shape.loose_modules("someapp") == ["forms.py", "views_dashboard.py"]
