"""`{{ moment|agency_time }}`: a moment as pages show it, '11/01/2026 01:30 CST' (caseapp.local_time.short_time).

A builtin of the template engine (settings.TEMPLATES), so every template can use it without a load tag.
"""

from django import template

from caseapp import local_time

register = template.Library()


@register.filter
def agency_time(moment):
    return local_time.short_time(moment)
