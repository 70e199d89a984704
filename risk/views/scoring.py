"""Risk pages (scoring): an agency admin adjusts the indicator weights and band thresholds of their own
agency (docs/risk-catalogue.md#bands: to be recalibrated on local data), and reads the version history.

Everyone else gets a 404: the page is agency-wide settings (access.can_manage_agency_settings), and
an admin only ever sees and changes their own agency's versions. A change is a new ScoringVersion
(risk.services.scoring.change_scoring: audited; past snapshots keep the version they were computed with).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from caseapp import access, conflicts
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error
from caseapp.local_time import agency_zone, short_time
from caseapp.services.errors import EditConflict

from .. import assessment, catalogue
from ..forms.scoring import THRESHOLDS, ScoringForm
from ..models import Category, Indicator, ScoringVersion
from ..services import scoring as scoring_services

THRESHOLD_LABELS = dict(THRESHOLDS)


def _agency_of_admin(user):
    if not access.can_manage_agency_settings(user) or user.agency_id is None:
        raise Http404("No such page.")
    return user.agency


def _categories(form, indicators):
    """The catalogue by category, each indicator with its weight select (none for a tripwire)."""
    rows = {code: [] for code in Category.values}
    for indicator in indicators:
        field = None if indicator.weight is None else form.weight_field(indicator)
        rows[indicator.category].append({"indicator": indicator, "field": field})
    return [
        {"code": code, "name": name, "about": about, "rows": rows[code]}
        for code, (name, about) in catalogue.CATEGORIES.items()
        if rows.get(code)
    ]


def _changes(before, after):
    """What a version changed against the one before it: ["C3.2: 1 → 2", "High from: 10 → 12"]."""
    lines = [
        f"{code}: {before['weights'].get(code)} → {weight}"
        for code, weight in sorted(after["weights"].items(), key=lambda item: _code_key(item[0]))
        if before["weights"].get(code) != weight
    ]
    lines += [
        f"{THRESHOLD_LABELS[name]}: {before['thresholds'].get(name)} → {value}"
        for name, value in after["thresholds"].items()
        if before["thresholds"].get(name) != value
    ]
    return lines


def _code_key(code):
    category, _, number = code.partition(".")
    return category, int(number) if number.isdigit() else 0


def version_history(agency, defaults):
    """The agency's versions, newest first, each with what it changed against the one before."""
    versions = list(ScoringVersion.objects.filter(agency=agency).select_related("created_by").order_by("number"))
    before = {"weights": dict(defaults.weights), "thresholds": dict(defaults.thresholds)}
    history = []
    for version in versions:
        after = {
            "weights": {**defaults.weights, **version.weights},
            "thresholds": {**defaults.thresholds, **version.thresholds},
        }
        history.append(
            {
                "version": version,
                "created_local": short_time(version.created_at, agency_zone(agency)),
                "changes": _changes(before, after),
            }
        )
        before = after
    return history[::-1]


def scoring(request):
    agency = _agency_of_admin(request.user)
    version, current = assessment.agency_settings(agency)
    number = version.number if version else 0
    indicators = list(Indicator.objects.filter(active=True).order_by("sort_order", "code"))
    form_kwargs = {"indicators": indicators, "current": current}
    if request.method == "POST":
        form = ScoringForm(request.POST, **form_kwargs)
        if form.is_valid():
            weights, thresholds = form.overrides()
            try:
                saved = scoring_services.change_scoring(
                    actor=request.user, weights=weights, thresholds=thresholds, reason=form.cleaned_data["reason"],
                    expected_number=form.cleaned_data["expected_number"], ip=client_ip(request),
                )
            except EditConflict:
                # The weights only this admin changed are kept on top of the newer version.
                version, current = assessment.agency_settings(agency)
                newer = {"indicators": indicators, "current": current}
                form = conflicts.rebuild(
                    form, lambda initial: ScoringForm(initial={"expected_number": version.number, **initial}, **newer),
                    changed_by=(version.created_by, version.created_at),
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Saved as version {saved.number}. Every youth of the agency is being reassessed with it; "
                    "earlier assessments keep the version they were computed with.",
                )
                return redirect("risk_scoring")
    else:
        form = ScoringForm(initial={"expected_number": number}, **form_kwargs)
    defaults = assessment.settings_from({}, {})
    context = {
        "agency": agency,
        "form": form,
        "version": version,
        "categories": _categories(form, indicators),
        "history": version_history(agency, defaults),
        "default_thresholds": catalogue.DEFAULT_THRESHOLDS,
        "vulnerability_caps": catalogue.VULNERABILITY_CAPS,
        "leave_url": reverse("risk_scoring"),
    }
    return render(request, "risk/scoring_page.html", context)


urlpatterns = [path("risk/scoring/", scoring, name="risk_scoring")]
