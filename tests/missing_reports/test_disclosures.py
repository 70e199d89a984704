"""Disclosures routed (docs/duties.md#disclosures).

A disclosure of abuse or neglect, or of another crime, at the return interview or later starts the child abuse
hotline and law-enforcement clocks of the agency's rules (24 h by default, 8 h in Texas); online exploitation
adds the CyberTipline clock. The clocks are in My work for the youth's caseworker, on the episode page, in the
timeliness report, and escalate like every clock. The supervisors are alerted once, without what was said,
which only those who may see restricted fields can read. Bad input writes nothing; outsiders get 404.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp import work
from caseapp.local_time import agency_zone, display_time, short_time
from caseapp.models import Alert, AuditEvent
from exports.reports.base import ExportFilters, ReportQuery
from exports.reports.timeliness.rows import TimelinessCompliance
from missing_reports import deadlines, escalation
from missing_reports.models import Disclosure, Notification, ReportingRule
from missing_reports.services import disclosures
from missing_reports.services import episodes as services

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
SEC = datetime.timedelta(seconds=1)
SAID = "Said an adult at the house hit them and took their phone."
HOTLINE = "Report the disclosure to the child abuse hotline"
POLICE = "Report the disclosure to law enforcement"
CYBERTIP = "Report the disclosure to NCMEC's CyberTipline"


def text(response):
    return " ".join(response.content.decode().split())


def local(value):
    return timezone.localtime(value, timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def texas(agency_a):
    agency_a.state = "TX"
    agency_a.save()
    return agency_a


@pytest.fixture
def returned(caseworker_a, youth_a1, now):
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, agency_learned_at=now - 30 * H, last_seen_at=now - 31 * H,
        last_seen_location="Near the bus station", reported_by="Foster parent (Ms. Example)",
    )
    return services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        located_at=now - 3 * H, returned_at=now - 2 * H, found_location_type="friend", how_located="self_returned",
    )


def disclose(actor, episode, when, **extra):
    fields = {"kind": "abuse_neglect", "context": "return_interview", "disclosed_at": when, "what_was_said": SAID}
    return disclosures.record_disclosure(actor=actor, episode_id=episode.pk, **(fields | extra))


def clocks(episode):
    return {n.party: n for n in episode.notifications.filter(event=deadlines.DISCLOSED)}


def test_a_disclosure_at_the_return_starts_the_hotline_and_law_enforcement_clocks_by_the_rules(
    returned, caseworker_a, now
):
    disclosure = disclose(caseworker_a, returned, now - H)
    started = clocks(returned)
    assert set(started) == {deadlines.ABUSE_HOTLINE, deadlines.LAW_ENFORCEMENT}
    for clock in started.values():
        assert clock.due_at == now - H + 24 * H and clock.rule_hours == 24 and not clock.is_done
        assert clock.rule_source == deadlines.DEFAULT_DISCLOSURE_SOURCE
    assert started[deadlines.ABUSE_HOTLINE].label == "Child abuse hotline told of the disclosure"
    assert started[deadlines.LAW_ENFORCEMENT].label == "Law enforcement told of the disclosure"
    # Audited, without what was said.
    row = AuditEvent.objects.get(object_type__endswith="disclosure", object_id=str(disclosure.pk))
    assert SAID not in str(row.detail) and row.detail["kind"] == "abuse_neglect"
    assert disclosure.history.count() == 1


def test_a_texas_agencys_clocks_are_8_hours(texas, returned, caseworker_a, now):
    disclose(caseworker_a, returned, now - H, kind="crime")
    started = clocks(returned)
    assert {party: c.rule_hours for party, c in started.items()} == {
        deadlines.ABUSE_HOTLINE: 8, deadlines.LAW_ENFORCEMENT: 8,
    }
    assert started[deadlines.LAW_ENFORCEMENT].due_at == now - H + 8 * H
    assert "6461.5" in started[deadlines.ABUSE_HOTLINE].rule_source


def test_an_agency_row_sets_a_disclosure_deadline(agency_a, returned, caseworker_a, now):
    ReportingRule.objects.create(agency=agency_a, event=deadlines.DISCLOSED, party=deadlines.ABUSE_HOTLINE, hours=4)
    disclose(caseworker_a, returned, now - H)
    assert clocks(returned)[deadlines.ABUSE_HOTLINE].due_at == now - H + 4 * H


def test_online_exploitation_adds_the_cybertipline_clock(returned, caseworker_a, now):
    disclose(caseworker_a, returned, now - H, kind="online_exploitation")
    started = clocks(returned)
    assert set(started) == {deadlines.ABUSE_HOTLINE, deadlines.LAW_ENFORCEMENT, deadlines.CYBERTIPLINE}
    assert started[deadlines.CYBERTIPLINE].rule_hours == 24


def test_a_second_disclosure_gets_its_own_clocks_due_from_its_own_time(returned, caseworker_a, now):
    first = disclose(caseworker_a, returned, now - 2 * H)
    second = disclose(caseworker_a, returned, now - H, kind="online_exploitation")
    assert Disclosure.objects.filter(episode=returned).count() == 2
    assert Notification.objects.filter(episode=returned, event=deadlines.DISCLOSED).count() == 5
    assert {n.party: n.due_at for n in first.notifications.all()} == {
        deadlines.ABUSE_HOTLINE: now - 2 * H + 24 * H, deadlines.LAW_ENFORCEMENT: now - 2 * H + 24 * H,
    }
    assert {n.party: n.due_at for n in second.notifications.all()} == {
        deadlines.ABUSE_HOTLINE: now - H + 24 * H, deadlines.LAW_ENFORCEMENT: now - H + 24 * H,
        deadlines.CYBERTIPLINE: now - H + 24 * H,
    }
    # Each new clock was audited.
    assert AuditEvent.objects.filter(object_type__endswith="notification").count() >= 5


def test_recording_one_disclosures_report_does_not_close_the_others(returned, caseworker_a, now):
    first = disclose(caseworker_a, returned, now - 2 * H)
    second = disclose(caseworker_a, returned, now - H, kind="crime")
    hotline = first.notifications.get(party=deadlines.ABUSE_HOTLINE)
    services.record_notification(
        actor=caseworker_a, notification_id=hotline.pk, expected_version=hotline.version, done_at=now,
        method="phone", reference="INTAKE-1",
    )
    assert first.notifications.get(party=deadlines.ABUSE_HOTLINE).is_done
    other = second.notifications.get(party=deadlines.ABUSE_HOTLINE)
    assert not other.is_done and other.due_at == now - H + 24 * H
    # The second disclosure's alert lists its own open reports.
    alert = Alert.objects.get(key=f"disclosure:{second.pk}")
    assert alert.body.count("told of the disclosure: due") == 2


def test_my_work_shows_each_disclosures_reports(returned, caseworker_a, now):
    first = disclose(caseworker_a, returned, now - 2 * H)
    second = disclose(caseworker_a, returned, now - H)
    mine = [i for i in work.my_items(caseworker_a, now) if i.kind == "notice" and "disclosure" in i.what]
    assert sorted(i.what for i in mine) == sorted([HOTLINE, HOTLINE, POLICE, POLICE])
    # Each says which disclosure it reports.
    details = {i.detail for i in mine}
    assert details == {
        f"The disclosure of {short_time(first.disclosed_at)}", f"The disclosure of {short_time(second.disclosed_at)}"
    }


def test_the_timeliness_report_counts_each_disclosures_reports(
    returned, caseworker_a, agency_staff_a, agency_a, now
):
    disclose(caseworker_a, returned, now - 2 * H)
    disclose(caseworker_a, returned, now - H)
    day = timezone.localdate()
    query = ReportQuery(
        agency=agency_a, user=agency_staff_a, as_of=now,
        filters=ExportFilters.from_json(
            {"period_start": (day - datetime.timedelta(days=3)).isoformat(), "period_end": day.isoformat()}
        ),
    )
    labels = [row[4] for row in TimelinessCompliance().rows(query)]
    assert labels.count(deadlines.DISCLOSED_PARTY_LABELS[deadlines.ABUSE_HOTLINE]) == 2
    assert labels.count(deadlines.DISCLOSED_PARTY_LABELS[deadlines.LAW_ENFORCEMENT]) == 2


def test_the_episode_page_lists_each_disclosures_clocks_under_it(client_for, caseworker_a, returned, now):
    first = disclose(caseworker_a, returned, now - 2 * H)
    second = disclose(caseworker_a, returned, now - H, kind="online_exploitation")
    page = client_for(caseworker_a).get(reverse("episode_detail", args=[returned.pk])).content.decode()
    section = page[page.index('id="disclosures-h"'):]
    cards = section.split('<h3 class="h6 mb-1">')[1:]  # one a disclosure, its clocks' cards inside
    assert "Earlier disclosure reports" not in page
    for disclosure, card in zip((first, second), cards, strict=False):
        for clock in disclosure.notifications.all():
            assert reverse("notification_record", args=[clock.pk]) in card
    assert "CyberTipline" in cards[1] and "CyberTipline" not in cards[0]


def test_a_clock_is_one_per_party_of_a_disclosure_and_one_per_party_of_an_episode_otherwise(
    returned, caseworker_a, now
):
    disclosure = disclose(caseworker_a, returned, now - H)
    fields = {"episode": returned, "due_at": now, "rule_hours": 24}
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            disclosure=disclosure, event=deadlines.DISCLOSED, party=deadlines.ABUSE_HOTLINE, **fields
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(event=deadlines.MISSING, party=deadlines.NCMEC, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():  # only a disclosure clock belongs to a disclosure
        Notification.objects.create(disclosure=disclosure, event=deadlines.MISSING, party=deadlines.PARENTS, **fields)


def test_the_migration_ties_earlier_clocks_to_their_disclosure_where_unambiguous(
    client_for, returned, caseworker_a, now
):
    migration = importlib.import_module("missing_reports.migrations.0012_disclosure_clocks")
    first = disclose(caseworker_a, returned, now - 2 * H)
    second = disclose(caseworker_a, returned, now - H, kind="online_exploitation")
    # As before 0012: one clock per party of the episode, the first disclosure's, and the CyberTipline's of the
    # second; and one whose start matches neither disclosure.
    Notification.objects.filter(disclosure=second).exclude(party=deadlines.CYBERTIPLINE).delete()
    odd = first.notifications.get(party=deadlines.LAW_ENFORCEMENT)
    Notification.objects.filter(pk=odd.pk).update(due_at=odd.due_at + H / 6)
    Notification.objects.filter(event=deadlines.DISCLOSED).update(disclosure=None)
    migration.tie_clocks_to_disclosures(django_apps, None)
    tied = dict(Notification.objects.filter(event=deadlines.DISCLOSED).values_list("party", "disclosure_id"))
    assert tied == {
        deadlines.ABUSE_HOTLINE: first.pk, deadlines.CYBERTIPLINE: second.pk, deadlines.LAW_ENFORCEMENT: None,
    }
    # The one left over is still on the episode page, with the episode's clocks.
    page = text(client_for(caseworker_a).get(reverse("episode_detail", args=[returned.pk])))
    clocks_part = page[page.index('id="clocks-h"'):page.index('id="disclosures-h"')]
    assert "Earlier disclosure reports" in clocks_part
    assert reverse("notification_record", args=[odd.pk]) in clocks_part


def test_the_clocks_are_my_work_for_the_caseworker_only_and_leave_when_recorded(
    returned, caseworker_a, caseworker_a2, now
):
    disclose(caseworker_a, returned, now - H)
    mine = [i for i in work.my_items(caseworker_a, now) if i.kind == "notice" and "disclosure" in i.what]
    assert sorted(i.what for i in mine) == sorted([HOTLINE, POLICE])
    assert not [i for i in work.my_items(caseworker_a2, now) if "disclosure" in i.what]
    hotline = clocks(returned)[deadlines.ABUSE_HOTLINE]
    services.record_notification(
        actor=caseworker_a, notification_id=hotline.pk, expected_version=hotline.version, done_at=now,
        method="phone", reference="INTAKE-1",
    )
    left = [i.what for i in work.my_items(caseworker_a, now) if "disclosure" in i.what]
    assert left == [POLICE]


def test_the_clocks_escalate_like_every_clock(returned, caseworker_a, supervisor_a, now):
    disclose(caseworker_a, returned, now - H)
    clock = clocks(returned)[deadlines.LAW_ENFORCEMENT]
    escalation.sweep(now=clock.due_at - 4 * H)
    assert Alert.objects.filter(key=f"notice:{clock.pk}:lead_caseworker").exists()
    escalation.sweep(now=clock.due_at + SEC)
    overdue = Alert.objects.get(key=f"notice:{clock.pk}:overdue")
    assert "Law enforcement told of the disclosure" in overdue.subject
    assert "from the youth's disclosure" in overdue.body
    assert SAID not in overdue.body


def test_the_alert_goes_once_to_the_supervisors_and_carries_no_disclosed_text(
    returned, caseworker_a, supervisor_a, youth_a1, now
):
    disclosure = disclose(caseworker_a, returned, now - H)
    alert = Alert.objects.get(key=f"disclosure:{disclosure.pk}")
    first = (youth_a1.preferred_name or youth_a1.legal_first_name).split()[0]
    assert f"A disclosure was recorded for {first}, case {youth_a1.case_number}: reports due by" in alert.body
    assert SAID not in alert.body and SAID not in alert.subject and SAID not in alert.sms_text
    assert youth_a1.legal_last_name not in alert.body
    assert list(alert.recipients.values_list("user__username", flat=True)) == ["supervisor_a"]
    disclosures.raise_disclosure_alert(disclosure, caseworker_a, now)  # a retry finds the first
    assert Alert.objects.filter(kind=disclosures.ALERT_KIND).count() == 1


def counts():
    return tuple(model.objects.count() for model in (Notification, Alert, AuditEvent, Disclosure))


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": ""}, "kind"),
        ({"kind": "rumour"}, "kind"),
        ({"what_was_said": "  "}, "what_was_said"),
        ({"disclosed_at": None}, "disclosed_at"),
        ({"context": "gossip"}, "context"),
    ],
)
def test_bad_input_changes_nothing(returned, caseworker_a, now, change, field):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        disclose(caseworker_a, returned, now - H, **change)
    assert field in refused.value.message_dict
    assert counts() == before


def test_a_future_time_a_time_before_the_youth_was_found_and_an_open_episode_are_refused(
    returned, caseworker_a, youth_a1, now
):
    with pytest.raises(ValidationError, match="future"):
        disclose(caseworker_a, returned, now + H)
    with pytest.raises(ValidationError, match="found"):
        disclose(caseworker_a, returned, now - 5 * H)
    open_episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, agency_learned_at=now - H, last_seen_at=now - 2 * H,
        last_seen_location="School", reported_by="School office",
    )
    with pytest.raises(ValidationError, match="return first"):
        disclose(caseworker_a, open_episode, now)
    assert not Disclosure.objects.exists()


def test_only_editors_of_the_youth_may_record_one(returned, caseworker_a2, agency_staff_a, caseworker_b, now):
    for outsider in (caseworker_a2, agency_staff_a, caseworker_b):
        with pytest.raises(Http404):
            disclose(outsider, returned, now - H)
    assert not Disclosure.objects.exists()


def test_the_caseworker_records_a_disclosure_from_the_episode_page(client_for, caseworker_a, returned, now):
    client = client_for(caseworker_a)
    page = text(client.get(reverse("episode_detail", args=[returned.pk])))
    url = reverse("disclosure_create", args=[returned.pk])
    assert "No disclosure recorded" in page and url in page
    form = text(client.get(url))
    assert "What the youth disclosed" in form and "Online exploitation" in form
    data = {"kind": "", "context": "return_interview", "disclosed_at": local(now - H), "what_was_said": SAID}
    refused = client.post(url, data)
    assert refused.status_code == 200 and "Say what the youth disclosed." in text(refused)
    future = client.post(url, {**data, "kind": "crime", "disclosed_at": local(now + 2 * H)})
    assert "cannot be in the future" in text(future)
    assert not Disclosure.objects.exists() and not clocks(returned)
    response = client.post(url, {**data, "kind": "crime"}, follow=True)
    shown = text(response)
    disclosures_part = shown[shown.index('id="disclosures-h"'):]
    assert "Law enforcement told of the disclosure" in disclosures_part
    assert "The reports this disclosure calls for" in disclosures_part
    assert "Another crime against the youth" in shown and SAID in shown


def test_what_was_said_is_hidden_from_agency_staff(
    client_for, caseworker_a, supervisor_a, agency_staff_a, returned, now
):
    disclose(caseworker_a, returned, now - H)
    url = reverse("episode_detail", args=[returned.pk])
    staff = text(client_for(agency_staff_a).get(url))
    assert "Abuse or neglect" in staff and SAID not in staff and "Restricted" in staff
    assert "Record a disclosure" not in staff  # not an editor
    assert SAID in text(client_for(supervisor_a).get(url))


def test_the_page_is_404_to_outsiders(client_for, caseworker_b, caseworker_a2, agency_staff_a, returned, now):
    url = reverse("disclosure_create", args=[returned.pk])
    data = {"kind": "crime", "context": "other", "disclosed_at": local(now - H), "what_was_said": SAID}
    for outsider in (caseworker_b, caseworker_a2, agency_staff_a):
        client = client_for(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
    assert not Disclosure.objects.exists()


def test_the_timeliness_report_lists_the_disclosure_clocks(returned, caseworker_a, agency_staff_a, agency_a, now):
    disclose(caseworker_a, returned, now - H, kind="online_exploitation")
    day = timezone.localdate()
    query = ReportQuery(
        agency=agency_a, user=agency_staff_a, as_of=now,
        filters=ExportFilters.from_json(
            {"period_start": (day - datetime.timedelta(days=3)).isoformat(), "period_end": day.isoformat()}
        ),
    )
    rows = {row[4]: row for row in TimelinessCompliance().rows(query)}
    for label in deadlines.DISCLOSED_PARTY_LABELS.values():
        assert rows[label][10] == "Not yet due"


def test_the_episode_page_runs_the_same_queries_with_one_disclosure_and_three(
    client_for, supervisor_a, caseworker_a, returned, now
):
    client = client_for(supervisor_a)
    url = reverse("episode_detail", args=[returned.pk])
    disclose(caseworker_a, returned, now - H)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    disclose(caseworker_a, returned, now - H / 2, kind="crime")
    disclose(caseworker_a, returned, now - H / 4, kind="online_exploitation")
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    assert text(response).count("What the youth said") == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_the_youth_page_offers_it_on_a_returned_episode_to_editors_only(
    client_for, caseworker_a, agency_staff_a, returned
):
    url = reverse("disclosure_create", args=[returned.pk])
    youth_page = reverse("youth_detail", args=[returned.youth_id])
    assert url in client_for(caseworker_a).get(youth_page).content.decode()
    assert url not in client_for(agency_staff_a).get(youth_page).content.decode()


def test_a_report_is_recorded_on_its_clock_page_in_the_disclosures_words(client_for, caseworker_a, returned, now):
    disclose(caseworker_a, returned, now - H)
    client = client_for(caseworker_a)
    started = clocks(returned)
    hotline = text(client.get(reverse("notification_record", args=[started[deadlines.ABUSE_HOTLINE].pk])))
    assert f"<h1 class=\"h3 mb-2\">{HOTLINE}</h1>" in hotline
    assert "of the youth's disclosure" in hotline and "NCIC" not in hotline
    # Which disclosure: an episode may have more than one.
    disclosed_at = Disclosure.objects.get(episode=returned).disclosed_at
    assert f"of the youth's disclosure of {display_time(disclosed_at, agency_zone(returned.youth.agency))}" in hotline
    police = client.get(reverse("notification_record", args=[started[deadlines.LAW_ENFORCEMENT].pk]))
    assert set(police.context["form"].fields) >= {"le_agency", "officer_name", "badge_number"}
    assert not {"ncic_number", "ncic_confirmed_at"} & set(police.context["form"].fields)
