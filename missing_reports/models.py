"""Missing-from-care episodes, their clocks (notifications), search efforts, reviews and the debrief.

Field sources: docs/duties.md#ncmec-packet (the episode), #records (law enforcement and NCMEC evidence),
#missing-protocols and #return-interview (return and debrief). Nothing here is ever hard-deleted.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from caseapp.local_time import short_time
from caseapp.models import Agency, Placement, Youth, YouthPhoto

from . import clock_state, deadlines
from .responses import DESCRIBED, ResponseKind, is_punitive


class ReportingRule(models.Model):
    """One row of an agency's deadline table: who must be told of an event, within how many hours."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reporting_rules")
    event = models.CharField(max_length=10, choices=[(e, deadlines.EVENT_LABELS[e]) for e in deadlines.EVENTS])
    party = models.CharField(max_length=30, choices=list(deadlines.PARTY_LABELS.items()))
    # The count, in `unit` (docs/duties.md#rule-units); named for the unit nearly every rule uses.
    hours = models.PositiveIntegerField("within", help_text="How many of the unit below.")
    unit = models.CharField(
        max_length=15, choices=[(u, deadlines.UNIT_LABELS[u]) for u in deadlines.UNITS], default=deadlines.HOURS,
        help_text="Hours run from the moment the agency learned; calendar days end at the same time of day; "
        "business days end at the end of the last one, skipping weekends and the agency's holidays.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="The law or policy behind the rule.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "hours", "party"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "event", "party"], name="reporting_rule_unique"),
        ]

    def __str__(self):
        return f"{self.agency.code}: {self.event} → {self.party} within {deadlines.span_text(self.hours, self.unit)}"


