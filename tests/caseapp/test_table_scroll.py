"""Tables that may scroll sideways on a phone are reachable and named for keyboard and screen-reader
users: every one goes through `{% table_scroll %}` (caseapp/templatetags/tables.py)."""

from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def test_every_scrolling_table_in_the_templates_goes_through_the_tag():
    raw = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if "table-responsive" in p.read_text()]
    assert raw == [], f"use {{% table_scroll \"name\" %}} instead of a hand-written .table-responsive in {raw}"


def test_the_wrapper_takes_focus_and_is_a_region_named_for_its_table():
    html = Template(
        '{% load tables %}{% table_scroll name class="mb-3" %}<table><caption>x</caption></table>{% endtable_scroll %}'
    ).render(Context({"name": 'Placements & "moves"'}))

    assert html == (
        '<div class="table-responsive mb-3" tabindex="0" role="region" aria-label="Placements &amp; &quot;moves&quot;">'
        "<table><caption>x</caption></table></div>"
    )


def test_a_wrapper_without_a_name_is_refused_when_the_template_is_written():
    with pytest.raises(TemplateSyntaxError, match="usage"):
        Template("{% load tables %}{% table_scroll %}<table></table>{% endtable_scroll %}")
