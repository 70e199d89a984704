"""Who may export, and which export jobs a user may see.

Built on caseapp.access (the one gate): a report's rows are scoped by the requester's youth scope
(access.youth_visible_to) when the job runs; these functions decide who may ask, and who may see a job
and download its file. Outside that, a job is a 404, never a 403.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404

from caseapp import access
from caseapp.models import Role

from .models import ExportJob


def can_export(user) -> bool:
    """Who may run reports is the access module's rule (caseapp.access.can_export)."""
    return access.can_export(user)


def jobs_visible_to(user):
    """Jobs whose page and file this user may open: their own, and for an agency admin every job of
    their agency. Nobody else's: not a colleague's, not another agency's (its admins included)."""
    if not can_export(user):
        return ExportJob.objects.none()
    mine = Q(requested_by=user)
    if user.role == Role.AGENCY_ADMIN:
        return ExportJob.objects.filter(mine | Q(agency_id=user.agency_id), agency_id=user.agency_id)
    return ExportJob.objects.filter(mine, agency_id=user.agency_id)


def get_job_or_404(user, job_id):
    job = jobs_visible_to(user).select_related("agency", "requested_by").filter(pk=job_id).first()
    if job is None:
        raise Http404("No such export.")
    return job


def my_exports_page(user, page_number):
    """The user's own jobs, newest first, a page at a time (one query for the page, one for the count)."""
    jobs = (
        ExportJob.objects.filter(requested_by=user, agency_id=user.agency_id).order_by("-created_at", "-id")
        if can_export(user)
        else ExportJob.objects.none()
    )
    return Paginator(jobs, settings.PAGE_SIZE).get_page(page_number)
