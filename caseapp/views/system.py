"""System status for agency admins: is the database up, and does a Celery worker answer? And the health check
of the web process for the proxy and the monitoring (docs/deploy.md#health-check)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


@login_not_required
@never_cache
@require_GET
def health_check(request):
    """200 "ok" when this web process can query the database, else 503. No sign-in, so it says nothing
    more: no record, no version, no error text (the logs have that)."""
    if health.check_database():
        return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    return HttpResponse("database unavailable\n", status=503, content_type="text/plain; charset=utf-8")
