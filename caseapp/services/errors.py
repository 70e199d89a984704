from django.core.exceptions import ValidationError


class EditConflict(Exception):
    """Someone else saved the record after this user opened it. Nothing was written."""

    def __init__(self, current):
        super().__init__("The record was changed by someone else after you opened it.")
        self.current = current


__all__ = ["EditConflict", "ValidationError"]
