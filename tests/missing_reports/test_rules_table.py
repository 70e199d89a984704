"""An agency's deadlines: the state's rules apply whatever the agency's own table holds, merged party by
party with its rows (the stricter wins), and the admin shows the result with where each deadline comes from.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from missing_reports import deadlines
from missing_reports.models import Notification, ReportingRule
from missing_reports.services import episodes as services

pytestmark = pytest.mark.django_db
LEARNED = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def _due(agency, party, event=deadlines.MISSING):
    by_party = {d.party: d for d in deadlines.deadlines(event, LEARNED, services.rules_for(agency))}
    return by_party[party].due_at - LEARNED


def test_state_rules_apply_before_the_agency_has_a_table(agency_a):
    agency_a.state = "KS"
    assert _due(agency_a, deadlines.LAW_ENFORCEMENT) == 2 * HOUR
    assert _due(agency_a, deadlines.NCMEC) == 24 * HOUR


def test_an_agency_row_adds_to_the_state_rules_instead_of_replacing_them(agency_a):
    agency_a.state = "KS"
    ReportingRule.objects.create(agency=agency_a, event="missing", party="tribe", hours=24, source="Tribal notice")
    ReportingRule.objects.create(agency=agency_a, event="missing", party="ncmec", hours=6, source="Agency policy")
    assert _due(agency_a, deadlines.TRIBE) == 24 * HOUR
    assert _due(agency_a, deadlines.NCMEC) == 6 * HOUR
    # The KS 2 h rule still applies although the agency's table does not have it.
    assert _due(agency_a, deadlines.LAW_ENFORCEMENT) == 2 * HOUR


def test_a_run_in_a_kansas_agency_with_its_own_row_is_due_to_law_enforcement_2_hours_after_learning(
    caseworker_a, youth_a1, agency_a
):
    assert agency_a.state == "KS"
    ReportingRule.objects.create(agency=agency_a, event="missing", party="tribe", hours=24, source="Tribal notice")
    learned = timezone.now() - HOUR
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=learned - HOUR, last_seen_location="Group home",
        reported_by="Night staff", agency_learned_at=learned,
    )
    clocks = {n.party: n for n in Notification.objects.filter(episode=episode)}
    assert set(clocks) == {"law_enforcement", "ncmec", "tribe"}
    assert clocks["law_enforcement"].due_at == learned + 2 * HOUR
    assert clocks["law_enforcement"].rule_source.startswith("KS PPS 5245")
    assert clocks["tribe"].due_at == learned + 24 * HOUR


def test_a_texas_identification_clock_keeps_8_hours_when_the_agency_has_rows(agency_a):
    agency_a.state = "TX"
    ReportingRule.objects.create(agency=agency_a, event="identified", party="law_enforcement", hours=12)
    assert _due(agency_a, deadlines.LAW_ENFORCEMENT, deadlines.IDENTIFIED) == 8 * HOUR


def test_install_state_rules_copies_nothing_and_says_the_state_rules_apply(agency_a, agency_b, capsys):
    agency_a.state = "TX"
    agency_a.save()
    ReportingRule.objects.create(agency=agency_a, event="missing", party="court", hours=48, source="Lax policy")
    call_command("install_state_rules", agency_a.code, agency_b.code)
    out = capsys.readouterr().out
    assert ReportingRule.objects.count() == 1
    assert "agency-a (TX): 12 state rule(s) known; they apply without being copied, so nothing was added." in out
    assert "Missing from care → Court: 24 h (State: Tex. Fam. Code §264.123)" in out
    assert (
        "not applied: Missing from care → Court: 48 h (Agency: Lax policy). The state deadline (24 h) is stricter"
        in out
    )
    assert "agency-b (MO): 0 state rule(s) known" in out
    assert "Missing from care → NCMEC: 24 h (Federal: Federal: SSA §471(a)(35)(B))" in out


def test_unknown_agency_code_is_a_clear_error_and_writes_nothing(agency_a):
    with pytest.raises(CommandError, match="No agency with code: nope"):
        call_command("install_state_rules", agency_a.code, "nope")
    assert ReportingRule.objects.count() == 0


# --- The admin ---------------------------------------------------------------------------------------


def _admin_site_user(user):
    """An agency admin given admin-site access (README: the admin is for superusers; scoped anyway)."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="missing_reports"))
    return user


