"""System status for agency admins: is the database up, and does a Celery worker answer?"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .. import access
from ..services import health


def system_status(request):
    if not access.can_manage_staff(request.user):
        raise PermissionDenied
    return render(
        request,
        "caseapp/system_status.html",
        {"database_ok": health.check_database(), "worker": health.worker_status(timeout=3.0)},
    )
