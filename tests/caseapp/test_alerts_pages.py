"""The Alerts page, one-tap acknowledgement, the signed link, and the top bar's count (docs/alerts.md)."""

import datetime

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp import alert_delivery
from caseapp.models import Alert, AuditEvent
from caseapp.services import alerts
from tests.factories import YouthFactory

pytestmark = pytest.mark.django_db


def raise_for(youth, users, key, *, subject=None):
    return alerts.raise_alert(
        agency=youth.agency,
        youth=youth,
        kind="run_logged",
        key=key,
        subject=subject or f"Missing from care: {youth.display_name}",
        body="A run was logged.",
        sms_text=alert_delivery.sms_line(youth, "Missing from care"),
        url=f"/youth/{youth.pk}/",
        recipients=[(u, "", reason) for u, reason in users],
        ack_minutes=15,
    )


def test_the_list_shows_what_who_why_and_the_button_unacknowledged_first(
    client_for, youth_a1, caseworker_a, supervisor_a
):
    older = raise_for(youth_a1, [(caseworker_a, "Assigned caseworker"), (supervisor_a, "On call")], "run:1")
    alerts.acknowledge(older, user=supervisor_a, via="app")
    newer = raise_for(youth_a1, [(caseworker_a, "Assigned caseworker")], "notice:1:overdue", subject="Overdue: NCMEC")
    Alert.objects.filter(pk=newer.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))

    page = client_for(caseworker_a).get(reverse("alert_list")).content.decode()

    assert page.index("Overdue: NCMEC") < page.index(f"Missing from care: {youth_a1.display_name}")
    assert youth_a1.case_number in page and reverse("youth_detail", args=[youth_a1.pk]) in page
    assert "Why: Assigned caseworker." in page
    assert f"Also told: {supervisor_a}" in page
    assert f"Acknowledged by {supervisor_a}" in page
    assert page.count(">Acknowledge</button>") == 1  # only the open one
    assert "Alerts, 1 unread" in page
    assert "CST" in page or "CDT" in page  # agency time, zone named


def test_empty_state(client_for, caseworker_a):
    page = client_for(caseworker_a).get(reverse("alert_list")).content.decode()
    assert "No alerts." in page
    assert "Alerts, 0 unread" in page


def test_acknowledge_in_the_app(client_for, youth_a1, caseworker_a, supervisor_a):
    alert = raise_for(youth_a1, [(caseworker_a, "Assigned caseworker"), (supervisor_a, "On call")], "run:1")
    copy = alert.recipients.get(user=supervisor_a)
    client = client_for(supervisor_a)
    response = client.post(reverse("alert_acknowledge", args=[copy.pk]), follow=True)
    page = response.content.decode()
    assert "Acknowledged: Missing from care" in page
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledged_via) == (supervisor_a, "app")
    assert AuditEvent.objects.filter(object_type="alert", actor=supervisor_a).count() == 1
    # The caseworker sees who acknowledged; a second tap changes nothing.
    mine = alert.recipients.get(user=caseworker_a)
    page = client_for(caseworker_a).post(reverse("alert_acknowledge", args=[mine.pk]), follow=True).content.decode()
    assert f"Already acknowledged. Acknowledged by {supervisor_a}" in page
    alert.refresh_from_db()
    assert alert.acknowledged_by == supervisor_a
    assert AuditEvent.objects.filter(object_type="alert").count() == 1


@pytest.mark.parametrize("persona", ["caseworker_a2", "caseworker_b", "admin_b", "supervisor_a"])
def test_another_persons_copy_is_404_and_changes_nothing(request, client_for, youth_a1, caseworker_a, persona):
    alert = raise_for(youth_a1, [(caseworker_a, "Assigned caseworker")], "run:1")
    copy = alert.recipients.get()
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("alert_acknowledge", args=[copy.pk])).status_code == 404
    assert client.get(reverse("alert_acknowledge", args=[copy.pk])).status_code == 405
    assert youth_a1.case_number not in client.get(reverse("alert_list")).content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_copy_about_a_youth_no_longer_in_scope_is_hidden(client_for, youth_a2, caseworker_a):
    alert = raise_for(youth_a2, [(caseworker_a, "Moved teams")], "run:9")  # caseworker_a cannot open youth_a2
    client = client_for(caseworker_a)
    assert youth_a2.case_number not in client.get(reverse("alert_list")).content.decode()
    copy = alert.recipients.get()
    assert client.post(reverse("alert_acknowledge", args=[copy.pk])).status_code == 404


