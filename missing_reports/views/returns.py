"""Being written (issue 3)."""


def log_return(request, episode_id):
    raise NotImplementedError


def debrief_create(request, episode_id):
    raise NotImplementedError
