"""The core records: agencies, teams, staff, youth, placements, photos and the audit trail.

Models hold data and the invariants the database can keep. The verbs (create a youth, end a
placement) live in caseapp/services/; who may see what lives in caseapp/access.py.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import afcars
from .local_time import short_time, validate_time_zone

# The law's ceiling for the reporting clocks: no reminder lead is longer.
REMINDER_LEAD_CEILING_HOURS = 24


class Agency(models.Model):
    """A child welfare agency. Nothing of one agency is ever shown to another's staff."""

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=20, unique=True, help_text="Short code, e.g. 'KS-DCF'.")
    state = models.CharField(
        "state or jurisdiction",
        max_length=2,
        help_text="Two-letter postal code; the reporting rules of this jurisdiction apply.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="America/Chicago",
        validators=[validate_time_zone],
        help_text="The IANA zone of the agency's clocks, e.g. America/Chicago: times are typed and shown in it.",
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    compliance_contact_email = models.EmailField(
        blank=True, help_text="Told when a reporting clock runs out."
    )
    # Agency option under §471(a)(9)(C)(i)(II): also serve people under 26 who are not in care.
    serves_under_26 = models.BooleanField(default=False)
    # The reminders of the reporting clocks (missing_reports.escalation): the agency picks its leads.
    first_hour_reminder_minutes = models.PositiveSmallIntegerField(
        "first reminder after the agency learned (minutes)",
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(REMINDER_LEAD_CEILING_HOURS * 60)],
        help_text="Law enforcement and NCMEC are to be told immediately: the caseworker is reminded this long "
        "after the agency learned of a run if either notice is still not recorded.",
    )
    reminder_lead_hours_first = models.PositiveSmallIntegerField(
        "caseworker reminder (hours before due)",
        default=4,
        validators=[MaxValueValidator(REMINDER_LEAD_CEILING_HOURS)],
        help_text="Whole hours before a clock runs out; at most 24.",
    )
    reminder_lead_hours_second = models.PositiveSmallIntegerField(
        "supervisor reminder (hours before due)",
        default=1,
        validators=[MaxValueValidator(REMINDER_LEAD_CEILING_HOURS)],
        help_text="Whole hours before a clock runs out; fewer than the caseworker reminder (0 means at the due time).",
    )
    # Alerts that are confirmed (caseapp.services.alerts, docs/alerts.md): how long an alert may wait for an
    # acknowledgement before it goes to the next person on call, and whether alerts also go by SMS.
    ack_minutes_run = models.PositiveSmallIntegerField(
        "acknowledgement window for a new run (minutes)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="If nobody acknowledges the alert of a run logged within this time, the next person on call "
        "is alerted.",
    )
    ack_minutes_reminder = models.PositiveSmallIntegerField(
        "acknowledgement window for reminders (minutes)",
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="The same for clock reminders and escalations.",
    )
    sms_enabled = models.BooleanField(
        "send alerts by SMS",
        default=False,
        help_text="Alerts also go by text message to staff with a mobile number (the server's SMS settings apply).",
    )

    # Supervisors, agency staff and admins always sign in with a second factor; caseworkers when this is on
    # (caseapp/two_factor.py, docs/security.md).
    require_two_factor_for_caseworkers = models.BooleanField(
        "caseworkers sign in with a second factor",
        default=False,
        help_text="Caseworkers must also enter a code from an authenticator app when they sign in (supervisors, "
        "agency staff and admins always do).",
    )

    # The agency's practice for work during an open episode (caseapp/work.py; the search cadence is
    # missing_reports.work.next_search_due). Agency practice, not federal law (docs/duties.md#missing-protocols).
    search_daily_days = models.PositiveSmallIntegerField(
        "daily search period (days)",
        default=7,
        validators=[MaxValueValidator(365)],
        help_text="A search effort is due every day for this many days after the agency learned of a run.",
    )
    search_interval_days = models.PositiveSmallIntegerField(
        "search interval after that (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Then a search effort is due this many days after the last one.",
    )
    search_until_days = models.PositiveSmallIntegerField(
        "search efforts due until (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="No search effort is listed as due after this many days from when the agency learned; "
        "blank: until the youth is found.",
    )
    long_absence_review_days = models.PositiveSmallIntegerField(
        "first supervisory review of an absence (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A supervisor reviews an open episode this many days after the agency learned of it, then "
        "on the date each review sets.",
    )
    # Agency practice (docs/duties.md#return-interview): when a returned youth declined the trafficking
    # screening, or it was not possible, a trusted adult tries again within this many days.
    screening_follow_up_days = models.PositiveSmallIntegerField(
        "follow-up trafficking screening (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="When the youth declined the screening at the return interview, or it was not possible, a "
        "trusted adult tries again within this many days.",
    )

    # Sessions (caseapp/sessions.py, docs/security.md#sessions): a signed-in session with no activity for this
    # long is signed out by the server; the page warns before it.
    session_idle_minutes = models.PositiveSmallIntegerField(
        "sign out after inactivity (minutes)",
        default=30,
        validators=[MinValueValidator(2), MaxValueValidator(12 * 60)],
        help_text="Staff who do nothing for this long are signed out; the page warns them a little before. "
        "From 2 to 720 minutes.",
    )

    # The provider alert (docs/duties.md#provider-alert): a provider whose episodes per 1,000 placement-days over
    # the last six months exceed the agency's median by this factor, with at least this many placement-days, opens
    # a review for its teams' supervisors and the agency admins.
    provider_alert_factor = models.DecimalField(
        "provider alert: times the agency's median rate",
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("20.00"))],
        help_text="A provider whose missing episodes per 1,000 placement-days over the last six months are more "
        "than this many times the median of the agency's providers is reviewed. From 1 to 20.",
    )
    provider_alert_min_placement_days = models.PositiveIntegerField(
        "provider alert: fewest placement-days",
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text="A provider with fewer placement-days than this in the six months is neither reviewed nor "
        "counted in the median: a few days make a rate that means little.",
    )

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_lead_hours_first__gt=F("reminder_lead_hours_second"))
                & Q(reminder_lead_hours_first__lte=REMINDER_LEAD_CEILING_HOURS),
                name="agency_reminder_leads_in_order",
            ),
            models.CheckConstraint(condition=Q(search_interval_days__gte=1), name="agency_search_interval_positive"),
            models.CheckConstraint(
                condition=Q(search_until_days__isnull=True) | Q(search_until_days__gte=1),
                name="agency_search_until_positive",
            ),
            models.CheckConstraint(
                condition=Q(long_absence_review_days__gte=1), name="agency_long_absence_review_positive"
            ),
            models.CheckConstraint(
                condition=Q(screening_follow_up_days__gte=1), name="agency_screening_follow_up_positive"
            ),
            models.CheckConstraint(
                condition=Q(session_idle_minutes__gte=2, session_idle_minutes__lte=12 * 60),
                name="agency_session_idle_minutes_in_range",
            ),
            models.CheckConstraint(
                condition=Q(provider_alert_factor__gte=1, provider_alert_factor__lte=20),
                name="agency_provider_alert_factor_in_range",
            ),
            models.CheckConstraint(
                condition=Q(provider_alert_min_placement_days__gte=1), name="agency_provider_alert_min_days_positive"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        first, second = self.reminder_lead_hours_first, self.reminder_lead_hours_second
        if first is not None and second is not None and first <= second:
            raise ValidationError(
                {
                    "reminder_lead_hours_second": (
                        f"The supervisor reminder must come after the caseworker reminder: fewer hours before due "
                        f"than {first} h."
                    )
                }
            )

    @property
    def reminder_leads(self) -> list[int]:
        """[caseworker, supervisor] reminder leads in hours before a clock's due time."""
        return [self.reminder_lead_hours_first, self.reminder_lead_hours_second]


class AgencyHoliday(models.Model):
    """A day the agency does not work: a rule in business days skips it, as it skips Saturdays and Sundays
    (docs/duties.md#rule-units). Set by the agency's admin in the admin (Agency holidays)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="holidays")
    date = models.DateField(help_text="The agency's own calendar day, e.g. 2026-12-25.")
    name = models.CharField(max_length=100, help_text="E.g. Christmas Day.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["agency", "date"], name="agency_holiday_unique_date")]

    def __str__(self):
        return f"{self.date:%b} {self.date.day}, {self.date.year}: {self.name}"

    def clean(self):
        self.name = " ".join((self.name or "").split())
        if not self.name:
            raise ValidationError({"name": "Give the holiday its name, e.g. Christmas Day."})
        if self.date and self.agency_id:
            same_day = (
                AgencyHoliday.objects.filter(agency_id=self.agency_id, date=self.date).exclude(pk=self.pk).first()
            )
            if same_day is not None:
                raise ValidationError(
                    {"date": f"{same_day} is already one of the agency's holidays: a day is one holiday. Change that "
                     "one instead."}
                )
        if self.date and self.date.weekday() >= 5:
            raise ValidationError(
                {"date": f"{self.date:%A, %b} {self.date.day}, {self.date.year} is a weekend day: business-day "
                 "deadlines skip it already. Enter the weekday the agency observes the holiday on."}
            )


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="supervised_teams"
    )
    history = HistoricalRecords(m2m_fields=[supervisors])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency"),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    SUPERVISOR = "supervisor", "Supervisor"
    AGENCY_STAFF = "agency_staff", "Agency staff"
    AGENCY_ADMIN = "agency_admin", "Agency admin"


class User(AbstractUser):
    """A staff member. The role decides what they see (caseapp/access.py); blank role sees nothing."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        help_text="The team a caseworker works in.",
    )
    phone = models.CharField(max_length=40, blank=True)
    mobile_phone = models.CharField(
        "mobile number for alerts",
        max_length=16,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+[1-9][0-9]{7,14}$",
                "Enter the mobile number in international form: a plus sign, the country code and the number, "
                "digits only, e.g. +15555550123.",
            )
        ],
        help_text="Alerts are also sent here by SMS when the agency sends SMS. E.g. +15555550123.",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username


