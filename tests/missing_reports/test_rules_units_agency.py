"""Rules in business days with the agency's holidays, and the parties the states name, end to end: the clocks a run
starts, where they show, the holidays in the admin, the effective-deadlines page and install_state_rules
(docs/duties.md#rule-units, #state-rules).
"""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from caseapp.models import AgencyHoliday
from missing_reports import deadlines
from missing_reports.models import Notification, ReportingRule
from missing_reports.services import episodes as services
from missing_reports.work import notice_what

pytestmark = pytest.mark.django_db
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
# Friday evening before a Monday holiday, in the past (a run cannot be logged as learned in the future).
FRIDAY_EVENING = datetime.datetime(2026, 1, 16, 18, 30, tzinfo=CHICAGO)  # Friday; Monday Jan 19, 2026 is MLK Day
MLK_DAY = datetime.date(2026, 1, 19)


def _log_run(actor, youth, learned=FRIDAY_EVENING):
    return services.log_run(
        actor=actor, youth_id=youth.pk, last_seen_at=learned - datetime.timedelta(hours=1),
        last_seen_location="Group home", reported_by="Night staff", agency_learned_at=learned,
    )


def _an_hour_ago():
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)


def _clocks(episode):
    return {n.party: n for n in Notification.objects.filter(episode=episode, event=deadlines.MISSING)}


def _in_state(agency, state):
    agency.state = state
    agency.save()
    return agency


def test_a_georgia_run_on_a_friday_evening_before_a_monday_holiday_is_due_in_court_at_the_end_of_wednesday(
    caseworker_a, youth_a1, agency_a, agency_b
):
    _in_state(agency_a, "GA")
    AgencyHoliday.objects.create(agency=agency_a, date=MLK_DAY, name="Martin Luther King Jr. Day")
    episode = _log_run(caseworker_a, youth_a1)
    court = _clocks(episode)[deadlines.COURT]
    assert (court.rule_hours, court.rule_unit, court.rule_span) == (2, deadlines.BUSINESS_DAYS, "2 business days")
    assert court.due_at.astimezone(CHICAGO).strftime("%a %m/%d %H:%M:%S %Z") == "Wed 01/21 23:59:59 CST"
    assert court.rule_source.startswith("GA DFCS 19.22")
    # The federal clocks stay in hours.
    assert _clocks(episode)[deadlines.NCMEC].due_at == FRIDAY_EVENING + datetime.timedelta(hours=24)


def test_another_agencys_holidays_never_apply(caseworker_a, youth_a1, agency_a, agency_b):
    _in_state(agency_a, "GA")
    AgencyHoliday.objects.create(agency=agency_b, date=MLK_DAY, name="Martin Luther King Jr. Day")
    court = _clocks(_log_run(caseworker_a, youth_a1))[deadlines.COURT]
    assert court.due_at.astimezone(CHICAGO).strftime("%a %m/%d") == "Tue 01/20"


def test_a_clock_already_running_keeps_its_due_time_when_the_holidays_or_the_table_change(
    caseworker_a, youth_a1, agency_a
):
    _in_state(agency_a, "GA")
    court = _clocks(_log_run(caseworker_a, youth_a1))[deadlines.COURT]
    due = court.due_at
    AgencyHoliday.objects.create(agency=agency_a, date=MLK_DAY, name="Martin Luther King Jr. Day")
    ReportingRule.objects.create(agency=agency_a, event="missing", party="court", hours=12, source="New policy")
    court.refresh_from_db()
    assert court.due_at == due and court.rule_unit == deadlines.BUSINESS_DAYS


@pytest.mark.parametrize(
    "state, parties",
    [
        ("IL", {deadlines.PARENTS, deadlines.COURT, deadlines.CHILD_FIND}),
        ("AZ", {deadlines.PARENTS, deadlines.ATTORNEY_GAL, deadlines.CASA, deadlines.COURT, deadlines.CAREGIVER}),
        ("ND", {deadlines.REGIONAL_SUPERVISOR}),
        ("VA", {deadlines.LAW_ENFORCEMENT_WRITTEN}),
    ],
)
def test_the_parties_a_state_names_get_clocks_that_show_on_the_episode_page_the_board_and_my_work(
    client_for, caseworker_a, youth_a1, agency_a, state, parties
):
    _in_state(agency_a, state)
    episode = _log_run(caseworker_a, youth_a1, learned=_an_hour_ago())
    clocks = _clocks(episode)
    assert parties <= set(clocks)
    client = client_for(caseworker_a)
    page = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    board = client.get(reverse("missing_now")).content.decode()
    work = client.get("/work/").content.decode()
    for party in parties:
        assert clocks[party].label in page
        assert clocks[party].label in board  # the badge's full name
        assert clocks[party].rule_source in page
    assert f"within {clocks[next(iter(parties))].rule_span}" in page
    for party in parties:
        assert notice_what(clocks[party]) in work  # "Notify: Child Find of America", "Send law enforcement the …"


def test_a_new_partys_notice_is_recorded_with_its_evidence_like_any_other(client_for, caseworker_a, youth_a1, agency_a):
    _in_state(agency_a, "IL")
    episode = _log_run(caseworker_a, youth_a1, learned=_an_hour_ago())
    clock = _clocks(episode)[deadlines.CHILD_FIND]
    done = services.record_notification(
        actor=caseworker_a, notification_id=clock.pk, expected_version=clock.version,
        done_at=datetime.datetime.now(datetime.UTC), method="phone", contact_name="Intake line",
        reference="CF-0001",
    )
    assert done.is_done and done.reference == "CF-0001"


