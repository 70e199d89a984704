"""What "screened" means for a return: the one definition every report, page and work list asks.

A returned episode counts as screened only when a structured trafficking screening (risk.models.Screening) is
recorded for that episode, and the youth did not decline it. The return interview's answer to "was the structured
screening done at this interview?" is the interviewer's account, never a count: a tick with no screening on
file hid unscreened returns (docs/duties.md#return-interview). missing_reports does not import
this module (docs/design.md#dependencies); exports and risk's own pages do.
"""

from django.db.models import Exists, OuterRef

from .models import Screening

DEFINITION = (
    "Screened: a structured trafficking screening recorded for the return; a debrief's tick does not count, "
    "nor a screening the youth declined."
)


def counting_screenings():
    """The structured screenings that count: those in which the youth did not decline."""
    return Screening.objects.filter(youth_declined=False, episode__isnull=False)


def screened(episode_ref: str = "pk") -> Exists:
    """An annotation for a queryset whose `episode_ref` is an episode id: True when that return was screened."""
    return Exists(counting_screenings().filter(episode_id=OuterRef(episode_ref)))


def counts(screening) -> bool:
    """Whether one recorded screening makes its episode screened (the same rule as `counting_screenings`)."""
    return screening.episode_id is not None and not screening.youth_declined