class AgencyEndangermentItem(models.Model):
    """An endangerment item of the agency's own ("Recently discharged from a psychiatric unit"), ticked by
    hand on the run and episode forms of the agency's youth (docs/packets.md#endangerment). The episode
    keeps the label as it was when ticked, so a later rename does not rewrite a packet already sent."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="endangerment_items")
    label = models.CharField(max_length=120, help_text="As it should read on the form and in the packets.")
    active = models.BooleanField(default=True, help_text="An inactive item is no longer offered on the forms.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["label", "id"]

    def __str__(self):
        return f"{self.agency.code}: {self.label}"

    def clean(self):
        self.label = " ".join((self.label or "").split())
        if not self.label:
            raise ValidationError({"label": "Give the item a label, as it should read on the form."})


class EpisodeCategory(models.TextChoices):
    RUNAWAY = "runaway", "Left placement on their own"
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown", "Whereabouts unknown"
    FAMILY_ABDUCTION = "family_abduction", "Suspected family abduction"
    NONFAMILY_ABDUCTION = "nonfamily_abduction", "Suspected non-family abduction"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Missing"
    RETURNED = "returned", "Returned"


class Endangerment(models.TextChoices):
    UNDER_13 = "under_13", "Under 13"
    DISABILITY = "disability", "Disability or incapacity"
    PREGNANCY = "pregnancy", "Pregnant"
    PRESCRIPTION_MEDICATION = "prescription_medication", "Needs prescription medication"
    SUICIDAL = "suicidal", "Suicidal thoughts or statements"
    SUBSTANCE_DEPENDENCE = "substance_dependence", "Substance dependence"
    DANGEROUS_ADULT = "dangerous_adult", "With a dangerous adult"
    TRAFFICKING_VULNERABILITY = "trafficking_vulnerability", "Vulnerable to sex trafficking"
    IDENTIFIED_TRAFFICKING_VICTIM = "identified_trafficking_victim", "Identified as a victim of trafficking"
    OUT_OF_CHARACTER = "out_of_character", "Out of character for this youth"


class FoundLocationType(models.TextChoices):
    HOME_RELATIVE = "home_relative", "Home or relative"
    FRIEND = "friend", "Friend's home"
    STREET = "street", "Street or public place"
    MOTEL = "motel", "Motel or hotel"
    UNKNOWN_ADULT = "unknown_adult_residence", "Unknown adult's residence"
    VEHICLE = "vehicle", "Vehicle"
    HOSPITAL = "hospital", "Hospital"
    DETENTION = "detention", "Detention or police custody"
    PLACEMENT = "placement", "Returned to the placement"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class HowLocated(models.TextChoices):
    SELF_RETURNED = "self_returned", "Returned on their own"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    CASEWORKER = "caseworker", "Caseworker"
    CAREGIVER = "caregiver", "Caregiver or family"
    OTHER = "other", "Other"


class ReturnedWith(models.TextChoices):
    # Items history rule R7 looks for (C4.8, docs/risk-catalogue.md#history-rules); the youth's explanation
    # belongs in the debrief.
    CASH = "cash", "Cash"
    PREPAID_CARD = "prepaid_card", "Prepaid or gift cards"
    HOTEL_KEY = "hotel_key", "Hotel key"
    NEW_PHONE = "new_phone", "A new phone"
    NEW_CLOTHES = "new_clothes", "New clothes or accessories"


class MissingEpisode(models.Model):
    """From when the youth was last seen to their return. Opening one starts the reporting clocks."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="missing_episodes")
    status = models.CharField(max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN)
    category = models.CharField(max_length=30, choices=EpisodeCategory.choices, default=EpisodeCategory.RUNAWAY)

    last_seen_at = models.DateTimeField("last seen")
    last_seen_location = models.CharField("where last seen", max_length=300)
    agency_learned_at = models.DateTimeField(
        "when the agency learned of it", help_text="This starts the reporting clocks."
    )
    reported_by = models.CharField("who reported it", max_length=200, help_text="Name and relationship.")
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="placement at the time",
    )

    circumstances = models.TextField(blank=True)
    clothing = models.TextField("clothing last seen in", blank=True)
    companions = models.TextField("companions or people last seen with", blank=True)
    vehicle = models.TextField("vehicle (make, model, colour, plate)", blank=True)
    phones_and_accounts = models.TextField(
        "phones, email and social-media accounts", blank=True
    )
    possible_locations = models.TextField("possible locations and people", blank=True)
    belongings_taken = models.TextField(blank=True)
    endangerment = models.JSONField("endangerment", default=list, blank=True)
    endangerment_notes = models.TextField(blank=True)
    # {code: reason} of the items the record supports (missing_reports/endangerment.py), and
    # {code: {"reason", "by", "by_name", "at"}} of those a caseworker unticked: never ticked again by the record.
    endangerment_reasons = models.JSONField("endangerment reasons", default=dict, blank=True)
    endangerment_unticked = models.JSONField("endangerment unticked", default=dict, blank=True)
    # [{"id", "label"}] of the agency's own items ticked by hand (AgencyEndangermentItem), each label as
    # it was when ticked.
    agency_endangerment = models.JSONField("agency's own endangerment items", default=list, blank=True)

    # The return (docs/duties.md#missing-protocols, #photo-on-recovery).
    located_at = models.DateTimeField("when located", null=True, blank=True)
    returned_at = models.DateTimeField("when returned", null=True, blank=True)
    found_address = models.CharField("where found: address", max_length=300, blank=True)
    found_location_type = models.CharField(
        "where found: kind of place", max_length=30, choices=FoundLocationType.choices, blank=True
    )
    found_out_of_county = models.BooleanField("found outside the home county", default=False)
    found_out_of_state = models.BooleanField("found outside the state", default=False)
    how_located = models.CharField(max_length=20, choices=HowLocated.choices, blank=True)
    condition_on_return = models.TextField("condition on return", blank=True)
    returned_with = models.JSONField("returned with", default=list, blank=True)
    new_marks_tattoos = models.TextField("new marks or tattoos", blank=True)
    recovery_photo = models.ForeignKey(
        YouthPhoto, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # AFCARS: the living-arrangement row this episode opened in the placement history, if any.
    living_arrangement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    living_arrangement_note = models.CharField(max_length=300, blank=True)

    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-agency_learned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["youth"], condition=Q(status="open"), name="episode_one_open_per_youth"
            ),
            models.CheckConstraint(
                condition=Q(last_seen_at__lte=F("agency_learned_at")), name="episode_seen_before_learned"
            ),
            models.CheckConstraint(
                condition=Q(located_at__isnull=True)
                | Q(returned_at__isnull=True)
                | Q(located_at__lte=F("returned_at")),
                name="episode_located_before_returned",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("last_seen_at")),
                name="episode_returned_after_last_seen",
            ),
            models.CheckConstraint(
                condition=Q(status="open", returned_at__isnull=True)
                | Q(status="returned", returned_at__isnull=False),
                name="episode_returned_iff_return_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "agency_learned_at"]),
            # The ids of a person's youth's episodes read from the index alone (caseapp/work.py My work: their open
            # clocks are looked up by these ids, missing_reports/work.py `_open_clocks`).
            models.Index(fields=["youth", "id"], name="episode_youth_and_id"),
        ]

    def __str__(self):
        return f"Episode {self.pk} of youth {self.youth_id}"

    @property
    def is_open(self):
        return self.status == EpisodeStatus.OPEN

    def endangerment_labels(self):
        return [Endangerment(v).label for v in self.endangerment if v in Endangerment.values]

    def endangerment_items(self):
        """[(code, label, reason)] of the ticked items; reason "" for an item ticked by hand only."""
        reasons = self.endangerment_reasons or {}
        return [
            (v, Endangerment(v).label, reasons.get(v, "")) for v in self.endangerment if v in Endangerment.values
        ]

    def agency_endangerment_labels(self):
        """The labels of the agency's own items ticked on this episode, as they read when ticked."""
        return [str(item.get("label", "")) for item in (self.agency_endangerment or []) if item.get("label")]


class NotificationMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    PORTAL = "portal", "Web portal"
    IN_PERSON = "in_person", "In person"
    WRITTEN = "written", "Written (letter, email, fax)"
    SYSTEM = "system", "System-to-system"


def done_has_evidence(name):
    """A clock is done only with who did it and a reference or an explanation (docs/design.md#rule-clock-data)."""
    return models.CheckConstraint(
        condition=Q(done_at__isnull=True) | (Q(done_by__isnull=False) & (~Q(reference="") | ~Q(explanation=""))),
        name=name,
    )


def to_escalate_index(name, open_q=None):
    """The escalation sweep's candidates by due time (missing_reports.escalation.candidates): open clocks whose
    overdue alert has not been raised. The claim of the overdue stage sets `overdue_at` in the same transaction
    as its claim row, so the clocks finished with leave this partial index, and the sweep reads only the few
    still to alert, however many clocks stay open and overdue. `open_q`: not done, unless the model says otherwise."""
    open_q = Q(done_at__isnull=True) if open_q is None else open_q
    return models.Index(fields=["due_at", "id"], condition=open_q & Q(overdue_at__isnull=True), name=name)


class EvidencedClock(models.Model):
    """What every required notice is (docs/design.md#rule-clock-data): a due time, and when done, by whom, how, to
    whom and the reference (or why there is none). The episode notices here and the risk module's
    identified-victim report are this same kind of clock; each sweep marks `overdue_at`."""

    due_at = models.DateTimeField(db_index=True)
    # The rule the clock was started with: its count, in `rule_unit` (hours for every clock made before units
    # existed), and its source. Kept as made: a later change of the table never moves a clock already running.
    rule_hours = models.PositiveIntegerField()
    rule_unit = models.CharField(
        max_length=15, choices=[(u, deadlines.UNIT_LABELS[u]) for u in deadlines.UNITS], default=deadlines.HOURS
    )
    rule_source = models.CharField(max_length=200, blank=True)

    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=20, choices=NotificationMethod.choices, blank=True)
    contact_name = models.CharField("who was told", max_length=200, blank=True)
    reference = models.CharField("reference or case number", max_length=100, blank=True)
    explanation = models.TextField(blank=True, help_text="Why there is no reference number.")
    le_agency = models.CharField("law-enforcement agency", max_length=200, blank=True)

    overdue_at = models.DateTimeField(null=True, blank=True, help_text="When the sweep marked it overdue.")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
        ordering = ["due_at", "id"]

    @property
    def is_done(self):
        return self.done_at is not None

    @property
    def rule_span(self) -> str:
        """'24 h', '2 business days': the rule's span in words, as pages and emails show it."""
        return deadlines.span_text(self.rule_hours, self.rule_unit)

    @property
    def started_at(self):
        """When the clock started, where its rule tells (hours: the due time less them); None for a rule in days,
        whose span depends on the calendar."""
        if self.rule_unit != deadlines.HOURS:
            return None
        return self.due_at - datetime.timedelta(hours=self.rule_hours)

    def state(self, now=None) -> clock_state.ClockState:
        """Where this clock stands at `now` (default: now): clock_state decides, for every page and report."""
        return clock_state.state(self.due_at, self.done_at, now or timezone.now())

    def timing(self, now=None) -> str:
        """'due in 3 h 20 min', 'overdue by 6 h', 'on time' or 'late by 2 h' (clock_state.timing)."""
        return clock_state.timing(self.due_at, self.done_at, now or timezone.now())

    def was_late(self):
        return self.state() is clock_state.DONE_LATE


