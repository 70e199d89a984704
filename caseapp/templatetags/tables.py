"""`{% table_scroll "name" %}<table>…</table>{% endtable_scroll %}`: the one wrapper for a table that may
scroll sideways on a narrow screen.

A table wider than a phone scrolls inside its wrapper, and a region that scrolls must be reachable by
keyboard (WCAG 2.1.1; axe-core's `scrollable-region-focusable`): the wrapper takes focus (`tabindex="0"`,
so arrow keys scroll it), and as a focusable region it needs a name that a screen reader announces when
focus lands there (usually the table's caption or heading). Every `.table-responsive` in the templates
goes through this tag (tests/caseapp/test_table_scroll.py checks), so none is left out.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


class TableScrollNode(template.Node):
    def __init__(self, name, nodelist, extra_classes):
        self.name = name
        self.nodelist = nodelist
        self.extra_classes = extra_classes

    def render(self, context):
        classes = "table-responsive"
        if self.extra_classes is not None:
            classes = f"{classes} {self.extra_classes.resolve(context)}"
        return format_html(
            '<div class="{}" tabindex="0" role="region" aria-label="{}">{}</div>',
            classes,
            self.name.resolve(context),
            self.nodelist.render(context),
        )


@register.tag
def table_scroll(parser, token):
    """`{% table_scroll name %}` or `{% table_scroll name class="mb-3" %}`, closed by `{% endtable_scroll %}`."""
    bits = token.split_contents()
    if len(bits) not in (2, 3) or (len(bits) == 3 and not bits[2].startswith("class=")):
        raise template.TemplateSyntaxError(f'usage: {{% {bits[0]} "name" [class="..."] %}}')
    name = parser.compile_filter(bits[1])
    extra_classes = parser.compile_filter(bits[2].removeprefix("class=")) if len(bits) == 3 else None
    nodelist = parser.parse(("endtable_scroll",))
    parser.delete_first_token()
    return TableScrollNode(name, nodelist, extra_classes)