def test_acknowledge_by_the_signed_link_without_signing_in(youth_a1, caseworker_a, supervisor_a):
    alert = raise_for(youth_a1, [(caseworker_a, "Assigned caseworker"), (supervisor_a, "On call")], "run:1")
    copy = alert.recipients.get(user=supervisor_a)
    url = reverse("alert_ack_link", args=[alert_delivery.ack_token(copy.pk, "sms")])
    visitor = Client()
    page = visitor.get(url).content.decode()
    first = (youth_a1.preferred_name or youth_a1.legal_first_name).split()[0]
    assert f"about {first}, case {youth_a1.case_number}" in page
    assert youth_a1.legal_last_name not in page
    assert ">Acknowledge</button>" in page
    page = visitor.post(url).content.decode()
    assert "Thank you: acknowledged." in page
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledged_via) == (supervisor_a, "sms")
    # Opened again (or by the caseworker's email link): says who and when.
    other = reverse(
        "alert_ack_link", args=[alert_delivery.ack_token(alert.recipients.get(user=caseworker_a).pk, "email")]
    )
    page = Client().get(other).content.decode()
    assert f"Acknowledged by {supervisor_a} on" in page
    assert ">Acknowledge</button>" not in page


def test_a_forged_or_expired_link_is_a_clear_message(youth_a1, caseworker_a, settings):
    alert = raise_for(youth_a1, [(caseworker_a, "Assigned caseworker")], "run:1")
    copy = alert.recipients.get()
    token = alert_delivery.ack_token(copy.pk, "email")
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    other_copy = signing.TimestampSigner(salt="something else").sign(f"{copy.pk}e")
    for bad in (forged, other_copy, "nonsense", f"{copy.pk}e"):
        response = Client().post(reverse("alert_ack_link", args=[bad]))
        assert response.status_code == 400
        assert "This acknowledgement link is not valid." in response.content.decode()
    settings.ALERT_LINK_MAX_AGE_DAYS = 7
    old = signing.TimestampSigner(salt=alert_delivery.TOKEN_SALT)
    old.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp()) - 8 * 24 * 3600)
    expired = old.sign(f"{copy.pk}e")
    response = Client().post(reverse("alert_ack_link", args=[expired]))
    assert response.status_code == 400
    assert "This acknowledgement link has expired." in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_link_of_a_deactivated_account_is_404(youth_a1, caseworker_a):
    alert = raise_for(youth_a1, [(caseworker_a, "Assigned caseworker")], "run:1")
    copy = alert.recipients.get()
    caseworker_a.is_active = False
    caseworker_a.save()
    response = Client().post(reverse("alert_ack_link", args=[alert_delivery.ack_token(copy.pk, "email")]))
    assert response.status_code == 404
    assert "not available any more" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_unread_count_in_the_top_bar(client_for, youth_a1, caseworker_a, supervisor_a):
    first = raise_for(youth_a1, [(caseworker_a, "Assigned caseworker"), (supervisor_a, "On call")], "run:1")
    raise_for(youth_a1, [(caseworker_a, "Assigned caseworker")], "run:2")
    client = client_for(caseworker_a)
    assert "Alerts, 2 unread" in client.get(reverse("caseload")).content.decode()
    alerts.acknowledge(first, user=supervisor_a, via="app")  # in hand: no longer counts for anyone
    assert "Alerts, 1 unread" in client.get(reverse("caseload")).content.decode()


def _alerts(team, caseworker, supervisor, count, start):
    for n in range(count):
        youth = YouthFactory(team=team, assigned_caseworkers=[caseworker])
        alert = raise_for(youth, [(caseworker, "Assigned caseworker"), (supervisor, "On call")], f"run:{start + n}")
        if n % 2:
            alerts.acknowledge(alert, user=supervisor, via="app")


def test_the_list_runs_the_same_queries_at_two_sizes(client_for, team_a1, caseworker_a, supervisor_a, settings):
    settings.PAGE_SIZE = 100
    client = client_for(caseworker_a)
    _alerts(team_a1, caseworker_a, supervisor_a, 3, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("alert_list")).status_code == 200
    _alerts(team_a1, caseworker_a, supervisor_a, 30, 100)
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("alert_list")).content.decode()
    assert page.count("Why: Assigned caseworker.") == 33
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_alert_trail_lists_who_was_told_by_which_channel_and_who_acknowledged(
    youth_a1, caseworker_a, supervisor_a, django_assert_num_queries
):
    from django.template.loader import render_to_string

    from caseapp import selectors

    alert = raise_for(youth_a1, [(caseworker_a, "Assigned caseworker"), (supervisor_a, "On call")], "run:7")
    alert_delivery.deliver(alert.pk)
    alerts.acknowledge(alert, user=supervisor_a, via="email")
    raise_for(youth_a1, [(caseworker_a, "Assigned caseworker")], "run:7:reminder")
    with django_assert_num_queries(3):
        trail = selectors.alert_trail("run:7")
    html = render_to_string("caseapp/_alert_trail.html", {"alert_trail": trail})
    assert f"Acknowledged by {supervisor_a}" in html
    assert f"{caseworker_a}: told" in html and "Email sent" in html and "Email pending" in html
    assert "Not acknowledged yet." in html