def test_install_state_rules_is_idempotent_and_words_business_days(agency_a, capsys):
    _in_state(agency_a, "GA")
    call_command("install_state_rules", agency_a.code)
    first = capsys.readouterr().out
    call_command("install_state_rules", agency_a.code)
    assert capsys.readouterr().out == first
    assert not ReportingRule.objects.exists()
    assert "Missing from care → Court: 2 business days (State: GA DFCS 19.22: report to the juvenile court" in first


def test_install_state_rules_refuses_an_unknown_code_and_writes_nothing(agency_a):
    with pytest.raises(CommandError, match="No agency with code: GA"):
        call_command("install_state_rules", "GA")
    assert not ReportingRule.objects.exists()


# --- The admin -----------------------------------------------------------------------------------------------


def _admin_site_user(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=("missing_reports", "caseapp"),
                                  content_type__model__in=("agency", "agencyholiday", "reportingrule"))
    )
    return user


ADD_HOLIDAY = "admin:caseapp_agencyholiday_add"


def test_the_agency_admin_adds_holidays_in_the_admin_with_a_clear_empty_state(client_for, agency_admin_a, agency_a):
    client = client_for(_admin_site_user(agency_admin_a))
    listing = reverse("admin:caseapp_agencyholiday_changelist")
    assert "No holidays entered here yet" in client.get(listing).content.decode()
    data = {"agency": agency_a.pk, "date": "2026-12-25", "name": " Christmas  Day "}
    response = client.post(reverse(ADD_HOLIDAY), data)
    assert response.status_code == 302
    holiday = AgencyHoliday.objects.get(agency=agency_a)
    assert (holiday.date, holiday.name) == (datetime.date(2026, 12, 25), "Christmas Day")
    assert holiday.history.get().history_user == agency_admin_a
    page = client.get(listing).content.decode()
    assert "No holidays entered here yet" not in page and "Christmas Day" in page


@pytest.mark.parametrize(
    "date, name, field, message",
    [
        ("2026-12-25", "   ", "name", "Give the holiday its name, e.g. Christmas Day."),
        ("2026-12-26", "Boxing Day", "date", "Saturday, Dec 26, 2026 is a weekend day"),
        ("not a date", "Christmas Day", "date", "Enter a valid date."),
        ("2026-12-25", "Again", "date", "Dec 25, 2026: Christmas Day is already one of the agency's holidays"),
    ],
)
def test_a_bad_holiday_is_refused_with_a_message_and_nothing_is_saved(
    client_for, agency_admin_a, agency_a, date, name, field, message
):
    AgencyHoliday.objects.create(agency=agency_a, date=datetime.date(2026, 12, 25), name="Christmas Day")
    client = client_for(_admin_site_user(agency_admin_a))
    response = client.post(reverse(ADD_HOLIDAY), {"agency": agency_a.pk, "date": date, "name": name})
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert list(AgencyHoliday.objects.values_list("name", flat=True)) == ["Christmas Day"]


def test_an_agency_admin_never_sees_nor_adds_another_agencys_holidays(client_for, agency_admin_a, agency_a, agency_b):
    theirs = AgencyHoliday.objects.create(agency=agency_b, date=datetime.date(2026, 12, 24), name="Their day off")
    client = client_for(_admin_site_user(agency_admin_a))
    assert "Their day off" not in client.get(reverse("admin:caseapp_agencyholiday_changelist")).content.decode()
    change = client.get(reverse("admin:caseapp_agencyholiday_change", args=[theirs.pk]))
    assert change.status_code in (302, 404) and "Their day off" not in change.content.decode()
    response = client.post(reverse(ADD_HOLIDAY), {"agency": agency_b.pk, "date": "2026-12-28", "name": "Sneaky"})
    assert response.status_code == 200 and "agency" in response.context["adminform"].form.errors
    assert AgencyHoliday.objects.count() == 1


def test_the_effective_deadlines_page_words_business_days_and_lists_only_the_agencys_holidays(
    client_for, agency_admin_a, agency_a, agency_b
):
    _in_state(agency_a, "GA")
    client = client_for(_admin_site_user(agency_admin_a))
    url = reverse("admin:missing_reports_reportingrule_effective", args=[agency_a.pk])
    page = client.get(url).content.decode()
    assert "2 business days" in page
    assert "No holidays entered from today on" in page
    AgencyHoliday.objects.create(agency=agency_a, date=datetime.date(2099, 12, 24), name="Agency day of rest")
    AgencyHoliday.objects.create(agency=agency_b, date=datetime.date(2099, 12, 25), name="Other agency's day")
    page = client.get(url).content.decode()
    assert "Agency day of rest" in page and "Other agency&#x27;s day" not in page and "Other agency's day" not in page


def test_an_agency_row_in_business_days_is_refused_when_the_state_is_always_sooner(
    client_for, agency_admin_a, agency_a
):
    client = client_for(_admin_site_user(agency_admin_a))  # KS: law enforcement within 2 h
    url = reverse("admin:missing_reports_reportingrule_add")
    data = {"agency": agency_a.pk, "event": "missing", "party": "law_enforcement", "hours": 1,
            "unit": deadlines.BUSINESS_DAYS, "source": "Policy"}
    errors = client.post(url, data).context["adminform"].form.errors["hours"]
    assert "the KS state deadline is 2 h" in errors[0] and "1 business day never comes before it" in errors[0]
    errors = client.post(url, {**data, "hours": 0}).context["adminform"].form.errors["hours"]
    assert errors == ["A deadline in days is 1 to 90 days."]
    assert not ReportingRule.objects.exists()
    # A party the state does not name: a row in business days adds it.
    response = client.post(url, {**data, "party": deadlines.CASA, "hours": 2})
    assert response.status_code == 302
    assert ReportingRule.objects.get().unit == deadlines.BUSINESS_DAYS
