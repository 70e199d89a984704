"""Being written (issue 3): reminders before a clock runs out, overdue marks after."""


def announce_run(episode_id):
    raise NotImplementedError


def sweep(now=None):
    raise NotImplementedError
