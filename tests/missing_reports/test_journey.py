"""The whole journey of a missing episode, page by page, as caseworker_a would go through it.

Log the run → see the clocks → record the law-enforcement and NCMEC reports → log the return → the
recovery notices appear → record the return interview → its clock is done → the youth's page shows
the episode in its timeline. Every step posts the form the page rendered, as a browser would.
"""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from missing_reports import deadlines
from missing_reports.models import Debrief, MissingEpisode
from missing_reports.services import episodes as services

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")  # agency A's time zone; agency A is in KS (LE within 2 h)


def local(moment):
    return timezone.localtime(moment, CHICAGO).strftime("%Y-%m-%dT%H:%M")


def form_data(form, **overrides):
    """What a browser would post for `form` as it was rendered, with `overrides` typed in."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if getattr(form.fields[name].widget, "allow_multiple_selected", False):
            data[name] = [str(v) for v in value or [] if v not in ("", None)]  # ticked boxes only
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if value is None:
            value = ""
        elif isinstance(value, datetime.datetime):
            # Aware from the instance, or already naive in the page's time zone (prepare_value).
            value = local(value) if timezone.is_aware(value) else value.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        data[name] = value
    data.update(overrides)
    return data


def post_form(client, url, **typed):
    """GET the page, fill in `typed`, POST it; the save must redirect (else show the form's errors)."""
    form = client.get(url).context["form"]
    response = client.post(url, form_data(form, **typed))
    assert response.status_code == 302, response.context["form"].errors
    return response


def test_a_caseworker_follows_an_episode_from_run_to_debrief(client_for, caseworker_a, youth_a1):
    client = client_for(caseworker_a)
    now = timezone.now().replace(second=0, microsecond=0)
    learned_at = now - datetime.timedelta(hours=5)

    # 1. Report the run from the youth's page.
    response = post_form(
        client, reverse("log_run", kwargs={"youth_id": youth_a1.pk}),
        category="runaway", last_seen_at=local(learned_at - datetime.timedelta(hours=1)),
        last_seen_location="Bus stop outside Central High", reported_by="A. Rivera, foster parent",
        agency_learned_at=local(learned_at),
    )
    episode = MissingEpisode.objects.get(youth=youth_a1)
    episode_url = reverse("episode_detail", kwargs={"episode_id": episode.pk})
    assert response["Location"] == episode_url
    assert episode.is_open and episode.agency_learned_at == learned_at

    # 2. The episode page shows both clocks of the run.
    clocks = {n.party: n for n in episode.notifications.filter(event=deadlines.MISSING)}
    assert clocks[deadlines.LAW_ENFORCEMENT].due_at == learned_at + datetime.timedelta(hours=2)
    assert clocks[deadlines.NCMEC].due_at == learned_at + datetime.timedelta(hours=24)
    page = client.get(episode_url).content.decode()
    assert "Law enforcement (NCIC entry)" in page
    assert "NCMEC" in page
    assert "overdue" in page.lower()  # LE was due 2 h after the agency learned, 5 h ago

    # 3. Record the law-enforcement report, with the NCIC entry confirmed.
    le = clocks[deadlines.LAW_ENFORCEMENT]
    post_form(
        client, reverse("notification_record", kwargs={"notification_id": le.pk}),
        done_at=local(learned_at + datetime.timedelta(minutes=45)), method="phone",
        contact_name="Dispatcher on duty", le_agency="Topeka Police Department",
        officer_name="Officer D. Reyes", badge_number="4471", ncic_number="M926431870",
        ncic_confirmed_at=local(learned_at + datetime.timedelta(hours=1, minutes=30)), reference="TPD-26-004211",
    )
    # 4. And the NCMEC report.
    ncmec = clocks[deadlines.NCMEC]
    post_form(
        client, reverse("notification_record", kwargs={"notification_id": ncmec.pk}),
        done_at=local(learned_at + datetime.timedelta(hours=1)), method="phone",
        contact_name="NCMEC intake", ncmec_case_number="1499872",
    )

    # 5. Both are done, on time, with their evidence on the page.
    le.refresh_from_db()
    ncmec.refresh_from_db()
    assert le.is_done and not le.was_late() and le.done_by == caseworker_a
    assert (le.ncic_number, le.badge_number, le.officer_name) == ("M926431870", "4471", "Officer D. Reyes")
    assert le.ncic_confirmed_at == learned_at + datetime.timedelta(hours=1, minutes=30)
    assert ncmec.is_done and not ncmec.was_late() and ncmec.reference == "1499872"
    page = client.get(episode_url).content.decode()
    for evidence in ("TPD-26-004211", "M926431870", "1499872"):
        assert evidence in page
    assert "overdue" not in page.lower()
    board = client.get(reverse("missing_now")).content.decode()
    assert "LE done" in board and "NCMEC done" in board

    # 6. Log the return, to the same placement.
    returned_at = now - datetime.timedelta(minutes=30)
    response = post_form(
        client, reverse("log_return", kwargs={"episode_id": episode.pk}),
        located_at=local(returned_at - datetime.timedelta(minutes=20)), returned_at=local(returned_at),
        found_address="Friend's apartment, 12 Elm St", found_location_type="friend",
        how_located="caregiver", condition_on_return="Tired, no injuries seen.",
        continue_previous_placement="on",
    )
    assert response["Location"] == episode_url

    # 7. The recovery notices and the return-interview clock appear on the episode page.
    episode.refresh_from_db()
    assert episode.status == "returned"
    recovery = {n.party: n for n in episode.notifications.filter(event=deadlines.RETURNED)}
    assert set(recovery) == {deadlines.LAW_ENFORCEMENT, deadlines.NCMEC, deadlines.RETURN_INTERVIEW}
    page = client.get(episode_url).content.decode()
    for label in ("Law enforcement (clear NCIC entry)", "NCMEC (recovery)", "Return interview (debrief)"):
        assert label in page
    assert youth_a1.display_name not in client.get(reverse("missing_now")).content.decode()

    # 8. Record the return interview.
    interview_at = now - datetime.timedelta(minutes=10)
    post_form(
        client, reverse("debrief_create", kwargs={"episode_id": episode.pk}),
        interview_at=local(interview_at), running_direction="to", primary_factors=["friends_connection"],
        youth_own_words="\u201cI wanted to see my best friend before she moved.\u201d",
        trafficking_screening_done="yes", placement_response="Plan visits with the friend's family.",
    )

    # 9. The return-interview clock is done.
    interview = recovery[deadlines.RETURN_INTERVIEW]
    interview.refresh_from_db()
    debrief = Debrief.objects.get(episode=episode)
    assert interview.done_at == interview_at and interview.reference == f"Debrief {debrief.pk}"
    page = client.get(episode_url).content.decode()
    assert "I wanted to see my best friend before she moved." in page or f"Debrief {debrief.pk}" in page


def test_the_youth_page_shows_the_episode_in_its_timeline(client_for, caseworker_a, youth_a1):
    now = timezone.now()
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - datetime.timedelta(days=3),
        last_seen_location="School", agency_learned_at=now - datetime.timedelta(days=3), reported_by="School",
    )
    services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        returned_at=now - datetime.timedelta(days=1), found_location_type="friend",
    )
    response = client_for(caseworker_a).get(reverse("youth_detail", kwargs={"youth_id": youth_a1.pk}))
    page = response.content.decode()
    seen = timezone.localtime(now - datetime.timedelta(days=3), CHICAGO).strftime("%m/%d/%Y")
    back = timezone.localtime(now - datetime.timedelta(days=1), CHICAGO).strftime("%m/%d/%Y")
    assert f"Missing from placement from {seen} to {back}" in page
    assert "Missing episodes in the last 30 days: 1 · 90 days: 1 · 365 days: 1" in page
    assert "Return interview: " in page and "owed" in page
    assert reverse("episode_detail", kwargs={"episode_id": episode.pk}) in page


