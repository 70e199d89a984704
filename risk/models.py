"""Trafficking-risk records: the indicator catalogue, observations, screenings, assessments, the
supervisor's review queue, decisions, and the identified-victim report clock.

Design: docs/risk-catalogue.md#principles, #scoring and #catalogue. The
scores are decision support: nothing here labels a youth; only a supervisor's decision does, and
that decision starts the law-enforcement clock. Nothing is ever hard-deleted: observations are
retracted with a reason, decisions are superseded, snapshots are kept.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from caseapp.models import Agency, Youth
from missing_reports.models import EvidencedClock, MissingEpisode, done_has_evidence, to_escalate_index


class Category(models.TextChoices):
    C0 = "C0", "Identification tripwires"
    C1 = "C1", "Signs of the kinds of child sex trafficking"
    C2 = "C2", "Unmet needs"
    C3 = "C3", "Unsafe environment and trauma"
    C4 = "C4", "Missing-episode patterns"
    C5 = "C5", "Online exploitation"
    C6 = "C6", "Physical and health signs"
    C7 = "C7", "Control and coercion"


class Flag(models.TextChoices):
    NONE = "", "None"
    SR = "SR", "Supervisor review"
    SR_NOW = "SR_NOW", "Same-day supervisor review"


class Indicator(models.Model):
    """One observable indicator of the catalogue (docs/risk-catalogue.md#catalogue). Loaded by a data migration.

    `weight` NULL is a tripwire (T): it opens the identification workflow instead of adding points.
    The defaults live here; an agency's own weights live in its ScoringVersion.
    """

    code = models.CharField(max_length=10, unique=True)
    category = models.CharField(max_length=2, choices=Category.choices)
    label = models.CharField(max_length=300)
    weight = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty for a tripwire.")
    flag = models.CharField(max_length=10, choices=Flag.choices, blank=True)
    cst_type = models.CharField("kind of trafficking it points to", max_length=4, blank=True)
    derived = models.BooleanField(default=False, help_text="Set by the episode-history rules, not typed in.")
    cybertip = models.BooleanField(default=False, help_text="Also calls for a CyberTipline report.")
    source_refs = models.JSONField(default=list, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} {self.label}"

    @property
    def is_tripwire(self):
        return self.category == Category.C0


class ScoringVersion(models.Model):
    """An agency's weights and band thresholds, version `number`. Never edited: a change is a new row.

    `weights` holds only the agency's overrides ({"C3.2": 2}); `thresholds` the three band edges.
    A snapshot keeps the version it was computed with, so a past assessment stays explainable.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="scoring_versions")
    number = models.PositiveIntegerField()
    weights = models.JSONField(default=dict, blank=True)
    thresholds = models.JSONField(default=dict, blank=True)
    reason = models.TextField(help_text="Why the weights or thresholds changed.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency", "-number"]
        constraints = [models.UniqueConstraint(fields=["agency", "number"], name="scoring_version_unique")]

    def __str__(self):
        return f"{self.agency.code} scoring v{self.number}"


class Evidence(models.TextChoices):
    REPORTED = "reported", "Reported (counts half)"
    VERIFIED = "verified", "Verified"


class Source(models.TextChoices):
    YOUTH = "youth", "The youth"
    CAREGIVER = "caregiver", "Caregiver"
    COLLATERAL = "collateral", "Collateral contact"
    DOCUMENT = "document", "Document or record"
    OBSERVATION = "observation", "Direct observation"
    EXTERNAL = "external", "External report"


class Screening(models.Model):
    """A structured trafficking screening: a conversation after which observations are recorded.

    The return interview opens one (§471(a)(35)(A)(iii): screen a returned youth); a caseworker can
    also hold one at any time.
    """

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="risk_screenings")
    episode = models.ForeignKey(
        MissingEpisode, on_delete=models.PROTECT, null=True, blank=True, related_name="risk_screenings"
    )
    conducted_at = models.DateTimeField()
    conducted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    no_indicators_found = models.BooleanField(default=False)
    youth_declined = models.BooleanField("the youth declined to talk about it", default=False)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-conducted_at", "-id"]

    def __str__(self):
        return f"Screening {self.pk} of youth {self.youth_id}"


