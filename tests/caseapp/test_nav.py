"""The navigation offers what the gate allows: `nav` (caseapp.context_processors.roles) asks
caseapp/access.py, and no template names a role."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent

LINKS = {
    "Review queue": "risk_review_queue",
    "Reports": "reports",
    "Staff and teams": "staff_list",
    "Report missing": "report_missing",
    "On call": "on_call",
    "Team work": "team_work",
}
OFFERED = {
    "caseworker_a": {"Report missing", "On call"},
    "supervisor_a": {"Review queue", "Reports", "Report missing", "On call", "Team work"},
    "agency_staff_a": {"Reports", "On call", "Team work"},
    "agency_admin_a": {"Review queue", "Reports", "Staff and teams", "Report missing", "On call", "Team work"},
    "no_role_user": set(),
}


@pytest.mark.parametrize("persona", sorted(OFFERED))
def test_the_nav_offers_each_role_its_pages(request, persona, client_for, team_a1):
    page = client_for(request.getfixturevalue(persona)).get(reverse("caseload")).content.decode()
    nav = page.split("</nav>", 1)[0]
    shown = {label for label, name in LINKS.items() if f'href="{reverse(name)}"' in nav}
    assert shown == OFFERED[persona]


def test_no_template_names_a_role():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if re.search(r"\.role\s*==|\bis_superuser\b", path.read_text())
    ]
    assert offenders == []
