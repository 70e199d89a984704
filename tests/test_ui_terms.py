"""The app's own words use none of the terms of docs/risk-catalogue.md#language (#ui-copy).

Scanned: every file under templates/; the labels people see on the models of caseapp, missing_reports
and risk (verbose names, help texts, choice labels, including choice classes not attached to a field);
the labels, help texts, choices and error messages of every form class defined in those apps; and
the string literals of their Python modules (messages, packet labels, notes), skipping docstrings
and code values such as "runaway" or "missing_runaway", which are stored, never shown. caseapp/language.py, which holds
the list itself, is not scanned. Unlike caseworkers' notes, quoted words are checked too.

A legal or official name that must appear verbatim goes on ALLOWED, with its reason.
"""

import ast
import importlib
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.db import models

from caseapp import language

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_DIR / "templates"
APPS = ("caseapp", "missing_reports", "risk")
NOT_SCANNED = {PROJECT_DIR / "caseapp" / "language.py"}  # the list of terms itself


@dataclass(frozen=True)
class Allowed:
    where: str  # a file (relative to the project) or a dotted name, as the finding names it
    text: str  # the words that must stay, exactly as written
    reason: str


ALLOWED = (
    Allowed(
        "caseapp/afcars.py",
        "Runaway (E121 = 4)",
        "AFCARS names living arrangement E120 code 12 'Runaway' (45 CFR 1355, docs/duties.md#afcars). The packets "
        "show it as 'AFCARS setting' so that it matches the state's AFCARS file word for word.",
    ),
)


@dataclass(frozen=True)
class Finding:
    where: str
    line: int | None
    text: str
    hit: language.TermHit

    def allowed(self):
        return any(a.where == self.where and a.text in self.text for a in ALLOWED)

    def __str__(self):
        place = f"{self.where}:{self.line}" if self.line else self.where
        return f"{place}: '{self.hit.term}' -> use {self.hit.preferred} ({self.hit.source}) in {self.text!r}"


def _findings(where, text, line=None):
    return [Finding(where, line, text, hit) for hit in language.find_terms(text, skip_quoted=False)]


# --- Templates ---------------------------------------------------------------------------------------

TEMPLATE_CODE = re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)


def _blank(match):
    """Template code becomes spaces, so offsets still give the right line; its values are not UI words."""
    return re.sub(r"[^\n]", " ", match.group(0))


def template_findings():
    found = []
    for path in sorted(p for p in TEMPLATES_DIR.rglob("*") if p.is_file()):
        source = path.read_text(encoding="utf-8")
        text = TEMPLATE_CODE.sub(_blank, source)
        where = str(path.relative_to(PROJECT_DIR))
        for hit in language.find_terms(text, skip_quoted=False):
            line_no = text.count("\n", 0, hit.start) + 1
            line = source.splitlines()[line_no - 1].strip()
            found.append(Finding(where, line_no, line, hit))
    return found


def python_files():
    for app_label in APPS:
        for path in sorted((PROJECT_DIR / app_label).rglob("*.py")):
            if "migrations" in path.parts or path in NOT_SCANNED:
                continue
            yield path


# --- Models and forms -------------------------------------------------------------------------------


def _choice_labels(choices):
    for value, label in choices or ():
        if isinstance(label, (list, tuple)):  # an optgroup
            yield from _choice_labels(label)
        else:
            yield value, label


def app_modules():
    """Every module of the apps (forms live in each app's forms/ package, one module per page group), migrations
    aside."""
    for path in python_files():
        if path.name == "__main__.py":
            continue
        parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
        yield importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))


def _classes(module, base):
    return [
        cls for cls in vars(module).values()
        if inspect.isclass(cls) and issubclass(cls, base) and cls.__module__ == module.__name__
    ]


def model_findings():
    found = []
    for app_label in APPS:
        for model in apps.get_app_config(app_label).get_models():
            name = f"{app_label}.{model.__name__}"
            meta = model._meta
            for text in (meta.verbose_name, meta.verbose_name_plural):
                found += _findings(name, str(text))
            for field in meta.get_fields():
                if not hasattr(field, "verbose_name"):
                    continue  # a reverse relation
                where = f"{name}.{field.name}"
                found += _findings(where, str(field.verbose_name))
                found += _findings(where, str(getattr(field, "help_text", "") or ""))
                for value, label in _choice_labels(getattr(field, "choices", None)):
                    found += _findings(f"{where} choice {value!r}", str(label))
    for module in app_modules():  # choice classes wherever they are defined, used by a field or not
        for choices in _classes(module, models.Choices):
            for member in choices:
                found += _findings(f"{module.__name__}.{choices.__name__}.{member.name}", str(member.label))
    return found


def form_findings():
    found = []
    for module in app_modules():
        for form_class in _classes(module, forms.BaseForm):
            for field_name, field in form_class.base_fields.items():
                where = f"{module.__name__}.{form_class.__name__}.{field_name}"
                texts = [field.label, field.help_text, *field.error_messages.values()]
                if not isinstance(field, forms.ModelChoiceField):
                    texts += [label for _, label in _choice_labels(getattr(field, "choices", None))]
                texts.append(getattr(field, "empty_label", None))
                for text in texts:
                    if text:
                        found += _findings(where, str(text))
    return found


# --- String literals of the apps' Python code -------------------------------------------------------

CODE_VALUE = re.compile(r"[a-z0-9_.:/%-]*")  # "runaway", "missing_runaway", "missing_reports/x.html"


def _docstrings(tree):
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            for statement in node.body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    found.add(id(statement.value))
    return found


def code_findings():
    found = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        docstrings = _docstrings(tree)
        where = str(path.relative_to(PROJECT_DIR))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docstrings:
                continue
            if CODE_VALUE.fullmatch(node.value):
                continue
            found += _findings(where, node.value, node.lineno)
    return found


# --- The checks --------------------------------------------------------------------------------------

SCANS = {
    "templates": template_findings,
    "models": model_findings,
    "forms": form_findings,
    "code": code_findings,
}


@pytest.mark.parametrize("scan", SCANS)
def test_the_ui_uses_none_of_the_stigmatising_terms(scan):
    problems = [str(f) for f in SCANS[scan]() if not f.allowed()]
    assert not problems, "Words to avoid (docs/risk-catalogue.md#language) in the UI:\n" + "\n".join(problems)


def test_every_allowed_use_is_still_needed_and_says_why():
    everything = [f for scan in SCANS.values() for f in scan()]
    for allowed in ALLOWED:
        assert len(allowed.reason) > 40, allowed
        assert any(f.where == allowed.where and allowed.text in f.text for f in everything), (
            f"ALLOWED entry no longer matches anything; remove it: {allowed}"
        )


def test_the_scans_see_what_they_should():
    """The scans really read the templates, labels and code: a planted term would be caught."""
    assert any(p.name == "base.html" for p in TEMPLATES_DIR.rglob("*.html"))
    assert _findings("x", "Runaway") and not _findings("x", "missing_runaway")
    assert TEMPLATE_CODE.sub(_blank, '{% if c == "runaway" %}Left{% endif %}{# runner #}').strip() == "Left"
    assert CODE_VALUE.fullmatch("missing_runaway") and not CODE_VALUE.fullmatch("Runaway")
    tree = ast.parse('"""A runaway docstring."""\nX = "Chronic runaway"\n')
    assert len(_docstrings(tree)) == 1
    assert sum(1 for f in code_findings() if f.where == "caseapp/afcars.py") >= 1  # the allowed AFCARS name
