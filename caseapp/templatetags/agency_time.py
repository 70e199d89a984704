"""How pages show a moment, in the agency's (active) zone, with the zone's abbreviation:

- `{{ moment|agency_time }}`: '11/01/2026 01:30 CST' (caseapp.local_time.short_time), in tables and lists;
- `{{ moment|agency_time_long }}`: 'Nov 1, 2026, 1:30 AM CST' (caseapp.local_time.display_time), in sentences.

Django's own "T" format leaves the abbreviation out in the repeated hour, so templates use these instead.
Builtins of the template engine (settings.TEMPLATES): every template can use them without a load tag.
"""

from django import template
from django.utils import timezone

from caseapp import local_time

register = template.Library()


@register.filter
def agency_time(moment):
    return local_time.short_time(moment)


@register.filter
def agency_time_long(moment):
    return local_time.display_time(moment, timezone.get_current_timezone()) if moment not in (None, "") else ""
