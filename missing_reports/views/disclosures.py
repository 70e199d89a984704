"""Record a disclosure (docs/duties.md#disclosures). Editors of the youth only; anyone else gets a 404.

Thin: selectors read (scoped through caseapp.access), services.disclosures writes and checks every rule.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from caseapp.forms.base import call_service, note_wording

from .. import selectors
from ..forms.disclosures import DisclosureForm
from ..services import disclosures


def disclosure_create(request, episode_id):
    episode = selectors.get_episode_or_404(request.user, episode_id, for_edit=True)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = call_service(request, form, disclosures.record_disclosure, episode_id=episode.pk, **form.cleaned_data)
        if saved is not None:
            messages.success(
                request, "The disclosure is recorded, its reports' clocks have started and the supervisors are alerted."
            )
            note_wording(request, form)
            return redirect(reverse("episode_detail", args=[episode.pk]) + "#disclosures-h")
    return render(request, "missing_reports/disclosure_form.html", {"form": form, "episode": episode})
