from . import access


def roles(request):
    """What the navigation may offer this user."""
    user = getattr(request, "user", None)
    return {
        "can_manage_staff": access.can_manage_staff(user),
        # Reporting a youth missing needs a role that edits youth records.
        "can_report_missing": access.teams_for_new_youth(user).exists() if user and user.is_authenticated else False,
    }