# --- The youth-page partial itself, rendered from its selector (independent of the include) -----------


def _past_episode(actor, youth, *, days_ago, back_after_days, debrief=False):
    now = timezone.now()
    episode = services.log_run(
        actor=actor, youth_id=youth.pk, last_seen_at=now - datetime.timedelta(days=days_ago),
        last_seen_location="Group home", agency_learned_at=now - datetime.timedelta(days=days_ago),
        reported_by="Night staff",
    )
    episode = services.log_return(
        actor=actor, episode_id=episode.pk, expected_version=episode.version,
        returned_at=now - datetime.timedelta(days=days_ago - back_after_days), found_location_type="street",
        found_out_of_state=True,
    )
    if debrief:
        services.record_debrief(
            actor=actor, episode_id=episode.pk, interview_at=episode.returned_at + datetime.timedelta(hours=2),
            running_direction="from", primary_factors=["conflict"], trafficking_screening_done="yes",
        )
    return episode


def test_the_timeline_partial_shows_each_episode_in_behavioural_words(caseworker_a, youth_a1, rf):
    from django.template.loader import render_to_string

    from missing_reports import selectors

    old = _past_episode(caseworker_a, youth_a1, days_ago=200, back_after_days=2, debrief=True)
    recent = _past_episode(caseworker_a, youth_a1, days_ago=20, back_after_days=1)
    now = timezone.now()
    current = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - datetime.timedelta(hours=30),
        last_seen_location="Mall", agency_learned_at=now - datetime.timedelta(hours=30), reported_by="Foster parent",
    )
    context = selectors.youth_episode_context(caseworker_a, youth_a1)
    assert [e.pk for e in context["episodes"]] == [current.pk, recent.pk, old.pk]
    assert context["open_episode"].pk == current.pk
    assert context["episode_counts"] == {30: 2, 90: 2, 365: 3, "all": 3}

    with timezone.override(CHICAGO):
        html = render_to_string(
            "missing_reports/_youth_episodes.html", {**context, "youth": youth_a1, "can_edit": True}
        )
    text = " ".join(html.split())

    def day(moment):
        return timezone.localtime(moment, CHICAGO).strftime("%m/%d/%Y")

    assert "Missing episodes in the last 30 days: 2 · 90 days: 2 · 365 days: 3" in text
    assert f"Missing since {day(current.last_seen_at)}" in text
    assert "2 required notices overdue" in text  # LE (2 h, KS) and NCMEC (24 h), 30 h ago
    assert f"Missing from placement from {day(recent.last_seen_at)} to {day(recent.returned_at)}" in text
    assert f"Missing from placement from {day(old.last_seen_at)} to {day(old.returned_at)}" in text
    assert "Where found: Street or public place (out of state)" in text
    assert text.count("Return interview: done") == 1
    assert text.count("Return interview: <span class=\"fw-semibold\">owed</span>") == 1
    assert reverse("debrief_create", kwargs={"episode_id": recent.pk}) in html
    assert reverse("log_return", kwargs={"episode_id": current.pk}) in html
    lowered = html.lower()
    for word in ("chronic", "runner", "runaway", "awol"):
        assert word not in lowered.replace("runaway</span>", ""), word


