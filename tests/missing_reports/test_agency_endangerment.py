"""The agency's own endangerment items (docs/packets.md#agency-items): offered on its youth's run and
episode forms only, ticked by hand, printed in the packets with the label they had when ticked, managed in
the admin scoped to the admin's agencies."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditEvent
from missing_reports.models import AgencyEndangermentItem, MissingEpisode, PacketKind
from missing_reports.packets import completeness, facts, kinds
from missing_reports.services import episodes as services
from tests.missing_reports.packets.test_pdf_content import pdf_text
from tests.missing_reports.test_endangerment import as_input, built

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
PSYCH = "Recently discharged from a psychiatric unit"


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def item_a(agency_a):
    return AgencyEndangermentItem.objects.create(agency=agency_a, label=PSYCH)


@pytest.fixture
def item_b(agency_b):
    return AgencyEndangermentItem.objects.create(agency=agency_b, label="Known to gang unit")


def run_post(now, **extra):
    return {
        "last_seen_at": as_input(now - 2 * HOUR), "last_seen_location": "Bus stop",
        "reported_by": "A. Rivera, foster parent", "agency_learned_at": as_input(now - HOUR), "category": "runaway",
        **extra,
    }


def log(actor, youth, now, **extra):
    return services.log_run(
        actor=actor, youth_id=youth.pk, last_seen_at=now - 2 * HOUR, last_seen_location="Bus stop",
        reported_by="A. Rivera, foster parent", agency_learned_at=now - HOUR, **extra,
    )


def test_the_item_shows_on_its_agency_s_run_form_only(client_for, caseworker_a, caseworker_b, youth_a1, youth_b,
                                                       item_a, item_b):
    page_a = client_for(caseworker_a).get(reverse("log_run", args=[youth_a1.pk])).content.decode()
    assert "own endangerment items" in page_a
    assert PSYCH in page_a
    assert "Known to gang unit" not in page_a
    page_b = client_for(caseworker_b).get(reverse("log_run", args=[youth_b.pk])).content.decode()
    assert "Known to gang unit" in page_b
    assert PSYCH not in page_b


def test_an_inactive_item_is_not_offered_and_an_agency_without_items_sees_no_field(
    client_for, caseworker_a, youth_a1, item_a
):
    item_a.active = False
    item_a.save()
    page = client_for(caseworker_a).get(reverse("log_run", args=[youth_a1.pk])).content.decode()
    assert PSYCH not in page
    assert "own endangerment items" not in page


def test_ticked_on_the_run_form_it_prints_in_the_packet_json_and_pdf(
    client_for, caseworker_a, youth_a1, item_a, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(caseworker_a).post(
            reverse("log_run", args=[youth_a1.pk]), run_post(now, agency_items=[str(item_a.pk)])
        )
    assert response.status_code == 302
    episode = MissingEpisode.objects.get()
    assert episode.agency_endangerment == [{"id": item_a.pk, "label": PSYCH}]
    audit = AuditEvent.objects.get(object_type="missingepisode", action="create")
    assert audit.detail["agency_endangerment"] == [PSYCH]
    for kind in (PacketKind.NCMEC, PacketKind.LAW_ENFORCEMENT):
        f = facts.assemble(episode, kind)
        kinds.validate(f)
        assert f["schema_version"] == "1.3"
        assert f["episode"]["agency_endangerment"] == [PSYCH]
        assert f["episode"]["endangerment_assessed"] is True
        assert "endangerment" not in {i.code for i in completeness.missing_items(kind, f)}
        text = pdf_text(built(episode, kind).pdf_file.read())
        assert f"{PSYCH} (agency's own item)" in " ".join(text.split())


def test_the_episode_page_shows_the_item(client_for, caseworker_a, youth_a1, item_a, now):
    episode = log(caseworker_a, youth_a1, now, agency_endangerment=[item_a.pk])
    page = client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert f"<li>{PSYCH} <span class=\"text-secondary small\">(agency's own item)</span></li>" in page


def test_the_run_form_costs_the_same_queries_whatever_the_number_of_items(client_for, caseworker_a, youth_a1, agency_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(caseworker_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("log_run", args=[youth_a1.pk])).status_code == 200
        return len(queries.captured_queries)

    AgencyEndangermentItem.objects.create(agency=agency_a, label="First item")
    small = count()
    for n in range(6):
        AgencyEndangermentItem.objects.create(agency=agency_a, label=f"Item {n}")
    assert count() == small


def test_a_rename_does_not_rewrite_the_stored_label_and_the_edit_form_keeps_it(
    client_for, caseworker_a, youth_a1, item_a, now
):
    episode = log(caseworker_a, youth_a1, now, agency_endangerment=[item_a.pk])
    item_a.label = "Psychiatric discharge (renamed)"
    item_a.active = False
    item_a.save()
    episode.refresh_from_db()
    assert facts.assemble(episode, PacketKind.NCMEC)["episode"]["agency_endangerment"] == [PSYCH]
    client = client_for(caseworker_a)
    form = client.get(reverse("episode_edit", args=[episode.pk])).context["form"]
    assert form["agency_items"].value() == [str(item_a.pk)]
    assert dict(form.fields["agency_items"].choices) == {str(item_a.pk): PSYCH}
    # Unticked on the edit form: gone from the episode.
    response = client.post(reverse("episode_edit", args=[episode.pk]), {
        "version": episode.version, "last_seen_at": as_input(now - 2 * HOUR), "last_seen_location": "Bus stop",
        "reported_by": "A. Rivera, foster parent", "category": "runaway",
    })
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.agency_endangerment == []


def test_another_agency_s_item_is_refused_and_nothing_is_saved(caseworker_a, client_for, youth_a1, item_a, item_b, now):
    with pytest.raises(ValidationError) as refused:
        log(caseworker_a, youth_a1, now, agency_endangerment=[item_b.pk])
    assert "Choose among this agency's own endangerment items." in refused.value.messages
    assert not MissingEpisode.objects.exists()
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]), run_post(now, agency_items=[str(item_b.pk)])
    )
    assert response.status_code == 200
    assert not MissingEpisode.objects.exists()


# --- The admin ---------------------------------------------------------------------------------------


def _admin_site_user(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="missing_reports"))
    return user


def test_the_admin_list_is_scoped_to_the_admin_s_agency(client_for, agency_admin_a, admin_b, item_a, item_b):
    changelist = reverse("admin:missing_reports_agencyendangermentitem_changelist")
    page = client_for(_admin_site_user(agency_admin_a)).get(changelist).content.decode()
    assert PSYCH in page and "Known to gang unit" not in page
    client_b = client_for(_admin_site_user(admin_b))
    page = client_b.get(changelist).content.decode()
    assert "Known to gang unit" in page and PSYCH not in page
    change_a = reverse("admin:missing_reports_agencyendangermentitem_change", args=[item_a.pk])
    assert client_b.get(change_a).status_code in (302, 404)
    history_a = reverse("admin:missing_reports_agencyendangermentitem_history", args=[item_a.pk])
    assert client_b.get(history_a).status_code == 404


def test_the_admin_refuses_a_blank_label_and_another_agency(client_for, agency_admin_a, agency_a, agency_b):
    client = client_for(_admin_site_user(agency_admin_a))
    url = reverse("admin:missing_reports_agencyendangermentitem_add")
    response = client.post(url, {"agency": agency_a.pk, "label": "   ", "active": "on"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["label"]
    response = client.post(url, {"agency": agency_b.pk, "label": "Elsewhere", "active": "on"})
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not AgencyEndangermentItem.objects.exists()
    response = client.post(url, {"agency": agency_a.pk, "label": "  Recently   discharged ", "active": "on"})
    assert response.status_code == 302
    assert AgencyEndangermentItem.objects.get().label == "Recently discharged"
