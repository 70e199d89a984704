"""The risk app's work sources for "My work" (caseapp/work.py; docs/design.md#dependencies: registered from
risk/apps.py, so caseapp never names this app).

Four kinds, each a function `items(youth, now)` over a youth queryset the access gate has already scoped:

- "review_item": an open supervisor review (ReviewItem), due when the review is due (risk/review_due.py).
  It is the deciders' work (access.can_review_youth): the supervisors of the youth's team; for an
  identification item also the agency admins, the managers of the 4-hour rule (docs/risk-catalogue.md#bands)
  who are told when it is overdue (risk/escalation.py); and the admins when the team has no active supervisor,
  as the escalation emails fall back to them.
- "identification_report": the identified-victim report to law enforcement not made yet
  (docs/duties.md#identified-victim-24h), the caseworkers' work like the episode notices.
- "screening": a return not screened by risk/screened.py's one definition (docs/duties.md#missing-protocols:
  screen a returned youth; the audits found two thirds never were), for a youth still in the agency's care. Due
  with the return interview, which is where the screening usually happens. A return whose follow-up screening
  clock runs (the youth declined, or it was not possible) is listed once, as that clock's notice.
- "referral": a service referral with no outcome yet (sent or accepted: docs/risk-catalogue.md#referrals), the
  caseworkers' work. Every open referral is listed with the day its next step is due, as the notices are listed
  before their clock runs out: the caseworker follows it up, and a stalled one (its day over in the agency's
  zone, risk/referral_steps.py) is overdue on top of the list. It goes when it starts, is declined or is not
  available.
- "photo": a youth whose newest photo is no longer recent (missing_reports/recent_photo.py,
  docs/duties.md#recent-photo) while they are at home, so that a recent one is on file *before* they go
  missing: youth with an earlier episode, or whose current band is Elevated or above. Not a youth missing now:
  the run's own pages ask for the photo then.

Each source runs one query whatever the number of youth or items (the items, with the youth and what the due
time needs joined), names whose list each item is on by rule (caseapp.work.CASEWORKERS, ...; caseapp.work
resolves the owners of every source's items at once), and leaves "overdue" to caseapp.work.is_overdue, the
clock_state boundary. The identified-victim reports and the screenings are row sources
(caseapp.work.register_row_source: My work reads a page of them, ordered and counted in SQL, the screening's due
time a column, `screening_due_at`); the others give whole lists (a referral's and a photo's due day is turned
into a moment in the agency's zone in Python; the review items may name several rules).
"""

import datetime

from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseapp import work
from caseapp.local_time import agency_zone, display_date, short_time
from caseapp.models import YouthPhoto, YouthStatus
from missing_reports import deadlines, recent_photo
from missing_reports.models import EpisodeStatus, MissingEpisode, Notification

from . import referral_steps, screened, selectors
from .escalation import REPORT_LABEL
from .models import (
    OPEN_REFERRAL_STATUSES,
    Band,
    IdentificationReport,
    ReviewItem,
    ReviewStatus,
    ServiceReferral,
    Urgency,
)
from .services.referrals import status_word

REVIEW_ITEM = "review_item"
IDENTIFICATION_REPORT = "identification_report"
SCREENING = "screening"
PHOTO = "photo"
REFERRAL = "referral"
KINDS = (REVIEW_ITEM, IDENTIFICATION_REPORT, SCREENING, PHOTO, REFERRAL)

SCREENING_WHAT = "Trafficking screening after return"
PHOTO_WHAT = "Recent photo needed"
NO_PHOTO = "No photo on file"

# The bands at which a youth who has never been missing still needs a recent photo on file
# (docs/risk-catalogue.md#bands: Elevated is where the caseworker's own follow-up starts).
PHOTO_BANDS = tuple(Band.values[Band.values.index(Band.ELEVATED) :])


def _item(kind, youth, **fields):
    return work.WorkItem.about(youth, kind=kind, **fields)


# --- Review items -------------------------------------------------------------------------------------------


def review_owners(item) -> str:
    """Whose list an open review item is on, as a caseapp.work rule: the deciders (access.can_review_youth), the
    team's active supervisors, else the agency admins when the team has none, as the escalation emails fall
    back to them; the agency admins too for an identification item, the managers of its 4-hour rule."""
    if item.urgency == Urgency.IDENTIFICATION:
        return work.SUPERVISORS_AND_ADMINS
    return work.SUPERVISORS_ELSE_ADMINS


def review_items(youth, now):
    items = (
        ReviewItem.objects.filter(status=ReviewStatus.OPEN, youth__in=youth)
        .select_related("youth__agency")
        .order_by("urgency_rank", "due_at", "id")
    )
    return [
        _item(
            REVIEW_ITEM,
            item.youth,
            what=f"Review: {item.get_urgency_display()}",
            url=work.item_url("youth_risk_decide", item.youth_id),
            owners=review_owners(item),
            due_at=item.due_at,
            detail=f"In the review queue since {short_time(item.raised_at, agency_zone(item.youth.agency))}",
        )
        for item in items
    ]


# --- Identified-victim reports ------------------------------------------------------------------------------


def identification_report_rows(youth, now):
    return (
        IdentificationReport.objects.filter(IdentificationReport.OPEN, youth__in=youth)
        .select_related("youth")
        .annotate(**{work.DUE: F("due_at")})
    )