class Observation(models.Model):
    """One indicator seen or reported for a youth, with its provenance (docs/risk-catalogue.md#principles, item 5)."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="risk_observations")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="observations")
    observed_at = models.DateTimeField("when it was observed or happened")
    information_received_at = models.DateTimeField("when the agency received the information")
    source = models.CharField(max_length=20, choices=Source.choices)
    evidence = models.CharField("evidence level", max_length=10, choices=Evidence.choices)
    note = models.TextField(blank=True)
    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="observations"
    )
    episode = models.ForeignKey(
        MissingEpisode, on_delete=models.PROTECT, null=True, blank=True, related_name="risk_observations"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retraction_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-observed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(information_received_at__gte=F("observed_at")), name="observation_received_after_seen"
            ),
            models.CheckConstraint(
                condition=Q(retracted_at__isnull=True) | (Q(retracted_by__isnull=False) & ~Q(retraction_reason="")),
                name="observation_retraction_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["youth", "observed_at"])]

    def __str__(self):
        return f"{self.indicator.code} for youth {self.youth_id} at {self.observed_at:%Y-%m-%d}"

    @property
    def is_retracted(self):
        return self.retracted_at is not None


class ScreenTool(models.TextChoices):
    CSE_IT = "cse_it", "CSE-IT (WestCoast Children's Clinic)"
    SSCST = "sscst", "Short Screen for Child Sex Trafficking"
    QYIT = "qyit", "Quick Youth Indicators for Trafficking"
    HTST = "htst", "Human Trafficking Screening Tool"
    OTHER = "other", "Other"


class ExternalScreen(models.Model):
    """The final result of a screen done with an external (often licensed) tool: the category only,
    never its items or wording (docs/risk-catalogue.md#instruments)."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="external_screens")
    tool = models.CharField(max_length=10, choices=ScreenTool.choices)
    tool_other = models.CharField("other tool's name", max_length=120, blank=True)
    result_category = models.CharField(
        "result category", max_length=60, help_text="The tool's final category, e.g. 'Possible concern'."
    )
    screened_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-screened_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(tool="other") | ~Q(tool_other=""), name="external_screen_names_other")
        ]

    def __str__(self):
        return f"{self.get_tool_display()} on {self.screened_on}: {self.result_category}"


class Band(models.TextChoices):
    MONITOR = "monitor", "Monitor"
    ELEVATED = "elevated", "Elevated"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class RiskSnapshot(models.Model):
    """The youth's assessment at `computed_at`: score, band, and every reason with its weight and date.

    Kept forever; the latest one is the current assessment. `settings_used` is the exact weights and
    thresholds, so the snapshot reads the same after an agency changes them.
    """

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="risk_snapshots")
    computed_at = models.DateTimeField(default=timezone.now)
    score = models.DecimalField(max_digits=6, decimal_places=1)
    band = models.CharField(max_length=10, choices=Band.choices)
    reasons = models.JSONField(default=list)
    flags = models.JSONField(default=list)
    capped = models.JSONField(default=dict)
    band_raised_by = models.CharField(max_length=10, blank=True)
    scoring_version = models.ForeignKey(
        ScoringVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="snapshots",
        help_text="Empty: the catalogue's default weights.",
    )
    settings_used = models.JSONField(default=dict)
    result_hash = models.CharField(max_length=64)
    trigger = models.CharField(max_length=200)

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["youth", "-computed_at"])]
        get_latest_by = ["computed_at", "id"]

    def __str__(self):
        return f"{self.get_band_display()} ({self.score}) for youth {self.youth_id}"


class Urgency(models.TextChoices):
    # Most urgent first (docs/risk-catalogue.md#bands): the order of the review queue.
    IDENTIFICATION = "identification", "Identification: possible victim of trafficking"
    URGENT = "urgent", "Same-day review"
    HIGH = "high", "Review within one business day"
    ELEVATED = "elevated", "Screen and needs check within 7 days"


URGENCY_RANK = {value: rank for rank, value in enumerate(Urgency.values)}


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    DECIDED = "decided", "Decided"


