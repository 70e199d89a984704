"""Being written (issue 3)."""


def report_missing_pick_youth(request):
    raise NotImplementedError


def log_run(request, youth_id):
    raise NotImplementedError


def episode_detail(request, episode_id):
    raise NotImplementedError


def episode_edit(request, episode_id):
    raise NotImplementedError


def search_effort_create(request, episode_id):
    raise NotImplementedError


def review_create(request, episode_id):
    raise NotImplementedError
