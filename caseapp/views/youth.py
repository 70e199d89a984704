"""Caseload, youth record, and youth create/edit. Thin: selectors read, services write."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from .. import access, conflicts, registry, selectors
from ..audit import client_ip
from ..forms.base import add_service_error, call_service
from ..forms.youth import YouthForm
from ..services import youth as youth_services
from ..services.errors import EditConflict


def caseload(request):
    filterset, page = selectors.caseload_page(request.user, request.GET)
    query = request.GET.copy()
    for paging in ("page", "after", "before"):
        query.pop(paging, None)
    return render(
        request,
        "caseapp/caseload.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
        },
    )


def youth_detail(request, youth_id):
    context = selectors.youth_detail(request.user, youth_id)
    # This page shows several apps' data: each app's registered panels supply their part.
    for slot in (registry.YOUTH_ACTIONS, registry.YOUTH_SECTIONS):
        context.update(registry.panel_context(slot, request.user, youth=context["youth"]))
    youth_services.record_view(
        actor=request.user, youth=context["youth"], ip=client_ip(request),
        restricted_shown=context["show_restricted"],
    )
    return render(request, "caseapp/youth_detail.html", context)


def youth_create(request):
    teams = access.teams_for_new_youth(request.user)
    if not teams.exists():
        raise PermissionDenied
    agency_id = request.user.agency_id or teams.first().agency_id
    form = YouthForm(
        request.POST or None, user=request.user, agency_id=agency_id, show_restricted=True,
        initial={"team": teams.first() if teams.count() == 1 else None, "assigned_caseworkers": [request.user]},
    )
    if request.method == "POST" and form.is_valid():
        fields, caseworkers = form.service_fields()
        youth = call_service(request, form, youth_services.create_youth, assigned_caseworkers=caseworkers, **fields)
        if youth is not None:
            messages.success(request, f"Record created for {youth.display_name}.")
            return redirect("youth_detail", youth_id=youth.pk)
    return render(request, "caseapp/youth_form.html", {"form": form, "youth": None})


def youth_edit(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    show_restricted = access.can_see_restricted(request.user, youth)
    form_kwargs = {"user": request.user, "agency_id": youth.agency_id, "show_restricted": show_restricted}
    if request.method == "POST":
        form = YouthForm(request.POST, instance=youth, **form_kwargs)
        if form.is_valid():
            fields, caseworkers = form.service_fields()
            try:
                youth_services.update_youth(
                    actor=request.user, youth_id=youth.pk,
                    expected_version=form.cleaned_data.get("version"),
                    assigned_caseworkers=caseworkers, ip=client_ip(request), **fields,
                )
            except EditConflict as exc:
                # Restricted fields are not in the form of a user who may not see them: never merged or shown.
                current = exc.current
                form = conflicts.rebuild(
                    form,
                    lambda initial: YouthForm(
                        instance=current, initial={"version": current.version, **initial}, **form_kwargs
                    ),
                    current=current,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Changes saved.")
                return redirect("youth_detail", youth_id=youth.pk)
    else:
        form = YouthForm(instance=youth, initial={"version": youth.version}, **form_kwargs)
    return render(request, "caseapp/youth_form.html", {"form": form, "youth": youth})