class ReviewItem(models.Model):
    """A youth waiting in the supervisor's review queue. At most one open item per youth: a new,
    more urgent reason raises the open item (urgency up, due time earlier) instead of adding another."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="risk_review_items")
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    urgency_rank = models.PositiveSmallIntegerField(help_text="0 = most urgent; the queue sorts on it.")
    reasons = models.JSONField(default=list, help_text="Plain sentences: why the youth is in the queue.")
    raised_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(db_index=True)
    snapshot = models.ForeignKey(RiskSnapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tripwire = models.ForeignKey(
        Observation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The tripwire observation that opened the identification workflow.",
    )
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    overdue_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["urgency_rank", "due_at", "raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["youth"], condition=Q(status="open"), name="review_item_one_open_per_youth"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "urgency_rank", "due_at"]),
            to_escalate_index("review_item_to_escalate", Q(status="open")),
        ]

    def __str__(self):
        return f"Review of youth {self.youth_id} ({self.urgency})"


class Outcome(models.TextChoices):
    NO_CONCERN = "no_concern", "No current concern"
    AT_RISK = "at_risk", "At risk of trafficking"
    IDENTIFIED = "identified", "Identified as a victim of trafficking"


class TraffickingType(models.TextChoices):
    SEX = "sex", "Sex trafficking"
    LABOR = "labor", "Labor trafficking"


class TraffickingKind(models.TextChoices):
    # NCMEC's kinds (docs/risk-catalogue.md#catalogue); "pimp-controlled" is used only as this type label (#language).
    PIMP_CONTROLLED = "pimp_controlled", "Pimp-controlled"
    GANG_CONTROLLED = "gang_controlled", "Gang-controlled"
    FAMILIAL = "familial", "Familial"
    BUYER_PERPETRATED = "buyer_perpetrated", "Buyer-perpetrated"
    OTHER = "other", "Other"


class Timing(models.TextChoices):
    # AFCARS E106 (before entry) and E109 (while in foster care; a youth missing from care is in care).
    BEFORE_ENTRY = "before_entry", "Before entering care"
    IN_CARE = "in_care", "While in care"
    WHILE_MISSING = "while_missing", "While missing from care"


class Referral(models.TextChoices):
    # The webinar's needs list (docs/risk-catalogue.md#principles, item 3): needs, not restrictions.
    HOUSING = "housing", "Housing"
    FOOD = "food", "Food"
    MEDICAL = "medical", "Medical care"
    CONNECTION = "connection", "Connection (a trusted adult, family, peers)"
    EMPOWERMENT = "empowerment", "Empowerment (a say in their own plan)"
    SPECIALISED = "specialised", "Specialised services for survivors"
    OTHER = "other", "Other"


class ReviewDecision(models.Model):
    """A supervisor's decision about a youth. Never edited or deleted: a later decision supersedes it.

    Identification starts the law-enforcement report clock (IdentificationReport) from when the
    information was received, not from this decision (docs/risk-catalogue.md#identification).
    """

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="risk_decisions")
    review_item = models.ForeignKey(
        ReviewItem, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField("reason", blank=True)
    safety_plan = models.TextField("safety and needs plan", blank=True)
    referrals = models.JSONField(default=list, blank=True)
    trafficking_type = models.CharField(max_length=10, choices=TraffickingType.choices, blank=True)
    trafficking_kind = models.CharField(max_length=20, choices=TraffickingKind.choices, blank=True)
    timing = models.CharField(max_length=20, choices=Timing.choices, blank=True)
    information_received_at = models.DateTimeField(
        "when the agency received the information", null=True, blank=True,
        help_text="Starts the 24-hour law-enforcement clock.",
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    snapshot = models.ForeignKey(RiskSnapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # An identification found to have been recorded in error (risk/services/corrections.py): the only
    # thing that withdraws one. A later decision describes the present and withdraws nothing
    # (risk/afcars.py, docs/duties.md#afcars).
    withdrawn_at = models.DateTimeField("withdrawn as recorded in error", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField("why it was recorded in error", blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True)
                | (Q(outcome="identified") & Q(withdrawn_by__isnull=False) & ~Q(withdrawal_reason="")),
                name="decision_withdrawal_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="no_concern") | ~Q(reason=""), name="decision_no_concern_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="at_risk") | ~Q(safety_plan=""), name="decision_at_risk_has_plan"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="identified")
                | (
                    ~Q(trafficking_type="")
                    & ~Q(trafficking_kind="")
                    & ~Q(timing="")
                    & Q(information_received_at__isnull=False)
                ),
                name="decision_identified_is_complete",
            ),
        ]
        indexes = [models.Index(fields=["youth", "-decided_at"])]

    def __str__(self):
        return f"{self.get_outcome_display()} for youth {self.youth_id} on {self.decided_at:%Y-%m-%d}"

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


class IdentificationReport(EvidencedClock):
    """The report of an identified victim to law enforcement: the same kind of clock as the episode
    notices (missing_reports.models.EvidencedClock), due 24 h after the information was received.

    A clock whose identification was withdrawn as recorded in error and that was not done by then is
    closed as withdrawn: not open, not overdue, not to be done. `OPEN` is the one condition for it: the
    work lists, the pages and the timeliness report ask it, and so must the escalation sweep's
    `IDENTIFICATION_REPORTS.is_open` (risk/escalation.py)."""

    # Still to be done: not done, and its identification not withdrawn.
    OPEN = Q(done_at__isnull=True, decision__withdrawn_at__isnull=True)

    decision = models.OneToOneField(ReviewDecision, on_delete=models.PROTECT, related_name="le_report")
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="identification_reports")
    reference = models.CharField("report or case number", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta(EvidencedClock.Meta):
        constraints = [done_has_evidence("identification_report_done_has_evidence")]
        indexes = [to_escalate_index("id_report_to_escalate")]

    def __str__(self):
        return f"Identified-victim report for youth {self.youth_id}"


class RiskEscalation(models.Model):
    """One stage of a review item or an identification report: alerted (sent_at, who was told) or skipped;
    each stage happens once (the same claim protocol as missing_reports.escalation, docs/alerts.md#run)."""

    review_item = models.ForeignKey(
        ReviewItem, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    report = models.ForeignKey(
        IdentificationReport, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    stage = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(review_item__isnull=False) & Q(report__isnull=True))
                | (Q(review_item__isnull=True) & Q(report__isnull=False)),
                name="risk_escalation_one_subject",
            ),
            models.UniqueConstraint(
                fields=["review_item", "stage"], condition=Q(review_item__isnull=False),
                name="risk_escalation_item_once_per_stage",
            ),
            models.UniqueConstraint(
                fields=["report", "stage"], condition=Q(report__isnull=False),
                name="risk_escalation_report_once_per_stage",
            ),
        ]

    def __str__(self):
        subject = f"review item {self.review_item_id}" if self.review_item_id else f"report {self.report_id}"
        return f"{self.stage} for {subject}"


class ReferralStatus(models.TextChoices):
    # docs/risk-catalogue.md#referrals: sent -> accepted -> started, or declined / not available.
    SENT = "sent", "Sent, waiting for an answer"
    ACCEPTED = "accepted", "Accepted, waiting to start"
    STARTED = "started", "Started"
    DECLINED = "declined", "Declined"
    NOT_AVAILABLE = "not_available", "Not available"


OPEN_REFERRAL_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
CLOSED_REFERRAL_STATUSES = (ReferralStatus.DECLINED, ReferralStatus.NOT_AVAILABLE)


class ServiceReferral(models.Model):
    """One service determined for a youth by a supervisor's decision, and how far it got
    (docs/risk-catalogue.md#referrals; SSA §471(a)(9)(C), docs/duties.md#identify-document).

    Every step keeps its date; `next_step_due` is the day the next step is expected (risk/referral_steps.py),
    empty once the referral has started or was declined / not available. The decision's own `referrals`
    list stays as its record of what was determined; these rows track what happened to each service.
    """

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="service_referrals")
    decision = models.ForeignKey(ReviewDecision, on_delete=models.PROTECT, related_name="service_referrals")
    service = models.CharField(max_length=20, choices=Referral.choices)
    provider = models.CharField("provider", max_length=200, blank=True)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    sent_on = models.DateField()
    accepted_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField("declined or not available on", null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was declined or is not available.")
    next_step_due = models.DateField(null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sent_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "service"], name="service_referral_once_per_decision"),
            models.CheckConstraint(
                condition=(
                    Q(status="sent", accepted_on__isnull=True, started_on__isnull=True, closed_on__isnull=True,
                      next_step_due__isnull=False)
                    | Q(status="accepted", accepted_on__isnull=False, started_on__isnull=True,
                        closed_on__isnull=True, next_step_due__isnull=False)
                    | Q(status="started", accepted_on__isnull=False, started_on__isnull=False,
                        closed_on__isnull=True, next_step_due__isnull=True)
                    | Q(status__in=["declined", "not_available"], started_on__isnull=True,
                        closed_on__isnull=False, next_step_due__isnull=True)
                ),
                name="service_referral_dates_match_status",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["declined", "not_available"], reason__gt="")
                | (~Q(status__in=["declined", "not_available"]) & Q(reason="")),
                name="service_referral_reason_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("sent_on")),
                name="service_referral_accepted_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=F("accepted_on")),
                name="service_referral_started_after_accepted",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | (
                    Q(closed_on__gte=F("sent_on"))
                    & (Q(accepted_on__isnull=True) | Q(closed_on__gte=F("accepted_on")))
                ),
                name="service_referral_closed_after_last_step",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="service_referral_version_positive"),
        ]
        indexes = [models.Index(fields=["status", "next_step_due"])]

    def __str__(self):
        return f"{self.get_service_display()} referral for youth {self.youth_id} ({self.status})"

    @property
    def is_open(self):
        return self.status in OPEN_REFERRAL_STATUSES