def identification_report_item(report, now):
    return _item(
        IDENTIFICATION_REPORT,
        report.youth,
        what=REPORT_LABEL,
        url=work.item_url("identification_report", report.pk),
        owners=work.CASEWORKERS,
        due_at=report.due_at,
    )


identification_reports = work.items_of_rows(identification_report_rows, identification_report_item)


# --- Screenings after a return ------------------------------------------------------------------------------


def screening_due_at():
    """When the screening of a return is due, as a column: with the return interview's clock when the return
    started one (the agency's or state's hours), else the app's default return-interview hours after the return.
    At most one return-interview clock an episode (missing_reports' notification_unique constraint)."""
    interview = Notification.objects.filter(
        episode=OuterRef("pk"), event=deadlines.RETURNED, party=deadlines.RETURN_INTERVIEW
    ).values("due_at")[:1]
    default = datetime.timedelta(hours=deadlines.DEFAULT_RETURN_INTERVIEW_HOURS)
    return Coalesce(Subquery(interview), ExpressionWrapper(F("returned_at") + default, DateTimeField()))


def screening_rows(youth, now):
    return (
        MissingEpisode.objects.filter(status=EpisodeStatus.RETURNED, youth__in=youth.filter(status=YouthStatus.ACTIVE))
        .exclude(screened.screened())
        # A return whose follow-up screening clock runs is listed once, as that clock (missing_reports' notices).
        .exclude(
            Exists(
                Notification.objects.filter(
                    episode=OuterRef("pk"), party=deadlines.SCREENING_FOLLOW_UP, done_at__isnull=True
                )
            )
        )
        .annotate(**{work.DUE: screening_due_at()})
        .select_related("youth__agency")
        .only("id", "youth", "returned_at", *work.item_youth_fields("youth__"))
    )


def screening_item(episode, now):
    return _item(
        SCREENING,
        episode.youth,
        what=SCREENING_WHAT,
        url=f"{work.item_url('risk_screening', episode.youth_id)}?episode={episode.pk}",
        owners=work.CASEWORKERS,
        due_at=getattr(episode, work.DUE),
        detail=f"Returned {short_time(episode.returned_at, agency_zone(episode.youth.agency))}",
    )


screenings = work.items_of_rows(screening_rows, screening_item)


# --- Service referrals with no outcome yet -------------------------------------------------------------------


def referrals(youth, now):
    open_referrals = (
        ServiceReferral.objects.filter(status__in=OPEN_REFERRAL_STATUSES, youth__in=youth)
        .select_related("youth__agency")
        .order_by("next_step_due", "id")
    )
    return [
        _item(
            REFERRAL,
            referral.youth,
            what=f"Referral: {referral.get_service_display()} ({status_word(referral.status)})",
            url=work.item_url("service_referral", referral.pk),
            owners=work.CASEWORKERS,
            due_at=referral_steps.due_at(referral.next_step_due, agency_zone(referral.youth.agency)),
            detail=f"Sent {display_date(referral.sent_on)}",
        )
        for referral in open_referrals
    ]


# --- A recent photo before a youth goes missing -------------------------------------------------------------


def photo_due_at(taken_on, zone) -> datetime.datetime:
    """The moment the newest photo stops being recent: the start of its first out-of-date day, in the agency's
    zone (missing_reports/recent_photo.py)."""
    first_day = recent_photo.out_of_date_from(taken_on)
    return datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)


def photos(youth, now):
    episodes = MissingEpisode.objects.filter(youth=OuterRef("pk"))
    newest_photo = YouthPhoto.objects.filter(youth=OuterRef("pk")).order_by("-taken_on").values("taken_on")[:1]
    candidates = (
        youth.filter(status=YouthStatus.ACTIVE)
        .annotate(
            has_episode=Exists(episodes),
            missing_now=Exists(episodes.filter(status=EpisodeStatus.OPEN)),
            band_now=selectors.current_band(),
            newest_photo_on=Subquery(newest_photo),
        )
        .filter(Q(has_episode=True) | Q(band_now__in=PHOTO_BANDS), missing_now=False)
        .select_related("agency")
        .only(*work.item_youth_fields())
        .order_by("pk")
    )
    found = []
    for one in candidates:
        zone = agency_zone(one.agency)
        taken_on = one.newest_photo_on
        if taken_on is not None and not recent_photo.is_out_of_date(taken_on, timezone.localdate(now, zone)):
            continue
        found.append(
            _item(
                PHOTO,
                one,
                what=PHOTO_WHAT,
                url=work.item_url("photo_upload", one.pk),
                owners=work.CASEWORKERS,
                due_at=photo_due_at(taken_on, zone) if taken_on else None,
                detail=f"Newest photo taken {display_date(taken_on)}" if taken_on else NO_PHOTO,
            )
        )
    return found


def register():
    """Called from risk/apps.py ready()."""
    work.register_work_source(REVIEW_ITEM, "Supervisor reviews", review_items, owners=work.ADMIN_RULES)
    # The reports and screenings are row sources: My work reads a page of them, ordered and counted in SQL.
    work.register_row_source(
        IDENTIFICATION_REPORT, "Identified-victim reports", identification_report_rows, identification_report_item,
        owners=[work.CASEWORKERS],
    )
    work.register_row_source(
        SCREENING, "Trafficking screenings after a return", screening_rows, screening_item, owners=[work.CASEWORKERS]
    )
    work.register_work_source(PHOTO, "Recent photos", photos, owners=[work.CASEWORKERS])
    work.register_work_source(REFERRAL, "Service referrals", referrals, owners=[work.CASEWORKERS])
