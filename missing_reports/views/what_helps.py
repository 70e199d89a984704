"""A youth's "What helps me": the page, its form and the print view for a new caregiver
(docs/duties.md#what-helps-me).

Thin: selectors read (scoped through caseapp.access), services.what_helps writes. The print view carries the
three boxes in the youth's words and the youth's name, nothing else of the record: no restricted field, no
risk information, no episode (docs/duties.md#what-helps-me).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from caseapp import access, audit, conflicts
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error, note_wording
from caseapp.models import AuditAction
from caseapp.services.errors import EditConflict

from .. import selectors
from ..forms.what_helps import WhatHelpsForm
from ..services import what_helps


def _page(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id)
    record = selectors.what_helps_me(youth)
    if record is not None:
        audit.record(request.user, AuditAction.VIEW, record, youth=youth, ip=client_ip(request))
    return youth, record


def what_helps_me(request, youth_id):
    youth, record = _page(request, youth_id)
    return render(
        request, "missing_reports/what_helps_me.html",
        {
            "youth": youth, "record": record, "can_edit": access.can_edit_youth(request.user, youth),
            "history": list(record.history.select_related("history_user")[:10]) if record else [],
        },
    )


def what_helps_me_print(request, youth_id):
    youth, record = _page(request, youth_id)
    return render(request, "missing_reports/what_helps_me_print.html", {"youth": youth, "record": record})


def what_helps_me_edit(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    record = selectors.what_helps_me(youth)
    form = WhatHelpsForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        version, fields = form.service_fields()
        try:
            what_helps.save_what_helps(
                actor=request.user, youth_id=youth.pk, expected_version=version, ip=client_ip(request), **fields
            )
        except EditConflict as exc:
            current = exc.current
            form = conflicts.rebuild(
                form, lambda initial: WhatHelpsForm(instance=current, initial=initial), current=current
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "What helps me is saved.")
            note_wording(request, form)
            return redirect("what_helps_me", youth_id=youth.pk)
    return render(
        request, "missing_reports/what_helps_me_form.html",
        {"youth": youth, "record": record, "form": form, "own_words": selectors.interviews_in_their_words(youth)},
    )
