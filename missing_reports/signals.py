"""Signals other apps listen to, so missing_reports never imports them (docs/design.md#dependencies: risk reads us)."""

from django.dispatch import Signal

# Sent after commit when a return interview is recorded, with `debrief`. The risk module's
# structured trafficking screening hooks in here.
debrief_recorded = Signal()

# Sent after commit whenever an episode's facts change (run logged or edited, return logged, a notice
# recorded), with `episode_id` and `youth_id`. The risk module re-runs its episode-history rules.
episode_changed = Signal()
