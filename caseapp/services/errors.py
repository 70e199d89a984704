from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


class EditConflict(Exception):
    """Someone else saved the record after this user opened it. Nothing was written."""

    def __init__(self, current):
        super().__init__("The record was changed by someone else after you opened it.")
        self.current = current


def save_as(actor, record, *, refused):
    """Save `record` as `actor` (its history row names them) in a savepoint. When a database constraint
    refuses the row (a concurrent save raced past the service's own checks), nothing is written and the
    user gets ValidationError(`refused`), a message saying what clashed, never a 500."""
    record._history_user = actor
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise ValidationError(refused) from exc


__all__ = ["EditConflict", "ValidationError", "save_as"]
