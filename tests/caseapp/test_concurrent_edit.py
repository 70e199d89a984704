"""Two people edit the same youth record: the second save is stopped with a clear conflict, never lost."""

import html

import pytest
from django.urls import reverse

from caseapp.models import AuditAction, AuditEvent, Role
from caseapp.services import youth as youth_services
from caseapp.services.errors import EditConflict
from tests.factories import UserFactory
from tests.helpers import rendered_form


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(response, **changes):
    """What a browser posts from the rendered edit form, with the user's `changes` typed in."""
    return rendered_form(response, **changes)


def conflict_of(response):
    return response.context["form"].edit_conflict


def test_a_stale_save_keeps_the_other_edit_and_saving_again_keeps_both(
    client_for, caseworker_a, supervisor_a, youth_a1
):
    """A changes the height; B, from a form opened before, changes the weight; B saves again as shown."""
    url = reverse("youth_edit", args=[youth_a1.pk])
    user_a, user_b = client_for(caseworker_a), client_for(supervisor_a)
    page_a, page_b = user_a.get(url), user_b.get(url)
    height, weight = youth_a1.height_inches, youth_a1.weight_pounds

    assert user_a.post(url, form_data(page_a, height_inches=height + 2)).status_code == 302
    stale = user_b.post(url, form_data(page_b, weight_pounds=weight + 5, aliases="Bird"))

    assert stale.status_code == 200
    text = page_text(stale)
    assert "Someone else saved this record after you opened it" in text
    assert f"You changed Weight (pounds) from {weight} to {weight + 5}." in text
    assert "You entered Aliases and nicknames: Bird." in text
    who = caseworker_a.get_full_name()
    assert f"Height (inches) was changed from {height} to {height + 2} by {who} at " in text
    # Nothing of B's is saved yet; the form shows the saved height and B's own changes.
    youth_a1.refresh_from_db()
    assert (youth_a1.height_inches, youth_a1.weight_pounds, youth_a1.version) == (height + 2, weight, 2)
    assert f'value="{height + 2}"' in text and f'value="{weight + 5}"' in text
    assert AuditEvent.objects.filter(youth=youth_a1, action=AuditAction.UPDATE).count() == 1

    again = user_b.post(url, form_data(stale), follow=True)

    assert "Changes saved." in page_text(again)
    youth_a1.refresh_from_db()
    assert (youth_a1.height_inches, youth_a1.weight_pounds, youth_a1.aliases) == (height + 2, weight + 5, "Bird")
    assert youth_a1.version == 3
    updates = AuditEvent.objects.filter(youth=youth_a1, action=AuditAction.UPDATE).order_by("at", "id")
    assert [e.actor for e in updates] == [caseworker_a, supervisor_a]
    assert updates.last().detail["changed"] == ["aliases", "weight_pounds"]  # B's changes and nothing else


def test_a_field_both_changed_must_be_chosen_and_yours_can_win(client_for, caseworker_a, supervisor_a, youth_a1):
    url = reverse("youth_edit", args=[youth_a1.pk])
    user_a, user_b = client_for(caseworker_a), client_for(supervisor_a)
    page_a, page_b = user_a.get(url), user_b.get(url)
    weight = youth_a1.weight_pounds
    user_a.post(url, form_data(page_a, weight_pounds=weight + 2, preferred_name="Sky"))

    stale = user_b.post(url, form_data(page_b, weight_pounds=weight + 5))

    [choice] = conflict_of(stale).choices
    assert choice["row"].label == "Weight (pounds)"
    text = page_text(stale)
    assert "Weight (pounds): you both changed it. Which value should be saved?" in text
    assert f"Yours: {weight + 5}" in text and f"{weight + 2}" in text
    assert 'name="keep__weight_pounds"' in text and "checked" not in text.split("keep__weight_pounds")[1][:80]

    # Saving again without choosing is refused, with a message at the field; nothing is written.
    unchosen = user_b.post(url, form_data(stale))
    assert unchosen.status_code == 200
    assert "You and someone else both changed Weight (pounds): choose which value to keep." in page_text(unchosen)
    youth_a1.refresh_from_db()
    assert (youth_a1.weight_pounds, youth_a1.version) == (weight + 2, 2)

    saved = user_b.post(url, form_data(unchosen, keep__weight_pounds="mine"), follow=True)
    assert "Changes saved." in page_text(saved)
    youth_a1.refresh_from_db()
    assert (youth_a1.weight_pounds, youth_a1.preferred_name, youth_a1.version) == (weight + 5, "Sky", 3)


def test_choosing_the_saved_value_keeps_it_and_saves_only_your_other_changes(
    client_for, caseworker_a, supervisor_a, youth_a1
):
    url = reverse("youth_edit", args=[youth_a1.pk])
    user_a, user_b = client_for(caseworker_a), client_for(supervisor_a)
    page_a, page_b = user_a.get(url), user_b.get(url)
    weight = youth_a1.weight_pounds
    user_a.post(url, form_data(page_a, weight_pounds=weight + 2))
    stale = user_b.post(url, form_data(page_b, weight_pounds=weight + 5, piercings="Left ear"))

    response = user_b.post(url, form_data(stale, keep__weight_pounds="saved"), follow=True)

    assert "Changes saved." in page_text(response)
    youth_a1.refresh_from_db()
    assert (youth_a1.weight_pounds, youth_a1.piercings, youth_a1.version) == (weight + 2, "Left ear", 3)
    last = AuditEvent.objects.filter(youth=youth_a1, action=AuditAction.UPDATE).order_by("at", "id").last()
    assert (last.actor, last.detail["changed"]) == (supervisor_a, ["piercings"])


