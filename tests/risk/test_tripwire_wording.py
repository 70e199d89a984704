"""The reason a tripwire gives the review queue words its moment in the youth's agency's zone, with the
zone's abbreviation, whatever zone the process that recorded it had active (a page, a task, a command)."""

import datetime

import pytest
from django.utils import timezone

from risk.models import ReviewItem
from risk.services import observations as services

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_the_tripwire_reason_is_in_the_agency_zone(agency_a, caseworker_a, youth_a1):
    agency_a.time_zone = "Pacific/Honolulu"
    agency_a.save(update_fields=["time_zone"])
    received = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
    with timezone.override(UTC):  # e.g. a task: no agency zone active
        services.record_observation(
            actor=caseworker_a, youth_id=youth_a1.pk, indicator_code="C0.3", observed_at=received,
            information_received_at=received, source="external", evidence="verified",
        )
    local = received.astimezone(datetime.timezone(datetime.timedelta(hours=-10)))
    reason = ReviewItem.objects.get(youth=youth_a1).reasons[0]
    hour = local.hour % 12 or 12
    assert f"{hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'} HST)" in reason
