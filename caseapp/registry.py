"""Where the apps above caseapp plug into its pages, its demo data and its schedule.

caseapp never names the apps built on it (docs/design.md#dependencies). Each of
them registers what it contributes from its AppConfig.ready(); caseapp's home page, youth page,
`seed_demo` and the periodic schedule read what was registered here, in registration order (the
order of INSTALLED_APPS, then the order of the calls).

- A panel is a template included in a caseapp page, with the context it needs from a function of
  its own app (its selectors): `context(user, **page)` returns a dict merged into the page's
  context. The home page and My work have one slot each; the youth page has "actions" (buttons beside the youth's
  name, for editors) and "sections" (after the placements). The new-placement form has one slot
  ("placement-form"): what the caseworker should have in front of them when a youth moves, e.g. the
  factors named in earlier return interviews (docs/duties.md#response-plan).
- A demo seeder adds an app's synthetic data after caseapp's agencies, staff and youth:
  `seed(agencies=, staff=, log=)` returns counts of what it created. Seeders run by their `order`.
- A periodic task is an entry of the Celery beat schedule (settings.CELERY_BEAT_SCHEDULE, which
  Celery beat and `run_periodic` read): a task's registered name, its schedule and options.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

HOME = "home"
YOUTH_ACTIONS = "youth-actions"
YOUTH_SECTIONS = "youth-sections"
PLACEMENT_FORM = "placement-form"
WORK = "work"
SLOTS = (HOME, YOUTH_ACTIONS, YOUTH_SECTIONS, PLACEMENT_FORM, WORK)


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[..., dict] | None = None


_panels: dict[str, list[Panel]] = {slot: [] for slot in SLOTS}
_demo_seeders: list[tuple[int, Callable[..., dict]]] = []


def _add_panel(slot: str, template: str, context) -> None:
    panel = Panel(template, context)
    if panel not in _panels[slot]:  # ready() may run twice in a test process: once is enough
        _panels[slot].append(panel)


def register_home_panel(template: str, context: Callable[..., dict] | None = None) -> None:
    """A section of the home page: `context(user)`."""
    _add_panel(HOME, template, context)


def register_youth_panel(
    template: str, context: Callable[..., dict] | None = None, *, slot: str = YOUTH_SECTIONS
) -> None:
    """A part of the youth page: `context(user, youth)`. slot: YOUTH_SECTIONS or YOUTH_ACTIONS."""
    if slot not in (YOUTH_ACTIONS, YOUTH_SECTIONS):
        raise ValueError(f"Unknown youth page slot {slot!r}.")
    _add_panel(slot, template, context)


def register_placement_form_panel(template: str, context: Callable[..., dict] | None = None) -> None:
    """A part of the new-placement form, above its fields: `context(user, youth)`."""
    _add_panel(PLACEMENT_FORM, template, context)


def register_work_panel(template: str, context: Callable[..., dict] | None = None) -> None:
    """A list of My work beside the work items, for work that is not about one youth (caseapp/work.py's WorkItem
    is): `context(user)`."""
    _add_panel(WORK, template, context)


def panels(slot: str) -> list[Panel]:
    return list(_panels[slot])


def panel_context(slot: str, user, **page) -> dict:
    """The context every panel of `slot` asks for, merged, plus the slot's templates for the page to
    include, as `<slot>_panels` with dashes as underscores (e.g. `youth_sections_panels`)."""
    context = {}
    for panel in _panels[slot]:
        if panel.context is not None:
            context.update(panel.context(user, **page))
    context[slot.replace("-", "_") + "_panels"] = [panel.template for panel in _panels[slot]]
    return context


def register_demo_seeder(seed: Callable[..., dict], *, order: int = 0) -> None:
    """`seed` runs after caseapp's own demo data, with the other seeders by `order` (lowest first),
    then in registration order."""
    if all(existing is not seed for _, existing in _demo_seeders):
        _demo_seeders.append((order, seed))


def demo_seeders() -> list[Callable[..., dict]]:
    return [seed for _, seed in sorted(_demo_seeders, key=lambda item: item[0])]


def register_periodic_task(name: str, task: str, schedule, **options) -> None:
    """Add entry `name` to the beat schedule: run task `task` (its registered name) on `schedule`
    (seconds, a timedelta or a crontab), with Celery's sending `options` (e.g. expires=55)."""
    entry = {"task": task, "schedule": schedule}
    if options:
        entry["options"] = options
    schedule_ = settings.CELERY_BEAT_SCHEDULE
    if schedule_.get(name, entry) != entry:
        raise ValueError(f"The periodic task {name!r} is registered twice, differently.")
    # The schedule is the settings' own dict: Celery reads its configuration from settings lazily
    # (caseapp/celery.py), so beat, which sets Django up before it reads the schedule, sees it.
    schedule_[name] = entry
