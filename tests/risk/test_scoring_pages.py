"""/risk/scoring/: an agency admin adjusts the weights and band thresholds of their own agency; every
change is a new audited version and past assessments keep theirs. Everyone else gets a 404."""

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditAction, AuditEvent, Role
from risk import assessment, catalogue
from risk.models import RiskSnapshot, ScoringVersion
from risk.services import observations, scoring
from tests.factories import UserFactory
from tests.helpers import rendered_form

pytestmark = pytest.mark.django_db

URL = "/risk/scoring/"
HOUR = datetime.timedelta(hours=1)


def page_data(client, **changes):
    """The form as the page offers it, with `changes` (field name -> value) typed in."""
    form = client.get(URL).context["form"]
    data = {field.html_name: field.value() for field in form}
    data["reason"] = "Calibrated on our 2025 cases"
    data.update(changes)
    return {name: "" if value is None else value for name, value in data.items()}


def post(client, **changes):
    return client.post(URL, page_data(client, **changes))


def form_errors(response):
    form = response.context["form"]
    return [str(e) for errors in form.errors.values() for e in errors]


def test_the_url_is_named():
    assert reverse("risk_scoring") == URL


def test_the_admin_sees_the_catalogue_with_defaults_sources_and_fixed_tripwires(client_for, agency_admin_a):
    response = client_for(agency_admin_a).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    for indicator in catalogue.INDICATORS:
        assert indicator.code in html
        if indicator.is_tripwire:
            assert f"weight_{indicator.code}" not in form.fields
        else:
            assert form[f"weight_{indicator.code}"].value() == str(indicator.weight)
    assert "T (fixed)" in html
    # Each indicator's source references, e.g. the HTCDS attribution of C7 and the history rules for C4.
    assert "HTCDS Methods of Control, IOM, CC BY 4.0 [27]" in html
    assert "docs/risk-catalogue.md#history-rules R3" in html
    assert "NCMEC types of child sex trafficking [2b]" in html
    assert "CSE-IT" in html  # only to say nothing comes from it
    assert [form[name].value() for name in ("elevated", "high", "urgent")] == [5, 10, 15]
    assert "No changes yet" in html


def test_an_admin_changes_a_weight_and_past_assessments_keep_their_version(
    client_for, agency_admin_a, caseworker_a, youth_a1, django_capture_on_commit_callbacks
):
    now = timezone.now()
    observations.record_observation(
        actor=caseworker_a, youth_id=youth_a1.pk, indicator_code="C7.2", observed_at=now - HOUR,
        information_received_at=now - HOUR, source="caregiver", evidence="verified",
    )
    before = assessment.reassess(youth_a1.pk, "test", now=now - HOUR / 2)
    client = client_for(agency_admin_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, **{"weight_C7.2": "5", "reason": "Coached stories are common in our cases"})

    assert response.status_code == 302 and response.url == URL
    version = ScoringVersion.objects.get()
    assert (version.agency_id, version.number, version.created_by) == (agency_admin_a.agency_id, 1, agency_admin_a)
    assert version.weights == {"C7.2": 5}  # only what differs from the catalogue
    assert version.thresholds == {"elevated": 5, "high": 10, "urgent": 15}
    assert version.reason == "Coached stories are common in our cases"
    event = AuditEvent.objects.get(object_type="scoringversion", action=AuditAction.UPDATE)
    assert event.actor == agency_admin_a
    assert event.detail["weights"] == {"C7.2": 5}
    # The agency was reassessed with the new version; the earlier snapshot keeps the defaults.
    before.refresh_from_db()
    assert (before.score, before.scoring_version) == (3, None)
    latest = RiskSnapshot.objects.filter(youth=youth_a1).latest()
    assert (latest.score, latest.scoring_version) == (5, version)

    page = client.get(URL)
    assert page.context["form"]["weight_C7.2"].value() == "5"
    html = page.content.decode()
    assert "Saved as version 1" in html
    assert "C7.2: 3 → 5" in html
    assert "Coached stories are common in our cases" in html