class Notification(EvidencedClock):
    """A required notice of an episode and its clock (law enforcement, NCMEC, the state's extra
    parties, the recovery notices, the return interview)."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="notifications")
    event = models.CharField(max_length=10, choices=[(e, deadlines.EVENT_LABELS[e]) for e in deadlines.EPISODE_EVENTS])
    party = models.CharField(max_length=30, choices=list(deadlines.CLOCK_PARTY_LABELS.items()))
    # Law enforcement (docs/duties.md#ncic-2h, #records).
    officer_name = models.CharField(max_length=120, blank=True)
    badge_number = models.CharField(max_length=40, blank=True)
    ncic_number = models.CharField("NCIC number", max_length=40, blank=True)
    ncic_confirmed_at = models.DateTimeField("NCIC entry confirmed", null=True, blank=True)
    # NCMEC (docs/duties.md#ncmec-packet, #records).
    ncmec_case_number = models.CharField("NCMEC case number", max_length=40, blank=True)
    # The disclosure a report clock (deadlines.DISCLOSED) belongs to: each disclosure is reported, so a second
    # one in the episode gets its own clocks (docs/duties.md#disclosures). Null for every other clock, and for
    # a disclosure clock from before 0012 whose disclosure could not be told apart.
    disclosure = models.ForeignKey(
        "Disclosure", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    history = HistoricalRecords()

    # Still to be done: not done, and not the clock of a disclosure withdrawn as recorded in error (closed as not
    # required). The work list, the sweep, the pages and the timeliness report ask it.
    OPEN = Q(done_at__isnull=True) & (Q(disclosure__isnull=True) | Q(disclosure__withdrawn_at__isnull=True))

    class Meta(EvidencedClock.Meta):
        constraints = [
            # One clock per party and event of an episode, and per party of a disclosure.
            models.UniqueConstraint(
                fields=["episode", "event", "party"], condition=Q(disclosure__isnull=True), name="notification_unique"
            ),
            models.UniqueConstraint(
                fields=["disclosure", "party"], condition=Q(disclosure__isnull=False),
                name="notification_disclosure_unique",
            ),
            models.CheckConstraint(
                condition=Q(disclosure__isnull=True) | Q(event=deadlines.DISCLOSED),
                name="notification_disclosure_only_disclosed",
            ),
            done_has_evidence("notification_done_has_evidence"),
        ]
        indexes = [
            models.Index(fields=["done_at", "due_at"]),
            to_escalate_index("notification_to_escalate"),
            # A person's open notices and return interviews (caseapp/work.py My work) through their youth's
            # episodes: each episode is looked up among the few open clocks, not all its done ones.
            models.Index(fields=["episode"], condition=Q(done_at__isnull=True), name="notification_open_by_episode"),
        ]

    def __str__(self):
        return f"{self.label} for episode {self.episode_id}"

    @property
    def label(self):
        return deadlines.party_label(self.event, self.party)

    @property
    def is_closed(self):
        """Not done, and not to be done: its disclosure was withdrawn as recorded in error."""
        return self.done_at is None and self.disclosure_id is not None and self.disclosure.withdrawn_at is not None


class RefusalKind(models.TextChoices):
    REPORT = "report", "Would not take the report"
    NCIC = "ncic", "Would not enter the youth in NCIC"


class LawEnforcementRefusal(models.Model):
    """Law enforcement would not take the report of a run, or would not enter the youth in NCIC
    (docs/duties.md#le-refused): who, when, and the reason given. Recorded on the law-enforcement notice of
    the run; recording it starts the follow-up clocks (deadlines.LE_REFUSED) and alerts the supervisors.
    One per kind and notice: a second save of the same kind corrects it (versioned, with history)."""

    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="refusals")
    kind = models.CharField(max_length=10, choices=RefusalKind.choices)
    refused_at = models.DateTimeField("when law enforcement said no")
    le_agency = models.CharField("law-enforcement agency", max_length=200)
    officer_name = models.CharField("officer", max_length=120, blank=True)
    badge_number = models.CharField(max_length=40, blank=True)
    reason = models.TextField("the reason given")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["refused_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "kind"], name="le_refusal_one_per_kind"),
            models.CheckConstraint(condition=~Q(reason=""), name="le_refusal_has_reason"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.le_agency}) for notice {self.notification_id}"


class DisclosureKind(models.TextChoices):
    ABUSE_NEGLECT = "abuse_neglect", "Abuse or neglect"
    CRIME = "crime", "Another crime against the youth"
    ONLINE_EXPLOITATION = deadlines.ONLINE_EXPLOITATION, "Online exploitation"


class DisclosureContext(models.TextChoices):
    RETURN_INTERVIEW = "return_interview", "At the return interview"
    RISK_OBSERVATION = "risk_observation", "With a risk observation"
    OTHER = "other", "Another time"


class Disclosure(models.Model):
    """The youth disclosed abuse or neglect, another crime against them, or online exploitation: at the return
    interview or later in an episode, or with a risk observation at any time, missing or never missing
    (docs/duties.md#disclosures). Recording it starts the reports' clocks (deadlines.DISCLOSED: the hotline and
    law enforcement; the CyberTipline for online exploitation) and alerts the supervisors. What was said is
    restricted like the health fields (caseapp.access.can_see_restricted) and never goes into an alert, an email
    or an audit row.

    A disclosure of an episode (`episode` set) has its clocks on the episode's notices (Notification.disclosure);
    one without an episode has them as DisclosureReport rows of the youth: the same evidenced clock
    (docs/duties.md#disclosure-clocks). The time and wording are corrected with a version check and a reason; a
    disclosure recorded in error is withdrawn with a reason, never deleted, and its clocks not yet done close as
    not required (`OPEN` of both clock models)."""

    RESTRICTED_FIELDS = ("what_was_said",)

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="disclosures")
    episode = models.ForeignKey(
        MissingEpisode, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    kind = models.CharField("what the youth disclosed", max_length=20, choices=DisclosureKind.choices)
    context = models.CharField(
        "when it came up", max_length=20, choices=DisclosureContext.choices, default=DisclosureContext.RETURN_INTERVIEW
    )
    context_note = models.CharField("where or with whom", max_length=300, blank=True)
    disclosed_at = models.DateTimeField("when the youth disclosed it")
    what_was_said = models.TextField("what the youth said")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The reason of the latest correction (the history keeps every version with its reason).
    correction_reason = models.TextField("why it was corrected", blank=True)
    withdrawn_at = models.DateTimeField("withdrawn as recorded in error", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField("why it was withdrawn", blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["disclosed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(what_was_said=""), name="disclosure_says_what"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | (Q(withdrawn_by__isnull=False) & ~Q(withdrawal_reason="")),
                name="disclosure_withdrawal_has_reason",
            ),
        ]

    def __str__(self):
        where = f"episode {self.episode_id}" if self.episode_id else f"youth {self.youth_id}"
        return f"Disclosure ({self.get_kind_display()}) of {where}"

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


class DisclosureReport(EvidencedClock):
    """A report a disclosure without an episode calls for (the hotline, law enforcement, the CyberTipline): the
    same evidenced clock as the episode notices, of the youth rather than of an episode, as risk's
    IdentificationReport is (docs/duties.md#disclosure-clocks). `OPEN` is the one condition for a clock still to
    be done: not done and its disclosure not withdrawn; the work list, the pages, the sweep and the timeliness
    report ask it."""

    OPEN = Q(done_at__isnull=True, disclosure__withdrawn_at__isnull=True)

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="reports")
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="disclosure_reports")
    party = models.CharField(max_length=30, choices=list(deadlines.DISCLOSED_PARTY_LABELS.items()))
    officer_name = models.CharField(max_length=120, blank=True)
    badge_number = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    # Read like a Notification of deadlines.DISCLOSED by what both share (work wording, labels, emails).
    event = deadlines.DISCLOSED

    class Meta(EvidencedClock.Meta):
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "party"], name="disclosure_report_unique"),
            done_has_evidence("disclosure_report_done_has_evidence"),
        ]
        indexes = [to_escalate_index("disclosure_report_to_escalate")]

    def __str__(self):
        return f"{self.label} for youth {self.youth_id}"

    @property
    def label(self):
        return deadlines.party_label(deadlines.DISCLOSED, self.party)

    @property
    def is_closed(self):
        """Not done, and not to be done: its disclosure was withdrawn as recorded in error."""
        return self.done_at is None and self.disclosure.withdrawn_at is not None


class NotificationUpdate(models.Model):
    """A later update sent to a party: new information, a new photo, medical records."""

    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="updates")
    sent_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=NotificationMethod.choices)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self):
        return f"Update to notification {self.notification_id} at {short_time(self.sent_at)}"


class EscalationStage(models.TextChoices):
    FIRST_HOUR = "first_hour", "Reminder to the caseworker in the first hour"
    LEAD_CASEWORKER = "lead_caseworker", "Reminder to the caseworker"
    LEAD_SUPERVISOR = "lead_supervisor", "Reminder to the supervisor"
    OVERDUE = "overdue", "Overdue: compliance contact told"


class Escalation(models.Model):
    """One stage of one clock: alerted (sent_at, who was told) or skipped. The unique constraint makes each
    stage happen once; its alert has the key "notice:<notification id>:<stage>" (docs/alerts.md#run)."""

    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="escalations")
    stage = models.CharField(max_length=20, choices=EscalationStage.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "stage"], name="escalation_once_per_stage"),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} for notification {self.notification_id}"


class DisclosureEscalation(models.Model):
    """One stage of a DisclosureReport clock: alerted or skipped, once (missing_reports.escalation's protocol)."""

    report = models.ForeignKey(DisclosureReport, on_delete=models.PROTECT, related_name="escalations")
    stage = models.CharField(max_length=20, choices=EscalationStage.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "stage"], name="disclosure_escalation_once_per_stage"),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} for disclosure report {self.report_id}"


