"""Export jobs: one row per report a user asked for, from the request to its file (and the file's expiry).

The verbs (start, run, retry, download, purge) live in exports/services/jobs.py; the reports themselves in
exports/reports/. A job is never deleted by a user: when its file expires the file is removed and the row
stays, marked expired, so "My exports" and the audit trail keep what was exported, when and by whom.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from caseapp.models import Agency


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    PDF = "pdf", "PDF"
    XML = "xml", "XML (AFCARS fragment)"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Running"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


def export_path(job, filename):
    # Agency code and job id only: never a youth's name (the file holds many youth's episodes).
    return f"exports/{job.agency.code}/{job.pk}/{filename}"


class ExportJob(models.Model):
    """One export: pending → running → ready (file kept until expires_at, then expired) or failed.

    `started_at` is the claim of the current attempt: the task takes a job with one conditional UPDATE
    (pending → running, or running whose heartbeat stopped) and every later write of that attempt is
    conditional on the same `started_at`, so two workers never both attach a file. The report's rows are
    scoped by the requester's access (caseapp.access) at the time the job runs.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="export_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs")
    requested_ip = models.GenericIPAddressField(null=True, blank=True)
    report = models.CharField(max_length=40, help_text="The report's key in exports.reports.")
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True, help_text="The period and filters, as the form gave them.")

    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True, help_text="Rows expected (counted at start).")
    rows_done = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(null=True, blank=True, help_text="Rows in the finished file.")
    file = models.FileField(upload_to=export_path, blank=True, max_length=255)

    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now, help_text="When a message to run it was last sent.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the running attempt.")
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExportStatus.values), name="export_status_known"),
            models.CheckConstraint(condition=Q(format__in=ExportFormat.values), name="export_format_known"),
            models.CheckConstraint(
                condition=~Q(status="ready")
                | (~Q(file="") & Q(row_count__isnull=False, finished_at__isnull=False, expires_at__isnull=False)),
                name="export_ready_has_file",
            ),
            models.CheckConstraint(condition=Q(status="ready") | Q(file=""), name="export_file_only_when_ready"),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="export_failed_has_error"),
            models.CheckConstraint(
                condition=~Q(status="running") | Q(started_at__isnull=False), name="export_running_is_claimed"
            ),
            models.CheckConstraint(
                condition=~Q(status="expired") | Q(expired_at__isnull=False), name="export_expired_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="export_mine_idx"),
            models.Index(fields=["status", "expires_at"], name="export_status_expiry_idx"),
            models.Index(fields=["status", "queued_at"], name="export_status_queued_idx"),
        ]

    def __str__(self):
        return f"Export {self.pk}: {self.report} ({self.format}), {self.status}"

    @property
    def percent(self) -> int:
        """Progress in percent, for the progress bar."""
        if self.status in (ExportStatus.READY, ExportStatus.EXPIRED):
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))

    def is_downloadable(self, now=None) -> bool:
        """Ready with a file, and not past its expiry (the purge may not have run yet)."""
        return (
            self.status == ExportStatus.READY
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > (now or timezone.now())
        )


class ProviderAlertStatus(models.TextChoices):
    OPEN = "open", "To review"
    CLOSED = "closed", "Reviewed"


class ProviderAlert(models.Model):
    """A provider whose episodes per 1,000 placement-days over a six-month period exceeded the agency's median by
    the agency's factor (docs/duties.md#provider-alert): a review for the supervisors of the provider's teams and
    the agency admins, with the figures behind it as they were when it opened. Once per provider and period (a
    unique constraint: the check is idempotent); reviewed and closed with a note, never deleted."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    provider_key = models.CharField(max_length=200)  # placement_environment.provider_key: how providers are told apart
    provider_name = models.CharField("provider", max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    rate = models.DecimalField("episodes per 1,000 placement-days", max_digits=10, decimal_places=2)
    median_rate = models.DecimalField("the agency's median", max_digits=10, decimal_places=2)
    factor = models.DecimalField("the agency's factor", max_digits=4, decimal_places=2)
    placement_days = models.PositiveIntegerField()
    episodes = models.PositiveIntegerField()
    providers_compared = models.PositiveIntegerField("providers in the median")
    min_placement_days = models.PositiveIntegerField("fewest placement-days counted")
    # The teams whose youth were placed with the provider in the period: whose supervisors review it.
    teams = models.ManyToManyField("caseapp.Team", related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ProviderAlertStatus.choices, default=ProviderAlertStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField("what the review found and what follows", blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "provider_key", "period_start"], name="provider_alert_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (Q(status="closed", closed_at__isnull=False, closed_by__isnull=False) & ~Q(review_note="")),
                name="provider_alert_closed_with_note",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="provider_alert_agency_status")]

    def __str__(self):
        return f"Provider alert: {self.provider_name} ({self.period_start} to {self.period_end})"

    @property
    def is_open(self):
        return self.status == ProviderAlertStatus.OPEN
