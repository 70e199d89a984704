"""missing_reports 0009: the debrief becomes one of an episode's return interviews; every existing debrief is kept,
and a declined one recorded before follow-up screenings were tracked says it named no trusted adult."""

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import YouthFactory

BEFORE = [("missing_reports", "0008_endangerment_reasons")]
AFTER = [("missing_reports", "0009_debriefs_and_screening_follow_up")]
NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_every_debrief_is_kept_and_a_declined_one_names_no_adult(transactional_db, caseworker_a, team_a1):
    youths = [YouthFactory(team=team_a1) for _ in range(2)]
    try:
        apps = migrate(BEFORE)
        Episode, Debrief = apps.get_model("missing_reports", "MissingEpisode"), apps.get_model(
            "missing_reports", "Debrief"
        )
        made = []
        for youth, answer in zip(youths, ("yes", "declined"), strict=True):
            episode = Episode.objects.create(
                youth_id=youth.pk, status="returned", last_seen_at=NOW, agency_learned_at=NOW,
                returned_at=NOW + datetime.timedelta(hours=5), last_seen_location="Park", reported_by="Caregiver",
                created_by_id=caseworker_a.pk,
            )
            made.append(
                Debrief.objects.create(
                    episode_id=episode.pk, interview_at=NOW + datetime.timedelta(hours=6),
                    interviewer_id=caseworker_a.pk, running_direction="from", primary_factors=["conflict"],
                    trafficking_screening_done=answer, screening_not_done_reason="" if answer == "yes" else "Tired.",
                ).pk
            )
        apps = migrate(AFTER)
        Debrief = apps.get_model("missing_reports", "Debrief")
        kept = {d.pk: (d.trafficking_screening_done, d.follow_up_adult_name) for d in Debrief.objects.all()}
        assert kept == {
            made[0]: ("yes", ""),
            made[1]: ("declined", "Not named (recorded before follow-up screenings were tracked)"),
        }
    finally:
        migrate(latest())
