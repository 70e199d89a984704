"""missing_reports 0014: a disclosure becomes the youth's (its episode optional); every disclosure recorded before,
all of an episode, gets its episode's youth, and keeps its episode."""

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import YouthFactory

BEFORE = [("missing_reports", "0013_agency_endangerment_item")]
AFTER = [("missing_reports", "0014_disclosure_any_observation")]
NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_every_disclosure_gets_its_episodes_youth(transactional_db, caseworker_a, team_a1):
    youths = [YouthFactory(team=team_a1) for _ in range(2)]
    try:
        apps = migrate(BEFORE)
        Episode = apps.get_model("missing_reports", "MissingEpisode")
        Disclosure = apps.get_model("missing_reports", "Disclosure")
        made = {}
        for youth in youths:
            episode = Episode.objects.create(
                youth_id=youth.pk, status="returned", last_seen_at=NOW, agency_learned_at=NOW,
                returned_at=NOW + datetime.timedelta(hours=5), last_seen_location="Park", reported_by="Caregiver",
                created_by_id=caseworker_a.pk,
            )
            disclosure = Disclosure.objects.create(
                episode_id=episode.pk, kind="crime", disclosed_at=NOW + datetime.timedelta(hours=6),
                what_was_said="Said someone took their phone.", recorded_by_id=caseworker_a.pk,
            )
            made[disclosure.pk] = (youth.pk, episode.pk)
        apps = migrate(AFTER)
        Disclosure = apps.get_model("missing_reports", "Disclosure")
        assert {d.pk: (d.youth_id, d.episode_id) for d in Disclosure.objects.all()} == made
    finally:
        migrate(latest())
