"""`manage.py sweep_clocks`: the sweep for installations without Celery beat (the embedded default)."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from missing_reports.models import Escalation
from missing_reports.services import episodes as services

pytestmark = pytest.mark.django_db


def test_one_sweep_marks_a_past_due_clock_overdue_and_tells_people(caseworker_a, supervisor_a, youth_a1, mailoutbox):
    learned = timezone.now() - datetime.timedelta(hours=30)
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=learned - datetime.timedelta(hours=1),
        last_seen_location="Bus stop on Elm St", reported_by="Foster parent", agency_learned_at=learned,
    )
    mailoutbox.clear()  # the run announcement

    call_command("sweep_clocks")

    assert all(n.overdue_at is not None for n in episode.notifications.all())
    assert Escalation.objects.filter(notification__episode=episode, stage="overdue", sent_at__isnull=False).count() == 2
    assert mailoutbox and all(supervisor_a.email in m.to for m in mailoutbox)

    call_command("sweep_clocks")  # a second sweep adds nothing
    assert Escalation.objects.filter(notification__episode=episode).exclude(recipients=["(skipped)"]).count() == 2


def test_negative_interval_is_refused():
    with pytest.raises(CommandError, match="--every cannot be negative"):
        call_command("sweep_clocks", "--every", "-1")


def test_the_sweep_also_builds_packets_whose_build_was_lost(caseworker_a, youth_a1, monkeypatch):
    from missing_reports.models import PacketStatus, PacketVersion
    from missing_reports.packets import pipeline

    monkeypatch.setattr(pipeline, "request_packets", lambda *args, **kwargs: None)  # the enqueue is lost
    now = timezone.now()
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - datetime.timedelta(hours=2),
        last_seen_location="Library", reported_by="Foster parent", agency_learned_at=now - datetime.timedelta(hours=1),
    )
    assert not PacketVersion.objects.filter(episode=episode).exists()

    call_command("sweep_clocks")

    ready = PacketVersion.objects.filter(episode=episode, status=PacketStatus.READY)
    assert sorted(ready.values_list("kind", flat=True)) == ["law_enforcement", "ncmec"]
