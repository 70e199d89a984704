"""Log a return and record the return interview (debrief). Thin: selectors read, services write."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from caseapp import conflicts
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error, note_wording, save_through_service
from caseapp.services.errors import EditConflict

from .. import selectors
from ..forms.returns import DebriefForm, ReturnForm
from ..models import SCREENING_TRY_AGAIN, ScreeningDone
from ..services import episodes as episode_services
from ..work import screening_url


def log_return(request, episode_id):
    episode = selectors.get_episode_or_404(request.user, episode_id, for_edit=True)
    if not episode.is_open and request.method != "POST":
        messages.info(request, "This episode already has a return recorded.")
        return redirect("episode_detail", episode_id=episode.pk)
    if request.method == "POST":
        form = ReturnForm(request.POST, request.FILES, instance=episode)
        if form.is_valid():
            version, photo, same_placement, fields = form.service_fields()
            try:
                episode_services.log_return(
                    actor=request.user, episode_id=episode.pk, expected_version=version,
                    continue_previous_placement=same_placement, recovery_photo=photo,
                    ip=client_ip(request), **fields,
                )
            except EditConflict as exc:
                current = exc.current
                form = conflicts.rebuild(
                    form, lambda initial: ReturnForm(instance=current, initial={"version": current.version, **initial}),
                    current=current,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Return recorded. {episode.youth.display_name} is no longer listed as missing. The recovery "
                    "notices to law enforcement and NCMEC and the return-interview clock have started.",
                )
                note_wording(request, form)
                return redirect("episode_detail", episode_id=episode.pk)
    else:
        form = ReturnForm(instance=episode, initial={"version": episode.version})
    return render(
        request, "missing_reports/return_form.html", {"form": form, "episode": episode}
    )


def debrief_create(request, episode_id):
    """The first return interview, or a follow-up one when the episode already has one."""
    episode = selectors.get_episode_or_404(request.user, episode_id, for_edit=True)
    if request.method != "POST" and episode.is_open:
        messages.warning(request, "Record the return before the return interview.")
        return redirect("episode_detail", episode_id=episode.pk)
    follow_up = episode.debriefs.exists()
    form = DebriefForm(request.POST or None, youth=episode.youth)
    debrief = save_through_service(request, form, episode_services.record_debrief, episode_id=episode.pk)
    if debrief is not None:
        answer = form.cleaned_data["trafficking_screening_done"]
        screened = answer == ScreeningDone.YES
        done = "Follow-up interview recorded." if follow_up else (
            "Return interview recorded. The return-interview clock is done."
        )
        then = ""
        if screened:
            then = " Now record the structured trafficking screening: only that counts the return as screened."
        elif answer in SCREENING_TRY_AGAIN:
            then = (
                f" The follow-up screening clock runs: {debrief.follow_up_adult_display} tries again within "
                f"{episode.youth.agency.screening_follow_up_days} days."
            )
        messages.success(request, done + then)
        note_wording(request, form)
        if screened:
            # What the screening found goes into the risk module's structured screening, named here by its
            # URL only (missing_reports does not import risk).
            return redirect(screening_url(episode))
        return redirect("episode_detail", episode_id=episode.pk)
    return render(
        request, "missing_reports/debrief_form.html",
        {"form": form, "episode": episode, "follow_up": follow_up, "screening_url": screening_url(episode)},
    )
