"""An observation recorded on the nights the clocks change, through the observation form and the risk page.

Agency A is in America/Chicago: on 2026-11-01 1:00-1:59 AM happens twice (CDT, then CST); on 2027-03-14
2:00-2:59 AM never happens. "Now" is held at chosen instants of those nights (tests.helpers.FrozenClock).
"""

import datetime

import pytest
from django.urls import reverse

from risk.models import Observation
from tests.helpers import FrozenClock, posted_form

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


FIRST_0130 = utc(2026, 11, 1, 6, 30)  # 1:30 AM CDT
SECOND_0130 = utc(2026, 11, 1, 7, 30)  # 1:30 AM CST
GAP_MESSAGE = (
    "2:30 AM on Mar 14, 2027 does not exist in America/Chicago: clocks went from 1:59 AM CST to 3:00 AM CDT. "
    "Enter 1:59 AM or 3:00 AM."
)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return FrozenClock(monkeypatch, utc(2026, 10, 31, 17, 0))


def observe(client, youth, **typed):
    url = reverse("risk_observe", args=[youth.pk])
    page = client.get(url).content.decode()
    data = posted_form(page, "observed_at", indicator="C7.2", source="caregiver", evidence="verified", **typed)
    return page, client.post(url, data)


@pytest.mark.parametrize(
    "now, meant, shown",
    [
        pytest.param(utc(2026, 11, 1, 6, 45), FIRST_0130, "11/01/2026 01:30 CDT", id="first-pass"),
        pytest.param(utc(2026, 11, 1, 7, 10), FIRST_0130, "11/01/2026 01:30 CDT", id="second-pass-before-0130-CST"),
        pytest.param(utc(2026, 11, 1, 7, 40), SECOND_0130, "11/01/2026 01:30 CST", id="second-pass-after-0130-CST"),
    ],
)
def test_an_observation_in_the_repeated_hour(clock, client_for, caseworker_a, youth_a1, now, meant, shown):
    clock.set(now + datetime.timedelta(seconds=15))
    client = client_for(caseworker_a)
    page, response = observe(client, youth_a1, observed_at="2026-11-01T01:30")
    assert "Agency time (America/Chicago)." in page
    assert response.status_code == 302, response.context["form"].errors
    observation = Observation.objects.get(youth=youth_a1)
    assert observation.observed_at == meant
    # "When the agency received the information" was left as the form filled it: now, to the minute.
    assert observation.information_received_at == now
    risk_page = client.get(reverse("youth_risk", args=[youth_a1.pk])).content.decode()
    assert f"Observed {shown}" in risk_page


def test_an_observation_time_in_the_spring_gap_is_refused(clock, client_for, caseworker_a, youth_a1):
    clock.set(utc(2027, 3, 14, 9, 0))
    _page, response = observe(client_for(caseworker_a), youth_a1, observed_at="2027-03-14T02:30")
    assert response.status_code == 200
    assert response.context["form"].errors["observed_at"] == [GAP_MESSAGE]
    assert GAP_MESSAGE in response.content.decode()
    assert not Observation.objects.exists()