def test_the_history_says_what_each_version_changed(client_for, agency_admin_a):
    client = client_for(agency_admin_a)
    post(client, **{"weight_C3.2": "2", "reason": "First"})
    post(client, **{"high": "12", "reason": "Second"})
    history = client.get(URL).context["history"]
    assert [(h["version"].number, h["version"].reason, h["changes"]) for h in history] == [
        (2, "Second", ["High from: 10 → 12"]),
        (1, "First", ["C3.2: 1 → 2"]),
    ]
    assert ScoringVersion.objects.get(number=2).weights == {"C3.2": 2}  # the earlier change stays in force


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight_C7.2": "4"}, "C7.2: choose a weight of 1, 2, 3 or 5."),
        (
            {"elevated": "10", "high": "10"},
            "thresholds must increase strictly: elevated < high < urgent (got 10, 10, 15)",
        ),
        ({"high": "20", "urgent": "15"}, "thresholds must increase strictly"),
        ({"elevated": "2", "high": "4", "urgent": "8"}, "the urgent threshold must be above 8"),
        ({"urgent": "many"}, "Give a whole number."),
        ({"reason": "  "}, "Say why the weights or thresholds change."),
        ({}, "Nothing changed"),
    ],
)
def test_bad_input_is_a_clear_error_and_saves_nothing(client_for, agency_admin_a, changes, message):
    client = client_for(agency_admin_a)
    response = post(client, **changes)
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response)), form_errors(response)
    assert message.split(" (got")[0] in response.content.decode().replace("&lt;", "<")
    assert not ScoringVersion.objects.exists()
    assert not AuditEvent.objects.filter(object_type="scoringversion").exists()


def test_a_stale_page_keeps_the_other_admins_weights_and_adds_only_yours(client_for, agency_admin_a, agency_a):
    client = client_for(agency_admin_a)
    other = UserFactory(username="other_admin", agency=agency_a, role=Role.AGENCY_ADMIN, team=None)
    page = client.get(URL)
    scoring.change_scoring(
        actor=other, weights={"C5.1": 5}, thresholds={}, reason="Another admin", expected_number=0
    )

    response = client.post(URL, rendered_form(page, **{"weight_C3.2": "2", "reason": "Calibrated on our cases"}))

    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Someone else saved this version of the weights after you opened it" in html
    assert "You changed Weight of C3.2 from 1 to 2." in html
    assert "Weight of C5.1 was changed from " in html and f"to 5 by {other.get_full_name()} at " in html
    assert list(ScoringVersion.objects.values_list("number", "reason")) == [(1, "Another admin")]
    form = response.context["form"]
    assert (form["weight_C3.2"].value(), form["weight_C5.1"].value(), form["expected_number"].value()) == ("2", "5", 1)

    again = client.post(URL, rendered_form(response))
    assert again.status_code == 302
    assert ScoringVersion.objects.get(number=2).weights == {"C3.2": 2, "C5.1": 5}


@pytest.mark.parametrize(
    "persona", ["caseworker_a", "supervisor_a", "agency_staff_a", "caseworker_b", "no_role_user"]
)
def test_everyone_but_an_agency_admin_gets_404(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"reason": "x", "expected_number": 0, "weight_C7.2": "5"}).status_code == 404
    assert not ScoringVersion.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.url


def test_each_admin_sees_and_changes_only_their_own_agency(client_for, agency_admin_a, admin_b):
    post(client_for(agency_admin_a), **{"weight_C3.2": "2", "reason": "Agency A's calibration"})

    client_b = client_for(admin_b)
    page = client_b.get(URL)
    html = page.content.decode()
    assert "Agency B" in html
    assert "Agency A's calibration" not in html
    assert page.context["history"] == []
    assert page.context["form"]["weight_C3.2"].value() == "1"

    post(client_b, **{"weight_C1.9": "3", "reason": "Agency B's calibration"})
    assert sorted(ScoringVersion.objects.values_list("agency__code", "number", "reason")) == [
        ("agency-a", 1, "Agency A's calibration"),
        ("agency-b", 1, "Agency B's calibration"),
    ]
