"""Keep a youth's "What helps me" current (docs/duties.md#what-helps-me).

One current record per youth; every save is a new version in its history, made with the version the user saw:
a stale save raises EditConflict and writes nothing (caseapp/conflicts.py). The first save has no version yet
(`expected_version` 0). The audit row names the fields changed, never their words.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseapp import access, audit
from caseapp.models import AuditAction
from caseapp.services.errors import EditConflict, save_as

from ..models import WhatHelpsMe

NO_VERSION = 0  # the version a form carries before the youth has a "What helps me"


@transaction.atomic
def save_what_helps(*, actor, youth_id, expected_version, ip=None, **fields) -> WhatHelpsMe:
    unknown = set(fields) - set(WhatHelpsMe.FIELDS)
    if unknown:
        raise TypeError(f"Not What helps me fields: {sorted(unknown)}")
    youth = access.get_youth_or_404(actor, youth_id, for_edit=True)
    record = WhatHelpsMe.objects.select_for_update().filter(youth=youth).first()
    current_version = record.version if record is not None else NO_VERSION
    if expected_version != current_version:
        if record is None:  # a form of a record that is not there: nothing to merge with
            raise ValidationError("This page is out of date: open it again.")
        raise EditConflict(current=record)
    fields = {name: (value or "").strip() for name, value in fields.items()}
    if record is None:
        record = WhatHelpsMe(youth=youth, updated_by=actor, version=1, **fields)
        if record.is_empty:
            raise ValidationError("Write at least one of the three, in the youth's own words.")
        save_as(actor, record, refused="Someone else has just saved this page: open it again.")
        audit.record(actor, AuditAction.CREATE, record, youth=youth, ip=ip, detail={"changed": sorted(fields)})
        return record
    changed = sorted(name for name, value in fields.items() if getattr(record, name) != value)
    if not changed:
        return record
    for name in changed:
        setattr(record, name, fields[name])
    if record.is_empty:
        raise ValidationError("Write at least one of the three, in the youth's own words.")
    record.updated_by, record.updated_at = actor, timezone.now()
    record.version += 1
    save_as(actor, record, refused="Someone else has just saved this page: open it again.")
    audit.record(actor, AuditAction.UPDATE, record, youth=youth, ip=ip, detail={"changed": changed})
    return record