def _effective_url(agency):
    return reverse("admin:missing_reports_reportingrule_effective", args=[agency.pk])


def test_the_admin_shows_the_deadlines_in_effect_with_their_origins(client_for, agency_admin_a, agency_a):
    ReportingRule.objects.create(agency=agency_a, event="missing", party="tribe", hours=24, source="Tribal notice")
    # A row written before such rows were refused: it stays, shown as changing nothing.
    ReportingRule.objects.create(agency=agency_a, event="missing", party="law_enforcement", hours=6, source="Old row")
    client = client_for(_admin_site_user(agency_admin_a))
    listing = client.get(reverse("admin:missing_reports_reportingrule_changelist"))
    assert _effective_url(agency_a) in listing.content.decode()

    response = client.get(_effective_url(agency_a))
    assert response.status_code == 200
    rows = [(r.event, r.party, r.hours, r.origin, r.in_effect) for r in response.context["rows"]]
    assert ("Missing from care", "Law enforcement (NCIC entry)", 2, "State", True) in rows
    assert ("Missing from care", "Law enforcement (NCIC entry)", 6, "Agency", False) in rows
    assert ("Missing from care", "NCMEC", 24, "Federal", True) in rows
    assert ("Missing from care", "Tribe", 24, "Agency", True) in rows
    assert ("Return", "Return interview (debrief)", 72, "Default", True) in rows
    text = response.content.decode()
    assert "KS PPS 5245: law enforcement within 2 h" in text
    assert "Not applied: the state deadline (2 h) is stricter; an agency row cannot lengthen it." in text
    assert "Not applied: shortened by the state deadline (2 h)." in text  # the federal 24 h


def test_another_agencys_admin_cannot_see_the_deadlines_in_effect(client_for, admin_b, agency_a, agency_b):
    client = client_for(_admin_site_user(admin_b))
    assert client.get(_effective_url(agency_a)).status_code == 404
    assert client.get(_effective_url(agency_b)).status_code == 200
    listing = client.get(reverse("admin:missing_reports_reportingrule_changelist")).content.decode()
    assert _effective_url(agency_a) not in listing


def test_a_superuser_sees_every_agencys_deadlines(client_for, agency_a, agency_b):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = client_for(root)
    assert client.get(_effective_url(agency_a)).status_code == 200
    assert client.get(_effective_url(agency_b)).status_code == 200


def test_the_admin_form_refuses_a_row_that_would_lengthen_a_state_deadline(client_for, agency_admin_a, agency_a):
    client = client_for(_admin_site_user(agency_admin_a))
    url = reverse("admin:missing_reports_reportingrule_add")
    data = {
        "agency": agency_a.pk, "event": "missing", "party": "law_enforcement", "hours": 24, "unit": "hours",
        "source": "Policy",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["hours"]
    assert errors == [
        "Missing from care, Law enforcement (NCIC entry): the KS state deadline is 2 h "
        "(KS PPS 5245: law enforcement within 2 h), and it applies to this agency whatever its own table says. "
        "An agency row can only make a deadline shorter: enter fewer than 2 hours, or add no row."
    ]
    assert not ReportingRule.objects.exists()

    response = client.post(url, {**data, "party": "ncmec", "hours": 48})
    assert "the federal deadline is 24 h" in response.context["adminform"].form.errors["hours"][0]
    assert not ReportingRule.objects.exists()

    response = client.post(url, {**data, "hours": 1})
    assert response.status_code == 302
    assert ReportingRule.objects.get().hours == 1
    assert _due(agency_a, deadlines.LAW_ENFORCEMENT) == 1 * HOUR
