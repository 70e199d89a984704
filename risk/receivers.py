"""Listeners for missing_reports' signals: an episode or a return changed, so reassess the youth.

The signals are sent after commit; enqueueing never fails the sender (caseapp.queue), and the
nightly reassessment catches anything a lost message missed.
"""

from .services.observations import enqueue_reassess


def on_episode_changed(sender, episode_id, youth_id, **kwargs):
    enqueue_reassess(youth_id, f"Missing episode {episode_id} changed")


def on_debrief_recorded(sender, debrief, **kwargs):
    trigger = f"Return interview of episode {debrief.episode_id}"
    enqueue_reassess(debrief.episode.youth_id, trigger)