class SearchContact(models.TextChoices):
    FAMILY = "family", "Family"
    FRIENDS = "friends", "Friends"
    SCHOOL = "school", "School"
    PRIOR_PLACEMENT = "prior_placement", "Prior placement or caregiver"
    SOCIAL_MEDIA = "social_media", "Social media"
    PHONE = "phone", "Youth's phone"
    EMPLOYER = "employer", "Employer"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    HOSPITALS = "hospitals", "Hospitals or shelters"
    OTHER = "other", "Other"


class SearchEffort(models.Model):
    """What was done to locate the youth (§471(a)(35)(A)(i))."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="search_efforts")
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contact_type = models.CharField(max_length=20, choices=SearchContact.choices)
    contact_name = models.CharField(max_length=200, blank=True)
    outcome = models.TextField()

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self):
        return f"Search effort {self.pk} of episode {self.episode_id}"


class SupervisoryReview(models.Model):
    """A supervisor's periodic review of a long episode."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="reviews")
    reviewed_at = models.DateTimeField(default=timezone.now)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField()
    next_review_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self):
        return f"Review {self.pk} of episode {self.episode_id}"


class PrimaryFactor(models.TextChoices):
    # Running from / running to, and the unmet needs behind it (§471(a)(35)(A)(ii));
    # wording: docs/risk-catalogue.md#language.
    FOOD = "food", "Food"
    SHELTER = "shelter", "A place to stay"
    MONEY = "money", "Money"
    FAMILY_CONNECTION = "family_connection", "Connection to family"
    FRIENDS_CONNECTION = "friends_connection", "Connection to friends or a partner"
    PLACEMENT_SAFETY = "placement_safety", "Not feeling safe in the placement"
    CONFLICT = "conflict", "Conflict in the placement"
    TRAUMA_RESPONSE = "trauma_response", "A trauma response"
    SCHOOL = "school", "School"
    A_SAY = "a_say", "Wanting a say in their own life"
    SUBSTANCES = "substances", "Substance use"
    OTHER = "other", "Other"