class UserSession(models.Model):
    """A signed-in session of a user, so that all of them can be ended at once when the user's password changes
    or the account is deactivated (caseapp/sessions.py end_sessions_of): Django's session store cannot be
    searched by user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user} {short_time(self.created_at)}"


class CoveredPopulation(models.TextChoices):
    """Who the agency serves; §471(a)(9)(C)(i) covers more than youth in foster placements."""

    FOSTER_CARE = "foster_care", "In foster care"
    IN_HOME = "in_home", "Open in-home case"
    CHAFEE = "chafee", "Receiving Chafee (§477) services"
    EXTENDED_CARE = "extended_care", "Extended foster care (18–21)"
    UNDER_26 = "under_26", "Under 26 (agency option)"


class LegalStatus(models.TextChoices):
    TEMPORARY_CUSTODY = "temporary_custody", "Temporary custody"
    PERMANENT_CUSTODY = "permanent_custody", "Permanent custody"
    PARENTAL_RIGHTS_TERMINATED = "tpr", "Parental rights terminated"
    VOLUNTARY = "voluntary", "Voluntary placement agreement"
    IN_HOME_SUPERVISION = "in_home_supervision", "Court-ordered in-home supervision"
    EXTENDED_VOLUNTARY = "extended_voluntary", "Extended care (voluntary, 18+)"
    NONE = "none", "No court involvement"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Unknown"


class Race(models.TextChoices):
    # AFCARS race categories; a youth may have several.
    AMERICAN_INDIAN = "american_indian", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Other Pacific Islander"
    WHITE = "white", "White"
    UNKNOWN = "unknown", "Unknown"
    DECLINED = "declined", "Declined"


class Hispanic(models.TextChoices):
    YES = "yes", "Hispanic or Latino"
    NO = "no", "Not Hispanic or Latino"
    UNKNOWN = "unknown", "Unknown"


class EyeColor(models.TextChoices):
    BROWN = "brown", "Brown"
    BLUE = "blue", "Blue"
    GREEN = "green", "Green"
    HAZEL = "hazel", "Hazel"
    GRAY = "gray", "Gray"
    BLACK = "black", "Black"
    OTHER = "other", "Other"


class HairColor(models.TextChoices):
    BLACK = "black", "Black"
    BROWN = "brown", "Brown"
    BLOND = "blond", "Blond"
    RED = "red", "Red"
    GRAY = "gray", "Gray"
    WHITE = "white", "White"
    BALD = "bald", "Bald"
    DYED = "dyed", "Dyed / other colour"


class Complexion(models.TextChoices):
    LIGHT = "light", "Light"
    FAIR = "fair", "Fair"
    MEDIUM = "medium", "Medium"
    OLIVE = "olive", "Olive"
    BROWN = "brown", "Brown"
    DARK = "dark", "Dark"


class Eyewear(models.TextChoices):
    NONE = "none", "None"
    GLASSES = "glasses", "Glasses"
    CONTACTS = "contacts", "Contact lenses"
    BOTH = "both", "Glasses and contact lenses"


class YouthStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXITED = "exited", "Exited"


class YouthQuerySet(models.QuerySet):
    def with_current_placement(self):
        """Prefetch the current placement (as `current_placements`) so lists run a fixed number of queries."""
        return self.prefetch_related(
            models.Prefetch(
                "placements",
                queryset=Placement.objects.filter(end_date__isnull=True),
                to_attr="current_placements",
            )
        )


class Youth(models.Model):
    """A youth the agency serves: in foster care, in an open in-home case, or receiving services.

    Fields follow what the law and NCMEC need (docs/duties.md#population, #ncmec-packet). Never deleted:
    a youth who leaves the agency's care is marked exited.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="youth")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="youth")
    assigned_caseworkers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_youth"
    )
    case_number = models.CharField("agency case number", max_length=40)
    status = models.CharField(max_length=10, choices=YouthStatus.choices, default=YouthStatus.ACTIVE)
    exited_on = models.DateField(null=True, blank=True)
    covered_population = models.CharField(
        max_length=20, choices=CoveredPopulation.choices, default=CoveredPopulation.FOSTER_CARE
    )
    legal_status = models.CharField(max_length=30, choices=LegalStatus.choices, blank=True)
    entered_care_on = models.DateField("date entered care", null=True, blank=True)

    legal_first_name = models.CharField(max_length=80)
    legal_middle_name = models.CharField(max_length=80, blank=True)
    legal_last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    aliases = models.TextField("aliases and nicknames", blank=True, help_text="One per line.")
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    gender_identity = models.CharField(
        max_length=80, blank=True, help_text="Optional; in the youth's own words."
    )
    races = models.JSONField("race", default=list, blank=True)
    hispanic_latino = models.CharField(
        "Hispanic or Latino", max_length=10, choices=Hispanic.choices, default=Hispanic.UNKNOWN
    )
    primary_language = models.CharField(max_length=60, default="English")

    # Physical description as NCMEC and NCIC ask for it (docs/duties.md#ncmec-packet).
    height_inches = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_pounds = models.PositiveSmallIntegerField(null=True, blank=True)
    eye_color = models.CharField(max_length=10, choices=EyeColor.choices, blank=True)
    hair_color = models.CharField(max_length=10, choices=HairColor.choices, blank=True)
    complexion = models.CharField(max_length=10, choices=Complexion.choices, blank=True)
    eyewear = models.CharField(max_length=10, choices=Eyewear.choices, default=Eyewear.NONE)
    has_braces = models.BooleanField("wears braces", default=False)
    scars_marks_tattoos = models.TextField("scars, marks and tattoos", blank=True)
    piercings = models.TextField(blank=True)

    # Restricted: shown only to those who need them (access.can_see_restricted).
    ssn = models.CharField("SSN", max_length=11, blank=True)
    medical_needs = models.TextField("medical needs and conditions", blank=True)
    mental_health_needs = models.TextField(blank=True)
    medications = models.TextField(blank=True)
    medical_notes = models.TextField(blank=True)

    # Optimistic concurrency: a save must name the version it read (services/youth.py).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = YouthQuerySet.as_manager()

    RESTRICTED_FIELDS = ("ssn", "medical_needs", "mental_health_needs", "medications", "medical_notes")

    class Meta:
        verbose_name_plural = "youth"
        ordering = ["legal_last_name", "legal_first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "case_number"], name="youth_case_number_unique_in_agency"
            ),
            models.CheckConstraint(
                condition=Q(status="active", exited_on__isnull=True)
                | Q(status="exited", exited_on__isnull=False),
                name="youth_exit_date_iff_exited",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "team", "status"]),
            models.Index(fields=["agency", "legal_last_name", "legal_first_name"]),
            models.Index(fields=["agency", "date_of_birth"]),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.case_number})"

    @property
    def legal_name(self):
        return " ".join(
            p for p in (self.legal_first_name, self.legal_middle_name, self.legal_last_name) if p
        )

    @property
    def display_name(self):
        """The preferred first name when the youth has one, with the legal last name."""
        return f"{self.preferred_name or self.legal_first_name} {self.legal_last_name}"

    @property
    def alias_list(self):
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]

    @property
    def height_display(self):
        if not self.height_inches:
            return ""
        return f"{self.height_inches // 12} ft {self.height_inches % 12} in"

    def age_on(self, day):
        years = day.year - self.date_of_birth.year
        if (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years


def youth_photo_path(photo, filename):
    # Never the youth's name in a path: agency code, youth id and a random name only.
    return f"photos/{photo.youth.agency.code}/{photo.youth_id}/{filename}"


class YouthPhoto(models.Model):
    """A dated photo. The newest by date taken is the youth's current photo."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(upload_to=youth_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=40)
    taken_on = models.DateField(help_text="When the photo was taken.")
    caption = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_on", "-uploaded_at", "-id"]

    def __str__(self):
        return f"Photo {self.pk} of youth {self.youth_id}, taken {self.taken_on}"


class PlacementType(models.TextChoices):
    FOSTER_FAMILY = "foster_family", "Foster family home"
    RELATIVE_KINSHIP = "relative_kinship", "Relative / kinship home"
    GROUP_HOME = "group_home", "Group home"
    RESIDENTIAL_TREATMENT = "residential_treatment", "Residential treatment"
    SHELTER = "shelter", "Shelter"
    SUPERVISED_INDEPENDENT_LIVING = "sil", "Supervised independent living"
    PRE_ADOPTIVE = "pre_adoptive", "Pre-adoptive home"
    TRIAL_HOME_VISIT = "trial_home_visit", "Trial home visit"
    OTHER = "other", "Other"
    # Written by the missing-episode services, not chosen in the placement form: while missing, the
    # youth's AFCARS living arrangement is "runaway" (E120 = 12) or "whereabouts unknown" (13).
    MISSING_RUNAWAY = "missing_runaway", "Missing from care (left placement)"
    MISSING_WHEREABOUTS_UNKNOWN = "missing_unknown", "Missing from care (whereabouts unknown)"


MISSING_PLACEMENT_TYPES = (PlacementType.MISSING_RUNAWAY, PlacementType.MISSING_WHEREABOUTS_UNKNOWN)


class PlacementEndReason(models.TextChoices):
    MOVED = "moved", "Moved to another placement"
    CAREGIVER_REQUEST = "caregiver_request", "Caregiver asked for a move"
    YOUTH_REQUEST = "youth_request", "Youth asked for a move"
    STEP_DOWN = "step_down", "Step down to a less restrictive setting"
    STEP_UP = "step_up", "Step up to a more intensive setting"
    MISSING = "missing", "Youth missing from care"
    RETURNED = "returned", "Youth returned from missing"
    REUNIFICATION = "reunification", "Reunified with family"
    ADOPTION = "adoption", "Adoption finalised"
    GUARDIANSHIP = "guardianship", "Guardianship"
    EMANCIPATION = "emancipation", "Reached majority / emancipation"
    OTHER = "other", "Other"


class Placement(models.Model):
    """Where a youth lives, from start_date up to (not including) end_date.

    A youth's placements never overlap and at most one is current (end_date empty). Both are
    enforced in the database (a unique constraint here; an exclusion constraint on PostgreSQL and a
    trigger on SQLite, migration 0002) and checked first in services/placements.py for a clear message.
    """

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="placements")
    placement_type = models.CharField(max_length=30, choices=PlacementType.choices)
    provider_name = models.CharField("provider or caregiver", max_length=200)
    provider_phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=PlacementEndReason.choices, blank=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["youth"],
                condition=Q(end_date__isnull=True),
                name="placement_one_current_per_youth",
            ),
            # A missing spell may start and end on the same day (an empty range overlaps nothing).
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(end_date__gt=F("start_date"))
                | Q(end_date=F("start_date"), placement_type__in=["missing_runaway", "missing_unknown"]),
                name="placement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | ~Q(end_reason=""),
                name="placement_end_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["youth", "start_date"]),
            # The caseload's "current placement" filter: the youth now in a type of placement, without reading
            # every past placement (docs/design.md#speed).
            models.Index(
                fields=["placement_type", "youth"], condition=Q(end_date__isnull=True), name="placement_current_type"
            ),
        ]

    def __str__(self):
        return f"{self.get_placement_type_display()}: {self.provider_name}"

    @property
    def is_current(self):
        return self.end_date is None

    @property
    def afcars(self):
        return afcars.living_arrangement(self.placement_type)

    @property
    def is_missing_spell(self):
        return self.placement_type in MISSING_PLACEMENT_TYPES


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded"
    # Sign-in events (caseapp/signin_audit.py): object_type "user", the account's id ("" for an unknown username).
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKED_OUT = "locked_out", "Locked out"
    UNLOCKED = "unlocked", "Unlocked"
    SESSION_EXPIRED = "session_expired", "Session expired"
    TWO_FACTOR_ADDED = "2fa_added", "Second factor added"
    TWO_FACTOR_REMOVED = "2fa_removed", "Second factor removed"
    TWO_FACTOR_RESET = "2fa_reset", "Second factor reset by an admin"
    RECOVERY_CODES = "recovery_codes", "Recovery codes made"
    RECOVERY_CODE_USED = "recovery_used", "Recovery code used"
    PASSWORD_CHANGED = "password_changed", "Password changed by its owner"


# The sign-in events (caseapp/signin_audit.py). The sign-in activity page's partial indexes hold these rows only, so
# a kind added here changes their condition: makemigrations writes the new one.
SIGN_IN_ACTIONS = (
    AuditAction.SIGN_IN,
    AuditAction.SIGN_IN_FAILED,
    AuditAction.SIGN_OUT,
    AuditAction.LOCKED_OUT,
    AuditAction.UNLOCKED,
    AuditAction.SESSION_EXPIRED,
    AuditAction.TWO_FACTOR_ADDED,
    AuditAction.TWO_FACTOR_REMOVED,
    AuditAction.TWO_FACTOR_RESET,
    AuditAction.RECOVERY_CODES,
    AuditAction.RECOVERY_CODE_USED,
    AuditAction.PASSWORD_CHANGED,
)
SIGN_IN_EVENTS = models.Q(object_type="user", action__in=SIGN_IN_ACTIONS)


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Append-only: no view edits or deletes it."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, null=True, related_name="audit_events")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["youth", "-at"]),
            models.Index(fields=["agency", "-at"]),
            # The sign-in activity page reads the newest sign-in events first, a page at a time (keyset), of
            # everyone, of one person or of one kind: partial, so the page views that make up most of the trail
            # are neither in these indexes nor walked past (docs/design.md#speed).
            models.Index(fields=["-at", "-id"], condition=SIGN_IN_EVENTS, name="audit_signin_newest"),
            models.Index(fields=["object_id", "-at", "-id"], condition=SIGN_IN_EVENTS, name="audit_signin_person"),
            models.Index(fields=["action", "-at", "-id"], condition=SIGN_IN_EVENTS, name="audit_signin_kind"),
        ]

    def __str__(self):
        return f"{short_time(self.at)} {self.actor} {self.action} {self.object_type} {self.object_id}"


# --- Alerts -------------------------------------------------------------------------------------------------
# Alerts that are confirmed (docs/alerts.md): an in-app message about one youth, written in the same transaction
# as its cause (an outbox), delivered by email and SMS by Celery tasks, acknowledged once, and escalated along
# the on-call chain while nobody acknowledges. "Alert", never "notification": that word is the legal notices.


class AlertVia(models.TextChoices):
    APP = "app", "In the app"
    EMAIL = "email", "Email link"
    SMS = "sms", "SMS link"


class Alert(models.Model):
    """What happened, about one youth; `key` is the idempotency key of its cause ("run:123")."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="alerts")
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="alerts")
    kind = models.SlugField(max_length=40, help_text="e.g. run_logged, clock_reminder, clock_overdue")
    key = models.CharField(max_length=120, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="The email text.")
    sms_text = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=500, help_text="The page to act on (a path or an absolute URL).")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ack_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    ack_due_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_via = models.CharField(max_length=10, choices=AlertVia.choices, blank=True)
    escalation_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True, acknowledged_via="")
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False)
                & ~Q(acknowledged_via=""),
                name="alert_acknowledged_by_iff_at",
            ),
            models.CheckConstraint(
                condition=Q(ack_minutes__isnull=True, ack_due_at__isnull=True)
                | Q(ack_minutes__isnull=False, ack_due_at__isnull=False),
                name="alert_ack_due_iff_window",
            ),
        ]
        indexes = [
            # The escalation sweep: unacknowledged alerts past their window.
            models.Index(
                fields=["ack_due_at"],
                condition=Q(acknowledged_at__isnull=True, escalation_done_at__isnull=True, ack_due_at__isnull=False),
                name="alert_waiting_ack",
            ),
        ]

    def __str__(self):
        return f"{self.subject} ({self.key})"

    @property
    def is_acknowledged(self):
        return self.acknowledged_at is not None


