"""The project explains itself: code, tests and docs cite the repository's own docs/ pages, every cited
section exists, and module docstrings and comments carry no "(issue N)" history tags (git holds the history).
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# Where citations live: the tracked text files of the project (generated data included, e.g. the language terms).
SUFFIXES = {".py", ".md", ".html", ".json", ".js", ".txt", ".toml", ".cfg"}

# Notes kept outside the repository, by the names code used to cite them.
# Written so that this file does not match itself.
OUTSIDE_NOTES = re.compile(r"(?:regulatory|risk|DESIGN)\.md|\.\./shared|shared/referenc[e]|referenc[e]/")
CITATION = re.compile(r"docs/([\w-]+\.md)#([\w-]+)")
# A history tag: the word issue (or issues) and a number. Another project's issue numbers ("#123") are not ours.
ISSUE_TAG = re.compile(r"\bissues? \d+\b", re.IGNORECASE)


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    return [ROOT / name for name in listed if name and Path(name).suffix in SUFFIXES and (ROOT / name).is_file()]


def anchors(page: Path) -> set[str]:
    """The ids a page defines: explicit <a id="..."> anchors, and the slugs of its headings."""
    text = page.read_text()
    ids = set(re.findall(r'<a id="([\w-]+)"></a>', text))
    for heading in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE):
        ids.add(re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-"))
    return ids


@pytest.fixture(scope="module")
def files():
    found = tracked_files()
    if not found:
        pytest.skip("not a git checkout")
    return found


def test_nothing_cites_notes_outside_the_repository(files):
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if OUTSIDE_NOTES.search(line)
    ]
    assert not hits, "Cite docs/ instead:\n" + "\n".join(hits)


def test_every_cited_docs_section_exists(files):
    known = {page.name: anchors(page) for page in DOCS.glob("*.md")}
    missing = sorted(
        f"{path.relative_to(ROOT)}: docs/{page}#{anchor}"
        for path in files
        for page, anchor in CITATION.findall(path.read_text(errors="replace"))
        if anchor not in known.get(page, set())
    )
    assert not missing, "Cited sections that docs/ does not have:\n" + "\n".join(missing)


def test_the_docs_name_their_sources():
    duties = (DOCS / "duties.md").read_text()
    for source in ("§471(a)(35)(B)", "§471(a)(34)(A)", "§471(a)(9)(C)", "45 CFR 1355", "34 USC 41307", "E121"):
        assert source in duties, source
    catalogue = (DOCS / "risk-catalogue.md").read_text()
    assert "CC BY 4.0" in catalogue and "HTCDS" in catalogue


def test_no_issue_tags_in_the_code_or_docs(files):
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        if path.suffix in {".py", ".md", ".html", ".js"}
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if ISSUE_TAG.search(line)
    ]
    assert not hits, "History belongs in git, not in the code:\n" + "\n".join(hits)