class RunningDirection(models.TextChoices):
    FROM = "from", "Running from something"
    TO = "to", "Running to something or someone"
    BOTH = "both", "Both"
    UNKNOWN = "unknown", "Not known"


class ScreeningDone(models.TextChoices):
    # The interviewer's account of the interview, never a count of screened returns: a return is screened only
    # when the structured screening is recorded (risk/screened.py, docs/duties.md#return-interview).
    YES = "yes", "Yes, and I record it on the structured screening form"
    NO = "no", "No"
    DECLINED = "declined", "The youth declined"
    NOT_POSSIBLE = "not_possible", "Not possible at this interview"


# The answers that start the follow-up screening clock (deadlines.SCREENING_FOLLOW_UP).
SCREENING_TRY_AGAIN = (ScreeningDone.DECLINED, ScreeningDone.NOT_POSSIBLE)


class Debrief(models.Model):
    """A return interview: why the youth left, what happened while away, and the response. An episode can have
    more than one (a follow-up interview); the first completes the return-interview clock."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="debriefs")
    interview_at = models.DateTimeField("when the interview took place")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    running_direction = models.CharField(max_length=10, choices=RunningDirection.choices)
    primary_factors = models.JSONField(default=list)
    primary_factors_notes = models.TextField(blank=True)
    where_stayed = models.TextField("where they stayed and with whom", blank=True)
    basic_needs = models.TextField("how food, shelter and other needs were met", blank=True)
    experiences_while_absent = models.TextField(blank=True)
    youth_own_words = models.TextField("the youth's own words", blank=True)
    trafficking_screening_done = models.CharField(
        "was the structured screening done at this interview", max_length=20, choices=ScreeningDone.choices
    )
    screening_not_done_reason = models.TextField(blank=True)
    # Who will try the screening again when the youth declined or it was not possible (the follow-up clock).
    follow_up_adult = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="trusted adult who will try again (staff)",
    )
    follow_up_adult_name = models.CharField("trusted adult who will try again (name)", max_length=200, blank=True)
    services_referrals = models.TextField("services and referrals", blank=True)
    placement_response = models.TextField("response in the current or next placement", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["interview_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trafficking_screening_done="yes") | ~Q(screening_not_done_reason=""),
                name="debrief_screening_or_reason",
            ),
            models.CheckConstraint(
                condition=~Q(trafficking_screening_done__in=SCREENING_TRY_AGAIN)
                | Q(follow_up_adult__isnull=False)
                | ~Q(follow_up_adult_name=""),
                name="debrief_try_again_has_adult",
            ),
        ]

    def __str__(self):
        return f"Debrief {self.pk} of episode {self.episode_id}"

    @property
    def follow_up_adult_display(self):
        if self.follow_up_adult_id:
            return str(self.follow_up_adult)
        return self.follow_up_adult_name


# A response plan's action answers one of the primary factors its interview named, or "other".
RESPONSE_FACTOR_OTHER = PrimaryFactor.OTHER


class ResponseAction(models.Model):
    """One action of the response plan after a return interview: what will change, for which of the factors
    the interview named, who does it and by when, tracked to done (docs/duties.md#response-plan,
    §471(a)(35)(A)(ii)). Its owner is one named member of staff; it is on their "My work" until done
    (missing_reports/work.py). Never deleted; edits carry a version (docs/design.md#rule-nothing-lost)."""

    debrief = models.ForeignKey(Debrief, on_delete=models.PROTECT, related_name="response_actions")
    # The interview's youth, kept on the row so that the work list and the youth page read one indexed table
    # (set by the service from the debrief, never typed).
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="response_actions")
    factor = models.CharField("the factor it responds to", max_length=30, choices=PrimaryFactor.choices)
    what = models.TextField("what will be done")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="response_actions", verbose_name="who does it"
    )
    due_at = models.DateTimeField("due by")
    done_at = models.DateTimeField("when it was done", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_note = models.TextField("what was done", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="response_action_done_has_who",
            ),
        ]
        indexes = [
            # The work list and the youth page: the open actions of some youth, or of one owner.
            models.Index(fields=["youth", "due_at"], condition=Q(done_at__isnull=True), name="response_action_open"),
            models.Index(
                fields=["owner", "youth"], condition=Q(done_at__isnull=True), name="response_action_open_owner"
            ),
        ]

    def __str__(self):
        return f"Response action {self.pk} of debrief {self.debrief_id}"

    @property
    def is_done(self):
        return self.done_at is not None


