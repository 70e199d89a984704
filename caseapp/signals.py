"""Signals caseapp sends so that other apps can react without caseapp importing them (docs/design.md#dependencies).

Sent only after the change has committed, with `send_robust`: a receiver's failure is logged and
never undoes, or fails, the save that was already made.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

# Sent after commit when a youth's record changed (update_youth) or a photo was added (add_photo).
# Keyword arguments: `youth_id`, `actor` (the user who made the change) and `changed` (the names of
# the fields that changed, or ["photo"] for a new photo). missing_reports listens, to build new
# versions of the report packets of the youth's episodes.
youth_record_changed = Signal()


def _send_youth_record_changed(sender, youth_id, actor, changed):
    for receiver, result in youth_record_changed.send_robust(
        sender=sender, youth_id=youth_id, actor=actor, changed=changed
    ):
        if isinstance(result, Exception):
            log.error("A youth_record_changed receiver (%r) failed for youth %s.", receiver, youth_id,
                      exc_info=result)


def youth_record_changed_on_commit(*, sender, youth_id, actor, changed):
    """Send `youth_record_changed` once the current transaction commits (at once outside one)."""
    changed = list(changed)
    transaction.on_commit(lambda: _send_youth_record_changed(sender, youth_id, actor, changed), robust=True)