def test_restricted_fields_stay_hidden_and_untouched_on_the_conflict_page(
    client_for, caseworker_a, team_a1, agency_a, youth_a1
):
    """The youth's caseworker changes a health field; a team colleague who may not see it edits too."""
    colleague = UserFactory(username="colleague_a", agency=agency_a, role=Role.CASEWORKER, team=team_a1)
    url = reverse("youth_edit", args=[youth_a1.pk])
    user_a, user_b = client_for(caseworker_a), client_for(colleague)
    page_a, page_b = user_a.get(url), user_b.get(url)
    assert "medical_needs" not in page_b.context["form"].fields
    user_a.post(url, form_data(page_a, medical_needs="Synthetic allergy note", height_inches=61))

    stale = user_b.post(url, form_data(page_b, weight_pounds=140))

    text = page_text(stale)
    assert "Someone else saved this record after you opened it" in text
    assert "Synthetic allergy note" not in text and "Medical needs" not in text
    user_b.post(url, form_data(stale))
    youth_a1.refresh_from_db()
    assert (youth_a1.medical_needs, youth_a1.height_inches, youth_a1.weight_pounds) == (
        "Synthetic allergy note", 61, 140,
    )


def test_a_forged_base_cannot_turn_into_a_silent_overwrite(client_for, caseworker_a, supervisor_a, youth_a1):
    """A base that is not the server's own (edited, or missing) makes every difference a choice."""
    url = reverse("youth_edit", args=[youth_a1.pk])
    user_a, user_b = client_for(caseworker_a), client_for(supervisor_a)
    page_a, page_b = user_a.get(url), user_b.get(url)
    user_a.post(url, form_data(page_a, height_inches=youth_a1.height_inches + 2))

    stale = user_b.post(url, form_data(page_b, edit_base="forged"))

    assert [c["row"].name for c in conflict_of(stale).choices] == ["height_inches"]
    user_b.post(url, form_data(stale))
    youth_a1.refresh_from_db()
    assert youth_a1.version == 2


def test_a_note_sent_back_with_browser_line_ends_is_not_a_change(client_for, caseworker_a, supervisor_a, youth_a1):
    """Browsers post CRLF: a multi-line note saved with LF and sent back untouched is not "your change"."""
    youth_services.update_youth(
        actor=caseworker_a, youth_id=youth_a1.pk, expected_version=1, scars_marks_tattoos="Scar on left knee\nMole"
    )
    url = reverse("youth_edit", args=[youth_a1.pk])
    user_a, user_b = client_for(caseworker_a), client_for(supervisor_a)
    page_a, page_b = user_a.get(url), user_b.get(url)
    assert rendered_form(page_b)["scars_marks_tattoos"] == ["Scar on left knee\r\nMole"]
    user_a.post(url, form_data(page_a, height_inches=youth_a1.height_inches + 1))

    stale = user_b.post(url, form_data(page_b, weight_pounds=youth_a1.weight_pounds + 1))

    assert [row.name for row in conflict_of(stale).rows] == ["height_inches", "weight_pounds"]


def test_a_stale_save_that_changes_nothing_new_still_conflicts(client_for, caseworker_a, supervisor_a, youth_a1):
    """Even an identical second save is stopped: the user must see what changed under them."""
    url = reverse("youth_edit", args=[youth_a1.pk])
    user1, user2 = client_for(caseworker_a), client_for(supervisor_a)
    page1, page2 = user1.get(url), user2.get(url)
    user1.post(url, form_data(page1, preferred_name="Sky"))

    stale = user2.post(url, form_data(page2, preferred_name="Sky"))

    text = page_text(stale)
    assert "Someone else saved this record after you opened it" in text
    assert "both changed Preferred name to Sky" in text
    youth_a1.refresh_from_db()
    assert youth_a1.version == 2


def _fields(youth, **changes):
    fields = {name: getattr(youth, name) for name in ("preferred_name", "weight_pounds", "team")}
    fields.update(changes)
    return fields


def test_update_youth_raises_edit_conflict_on_a_stale_version(caseworker_a, supervisor_a, youth_a1):
    youth_services.update_youth(
        actor=caseworker_a, youth_id=youth_a1.pk, expected_version=1, **_fields(youth_a1, preferred_name="Sky")
    )

    with pytest.raises(EditConflict) as info:
        youth_services.update_youth(
            actor=supervisor_a, youth_id=youth_a1.pk, expected_version=1, **_fields(youth_a1, weight_pounds=131)
        )

    assert info.value.current.version == 2
    assert info.value.current.preferred_name == "Sky"
    youth_a1.refresh_from_db()
    assert youth_a1.preferred_name == "Sky"
    assert youth_a1.weight_pounds != 131
    assert youth_a1.version == 2
    assert AuditEvent.objects.filter(youth=youth_a1, action=AuditAction.UPDATE).count() == 1

    updated = youth_services.update_youth(
        actor=supervisor_a, youth_id=youth_a1.pk, expected_version=2, weight_pounds=131
    )
    assert updated.version == 3
    youth_a1.refresh_from_db()
    assert (youth_a1.preferred_name, youth_a1.weight_pounds) == ("Sky", 131)


def test_update_youth_with_a_missing_version_is_a_conflict(caseworker_a, youth_a1):
    """A form that lost its hidden version must not silently overwrite."""
    with pytest.raises(EditConflict):
        youth_services.update_youth(actor=caseworker_a, youth_id=youth_a1.pk, expected_version=None, preferred_name="X")
    youth_a1.refresh_from_db()
    assert youth_a1.preferred_name == "" and youth_a1.version == 1