class WhatHelpsMe(models.Model):
    """"What helps me": the youth's own words for whoever cares for them next: what helps when they feel like
    leaving, who they trust, what they need. One current record per youth, kept current (its history keeps every
    earlier version); built with the youth from their interviews' own words (docs/duties.md#what-helps-me).
    It holds nothing restricted, so it can be printed for a new caregiver."""

    youth = models.OneToOneField(Youth, on_delete=models.PROTECT, related_name="what_helps_me")
    when_leaving = models.TextField("what helps when I feel like leaving", blank=True)
    trusted_people = models.TextField("who I trust", blank=True)
    what_i_need = models.TextField("what I need", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    FIELDS = ("when_leaving", "trusted_people", "what_i_need")

    class Meta:
        verbose_name = "what helps me"
        verbose_name_plural = "what helps me"

    def __str__(self):
        return f"What helps me of youth {self.youth_id}"

    @property
    def is_empty(self):
        return not any(getattr(self, name).strip() for name in self.FIELDS)


class PacketKind(models.TextChoices):
    NCMEC = "ncmec", "NCMEC report packet"
    LAW_ENFORCEMENT = "law_enforcement", "Law-enforcement missing-person packet"
    RECOVERY = "recovery", "Recovery notice (NCMEC and law enforcement)"


class PacketStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be built"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def packet_path(version, filename):
    # Agency code, case number and episode id only: never the youth's name.
    return f"packets/{version.episode.youth.agency.code}/{version.episode_id}/{filename}"


class PacketVersion(models.Model):
    """One version of one report packet, identified by its episode, kind and the hash of its facts.

    The unique constraint is what makes building idempotent: the same facts never make a second
    version, however often the task runs. Status: pending → building → ready, or failed (error kept).
    """

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="packets")
    kind = models.CharField(max_length=20, choices=PacketKind.choices)
    content_hash = models.CharField(max_length=64)
    number = models.PositiveIntegerField(help_text="1, 2, 3… per episode and kind, in order of creation.")
    status = models.CharField(max_length=10, choices=PacketStatus.choices, default=PacketStatus.PENDING)
    facts = models.JSONField(help_text="The assembled facts both files were rendered from.")
    json_file = models.FileField(upload_to=packet_path, blank=True)
    pdf_file = models.FileField(upload_to=packet_path, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=200, help_text="What made this version: the change that triggered it.")
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When these facts last became the record's current facts: a record edited back to earlier facts
    # makes that earlier version current again (the unique hash forbids a copy of it).
    current_since = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["episode", "kind", "-current_since", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "kind", "content_hash"], name="packet_unique_content"),
            models.UniqueConstraint(fields=["episode", "kind", "number"], name="packet_unique_number"),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(json_file="") & ~Q(pdf_file="")),
                name="packet_ready_has_files",
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.number} for episode {self.episode_id}"


