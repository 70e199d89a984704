"""Listeners for missing_reports' signals: an episode or a return changed, so reassess the youth.

The signals are sent after commit; enqueueing never fails the sender (caseapp.queue), and the
nightly reassessment catches anything a lost message missed.
"""

from missing_reports.services import screening_follow_up

from . import screened
from .services.observations import enqueue_reassess


def on_episode_changed(sender, episode_id, youth_id, **kwargs):
    enqueue_reassess(youth_id, f"Missing episode {episode_id} changed")


def on_debrief_recorded(sender, debrief, **kwargs):
    # A return already screened (a structured screening before this interview) needs no follow-up clock: done by it.
    earlier = (
        screened.counting_screenings().filter(episode_id=debrief.episode_id).order_by("conducted_at", "id").first()
    )
    if earlier is not None:
        screening_follow_up.complete(
            actor=debrief.interviewer, episode_id=debrief.episode_id, done_at=earlier.conducted_at,
            reference=f"Screening {earlier.pk}",
        )
    trigger = f"Return interview of episode {debrief.episode_id}"
    enqueue_reassess(debrief.episode.youth_id, trigger)
