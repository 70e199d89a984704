"""Backup and restore on PostgreSQL (caseapp/services/backup.py, docs/deploy.md#backups): a seeded database backed
up with `manage.py backup`, restored with `manage.py restore` (another process, as an operator would run it)
into a fresh database and an empty media directory, has every youth, episode, notice and packet file, and
restore then refuses to run again over it. pg_dump and pg_restore are those on PATH.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from caseapp.models import Youth, YouthPhoto
from missing_reports.models import MissingEpisode, Notification, PacketVersion
from tests.conftest import PROJECT_DIR, _database_url

pytestmark = [pytest.mark.postgres]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def fresh_database(transactional_db):
    """An empty PostgreSQL database beside the test database, dropped at the end. Yields its settings dict."""
    from tests import services

    services.require_postgres()
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**connection.settings_dict, "NAME": name}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args, database, media):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(database),
        "PRIVATE_MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "caseapp.settings_test"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )


def rows(database, sql):
    params = {"dbname": database["NAME"], "user": database.get("USER") or None, "host": database.get("HOST") or None}
    params.update(port=database.get("PORT") or None, password=database.get("PASSWORD") or None)
    with psycopg2.connect(**{k: v for k, v in params.items() if v}) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        result = cursor.fetchall()
    conn.close()
    return result


def ids(database, model):
    return [row[0] for row in rows(database, f'SELECT id FROM "{model._meta.db_table}" ORDER BY id')]  # noqa: S608


def test_a_seeded_database_restored_into_a_fresh_one_has_every_youth_episode_notice_and_packet_file(
    fresh_database, _private_media_in_tmp, tmp_path
):
    media = _private_media_in_tmp
    call_command("seed_demo", youth=12, quiet=True, no_logins=True)
    packets = list(PacketVersion.objects.exclude(pdf_file="").order_by("pk"))
    assert packets, "the demo builds report packets"
    assert Notification.objects.exists() and MissingEpisode.objects.exists()
    originals = {
        model: list(model.objects.order_by("pk").values_list("pk", flat=True))
        for model in (Youth, MissingEpisode, Notification, PacketVersion, YouthPhoto)
    }
    packet_files = {
        name: sha256(media / name) for packet in packets for name in (packet.pdf_file.name, packet.json_file.name)
    }
    media_files = {p.relative_to(media).as_posix(): sha256(p) for p in media.rglob("*") if p.is_file()}

    backup_dir = tmp_path / "backup-2026-12-06"
    call_command("backup", str(backup_dir), stdout=io.StringIO())
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql"
    assert manifest["tables"][Youth._meta.db_table] == len(originals[Youth])
    assert {entry["path"]: entry["sha256"] for entry in manifest["media"]["files"]} == media_files

    restored_media = tmp_path / "restored-media"
    done = manage("restore", str(backup_dir), database=fresh_database, media=restored_media)
    assert done.returncode == 0, done.stderr
    assert "Every table's row count matches the manifest" in done.stdout

    for model, pks in originals.items():
        assert ids(fresh_database, model) == pks, model.__name__
    restored_packets = rows(
        fresh_database, f'SELECT id, pdf_file, json_file FROM "{PacketVersion._meta.db_table}" ORDER BY id'  # noqa: S608
    )
    assert [(pk, pdf, js) for pk, pdf, js in restored_packets if pdf] == [
        (p.pk, p.pdf_file.name, p.json_file.name) for p in packets
    ]
    assert {name: sha256(restored_media / name) for name in packet_files} == packet_files
    assert {p.relative_to(restored_media).as_posix(): sha256(p) for p in restored_media.rglob("*") if p.is_file()} == (
        media_files
    )

    # Again, over what is there now: refused, and nothing changes.
    before = ids(fresh_database, Youth)
    again = manage("restore", str(backup_dir), database=fresh_database, media=tmp_path / "other-media")
    assert again.returncode != 0
    assert "is not empty" in again.stderr and "restore goes only into an empty database" in again.stderr
    assert ids(fresh_database, Youth) == before
    assert not (tmp_path / "other-media").exists()
