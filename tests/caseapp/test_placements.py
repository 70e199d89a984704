"""Placements through the pages: adding, moving, ending and correcting, and the no-overlap rule."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from caseapp.models import AuditAction, AuditEvent, Placement
from caseapp.services.placements import overlaps
from tests.factories import PlacementFactory, YouthFactory
from tests.helpers import rendered_form


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def placement_post(**overrides):
    data = {
        "placement_type": "group_home",
        "provider_name": "Maple Street Group Home",
        "provider_phone": "",
        "address": "12 Maple St",
        "city": "Lawrence",
        "state": "ks",
        "postal_code": "66044",
        "start_date": days_ago(10).isoformat(),
        "end_date": "",
        "end_reason": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def counts(youth):
    return youth.placements.count(), AuditEvent.objects.filter(youth=youth).exclude(action=AuditAction.VIEW).count()


@pytest.fixture
def youth_with_past_placement(team_a1, caseworker_a):
    """A youth of team North whose only placement ended 100 days ago; no current placement."""
    youth = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a])
    PlacementFactory(
        youth=youth, provider_name="Oak Family", start_date=days_ago(200), end_date=days_ago(100),
        end_reason="moved",
    )
    return youth


def current_of(youth):
    return youth.placements.get(end_date__isnull=True)


# --- Adding ----------------------------------------------------------------------------------


def test_add_a_placement_shown_as_current(client_for, caseworker_a, youth_with_past_placement):
    youth = youth_with_past_placement
    client = client_for(caseworker_a)

    response = client.post(reverse("placement_create", args=[youth.pk]), placement_post(), follow=True)

    placement = current_of(youth)
    assert placement.provider_name == "Maple Street Group Home"
    assert placement.state == "KS"
    assert placement.start_date == days_ago(10)
    text = page_text(response)
    assert "Placement recorded." in text
    current_card = text.split("Current placement</h3>", 1)[1].split("</div>", 1)[0]
    assert "Maple Street Group Home" in current_card
    assert f"Since {days_ago(10):%m/%d/%Y}" in current_card
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="placement", object_id=str(placement.pk), actor=caseworker_a
    ).exists()


def test_dates_overlapping_a_past_placement_are_refused(client_for, caseworker_a, youth_with_past_placement):
    youth = youth_with_past_placement
    before = counts(youth)

    response = client_for(caseworker_a).post(
        reverse("placement_create", args=[youth.pk]),
        placement_post(start_date=days_ago(150).isoformat()),
    )

    assert response.status_code == 200
    assert "overlap" in page_text(response)
    assert "Oak Family" in page_text(response)  # says which placement it collides with
    assert counts(youth) == before


def test_a_closed_placement_inside_a_past_one_is_refused(client_for, caseworker_a, youth_with_past_placement):
    youth = youth_with_past_placement
    before = counts(youth)

    response = client_for(caseworker_a).post(
        reverse("placement_create", args=[youth.pk]),
        placement_post(
            start_date=days_ago(250).isoformat(), end_date=days_ago(150).isoformat(), end_reason="moved"
        ),
    )

    assert "overlap" in page_text(response)
    assert counts(youth) == before


def test_a_placement_starting_the_day_the_last_one_ended_is_allowed(
    client_for, caseworker_a, youth_with_past_placement
):
    youth = youth_with_past_placement
    response = client_for(caseworker_a).post(
        reverse("placement_create", args=[youth.pk]), placement_post(start_date=days_ago(100).isoformat())
    )
    assert response.status_code == 302
    assert youth.placements.count() == 2


def test_a_second_current_placement_is_refused(client_for, caseworker_a, youth_a1):
    old = current_of(youth_a1)
    before = counts(youth_a1)

    response = client_for(caseworker_a).post(
        reverse("placement_create", args=[youth_a1.pk]), placement_post(end_current_with_reason="")
    )

    assert response.status_code == 200
    assert "is still the current placement" in page_text(response)
    assert counts(youth_a1) == before
    old.refresh_from_db()
    assert old.end_date is None


def test_moving_ends_the_current_placement_on_the_new_start_date(client_for, caseworker_a, youth_a1):
    old = current_of(youth_a1)
    client = client_for(caseworker_a)
    form_page = client.get(reverse("placement_create", args=[youth_a1.pk]))
    assert "the current placement ends because" in page_text(form_page)

    response = client.post(
        reverse("placement_create", args=[youth_a1.pk]),
        placement_post(end_current_with_reason="moved"),
        follow=True,
    )

    old.refresh_from_db()
    assert old.end_date == days_ago(10)
    assert old.end_reason == "moved"
    new = current_of(youth_a1)
    assert new.provider_name == "Maple Street Group Home"
    assert youth_a1.placements.count() == 2
    text = page_text(response)
    history = text.split("Placement history, newest first", 1)[1].split("</table>", 1)[0]
    assert "Maple Street Group Home" in history
    assert old.provider_name in history
    assert "Moved to another placement" in history
    assert AuditEvent.objects.filter(
        object_type="placement", object_id=str(old.pk), action=AuditAction.UPDATE
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="placement", object_id=str(new.pk), action=AuditAction.CREATE
    ).exists()


def test_move_that_fails_validation_leaves_the_current_placement_open(client_for, caseworker_a, youth_a1):
    old = current_of(youth_a1)
    before = counts(youth_a1)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client_for(caseworker_a).post(
        reverse("placement_create", args=[youth_a1.pk]),
        placement_post(start_date=tomorrow.isoformat(), end_current_with_reason="moved"),
    )

    assert "The start date cannot be in the future." in page_text(response)
    old.refresh_from_db()
    assert old.end_date is None and old.end_reason == ""
    assert counts(youth_a1) == before


@pytest.mark.parametrize("end_offset", [0, 1])
def test_end_date_on_or_before_start_is_refused(client_for, caseworker_a, youth_with_past_placement, end_offset):
    youth = youth_with_past_placement
    before = counts(youth)
    start = days_ago(50)

    response = client_for(caseworker_a).post(
        reverse("placement_create", args=[youth.pk]),
        placement_post(
            start_date=start.isoformat(),
            end_date=(start - datetime.timedelta(days=end_offset)).isoformat(),
            end_reason="moved",
        ),
    )

    assert "The end date must be at least one day after the start date." in page_text(response)
    assert counts(youth) == before


def test_end_date_without_a_reason_is_refused(client_for, caseworker_a, youth_with_past_placement):
    youth = youth_with_past_placement
    before = counts(youth)

    response = client_for(caseworker_a).post(
        reverse("placement_create", args=[youth.pk]),
        placement_post(start_date=days_ago(50).isoformat(), end_date=days_ago(20).isoformat(), end_reason=""),
    )

    assert "Give the reason the placement ended." in page_text(response)
    assert counts(youth) == before


def test_start_date_in_the_future_is_refused(client_for, caseworker_a, youth_with_past_placement):
    youth = youth_with_past_placement
    before = counts(youth)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client_for(caseworker_a).post(
        reverse("placement_create", args=[youth.pk]), placement_post(start_date=tomorrow.isoformat())
    )

    assert "The start date cannot be in the future." in page_text(response)
    assert counts(youth) == before


def test_out_of_scope_users_get_404_on_placement_pages(
    client_for, caseworker_a2, caseworker_b, agency_staff_a, youth_a1
):
    placement = current_of(youth_a1)
    urls = [
        reverse("placement_create", args=[youth_a1.pk]),
        reverse("placement_edit", args=[youth_a1.pk, placement.pk]),
        reverse("placement_end", args=[youth_a1.pk, placement.pk]),
    ]
    for user in (caseworker_a2, caseworker_b, agency_staff_a):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404
            assert client.post(url, placement_post()).status_code == 404
    assert youth_a1.placements.count() == 1


# --- Ending and correcting -------------------------------------------------------------------


def test_end_a_placement_from_the_end_page(client_for, caseworker_a, youth_a1):
    placement = current_of(youth_a1)
    client = client_for(caseworker_a)
    form_page = client.get(reverse("placement_end", args=[youth_a1.pk, placement.pk]))
    version = form_page.context["form"]["version"].value()

    response = client.post(
        reverse("placement_end", args=[youth_a1.pk, placement.pk]),
        {"version": version, "end_date": days_ago(1).isoformat(), "end_reason": "reunification"},
        follow=True,
    )

    placement.refresh_from_db()
    assert placement.end_date == days_ago(1)
    assert placement.end_reason == "reunification"
    assert placement.version == 2
    text = page_text(response)
    assert "Placement ended." in text
    assert "No current placement recorded." in text
    assert "Reunified with family" in text
    assert AuditEvent.objects.filter(
        object_type="placement", object_id=str(placement.pk), action=AuditAction.UPDATE, actor=caseworker_a
    ).exists()


def test_end_page_without_a_reason_changes_nothing(client_for, caseworker_a, youth_a1):
    placement = current_of(youth_a1)
    response = client_for(caseworker_a).post(
        reverse("placement_end", args=[youth_a1.pk, placement.pk]),
        {"version": placement.version, "end_date": days_ago(1).isoformat(), "end_reason": ""},
    )
    assert response.status_code == 200
    assert "Nothing was saved" in page_text(response)
    placement.refresh_from_db()
    assert placement.end_date is None


def test_correct_a_placement_from_the_edit_page(client_for, caseworker_a, youth_a1):
    placement = current_of(youth_a1)
    client = client_for(caseworker_a)
    form_page = client.get(reverse("placement_edit", args=[youth_a1.pk, placement.pk]))
    assert form_page.context["form"]["version"].value() == 1

    response = client.post(
        reverse("placement_edit", args=[youth_a1.pk, placement.pk]),
        placement_post(
            version="1", placement_type=placement.placement_type, provider_name="Corrected Name Family",
            start_date=placement.start_date.isoformat(),
        ),
        follow=True,
    )

    placement.refresh_from_db()
    assert placement.provider_name == "Corrected Name Family"
    assert placement.version == 2
    text = page_text(response)
    assert "Placement updated." in text
    assert "Corrected Name Family" in text
    event = AuditEvent.objects.get(object_type="placement", object_id=str(placement.pk), action=AuditAction.UPDATE)
    assert "provider_name" in event.detail["changed"]


def test_stale_placement_edit_keeps_the_other_edit_and_saving_again_keeps_both(
    client_for, caseworker_a, supervisor_a, youth_a1
):
    placement = current_of(youth_a1)
    url = reverse("placement_edit", args=[youth_a1.pk, placement.pk])
    first, second = client_for(caseworker_a), client_for(supervisor_a)
    page1, page2 = first.get(url), second.get(url)
    version = placement.version

    assert first.post(url, rendered_form(page1, provider_name="First Editor Home")).status_code == 302
    stale = second.post(url, rendered_form(page2, notes="Youth shares a room"))

    assert stale.status_code == 200
    text = page_text(stale)
    assert "Someone else saved this placement after you opened it" in text
    assert "You entered Notes: Youth shares a room." in text
    assert f"Provider or caregiver was changed from {placement.provider_name} to First Editor Home by " in text
    assert 'value="First Editor Home"' in text  # the form shows what is saved, not the stale name
    placement.refresh_from_db()
    assert (placement.provider_name, placement.notes, placement.version) == ("First Editor Home", "", version + 1)
    assert stale.context["form"]["version"].value() == version + 1

    assert second.post(url, rendered_form(stale)).status_code == 302
    placement.refresh_from_db()
    assert (placement.provider_name, placement.notes) == ("First Editor Home", "Youth shares a room")
    assert placement.version == version + 2
    events = AuditEvent.objects.filter(
        object_type="placement", object_id=str(placement.pk), action=AuditAction.UPDATE
    ).order_by("at", "id")
    assert [(e.actor, e.detail["changed"]) for e in events] == [
        (caseworker_a, ["provider_name"]), (supervisor_a, ["notes"]),
    ]


def test_both_changed_the_provider_name_and_the_second_editor_keeps_the_saved_one(
    client_for, caseworker_a, supervisor_a, youth_a1
):
    placement = current_of(youth_a1)
    url = reverse("placement_edit", args=[youth_a1.pk, placement.pk])
    first, second = client_for(caseworker_a), client_for(supervisor_a)
    page1, page2 = first.get(url), second.get(url)
    first.post(url, rendered_form(page1, provider_name="First Editor Home"))
    stale = second.post(url, rendered_form(page2, provider_name="Second Editor Home", city="Topeka"))

    assert "Provider or caregiver: you both changed it" in page_text(stale)
    refused = second.post(url, rendered_form(stale))
    assert "choose which value to keep" in page_text(refused)
    assert second.post(url, rendered_form(refused, keep__provider_name="saved")).status_code == 302
    placement.refresh_from_db()
    assert (placement.provider_name, placement.city) == ("First Editor Home", "Topeka")


def test_ending_a_placement_from_a_stale_page_says_so_and_then_ends_it(
    client_for, caseworker_a, supervisor_a, youth_a1
):
    placement = current_of(youth_a1)
    edit_url = reverse("placement_edit", args=[youth_a1.pk, placement.pk])
    end_url = reverse("placement_end", args=[youth_a1.pk, placement.pk])
    first, second = client_for(caseworker_a), client_for(supervisor_a)
    edit_page, end_page = first.get(edit_url), second.get(end_url)
    first.post(edit_url, rendered_form(edit_page, provider_name="First Editor Home"))

    stale = second.post(end_url, rendered_form(end_page, end_reason="moved"))

    text = page_text(stale)
    assert "Someone else saved this placement after you opened it" in text
    assert f"It was saved again by {caseworker_a.get_full_name()} at " in text
    assert current_of(youth_a1).provider_name == "First Editor Home"
    assert second.post(end_url, rendered_form(stale)).status_code == 302
    placement.refresh_from_db()
    assert (placement.provider_name, placement.end_reason) == ("First Editor Home", "moved")


# --- Service level ---------------------------------------------------------------------------


def test_database_refuses_overlap_even_past_the_service(youth_with_past_placement):
    """The backstop (exclusion constraint / trigger) holds when the service is bypassed."""
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            youth=youth_with_past_placement, placement_type="shelter", provider_name="Bypass",
            start_date=days_ago(150), end_date=days_ago(120), end_reason="moved",
        )
    assert youth_with_past_placement.placements.count() == 1


# --- The pure overlap rule -------------------------------------------------------------------

D = datetime.date(2024, 1, 1)


def day(n: int) -> datetime.date:
    return D + datetime.timedelta(days=n)


def test_adjacent_ranges_do_not_overlap():
    assert not overlaps(day(0), day(5), day(5), day(9))
    assert not overlaps(day(5), day(9), day(0), day(5))
    assert not overlaps(day(0), day(5), day(5), None)


def test_open_ended_ranges():
    assert overlaps(day(0), None, day(100), None)
    assert overlaps(day(0), None, day(3), day(4))
    assert overlaps(day(3), day(4), day(0), None)
    assert not overlaps(day(10), None, day(0), day(10))


def test_identical_ranges_overlap():
    assert overlaps(day(0), day(1), day(0), day(1))
    assert overlaps(day(0), None, day(0), None)


HORIZON = 40


def _days(start, end):
    """The set of days in [start, end); an open end runs past every range the test draws."""
    last = end if end is not None else day(HORIZON + 5)
    return {start + datetime.timedelta(days=i) for i in range((last - start).days)}


ranges = st.integers(0, HORIZON).flatmap(
    lambda s: st.tuples(st.just(day(s)), st.one_of(st.none(), st.integers(s + 1, HORIZON + 1).map(day)))
)


@given(a=ranges, b=ranges)
def test_overlaps_matches_a_day_by_day_check(a, b):
    expected = bool(_days(*a) & _days(*b))
    assert overlaps(*a, *b) == expected
    assert overlaps(*b, *a) == expected