def test_the_timeline_runs_the_same_queries_for_1_and_8_episodes(caseworker_a, youth_a1, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from missing_reports import selectors

    _past_episode(caseworker_a, youth_a1, days_ago=300, back_after_days=1, debrief=True)
    with CaptureQueriesContext(connection) as small:
        assert len(selectors.youth_episode_context(caseworker_a, youth_a1)["episodes"]) == 1
    for n in range(7):
        _past_episode(caseworker_a, youth_a1, days_ago=280 - n * 30, back_after_days=1, debrief=n % 2 == 0)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(selectors.youth_episode_context(caseworker_a, youth_a1)["episodes"]) == 8


def test_the_timeline_is_empty_out_of_scope(caseworker_a, caseworker_b, youth_a1):
    from missing_reports import selectors

    _past_episode(caseworker_a, youth_a1, days_ago=10, back_after_days=1)
    assert selectors.youth_episode_context(caseworker_b, youth_a1)["episodes"] == []


# --- A youth with many episodes: the latest on the youth page, all of them a click away -------------------------


def test_the_youth_page_shows_the_latest_episodes_and_links_to_all(client_for, caseworker_a, youth_a1, settings):
    import re

    settings.YOUTH_EPISODES_SHOWN = 3
    episodes = [
        _past_episode(caseworker_a, youth_a1, days_ago=300 - n * 20, back_after_days=1) for n in range(5)
    ]
    client = client_for(caseworker_a)
    page = re.sub(r"\s+", " ", client.get(reverse("youth_detail", args=[youth_a1.pk])).content.decode())
    all_url = reverse("youth_episodes", args=[youth_a1.pk])
    assert f'<a href="{all_url}">See all 5 missing episodes</a>' in page
    assert "(showing the latest 3)" in page
    shown = [e for e in episodes if reverse("episode_detail", args=[e.pk]) + '"' in page]
    assert shown == episodes[2:]  # the newest three
    listing = client.get(all_url)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert all(reverse("episode_detail", args=[e.pk]) + '"' in body for e in episodes)
    assert "5 episodes, the open one first, then newest first." in body


def test_the_youth_page_lists_the_open_episode_first_and_no_link_when_all_are_shown(
    client_for, caseworker_a, youth_a1, settings
):
    settings.YOUTH_EPISODES_SHOWN = 3
    _past_episode(caseworker_a, youth_a1, days_ago=30, back_after_days=1)
    now = timezone.now()
    open_one = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - datetime.timedelta(hours=3),
        last_seen_location="Bus station", reported_by="Foster parent",
        agency_learned_at=now - datetime.timedelta(hours=2),
    )
    page = client_for(caseworker_a).get(reverse("youth_detail", args=[youth_a1.pk])).content.decode()
    assert "See all" not in page
    from missing_reports import selectors

    assert selectors.youth_episode_context(caseworker_a, youth_a1)["episodes"][0] == open_one


def test_all_of_a_youths_episodes_is_a_404_for_another_agency(client_for, caseworker_a, caseworker_b, youth_a1):
    _past_episode(caseworker_a, youth_a1, days_ago=10, back_after_days=1)
    assert client_for(caseworker_b).get(reverse("youth_episodes", args=[youth_a1.pk])).status_code == 404
