"""An agency's deadline table: state rules apply until the agency has its own table, and can be installed."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from missing_reports import deadlines, services
from missing_reports.models import ReportingRule

pytestmark = pytest.mark.django_db
LEARNED = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def _due(agency, party):
    by_party = {d.party: d for d in deadlines.deadlines(deadlines.MISSING, LEARNED, services.rules_for(agency))}
    return by_party[party].due_at - LEARNED


def test_state_rules_apply_before_the_agency_has_a_table(agency_a):
    agency_a.state = "KS"
    assert _due(agency_a, deadlines.LAW_ENFORCEMENT) == datetime.timedelta(hours=2)
    assert _due(agency_a, deadlines.NCMEC) == datetime.timedelta(hours=24)


def test_the_agencys_own_table_replaces_the_state_defaults(agency_a):
    agency_a.state = "KS"
    ReportingRule.objects.create(agency=agency_a, event="missing", party="ncmec", hours=6, source="Agency policy")
    assert _due(agency_a, deadlines.NCMEC) == datetime.timedelta(hours=6)
    # With a table of its own, the KS 2 h rule applies only if the table has it.
    assert _due(agency_a, deadlines.LAW_ENFORCEMENT) == datetime.timedelta(hours=24)


def test_install_state_rules_copies_them_once(agency_a, agency_b, capsys):
    agency_a.state, agency_b.state = "TX", "KS"
    agency_a.save()
    agency_b.save()
    call_command("install_state_rules", agency_a.code, agency_b.code)
    call_command("install_state_rules", agency_a.code, agency_b.code)
    # Court, attorney, parents x run/return, and the 8 h identified-victim report.
    assert ReportingRule.objects.filter(agency=agency_a).count() == 7
    assert ReportingRule.objects.get(agency=agency_a, event="identified").hours == 8
    assert list(ReportingRule.objects.filter(agency=agency_b).values_list("party", "hours")) == [
        ("law_enforcement", 2)
    ]
    assert "0 rule(s) added" in capsys.readouterr().out


def test_unknown_agency_code_is_a_clear_error_and_writes_nothing(agency_a):
    with pytest.raises(CommandError, match="No agency with code: nope"):
        call_command("install_state_rules", agency_a.code, "nope")
    assert ReportingRule.objects.count() == 0
