"""Synthetic risk data for the demo agency (seed_demo): a few observations and one external screen for
three youth of Alder County's North Team, then a reassessment, so that the review queue and the risk
pages have something to show. seed_demo calls `seed`, which risk/apps.py registers
(caseapp/registry.py; caseapp never imports risk).

Everything is made up (docs/design.md#rule-synthetic-data): the youth are seed_demo's synthetic youth and the notes are
invented (the tables of risk/demo_data.py; this module records them). Idempotent like the rest of
seed_demo: an observation is recorded only if the youth has none of that indicator yet, the external
screen only if the youth has none, and a reassessment with nothing new adds no snapshot
(risk.assessment.reassess).
"""

import datetime
import importlib

from django.apps import apps
from django.utils import timezone

from caseapp.models import Team, Youth, YouthStatus

from . import assessment
from .demo_data import AGENCY_CODE, CASEWORKER, EXTERNAL_SCREEN, OBSERVATIONS, TEAM_NAME
from .models import ExternalScreen, Indicator, Observation
from .services import observations as observation_services

TRIGGER = "Synthetic demo data (seed_demo)"
DAY = datetime.timedelta(days=1)


def demo_youth(agency_id):
    """The three synthetic youth: active, on the North Team, after Jordan Testperson (A-000001)."""
    team = Team.objects.filter(agency_id=agency_id, name=TEAM_NAME).first()
    if team is None:
        return []
    return list(
        Youth.objects.filter(team=team, status=YouthStatus.ACTIVE)
        .exclude(case_number__endswith="-000001")
        .order_by("case_number")[: len(OBSERVATIONS)]
    )


def reload_catalogue_after_flush(sender, *, using, apps=apps, **kwargs):
    """`post_migrate` follows every flush too (`manage.py flush`, a transactional test's teardown), which
    empties the catalogue the data migration wrote: load it again, so the app never runs without its
    indicators. After a plain migrate the rows are there and this reads one row. (`migrate` passes its
    migration state as `apps`; `flush` passes none: the installed models then.)"""
    try:
        indicator = apps.get_model("risk", "Indicator")
    except LookupError:  # the risk app is not migrated (yet): nothing to reload into
        return
    if not indicator.objects.using(using).exists():
        importlib.import_module("risk.migrations.0002_default_catalogue").sync(apps, None)


def ensure_catalogue(log):
    """The indicator rows come from a data migration; a flushed database (`manage.py flush`, or a
    transactional test) has lost them. Reload them with the migration's own idempotent function."""
    if not Indicator.objects.exists():
        importlib.import_module("risk.migrations.0002_default_catalogue").sync(apps, None)
        log("Risk: the indicator catalogue was missing (flushed database); loaded it again")


def seed(*, agencies, staff, log=lambda message: None, now=None) -> dict:
    """Record what is missing and reassess. Returns {"risk observations": n, "external screens": n}."""
    now = now or timezone.now()
    created = {"risk observations": 0, "external screens": 0}
    agency, actor = agencies.get(AGENCY_CODE), staff.get(CASEWORKER)
    if agency is None or actor is None:
        return created
    youth_list = demo_youth(agency.pk)
    if youth_list:
        ensure_catalogue(log)
    for youth, observations in zip(youth_list, OBSERVATIONS, strict=False):
        have = set(Observation.objects.filter(youth=youth).values_list("indicator__code", flat=True))
        for code, days_ago, source, evidence, note in observations:
            if code in have:
                continue
            observation_services.record_observation(
                actor=actor, youth_id=youth.pk, indicator_code=code, observed_at=now - days_ago * DAY,
                information_received_at=now - days_ago * DAY, source=source, evidence=evidence,
                note=f"{note} (synthetic demo note)",
            )
            created["risk observations"] += 1
    if len(youth_list) > 1 and not ExternalScreen.objects.filter(youth=youth_list[1]).exists():
        observation_services.record_external_screen(
            actor=actor, youth_id=youth_list[1].pk, tool=EXTERNAL_SCREEN["tool"],
            result_category=EXTERNAL_SCREEN["result_category"],
            screened_on=timezone.localdate(now) - EXTERNAL_SCREEN["days_ago"] * DAY,
        )
        created["external screens"] += 1
    for youth in youth_list:
        assessment.reassess(youth.pk, TRIGGER)
    log(
        f"Risk: {created['risk observations']} observations and {created['external screens']} external screens "
        f"new; {len(youth_list)} youth reassessed"
    )
    return created
