"""`manage.py backup` and `manage.py restore` (caseapp/services/backup.py, docs/deploy.md#backups): bad input gets
a clear message and changes nothing; a SQLite database and its media round-trip (processes of their own, on
database files, as an operator runs them). The PostgreSQL round trip is tests/integration/test_backup_postgres.py.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile

import pytest
from django.core.management import CommandError, call_command

from caseapp.services import backup
from tests.conftest import PROJECT_DIR


def counts():
    from caseapp.models import AuditEvent, Youth

    return Youth.objects.count(), AuditEvent.objects.count()


def make_backup_dir(path, engine, *, media_files=None):
    """A backup directory with a database file, a media archive and a manifest that matches them."""
    path.mkdir()
    database = path / backup.ENGINES[engine]
    database.write_bytes(b"not really a database")
    media_files = media_files if media_files is not None else {"photos/1/a.jpg": b"\xff\xd8 synthetic"}
    with tarfile.open(path / backup.MEDIA_ARCHIVE, "w:gz") as archive:
        for name, content in media_files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    manifest = {
        "format": backup.FORMAT,
        "created_at": "2026-12-06T12:00:00+00:00",
        "engine": engine,
        "database": backup._file_entry(database),
        "media": {
            **backup._file_entry(path / backup.MEDIA_ARCHIVE),
            "files": [
                {"path": name, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
                for name, content in media_files.items()
            ],
        },
        "tables": {},
        "migrations": [],
    }
    (path / backup.MANIFEST).write_text(json.dumps(manifest))
    return path


@pytest.fixture
def engine():
    from django.db import connection

    return connection.vendor


def restore_fails(directory, message):
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(directory), stdout=io.StringIO())


@pytest.mark.django_db
def test_restore_of_a_directory_that_is_not_there_says_so(tmp_path):
    restore_fails(tmp_path / "nope", "There is no backup at .*nope: the directory does not exist")


@pytest.mark.django_db
def test_restore_without_a_manifest_says_it_is_not_a_finished_backup(tmp_path):
    (tmp_path / "half").mkdir()
    restore_fails(tmp_path / "half", "has no manifest.json: it is not a backup made by `manage.py backup`")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda m: "{not json", "manifest.json in .* is damaged \\(not JSON"),
        (lambda m: json.dumps([1, 2]), "is damaged \\(not a JSON object\\)"),
        (lambda m: json.dumps({**m, "format": 99}), "of format 99; this version of the app reads format 1"),
        (lambda m: json.dumps({**m, "engine": "oracle"}), "unknown database engine 'oracle'"),
        (lambda m: json.dumps({**m, "database": {"file": "../etc/passwd"}}), "its database entry is not a file name"),
        (lambda m: json.dumps({**m, "media": {**m["media"], "files": [{"path": 1}]}}), "list of media files"),
        (lambda m: json.dumps({**m, "tables": {"caseapp_youth": "many"}}), "table counts are not numbers"),
    ],
)
def test_a_damaged_manifest_is_refused_and_nothing_changes(tmp_path, engine, damage, message, _private_media_in_tmp):
    directory = make_backup_dir(tmp_path / "b", engine)
    manifest = json.loads((directory / backup.MANIFEST).read_text())
    (directory / backup.MANIFEST).write_text(damage(manifest))
    before = counts()
    restore_fails(directory, message)
    assert counts() == before
    assert list(_private_media_in_tmp.iterdir()) == []


@pytest.mark.django_db
def test_a_file_that_does_not_match_its_checksum_is_refused_and_nothing_changes(
    tmp_path, engine, _private_media_in_tmp
):
    directory = make_backup_dir(tmp_path / "b", engine)
    (directory / backup.MEDIA_ARCHIVE).write_bytes(b"truncated")
    restore_fails(directory, "private-media.tar.gz does not match its size and SHA-256 in manifest.json: the backup is")
    directory = make_backup_dir(tmp_path / "c", engine)
    (directory / backup.ENGINES[engine]).unlink()
    restore_fails(directory, "is missing from .*: the backup is incomplete")
    assert list(_private_media_in_tmp.iterdir()) == []


@pytest.mark.django_db
def test_a_backup_of_another_kind_of_database_is_refused(tmp_path, engine):
    other = "postgresql" if engine == "sqlite" else "sqlite"
    restore_fails(make_backup_dir(tmp_path / "b", other), f"This backup is of a {other} database, and DATABASE_URL")


@pytest.mark.django_db
def test_restore_into_a_database_with_records_is_refused_and_nothing_changes(
    tmp_path, engine, youth_a1, _private_media_in_tmp
):
    directory = make_backup_dir(tmp_path / "b", engine)
    before = counts()
    restore_fails(directory, "is not empty .*: restore goes only into an empty database, so it never overwrites")
    assert counts() == before
    assert list(_private_media_in_tmp.iterdir()) == []


@pytest.mark.django_db
def test_backup_refuses_a_directory_with_files_and_a_missing_parent(tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("an older backup")
    with pytest.raises(CommandError, match="is not empty: a backup goes into a new or empty directory"):
        call_command("backup", str(full), stdout=io.StringIO())
    assert [p.name for p in full.iterdir()] == ["keep.txt"]
    with pytest.raises(CommandError, match=r"The directory .*missing does not exist: create it first"):
        call_command("backup", str(tmp_path / "missing" / "b"), stdout=io.StringIO())
    assert not (tmp_path / "missing").exists()


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300,
        check=False, env={**os.environ, "DJANGO_SETTINGS_MODULE": "caseapp.settings_test", "DEBUG": "true", **env},
    )


def test_a_sqlite_database_and_its_media_round_trip(tmp_path):
    source = {"DATABASE_URL": f"sqlite:///{tmp_path / 'source.sqlite3'}", "PRIVATE_MEDIA_ROOT": str(tmp_path / "m1")}
    target = {"DATABASE_URL": f"sqlite:///{tmp_path / 'target.sqlite3'}", "PRIVATE_MEDIA_ROOT": str(tmp_path / "m2")}
    assert manage("migrate", "--verbosity", "0", env=source).returncode == 0
    admin = {"DJANGO_SUPERUSER_PASSWORD": "synthetic-pass-2026", "DJANGO_SUPERUSER_EMAIL": "ops@example.org"}
    created = manage("createsuperuser", "--noinput", "--username", "synthetic.ops", env={**source, **admin})
    assert created.returncode == 0, created.stderr
    photo = tmp_path / "m1" / "photos" / "2026" / "p1.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 a synthetic photo")

    made = manage("backup", str(tmp_path / "backup"), env=source)
    assert made.returncode == 0, made.stderr
    assert "Backup written to" in made.stdout
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite" and manifest["tables"]["django_migrations"] > 0

    done = manage("restore", str(tmp_path / "backup"), env=target)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m2" / "photos" / "2026" / "p1.jpg").read_bytes() == photo.read_bytes()
    with sqlite3.connect(tmp_path / "target.sqlite3") as db:
        restored = db.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0]
        users = db.execute("SELECT username FROM caseapp_user").fetchall()
    assert restored == manifest["tables"]["django_migrations"]
    assert users == [("synthetic.ops",)]

    again = manage("restore", str(tmp_path / "backup"), env=target)
    assert again.returncode != 0 and "is not empty" in again.stderr
