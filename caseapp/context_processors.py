from . import access, selectors, sessions, work


def roles(request):
    """`nav`: what the navigation (and any page's role-dependent link) may offer this user, asked of the
    gate (caseapp/access.py), so templates name no role; and the count of the user's overdue work items
    for the top bar (caseapp/work.py: shared with the page when it computed the list, else kept per user for
    a minute)."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated and user.is_active)
    overdue = 0
    if signed_in:
        overdue = work.top_bar_overdue_count(request)
    # One query for both: adding a youth record and reporting a youth missing need a role that edits youth records.
    can_add_youth = access.teams_for_new_youth(user).exists()
    return {
        "nav": {
            "can_review": access.can_review_youth(user),
            "can_export": access.can_export(user),
            "can_manage_staff": access.can_manage_staff(user),
            "can_manage_agency_settings": access.can_manage_agency_settings(user),
            "can_see_on_call": access.can_see_on_call(user),
            "can_report_missing": can_add_youth,
            "can_add_youth": can_add_youth,  # the caseload's "Add a youth"
            # One query: the top bar's "Alerts, N unread" (docs/alerts.md).
            "alerts_unread": selectors.unread_alert_count(user) if getattr(user, "is_authenticated", False) else 0,
            "can_see_team_work": access.can_see_team_work(user),
            "my_overdue_count": overdue,
            # The idle warning's timing (caseapp/sessions.py; static/js/session-timeout.js).
            "session": _session_limits(user) if signed_in else None,
        },
    }


def _session_limits(user):
    idle = sessions.idle_minutes(user)
    return {"idle_seconds": idle * 60, "warning_seconds": sessions.warning_seconds(idle)}
