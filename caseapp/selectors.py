"""Reads of the core records, already scoped and prefetched so a page runs a fixed number of queries."""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch

from . import access
from .filters import CaseloadFilter
from .models import AuditAction, AuditEvent, Placement, Race, Youth, YouthPhoto


def caseload_page(user, params, page_number):
    """The caseload list: filtered, ordered and paginated, with current placement prefetched."""
    filterset = CaseloadFilter(params or None, user=user)
    # Filters that do not parse show nothing rather than everything.
    valid = not filterset.is_bound or filterset.is_valid()
    queryset = filterset.qs if valid else access.youth_visible_to(user).none()
    queryset = (
        queryset.select_related("team")
        .with_current_placement()
        .order_by("legal_last_name", "legal_first_name", "id")
    )
    page = Paginator(queryset, settings.PAGE_SIZE).get_page(page_number)
    return filterset, page


@dataclass
class Change:
    at: object
    who: object
    what: str  # "youth record" or the placement's description
    kind: str  # "created", "changed"
    fields: list  # (label, old, new)


def _field_label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name


def _diffs(records, model, hidden):
    """Turn newest-first history records of one object into Change rows, diffing neighbours in Python."""
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=True):
        if older is None:
            changes.append(Change(newer.history_date, newer.history_user, "", "created", []))
            continue
        fields = []
        for c in newer.diff_against(older).changes:
            if c.field in hidden:
                fields.append((_field_label(model, c.field), "(restricted)", "(restricted)"))
            else:
                fields.append((_field_label(model, c.field), c.old, c.new))
        if fields:
            changes.append(Change(newer.history_date, newer.history_user, "", "changed", fields))
    return changes


def youth_change_history(youth, *, show_restricted):
    """The youth's and its placements' changes, newest first, with field-level diffs."""
    limit = settings.YOUTH_HISTORY_ROWS
    hidden = set() if show_restricted else set(Youth.RESTRICTED_FIELDS)
    youth_records = list(
        youth.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    changes = []
    for change in _diffs(youth_records, Youth, hidden)[:limit]:
        change.what = "Youth record"
        changes.append(change)
    placement_records = list(
        Placement.history.filter(youth_id=youth.pk)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")[: limit * 4]
    )
    by_placement = {}
    for record in placement_records:
        by_placement.setdefault(record.id, []).append(record)
    for records in by_placement.values():
        for change in _diffs(records, Placement, set()):
            change.what = f"Placement: {records[0].get_placement_type_display()}, {records[0].provider_name}"
            changes.append(change)
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]


def recent_access(youth):
    return list(
        AuditEvent.objects.filter(youth=youth, action=AuditAction.VIEW, object_type="youth")
        .select_related("actor")
        .order_by("-at", "-id")[: settings.YOUTH_HISTORY_ROWS]
    )


def youth_detail(user, youth_id):
    """Everything the youth page shows, in a fixed number of queries."""
    youth = access.get_youth_or_404(
        user,
        youth_id,
        queryset=Youth.objects.select_related("team", "agency").prefetch_related(
            "assigned_caseworkers",
            Prefetch("placements", queryset=Placement.objects.order_by("-start_date", "-id")),
            Prefetch("photos", queryset=YouthPhoto.objects.select_related("uploaded_by")),
        ),
    )
    show_restricted = access.can_see_restricted(user, youth)
    placements = list(youth.placements.all())
    photos = list(youth.photos.all())
    show_access = access.can_see_access_log(user, youth)
    return {
        "youth": youth,
        "race_labels": [Race(r).label for r in youth.races if r in Race.values],
        "placements": placements,
        "current_placement": next((p for p in placements if p.is_current), None),
        "photos": photos,
        "current_photo": photos[0] if photos else None,
        "show_restricted": show_restricted,
        "can_edit": access.can_edit_youth(user, youth),
        "show_access_log": show_access,
        "recent_access": recent_access(youth) if show_access else [],
        "changes": youth_change_history(youth, show_restricted=show_restricted),
    }


def dashboard_summary(user):
    """Counts for the home page, in the user's scope. Later issues add the missing-now board here."""
    youth = access.youth_visible_to(user)
    active = youth.filter(status="active")
    return {
        "active_count": active.count(),
        "assigned_count": active.filter(assigned_caseworkers=user).count(),
        "no_placement_count": active.filter(covered_population="foster_care")
        .exclude(pk__in=Placement.objects.filter(end_date__isnull=True).values("youth_id"))
        .count(),
        "recently_viewed": list(
            Youth.objects.filter(
                pk__in=AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW, object_type="youth")
                .order_by("-at")
                .values("youth_id")[:50]
            )
            .filter(pk__in=youth.values("pk"))
            .select_related("team")[:5]
        ),
    }