class AlertRecipient(models.Model):
    """One person (or an email-only address) told of an alert; the in-app copy is this row."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="alert_copies"
    )
    email = models.EmailField(blank=True)
    reason = models.CharField(max_length=200)
    told_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["told_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "user"], condition=Q(user__isnull=False), name="alert_recipient_once_per_user"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""), name="alert_recipient_user_or_email"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.user or self.email}: {self.alert_id}"


class AlertChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class AlertDelivery(models.Model):
    """One message to send to one recipient by one channel; claimed with a conditional update so that
    delivering twice never sends twice (caseapp/alert_delivery.py)."""

    recipient = models.ForeignKey(AlertRecipient, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=AlertChannel.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "alert deliveries"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "channel"], name="alert_delivery_once_per_channel"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="alert_delivery_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.channel} to recipient {self.recipient_id}: {self.status}"

# ---------------------------------------------------------------------------------------------------------
# The on-call roster: who is alerted when a youth goes missing from care at any hour
# (caseapp/on_call.py reads it; docs/design.md#on-call).
# ---------------------------------------------------------------------------------------------------------


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OnCallQuerySet(models.QuerySet):
    def current(self):
        """Rows not removed. Removing keeps the row (removed_at/removed_by), so the roster of any past
        night can still be read when someone asks who was alerted and why."""
        return self.filter(removed_at__isnull=True)


class OnCallShift(models.Model):
    """A weekly on-call window: `user` is on call every `weekday` from `start_hour` to `end_hour`.

    Hours are whole hours of the agency's wall clock (caseapp.local_time.agency_zone), so a shift means the
    same clock times all year, DST days included. When end_hour <= start_hour the shift runs past midnight
    into the next day (22 -> 6 is 22:00 to 06:00 the next morning; Sunday 22 -> 6 ends on Monday). team
    empty means agency-wide. position 1 is first call, 2 the backup, and so on.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="on_call_shifts")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="on_call_shifts",
        help_text="Empty for agency-wide.",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_hour = models.PositiveSmallIntegerField(validators=[MaxValueValidator(23)])
    end_hour = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(24)])
    position = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = OnCallQuerySet.as_manager()

    class Meta:
        ordering = ["weekday", "start_hour", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="on_call_shift_weekday"),
            models.CheckConstraint(
                condition=Q(start_hour__gte=0, start_hour__lte=23, end_hour__gte=1, end_hour__lte=24),
                name="on_call_shift_hours_in_range",
            ),
            models.CheckConstraint(condition=~Q(start_hour=F("end_hour")), name="on_call_shift_not_empty"),
            models.CheckConstraint(condition=Q(position__gte=1), name="on_call_shift_position"),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removed_by__isnull=True)
                | Q(removed_at__isnull=False, removed_by__isnull=False),
                name="on_call_shift_removed_by_whom",
            ),
        ]
        indexes = [models.Index(fields=["agency", "removed_at"])]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_hour:02d}:00-{self.end_hour:02d}:00, position {self.position}"


class OnCallSwap(models.Model):
    """A one-off change to the roster: `user` covers from `starts_at` to `ends_at` (instants, typed in the
    agency's local time), in the place of `replaces`, or on top of the weekly pattern when it is empty."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="on_call_swaps")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="on_call_swaps",
        help_text="Empty for agency-wide.",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_swaps")
    replaces = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty when the person is added on top of the weekly pattern.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = OnCallQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="on_call_swap_starts_before_end"),
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | ~Q(replaces=F("user")), name="on_call_swap_not_self"
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removed_by__isnull=True)
                | Q(removed_at__isnull=False, removed_by__isnull=False),
                name="on_call_swap_removed_by_whom",
            ),
        ]
        indexes = [models.Index(fields=["agency", "ends_at"])]

    def __str__(self):
        return f"On-call swap {self.pk}: user {self.user_id} from {short_time(self.starts_at)}"
