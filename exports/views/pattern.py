"""A youth's pattern timeline (/youth/<id>/pattern/, docs/design.md#pattern-timeline): every missing episode on
one time axis with the placements and risk bands, when the youth left, and the same facts as tables.

Thin: caseapp.access gates the youth (out of scope is a 404, never a 403), exports.pattern reads and words, the
view records the view of the record in the audit trail as the youth's other pages do. GET and HEAD only.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from caseapp import access
from caseapp.audit import client_ip
from caseapp.models import Youth
from caseapp.services import youth as youth_services

from ..pattern import chart, facts


@require_safe
def youth_pattern(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id, queryset=Youth.objects.select_related("agency", "team"))
    data = facts.youth_pattern(request.user, youth)
    youth_services.record_view(actor=request.user, youth=youth, ip=client_ip(request))
    return render(
        request,
        "exports/youth_pattern.html",
        {
            "youth": youth,
            "data": data,
            "timeline": chart.timeline(data),
            "hours": chart.leaving_hours(data.pattern),
            "weekdays": chart.leaving_weekdays(data.pattern),
        },
    )

