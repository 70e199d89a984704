"""Reports pages: pick and start a report, "My exports", a job's page (progress, download, retry), its
status as JSON for the progress bar, and the download.

Thin: exports.selectors scopes (404 outside it), exports.services checks the rules, runs and audits.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from caseapp.audit import client_ip
from caseapp.forms.base import call_service

from .. import reports, selectors
from ..forms.exports import ExportRequestForm
from ..models import ExportStatus
from ..services import jobs as job_services

# How often the job page asks for the status while the export waits or runs, in milliseconds.
POLL_MS = 2000


def _require_exporter(user):
    if not selectors.can_export(user):
        raise Http404("No reports for this account.")


def reports_page(request):
    _require_exporter(request.user)
    form = ExportRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = call_service(
            request,
            form,
            job_services.start_export,
            report=form.cleaned_data["report"],
            fmt=form.cleaned_data["format"],
            filters=form.filters(),
        )
        if job is not None:
            return redirect("export_detail", job_id=job.pk)
    recent = selectors.my_exports_page(request.user, 1).object_list[:5]
    return render(
        request,
        "exports/reports.html",
        {"form": form, "reports": reports.all_reports(), "recent": recent},
    )


@require_safe
def export_list(request):
    _require_exporter(request.user)
    page = selectors.my_exports_page(request.user, request.GET.get("page"))
    titles = {report.key: report.title for report in reports.all_reports()}
    for job in page.object_list:
        job.title = titles.get(job.report, job.report)
    return render(request, "exports/export_list.html", {"page": page})


def _status(job):
    """What the progress bar and the page need, for the template and the JSON alike."""
    report = reports.get(job.report)
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "finished": job.status not in (ExportStatus.PENDING, ExportStatus.RUNNING),
        "download_url": reverse("export_download", args=[job.pk]) if job.is_downloadable() else None,
        "error": job.error if job.status == ExportStatus.FAILED else "",
        "title": report.title if report else job.report,
    }


@require_safe
def export_detail(request, job_id):
    job = selectors.get_job_or_404(request.user, job_id)
    status = _status(job)
    return render(
        request,
        "exports/export_detail.html",
        {
            "job": job,
            "status": status,
            "report": reports.get(job.report),
            "filters": job_services.describe_filters(job),
            "mine": job.requested_by_id == request.user.pk,
            "expired": job.status == ExportStatus.EXPIRED
            or (job.status == ExportStatus.READY and not job.is_downloadable()),
            "poll_ms": POLL_MS,
        },
    )


@require_safe
def export_status(request, job_id):
    job = selectors.get_job_or_404(request.user, job_id)
    response = JsonResponse(_status(job))
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def export_download(request, job_id):
    handle, filename, content_type = job_services.open_export_file(request.user, job_id, ip=client_ip(request))
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def export_retry(request, job_id):
    try:
        job_services.retry_export(actor=request.user, job_id=job_id)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, "The export was started again.")
    return redirect("export_detail", job_id=job_id)


@require_POST
def export_run_again(request, job_id):
    try:
        job = job_services.run_again(actor=request.user, job_id=job_id, ip=client_ip(request))
    except ValidationError as exc:
        messages.warning(
            request,
            "This export cannot be run again as it was: " + " ".join(exc.messages) + " Choose the filters again.",
        )
        return redirect("reports")
    messages.success(request, "A new export with the same report and filters was started.")
    return redirect("export_detail", job_id=job.pk)
