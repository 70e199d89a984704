"""Add, correct and end a youth's placements."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from .. import access, conflicts, registry
from ..audit import client_ip
from ..forms.base import add_service_error, call_service
from ..forms.placements import EndPlacementForm, PlacementForm
from ..services import placements as placement_services
from ..services.errors import EditConflict


def placement_create(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    current = youth.placements.filter(end_date__isnull=True).first()
    form = PlacementForm(request.POST or None, offer_end_current=current is not None)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        saved = call_service(request, form, placement_services.add_placement, youth_id=youth.pk, **fields)
        if saved is not None:
            messages.success(request, "Placement recorded.")
            return redirect("youth_detail", youth_id=youth.pk)
    # What the apps above caseapp put in front of the caseworker when a youth moves (caseapp/registry.py).
    panels = registry.panel_context(registry.PLACEMENT_FORM, request.user, youth=youth)
    return render(
        request, "caseapp/placement_form.html",
        {"form": form, "youth": youth, "placement": None, "current": current, **panels},
    )


def placement_edit(request, youth_id, placement_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    placement = access.get_in_scope_or_404(youth.placements.all(), placement_id)
    if request.method == "POST":
        form = PlacementForm(request.POST, instance=placement)
        if form.is_valid():
            try:
                placement_services.update_placement(
                    actor=request.user, youth_id=youth.pk, placement_id=placement.pk,
                    expected_version=form.cleaned_data.get("version"), ip=client_ip(request),
                    **form.service_fields(),
                )
            except EditConflict as exc:
                current = exc.current
                form = conflicts.rebuild(
                    form,
                    lambda initial: PlacementForm(instance=current, initial={"version": current.version, **initial}),
                    current=current,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Placement updated.")
                return redirect("youth_detail", youth_id=youth.pk)
    else:
        form = PlacementForm(instance=placement, initial={"version": placement.version})
    return render(
        request, "caseapp/placement_form.html", {"form": form, "youth": youth, "placement": placement}
    )


def placement_end(request, youth_id, placement_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    placement = access.get_in_scope_or_404(youth.placements.all(), placement_id)
    form = EndPlacementForm(
        request.POST or None,
        initial={"version": placement.version, "end_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            placement_services.end_placement(
                actor=request.user, youth_id=youth.pk, placement_id=placement.pk, ip=client_ip(request),
                expected_version=form.cleaned_data["version"], end_date=form.cleaned_data["end_date"],
                end_reason=form.cleaned_data["end_reason"],
            )
        except EditConflict as exc:
            current = exc.current
            form = conflicts.rebuild(
                form,
                lambda initial: EndPlacementForm(
                    initial={"version": current.version, "end_date": timezone.localdate(), **initial}
                ),
                current=current,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Placement ended.")
            return redirect("youth_detail", youth_id=youth.pk)
    return render(
        request, "caseapp/placement_end.html", {"form": form, "youth": youth, "placement": placement}
    )
