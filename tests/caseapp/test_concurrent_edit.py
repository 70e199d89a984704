"""Two people edit the same youth record: the second save is stopped with a clear conflict, never lost."""

import datetime
import html

import pytest
from django.urls import reverse

from caseapp.models import AuditAction, AuditEvent
from caseapp.services import youth as youth_services
from caseapp.services.errors import EditConflict


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(response, **changes):
    """What a browser posts from the rendered edit form, with the user's `changes` typed in."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is None:
            data[name] = ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    data.update(changes)
    return data


def test_second_stale_save_gets_a_conflict_and_keeps_its_entries(client_for, caseworker_a, supervisor_a, youth_a1):
    url = reverse("youth_edit", args=[youth_a1.pk])
    user1, user2 = client_for(caseworker_a), client_for(supervisor_a)
    page1, page2 = user1.get(url), user2.get(url)
    assert page1.context["form"]["version"].value() == page2.context["form"]["version"].value() == 1

    saved = user1.post(url, form_data(page1, preferred_name="Sky"))
    assert saved.status_code == 302

    stale = user2.post(url, form_data(page2, weight_pounds="131", aliases="Bird"))

    assert stale.status_code == 200
    text = page_text(stale)
    assert "Someone else saved this record after you opened it" in text
    # User 2's entries are still in the form...
    assert 'value="131"' in text
    assert "Bird</textarea>" in text
    # ...and the table says where the saved record differs from what they entered.
    rows = stale.context["conflict"]
    by_label = {label: (now_saved, mine) for label, now_saved, mine in rows}
    assert by_label["Preferred name"] == ("Sky", "(empty)")
    assert by_label["Weight pounds"] == (str(youth_a1.weight_pounds), "131")
    assert by_label["Aliases and nicknames"] == ("(empty)", "Bird")
    assert "<td>Sky</td><td>(empty)</td>" in text

    youth_a1.refresh_from_db()
    assert youth_a1.preferred_name == "Sky"
    assert youth_a1.weight_pounds != 131
    assert youth_a1.aliases == ""
    assert youth_a1.version == 2
    assert AuditEvent.objects.filter(youth=youth_a1, action=AuditAction.UPDATE).count() == 1

    # The form now carries the new version: saving again is a conscious choice, and it succeeds.
    assert stale.context["form"]["version"].value() == 2
    again = user2.post(url, form_data(stale), follow=True)
    assert "Changes saved." in page_text(again)
    youth_a1.refresh_from_db()
    assert youth_a1.weight_pounds == 131
    assert youth_a1.aliases == "Bird"
    # User 2's form still had the blank preferred name, and they chose to save it.
    assert youth_a1.preferred_name == ""
    assert youth_a1.version == 3
    updates = AuditEvent.objects.filter(youth=youth_a1, action=AuditAction.UPDATE).order_by("at", "id")
    assert [e.actor for e in updates] == [caseworker_a, supervisor_a]


def test_a_stale_save_that_changes_nothing_new_still_conflicts(client_for, caseworker_a, supervisor_a, youth_a1):
    """Even an identical second save is stopped: the user must see what changed under them."""
    url = reverse("youth_edit", args=[youth_a1.pk])
    user1, user2 = client_for(caseworker_a), client_for(supervisor_a)
    page1, page2 = user1.get(url), user2.get(url)
    user1.post(url, form_data(page1, preferred_name="Sky"))

    stale = user2.post(url, form_data(page2, preferred_name="Sky"))

    assert "Someone else saved this record after you opened it" in page_text(stale)
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
