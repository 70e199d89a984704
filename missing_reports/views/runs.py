"""Report a youth missing from care, the episode page, and its later additions.

Thin: selectors read (scoped through caseapp.access), services write and check every rule.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from caseapp import access, audit, conflicts, work
from caseapp import selectors as caseapp_selectors
from caseapp.audit import client_ip
from caseapp.forms.base import add_service_error, note_wording, save_through_service
from caseapp.local_time import duration, short_time
from caseapp.models import AuditAction
from caseapp.services.errors import EditConflict

from .. import deadlines, selectors
from ..clock_state import ClockState
from ..forms.runs import EpisodeForm, ReviewForm, RunForm, SearchEffortForm
from ..models import (
    Debrief,
    Disclosure,
    EpisodeStatus,
    LawEnforcementRefusal,
    MissingEpisode,
    Notification,
    NotificationUpdate,
    PacketKind,
    PacketStatus,
    PacketSubmission,
    PacketVersion,
    PrimaryFactor,
    ResponseAction,
    ReturnResponse,
    SearchEffort,
    SupervisoryReview,
)
from ..packets import changes, completeness
from ..packets import facts as packet_facts
from ..services import agency_rules, le_followup
from ..services import episodes as episode_services
from ..work import screening_url

# --- Report missing: pick a youth ----------------------------------------------------------------


def report_missing_pick_youth(request):
    # The roles that may open records may report a run; agency staff and unknown roles may not.
    if not access.teams_for_new_youth(request.user).exists():
        raise PermissionDenied
    q, page = caseapp_selectors.youth_to_report_missing_page(
        request.user,
        request.GET,
        rows=lambda youth: youth.select_related("team").prefetch_related(
            Prefetch(
                "missing_episodes",
                queryset=MissingEpisode.objects.filter(status=EpisodeStatus.OPEN),
                to_attr="open_episodes",
            )
        ),
    )
    return render(
        request,
        "missing_reports/report_missing_pick.html",
        {"page": page, "q": q, "query": urlencode({"q": q}) if q else ""},
    )


# --- Report missing: the run form ------------------------------------------------------------------


def _open_episode(user, youth):
    return selectors.episodes_visible_to(user).filter(youth=youth, status=EpisodeStatus.OPEN).first()


YOUTH_EPISODES_PER_PAGE = 50


def youth_episodes(request, youth_id):
    """All of a youth's missing episodes (the youth page lists the open one and the newest: YOUTH_EPISODES_SHOWN),
    a page at a time, with the same summary per episode. 404 outside the user's scope."""
    youth = access.get_youth_or_404(request.user, youth_id)
    page = Paginator(selectors.youth_episodes(request.user, youth), YOUTH_EPISODES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_clock_summaries(list(page.object_list), timezone.now())
    audit.record(request.user, AuditAction.VIEW, youth, youth=youth, ip=client_ip(request))
    return render(
        request,
        "missing_reports/youth_episodes.html",
        {"youth": youth, "page": page, "can_edit": access.can_edit_youth(request.user, youth)},
    )


def log_run(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    open_episode = _open_episode(request.user, youth)
    # What the record supports today: ticked on the form with its reasons (the service recomputes on save).
    record_reasons = selectors.record_endangerment(youth, timezone.now())
    form = RunForm(request.POST or None, youth=youth, record_reasons=record_reasons)
    if request.method == "POST" and form.is_valid():
        try:
            episode = episode_services.log_run(
                actor=request.user, youth_id=youth.pk, ip=client_ip(request), **form.service_fields()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            open_episode = _open_episode(request.user, youth)
        else:
            first = episode.notifications.order_by("due_at", "id").first()
            messages.success(
                request,
                f"{youth.display_name} is recorded as missing from care and the reporting clocks have started. "
                f"First due: {first.label}, by {short_time(first.due_at)}.",
            )
            if episode.living_arrangement_note:
                messages.warning(request, episode.living_arrangement_note)
            note_wording(request, form)
            return redirect("episode_detail", episode_id=episode.pk)
    # What the agency's rules will require, so the caseworker knows before saving.
    clocks = agency_rules.deadlines_for(youth.agency, deadlines.MISSING, timezone.now())
    return render(
        request,
        "missing_reports/log_run.html",
        {
            "form": form,
            "youth": youth,
            "open_episode": open_episode,
            "clocks": [(deadlines.party_label(deadlines.MISSING, c.party), c.span) for c in clocks],
        },
    )


# --- The episode page ------------------------------------------------------------------------------


@dataclass
class ClockRow:
    notification: Notification
    state: ClockState
    timing: str  # "due in 3 h 20 min", "overdue by 6 h", "on time", "late by 2 h"
    record_url: str | None  # where an editor records (or corrects) it
    refusal_url: str | None = None  # the report of a run: where an editor records that law enforcement said no
    closed: bool = False  # not done and not required: its disclosure was withdrawn as recorded in error


def _clock_rows(episode, notifications, now, *, has_debrief):
    rows = []
    for n in notifications:
        if n.party == deadlines.RETURN_INTERVIEW:
            # Done by recording the debrief, never on the notice form.
            url = None if has_debrief else reverse("debrief_create", args=[episode.pk])
        elif n.party == deadlines.SCREENING_FOLLOW_UP:
            # Done by recording the structured screening (risk's page, named by its URL only).
            url = None if n.is_done else screening_url(episode)
        else:
            url = reverse("notification_record", args=[n.pk])
        refusal_url = reverse("le_refusal_create", args=[n.pk]) if le_followup.is_run_report(n) else None
        if n.is_closed:
            rows.append(ClockRow(n, n.state(now), "not required", None, None, closed=True))
            continue
        rows.append(ClockRow(n, n.state(now), n.timing(now), url, refusal_url))
    return rows


def _load_episode_page(episode):
    """Everything the page lists, in a fixed number of queries whatever the lists' lengths."""
    prefetch_related_objects(
        [episode],
        Prefetch(
            "notifications",
            queryset=Notification.objects.select_related("done_by", "disclosure")
            .prefetch_related(
                Prefetch("updates", queryset=NotificationUpdate.objects.select_related("sent_by")),
                Prefetch("refusals", queryset=LawEnforcementRefusal.objects.select_related("recorded_by")),
            )
            .order_by("due_at", "id"),
        ),
        Prefetch("search_efforts", queryset=SearchEffort.objects.select_related("made_by")),
        Prefetch("reviews", queryset=SupervisoryReview.objects.select_related("reviewer")),
        Prefetch(
            "debriefs",
            queryset=Debrief.objects.select_related("interviewer", "follow_up_adult").prefetch_related(
                Prefetch("response_actions", queryset=ResponseAction.objects.select_related("owner", "done_by"))
            ),
        ),
        Prefetch("disclosures", queryset=Disclosure.objects.select_related("recorded_by")),
        Prefetch("responses", queryset=ReturnResponse.objects.select_related("decided_by")),
    )
    return list(episode.debriefs.all())


# Who asks for what a packet lacks, as the packet section says it.
PACKET_ASKED_BY = {
    PacketKind.NCMEC: "NCMEC",
    PacketKind.LAW_ENFORCEMENT: "Law enforcement",
    PacketKind.RECOVERY: "NCMEC and law enforcement",
}


@dataclass
class MissingLink:
    message: str
    url: str | None  # the page with the field to fill, if there is one


@dataclass
class SentLine:
    """The last time one recipient was given this packet, and whether the current version adds to it."""

    recipient: str  # "NCMEC" or "law enforcement"
    submission: PacketSubmission
    number: int  # the version that was sent
    current_number: int | None
    changes: list = field(default_factory=list)  # [(section, [field, ...])] new since the version sent

    @property
    def is_current(self):
        return self.number == self.current_number

    @property
    def reference_label(self):
        return "NCMEC case" if self.recipient == changes.RECIPIENTS["ncmec"] else "law-enforcement case"


@dataclass
class PacketPanel:
    """One kind of packet on the episode page: its versions, newest first, and what the newest lacks."""

    kind: str
    title: str
    asked_by: str
    versions: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    sent: list = field(default_factory=list)  # SentLine per recipient, as last sent

    @property
    def latest(self):
        return self.versions[0] if self.versions else None

    @property
    def older(self):
        return self.versions[1:]

    @property
    def is_building(self):
        return self.latest is None or self.latest.status in (PacketStatus.PENDING, PacketStatus.BUILDING)

    @property
    def state(self):
        """What the page shows of this packet's build, for the status poll: 'ncmec:3:ready'."""
        latest = self.latest
        return f"{self.kind}:{latest.number}:{latest.status}" if latest else f"{self.kind}:-:none"

    @property
    def submissions(self):
        """Every recorded submission of any version, newest first: which version went out, when, by whom."""
        found = [s for v in self.versions for s in v.submissions.all()]
        return sorted(found, key=lambda s: (s.submitted_at, s.pk), reverse=True)

    def last_sent(self):
        """{recipient: (submission, version)}: the newest submission to each recipient."""
        versions = {v.pk: v for v in self.versions}
        last = {}
        for submission in self.submissions:
            recipient = changes.RECIPIENTS.get(submission.notification.party, submission.notification.party)
            last.setdefault(recipient, (submission, versions[submission.packet_id]))
        return last


# Completeness links to pages only staff managers open (a caseworker's phone number): plain text for others.
STAFF_PAGES = {"staff_edit"}


def packet_panels(episode, user, *, show_restricted=False, details=True):
    """The report packets of an episode, in three queries whatever the number of versions.

    The versions (without their facts), their submissions with who made them and the clock they
    completed, and the stored facts of the newest
    version of each kind and of each version last sent: the completeness check reads the newest,
    and what changed since a version was sent compares the two. The recovery notice appears once
    the youth has returned (or once one exists). `show_restricted`: may the user see the health
    fields (access.can_see_restricted), which what changed then names. `details=False` (the status
    poll): the versions only.
    """
    versions = (
        PacketVersion.objects.filter(episode=episode)
        .defer("facts")
        .select_related("triggered_by")
        .order_by("kind", "-current_since", "-number")
    )
    if details:
        versions = versions.prefetch_related(
            Prefetch("submissions", queryset=PacketSubmission.objects.select_related("submitted_by", "notification"))
        )
    panels = {kind: PacketPanel(kind, label, PACKET_ASKED_BY[kind]) for kind, label in PacketKind.choices}
    for version in versions:
        panels[version.kind].versions.append(version)
    shown = [panels[PacketKind.NCMEC], panels[PacketKind.LAW_ENFORCEMENT]]
    recovery = panels[PacketKind.RECOVERY]
    if not episode.is_open or recovery.versions:
        shown.append(recovery)
    if not details:
        return shown
    manages_staff = access.can_manage_staff(user)
    numbers = packet_facts.own_numbers(episode.notifications.all())
    sent = {panel.kind: panel.last_sent() for panel in shown}
    wanted = {panel.latest.pk for panel in shown if panel.latest}
    wanted |= {version.pk for last in sent.values() for _, version in last.values()}
    facts_of = dict(PacketVersion.objects.filter(pk__in=wanted).values_list("pk", "facts")) if wanted else {}
    for panel in shown:
        latest = panel.latest
        if latest is None:
            continue
        current = facts_of[latest.pk]
        panel.missing = [
            MissingLink(
                item.message,
                reverse(item.url_name, args=item.url_args)
                if item.url_name and (manages_staff or item.url_name not in STAFF_PAGES)
                else None,
            )
            for item in completeness.missing_items(panel.kind, changes.with_current_numbers(current, numbers))
        ]
        for recipient, (submission, version) in sent[panel.kind].items():
            panel.sent.append(
                SentLine(
                    recipient,
                    submission,
                    version.number,
                    latest.number,
                    []
                    if version.pk == latest.pk
                    else changes.changed_fields(facts_of[version.pk], current, show_restricted=show_restricted),
                )
            )
    return shown


def packets_state(panels) -> str:
    """The packets' builds as the page shows them: the status poll reloads the page when it changes."""
    return " ".join(panel.state for panel in panels)


def episode_detail(request, episode_id):
    episode = selectors.get_episode_or_404(request.user, episode_id)
    debriefs = _load_episode_page(episode)
    audit.record(request.user, AuditAction.VIEW, episode, youth=episode.youth, ip=client_ip(request))
    now = timezone.now()
    can_edit = access.can_edit_youth(request.user, episode.youth)
    notifications = list(episode.notifications.all())
    has_debrief = bool(debriefs)
    # A disclosure's clocks are listed under that disclosure; only those from before migration 0012 whose
    # disclosure could not be told apart stay here (docs/duties.md#disclosures).
    clock_groups = [
        (
            title,
            _clock_rows(
                episode, [n for n in notifications if n.event == event and n.disclosure_id is None], now,
                has_debrief=has_debrief,
            ),
        )
        for event, title in (
            (deadlines.MISSING, "When the youth went missing"),
            (deadlines.NCIC_CONFIRMATION, "After the report to law enforcement"),
            (deadlines.LE_REFUSED, "After law enforcement said no"),
            (deadlines.RETURNED, "After the return"),
            (deadlines.DISCLOSED, "Earlier disclosure reports"),
        )
    ]
    disclosures = [
        (d, _clock_rows(episode, [n for n in notifications if n.disclosure_id == d.pk], now, has_debrief=has_debrief))
        for d in episode.disclosures.all()
    ]
    refusals = [r for n in notifications for r in n.refusals.all()]
    ncmec = next((n for n in notifications if (n.event, n.party) == (deadlines.MISSING, deadlines.NCMEC)), None)
    end = now if episode.is_open else episode.returned_at
    show_restricted = access.can_see_restricted(request.user, episode.youth)
    packets = packet_panels(episode, request.user, show_restricted=show_restricted)
    return render(
        request,
        "missing_reports/episode_detail.html",
        {
            "episode": episode,
            "youth": episode.youth,
            "missing_for": duration(end - episode.last_seen_at),
            "clock_groups": [(title, rows) for title, rows in clock_groups if rows],
            "refusals": refusals,
            "disclosures": disclosures,  # [(disclosure, its clocks' rows)]
            # The recorder, or a decider of the youth, may correct or withdraw a disclosure.
            "may_correct_disclosures": {
                d.pk for d, _ in disclosures
                if can_edit and (d.recorded_by_id == request.user.pk or access.can_review_youth(request.user))
            },
            "show_restricted": show_restricted,
            # After a refusal NCMEC must still be told: its clock stays open until the report is recorded.
            "ncmec_still_open": bool(refusals) and ncmec is not None and not ncmec.is_done,
            "search_efforts": list(episode.search_efforts.all()),
            "reviews": list(episode.reviews.all()),
            "responses": list(episode.responses.all()),
            # Every return interview, the first first; each with its factors' labels and its response plan's actions
            # [(action, due words, overdue by caseapp.work.is_overdue)] (docs/duties.md#response-plan).
            "debriefs": [
                (
                    debrief,
                    [PrimaryFactor(v).label for v in debrief.primary_factors if v in PrimaryFactor.values],
                    [
                        (a, "" if a.is_done else work.due_words(a.due_at, now),
                         not a.is_done and work.is_overdue(a.due_at, now))
                        for a in debrief.response_actions.all()
                    ],
                )
                for debrief in debriefs
            ],
            "can_edit": can_edit,
            "can_review": can_edit and access.can_review_youth(request.user),
            "packet_panels": packets,
            "packets_building": any(panel.is_building for panel in packets),
            "packets_state": packets_state(packets),
            "packets_restricted": show_restricted,
            "alert_trail": selectors.episode_alert_trail(episode),
        },
    )


def _ticked_from_record(episode):
    """{code: reason} of the items the record ticked and nobody unticked: the edit form shows them ticked."""
    return {code: why for code, why in (episode.endangerment_reasons or {}).items() if code in episode.endangerment}


def episode_edit(request, episode_id):
    episode = selectors.get_episode_or_404(request.user, episode_id, for_edit=True)
    youth = episode.youth
    if request.method == "POST":
        form = EpisodeForm(request.POST, instance=episode, youth=youth, record_reasons=_ticked_from_record(episode))
        if form.is_valid():
            fields = form.service_fields()
            try:
                episode_services.update_episode(
                    actor=request.user, episode_id=episode.pk, expected_version=form.cleaned_data["version"],
                    ip=client_ip(request), **fields,
                )
            except EditConflict as exc:
                current = exc.current
                form = conflicts.rebuild(
                    form,
                    lambda initial: EpisodeForm(
                        instance=current, youth=youth, initial=initial, record_reasons=_ticked_from_record(current)
                    ),
                    current=current,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Episode details saved.")
                note_wording(request, form)
                return redirect("episode_detail", episode_id=episode.pk)
    else:
        form = EpisodeForm(instance=episode, youth=youth, record_reasons=_ticked_from_record(episode))
    return render(
        request,
        "missing_reports/episode_form.html",
        {"form": form, "episode": episode, "youth": youth},
    )


# --- Search efforts and supervisory reviews --------------------------------------------------------


def search_effort_create(request, episode_id):
    episode = selectors.get_episode_or_404(request.user, episode_id, for_edit=True)
    form = SearchEffortForm(request.POST or None)
    if save_through_service(request, form, episode_services.add_search_effort, episode_id=episode.pk) is not None:
        messages.success(request, "Search effort recorded.")
        note_wording(request, form)
        return redirect(reverse("episode_detail", args=[episode.pk]) + "#search-h")
    return render(request, "missing_reports/search_effort_form.html", {"form": form, "episode": episode})


def review_create(request, episode_id):
    episode = selectors.get_episode_or_404(request.user, episode_id, for_edit=True)
    if not access.can_review_youth(request.user):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if save_through_service(request, form, episode_services.add_supervisory_review, episode_id=episode.pk) is not None:
        messages.success(request, "Supervisory review recorded.")
        note_wording(request, form)
        return redirect(reverse("episode_detail", args=[episode.pk]) + "#reviews-h")
    return render(request, "missing_reports/review_form.html", {"form": form, "episode": episode})
