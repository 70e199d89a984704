from django.apps import AppConfig


class MissingReportsConfig(AppConfig):
    """Missing-from-care episodes, their reporting clocks and report packets."""

    name = "missing_reports"
    verbose_name = "Missing from care"

    def ready(self):
        # A youth's new photo or changed description makes new versions of their episodes' packets.
        # caseapp sends the signal and never imports this app (docs/design.md#dependencies).
        from caseapp import registry
        from caseapp.signals import youth_record_changed

        from . import demo, panels, tasks, work  # noqa: F401  tasks: registers the Celery task names
        from .packets import pipeline
        from .services import endangerment

        youth_record_changed.connect(
            pipeline.on_youth_record_changed, dispatch_uid="missing_reports.packets.youth_record_changed"
        )
        # A date of birth or medications recorded while the youth is missing ticks the endangerment they support.
        youth_record_changed.connect(
            endangerment.on_youth_record_changed, dispatch_uid="missing_reports.endangerment.youth_record_changed"
        )
        # What this app adds to caseapp's pages, demo data and schedule (caseapp/registry.py).
        registry.register_home_panel("missing_reports/_home_missing_now.html", panels.home_context)
        registry.register_youth_panel("missing_reports/_youth_actions.html", slot=registry.YOUTH_ACTIONS)
        registry.register_youth_panel("missing_reports/_youth_episodes.html", panels.youth_context)
        registry.register_youth_panel("missing_reports/_youth_disclosures.html", panels.youth_disclosures_context)
        # "What helps me" and the response plans' open actions; the same, with the factors named in earlier
        # return interviews, on the new-placement form (docs/duties.md#response-plan).
        registry.register_youth_panel("missing_reports/_youth_what_helps.html", panels.youth_plan_context)
        registry.register_placement_form_panel(
            "missing_reports/_placement_form_history.html", panels.placement_form_context
        )
        registry.register_demo_seeder(demo.seed)
        # Its work items on "My work", the team view and the overdue count (caseapp/work.py).
        work.register()
        # Every minute: reminders before a clock runs out, overdue marks after, and the packet catch-up.
        # A sweep that waited longer than its period is dropped (expires): the next one does the same work.
        registry.register_periodic_task("sweep-clocks", "missing_reports.tasks.sweep_clocks", 60.0, expires=55)
