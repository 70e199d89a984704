"""Who sees and reviews a provider alert (docs/duties.md#provider-alert): the reads, scoped.

A provider alert is about a provider of the agency, not one youth, so it is not a caseapp.work WorkItem: it has its
own list on My work (a panel registered in caseapp/registry.py) and its own pages. Its scope is built on the gate's
(caseapp.access):

- agency staff (the licensing and compliance contact) and agency admins see every alert of their agency;
- a supervisor sees the alerts of a provider that had youth of a team they supervise in the period;
- caseworkers and anyone else: none (404).

Reviewing (closing with a note) is for the agency admins and those supervisors; agency staff read.
"""

from django.http import Http404

from caseapp import access
from caseapp.models import Role

from .models import ProviderAlert, ProviderAlertStatus

REVIEWER_ROLES = {Role.SUPERVISOR, Role.AGENCY_ADMIN}


def visible_to(user):
    """The alerts this user may see: none unless they run reports (access.can_export)."""
    if not access.can_export(user):
        return ProviderAlert.objects.none()
    alerts = ProviderAlert.objects.filter(agency_id=user.agency_id)
    if user.role == Role.SUPERVISOR:
        # An EXISTS, not a join: an alert of two of their teams is listed once.
        of_their_teams = ProviderAlert.teams.through.objects.filter(team__in=access.teams_visible_to(user))
        return alerts.filter(pk__in=of_their_teams.values("provideralert_id"))
    return alerts


def reviewable_by(user):
    """The alerts this user may close with a note: agency admins and the supervisors of the alert's teams."""
    if not access.can_export(user) or user.role not in REVIEWER_ROLES:
        return ProviderAlert.objects.none()
    return visible_to(user)


def can_review(user, alert) -> bool:
    return reviewable_by(user).filter(pk=alert.pk).exists()


def get_or_404(user, alert_id):
    try:
        return visible_to(user).select_related("closed_by").get(pk=alert_id)
    except (ProviderAlert.DoesNotExist, ValueError, TypeError):
        raise Http404("No such provider alert.") from None


def open_for_review(user):
    """The open alerts this user is to review: My work's "Provider reviews" list (one query)."""
    return list(reviewable_by(user).filter(status=ProviderAlertStatus.OPEN).order_by("opened_at", "id"))


def work_panel_context(user) -> dict:
    return {"provider_reviews": open_for_review(user)}


def listed(user, *, show_closed=False):
    alerts = visible_to(user)
    if not show_closed:
        alerts = alerts.filter(status=ProviderAlertStatus.OPEN)
    return alerts.select_related("closed_by").order_by("-opened_at", "-id")