class SubmissionChannel(models.TextChoices):
    NCMEC_CALL_CENTRE = "ncmec_call_centre", "NCMEC call centre (1-800-843-5678)"
    NCMEC_PORTAL = "ncmec_portal", "NCMEC caseworker web portal"
    SYSTEM_TO_SYSTEM = "system_to_system", "System-to-system"
    LAW_ENFORCEMENT_IN_PERSON = "le_in_person", "Law enforcement, in person"
    LAW_ENFORCEMENT_PHONE = "le_phone", "Law enforcement, by phone"
    LAW_ENFORCEMENT_WRITTEN = "le_written", "Law enforcement, in writing"


class PacketSubmission(models.Model):
    """A packet version given to NCMEC or law enforcement. It completes the matching clock."""

    packet = models.ForeignKey(PacketVersion, on_delete=models.PROTECT, related_name="submissions")
    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="submissions")
    channel = models.CharField(max_length=30, choices=SubmissionChannel.choices)
    reference = models.CharField("case number or reference", max_length=100)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return f"{self.packet} submitted {short_time(self.submitted_at)}"


class ReturnResponse(models.Model):
    """What the agency did after a return (docs/duties.md#return-responses): one entry of the fixed list
    (missing_reports/responses.py), who decided it (a member of staff, or a name and role), why, and when. A
    return with several responses has one row for each, so the punitive-responses report counts them in SQL.
    Corrected with a version check, never deleted; the history keeps every version."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField("response", max_length=40, choices=ResponseKind.choices)
    description = models.CharField("what it was", max_length=300, blank=True)
    decided_at = models.DateTimeField("when it was decided")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="who decided it (staff)",
    )
    decided_by_name = models.CharField("who decided it (name and role)", max_length=200, blank=True)
    reason = models.TextField("why")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ResponseKind.values), name="return_response_known_kind"),
            models.CheckConstraint(condition=~Q(reason=""), name="return_response_has_reason"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=False) | ~Q(decided_by_name=""), name="return_response_has_decider"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(DESCRIBED)) | ~Q(description=""), name="return_response_other_described"
            ),
        ]
        indexes = [models.Index(fields=["decided_at"], name="return_response_decided_at")]

    def __str__(self):
        return f"{self.get_kind_display()} after episode {self.episode_id}"

    @property
    def is_punitive(self) -> bool:
        return is_punitive(self.kind)

    @property
    def decided_by_display(self) -> str:
        if self.decided_by_id and self.decided_by_name:
            return f"{self.decided_by} ({self.decided_by_name})"
        return str(self.decided_by) if self.decided_by_id else self.decided_by_name
