"""Being written (issue 3)."""


def missing_now(request):
    raise NotImplementedError
