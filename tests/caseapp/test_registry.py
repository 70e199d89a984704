"""caseapp/registry.py: the apps above caseapp add their panels, demo data and periodic tasks from
their AppConfig, and caseapp's pages, `seed_demo` and the schedule read them (caseapp names none of
those apps). caseapp/queue.py: work is sent by a task's registered name."""

import re

import pytest
from django.urls import reverse

from caseapp import queue, registry


def test_each_app_registers_its_periodic_tasks_under_their_celery_names(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-clocks"]["task"] == "missing_reports.tasks.sweep_clocks"
    assert schedule["exports-sweep"]["task"] == "exports.tasks.sweep_exports"
    assert schedule["risk-reassess-nightly"]["task"] == "risk.tasks.reassess_nightly"
    for entry in schedule.values():
        assert queue.task_named(entry["task"]).name == entry["task"]


def test_a_periodic_task_registered_twice_differently_is_refused(settings):
    settings.CELERY_BEAT_SCHEDULE = {}
    registry.register_periodic_task("sweep", "exports.tasks.sweep_exports", 60.0, expires=55)
    registry.register_periodic_task("sweep", "exports.tasks.sweep_exports", 60.0, expires=55)  # the same: fine
    with pytest.raises(ValueError, match="registered twice"):
        registry.register_periodic_task("sweep", "risk.tasks.sweep_reviews", 60.0)
    assert settings.CELERY_BEAT_SCHEDULE == {
        "sweep": {"task": "exports.tasks.sweep_exports", "schedule": 60.0, "options": {"expires": 55}}
    }


def test_an_unknown_task_name_fails_at_once_in_the_caller():
    with pytest.raises(KeyError, match=re.escape("No Celery task is registered as 'risk.tasks.no_such_task'")):
        queue.enqueue_on_commit("risk.tasks.no_such_task", 1)


def test_demo_seeders_run_by_order_then_registration(monkeypatch):
    monkeypatch.setattr(registry, "_demo_seeders", [])
    calls = []

    def later(**kwargs):
        calls.append("later")

    def first(**kwargs):
        calls.append("first")

    def also_later(**kwargs):
        calls.append("also later")

    registry.register_demo_seeder(later)
    registry.register_demo_seeder(first, order=-1)
    registry.register_demo_seeder(also_later)
    registry.register_demo_seeder(later)  # ready() run again: still once
    for seed in registry.demo_seeders():
        seed()
    assert calls == ["first", "later", "also later"]


def test_a_registered_panel_shows_on_the_home_page_with_its_context(
    client_for, caseworker_a, monkeypatch, settings, tmp_path
):
    # An app's panel: its template, with what its own context function supplies for the user.
    (tmp_path / "_test_panel.html").write_text("<p>A test panel for {{ panel_user }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    monkeypatch.setattr(registry, "_panels", {slot: list(found) for slot, found in registry._panels.items()})
    registry.register_home_panel("_test_panel.html", lambda user: {"panel_user": user.username})

    page = client_for(caseworker_a).get(reverse("dashboard")).content.decode()

    assert f"A test panel for {caseworker_a.username}" in page
    # The panels the apps registered are still there, in registration order.
    assert page.index("Missing from care now") < page.index("A test panel")


def test_the_youth_page_has_a_slot_for_actions_and_one_for_sections():
    with pytest.raises(ValueError, match="Unknown youth page slot"):
        registry.register_youth_panel("x.html", slot=registry.HOME)
