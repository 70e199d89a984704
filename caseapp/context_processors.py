from . import access


def roles(request):
    """What the navigation may offer this user."""
    user = getattr(request, "user", None)
    return {"can_manage_staff": access.can_manage_staff(user)}
