"""Being written (issue 3)."""


def record_notification(request, notification_id):
    raise NotImplementedError


def notification_update_create(request, notification_id):
    raise NotImplementedError
