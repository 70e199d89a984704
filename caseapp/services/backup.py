"""Backup and restore of the database and the private media (docs/deploy.md#backups).

A backup is a directory that holds three files:

- the database: `database.pgdump` (PostgreSQL's custom format, from `pg_dump`) or `database.sqlite3` (a copy
  made with SQLite's online backup API);
- `private-media.tar.gz`: every file under PRIVATE_MEDIA_ROOT (photos, report packets, exports);
- `manifest.json`, written last, so a directory without one is not a finished backup: the size and SHA-256 of
  both files, the size and SHA-256 of every media file, the row count of every table and the migrations the
  database had.

The counts and the dump come from one snapshot of the database (PostgreSQL: the dump runs in the transaction
that counted, through `pg_dump --snapshot`; SQLite: the counts are read from the copy), so they agree even
while people keep working. The media archive is read after the dump: a file added meanwhile is in it and
harmless; a file removed meanwhile (an expired export) is left out and named in the log.

`restore` goes into an EMPTY database and an empty media directory only: it never overwrites records. It checks
the whole backup (manifest, checksums, every media file) before it changes anything; PostgreSQL restores in one
transaction, so a failure leaves the database empty; the media are unpacked beside the target and moved into
place only when the database is in. Then it counts every table again against the manifest.
"""

import contextlib
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
MEDIA_ARCHIVE = "private-media.tar.gz"
CHUNK = 1024 * 1024
ENGINES = {"postgresql": PG_DUMP, "sqlite": SQLITE_COPY}
# libpq's environment variables for the connection OPTIONS the settings may carry (DATABASE_URL ?sslmode=...).
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do. Nothing was changed."""


@dataclass
class Result:
    directory: Path
    manifest: dict
    notes: list[str] = field(default_factory=list)


# --- Shared ------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entry(path: Path) -> dict:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ENGINES:
        raise BackupError(f"Backups cover PostgreSQL and SQLite; this database is {vendor}.")
    return vendor


def _table_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the catalogue, quoted)
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _libpq(program: str) -> tuple[str, dict, list[str]]:
    """The path of `program` (pg_dump, pg_restore), its environment and its connection arguments."""
    path = shutil.which(program)
    if path is None:
        raise BackupError(
            f"{program} is not on PATH. Install the PostgreSQL client tools (Debian: apt-get install "
            "postgresql-client), of the server's major version or newer."
        )
    conf = connection.settings_dict
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    for option, variable in LIBPQ_OPTIONS.items():
        if option in (conf.get("OPTIONS") or {}):
            env[variable] = str(conf["OPTIONS"][option])
    args = []
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    args += ["--no-password", "--dbname", str(conf["NAME"])]
    return path, env, args


def _run(command: list[str], env: dict, what: str):
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()[-2000:]
        raise BackupError(f"{what} failed (exit {completed.returncode}): {detail}")
    return completed


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


# --- Backup ------------------------------------------------------------------------------------------


def _prepare_target(directory: Path) -> bool:
    """Create the backup directory (owner only: it holds children's records). True when it was created here."""
    if directory.exists():
        if not directory.is_dir():
            raise BackupError(f"{directory} is a file, not a directory: give a new or empty directory.")
        if any(directory.iterdir()):
            raise BackupError(
                f"{directory} is not empty: a backup goes into a new or empty directory, so it never mixes with "
                "or overwrites another one."
            )
        return False
    if not directory.parent.is_dir():
        raise BackupError(f"The directory {directory.parent} does not exist: create it first, or give another path.")
    directory.mkdir(mode=0o700)
    return True


def _dump_postgres(directory: Path) -> tuple[dict, list[str]]:
    """Dump to PG_DUMP; the counts and migrations from the same snapshot. Returns (counts, migrations)."""
    if connection.in_atomic_block:
        raise BackupError("A backup cannot run inside a transaction: it opens its own snapshot.")
    path, env, args = _libpq("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _table_counts(cursor, connection.introspection.table_names(cursor))
        migrations = _applied_migrations(cursor)
        _run(
            [path, "--format=custom", f"--snapshot={snapshot}", "--file", str(directory / PG_DUMP), *args],
            env,
            "pg_dump",
        )
    return counts, migrations


def _copy_sqlite(directory: Path) -> tuple[dict, list[str]]:
    """Copy with SQLite's online backup API; the counts and migrations read from the copy."""
    name = str(connection.settings_dict["NAME"])
    copy = directory / SQLITE_COPY
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("This SQLite database lives in memory: there is no file to back up.")
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
        cursor = target.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        counts = _table_counts(cursor, [row[0] for row in cursor.fetchall()])
        migrations = _applied_migrations(cursor)
    finally:
        target.close()
        source.close()
    return counts, migrations


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _archive_media(directory: Path, log) -> tuple[dict, list[str]]:
    """Write MEDIA_ARCHIVE of every regular file under the media root. Returns (entry, notes)."""
    root = _media_root()
    files, notes = [], []
    with tarfile.open(directory / MEDIA_ARCHIVE, "w:gz") as archive:
        for path in _media_files(root):
            relative = path.relative_to(root).as_posix()
            try:
                handle = path.open("rb")
            except FileNotFoundError:
                notes.append(f"{relative} was removed while the backup ran (an expired export?): not in the backup.")
                continue
            with handle:
                digest = hashlib.sha256()
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                handle.seek(0)
                info = archive.gettarinfo(fileobj=handle, arcname=relative)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                archive.addfile(info, handle)
            files.append({"path": relative, "bytes": info.size, "sha256": digest.hexdigest()})
    log(f"Private media: {len(files)} files archived from {root}.")
    return {**_file_entry(directory / MEDIA_ARCHIVE), "files": files}, notes


def backup(directory, *, log=lambda message: None) -> Result:
    """Back the database and the private media up into `directory` (new, or empty)."""
    directory = Path(directory).absolute()
    engine = _engine()
    created = _prepare_target(directory)
    try:
        counts, migrations = (_dump_postgres if engine == "postgresql" else _copy_sqlite)(directory)
        log(f"Database ({engine}): {len(counts)} tables, {sum(counts.values())} rows.")
        media, notes = _archive_media(directory, log)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "database": _file_entry(directory / ENGINES[engine]),
            "media": media,
            "tables": counts,
            "migrations": migrations,
        }
        partial = directory / f".{MANIFEST}.partial"
        partial.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        partial.replace(directory / MANIFEST)
    except BaseException:
        _remove_partial_backup(directory, created)
        raise
    for path in directory.iterdir():
        path.chmod(0o600)
    return Result(directory, manifest, notes)


def _remove_partial_backup(directory: Path, created: bool):
    if created:
        shutil.rmtree(directory, ignore_errors=True)
        return
    for name in (PG_DUMP, SQLITE_COPY, MEDIA_ARCHIVE, MANIFEST, f".{MANIFEST}.partial"):
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()


# --- Restore -----------------------------------------------------------------------------------------


def _is_sha256(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _checked_file_entry(entry, what: str) -> dict:
    if not (
        isinstance(entry, dict)
        and isinstance(entry.get("file"), str)
        and "/" not in entry["file"]
        and isinstance(entry.get("bytes"), int)
        and _is_sha256(entry.get("sha256"))
    ):
        raise BackupError(f"{MANIFEST} is damaged: its {what} entry is not a file name, a size and a SHA-256.")
    return entry


def read_manifest(directory: Path) -> dict:
    """The backup's manifest, checked for shape. BackupError for a missing directory or a damaged manifest."""
    if not directory.is_dir():
        raise BackupError(f"There is no backup at {directory}: the directory does not exist.")
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{directory} has no {MANIFEST}: it is not a backup made by `manage.py backup`, or one that did not "
            "finish."
        )
    try:
        manifest = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{MANIFEST} in {directory} is damaged (not JSON: {exc}).") from None
    if not isinstance(manifest, dict):
        raise BackupError(f"{MANIFEST} in {directory} is damaged (not a JSON object).")
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{MANIFEST} is of format {manifest.get('format')!r}; this version of the app reads format {FORMAT}."
        )
    if manifest.get("engine") not in ENGINES:
        raise BackupError(f"{MANIFEST} is damaged: unknown database engine {manifest.get('engine')!r}.")
    _checked_file_entry(manifest.get("database"), "database")
    media = _checked_file_entry(manifest.get("media"), "media")
    files = media.get("files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("bytes"), int)
        and _is_sha256(f.get("sha256"))
        for f in files
    ):
        raise BackupError(f"{MANIFEST} is damaged: its list of media files is not paths, sizes and SHA-256s.")
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(n, int) for n in tables.values()):
        raise BackupError(f"{MANIFEST} is damaged: its table counts are not numbers.")
    if not isinstance(manifest.get("migrations"), list):
        raise BackupError(f"{MANIFEST} is damaged: it does not list the database's migrations.")
    return manifest


def _verify_file(directory: Path, entry: dict):
    path = directory / entry["file"]
    if not path.is_file():
        raise BackupError(f"{entry['file']} is missing from {directory}: the backup is incomplete.")
    if path.stat().st_size != entry["bytes"] or sha256_of(path) != entry["sha256"]:
        raise BackupError(
            f"{entry['file']} does not match its size and SHA-256 in {MANIFEST}: the backup is damaged."
        )


def _check_target_database_empty():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        name = connection.settings_dict["NAME"]
        raise BackupError(
            f"The database {name} is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}): restore goes "
            "only into an empty database, so it never overwrites records. Create a new, empty database (e.g. "
            "`createdb caseapp_restored`) and point DATABASE_URL at it; to replace this database, drop and "
            "create it yourself first."
        )


def _check_target_media_empty(root: Path):
    if root.exists() and not root.is_dir():
        raise BackupError(f"PRIVATE_MEDIA_ROOT {root} is a file, not a directory.")
    if _media_files(root):
        raise BackupError(
            f"PRIVATE_MEDIA_ROOT {root} already holds files: restore puts the media only into an empty or new "
            "directory, so it never overwrites or mixes files. Point PRIVATE_MEDIA_ROOT at an empty directory."
        )
    if not root.parent.is_dir():
        raise BackupError(f"The directory {root.parent} (above PRIVATE_MEDIA_ROOT) does not exist: create it first.")


def _unpack_media(directory: Path, manifest: dict, root: Path) -> Path:
    """Unpack the archive into a new directory beside `root` and check every file. Returns that directory."""
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.restoring-", dir=root.parent))
    try:
        with tarfile.open(directory / manifest["media"]["file"], "r:gz") as archive:
            archive.extractall(staging, filter="data")  # no absolute paths, no "..", no links out, no devices
        expected = {entry["path"]: entry for entry in manifest["media"]["files"]}
        found = {path.relative_to(staging).as_posix(): path for path in _media_files(staging)}
        if set(found) != set(expected):
            missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
            raise BackupError(
                f"The media archive does not hold the files {MANIFEST} lists (missing: {missing[:5]}, "
                f"not listed: {extra[:5]}): the backup is damaged."
            )
        for relative, path in found.items():
            entry = expected[relative]
            if path.stat().st_size != entry["bytes"] or sha256_of(path) != entry["sha256"]:
                raise BackupError(f"The media file {relative} does not match its SHA-256 in {MANIFEST}.")
    except (tarfile.TarError, OSError, EOFError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"The media archive cannot be unpacked ({exc}): the backup is damaged.") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _restore_postgres(dump: Path):
    path, env, args = _libpq("pg_restore")
    connection.close()  # pg_restore works on its own connection; ours reconnects afterwards
    _run(
        [path, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *args, str(dump)],
        env,
        "pg_restore (nothing was restored: it runs in one transaction)",
    )


def _restore_sqlite(copy: Path):
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("DATABASE_URL names an in-memory SQLite database: restore needs a database file.")
    connection.close()
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    target = sqlite3.connect(name)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _move_into_place(staging: Path, root: Path):
    if root.exists():
        shutil.rmtree(root)  # empty of files (checked): at most empty folders
    staging.rename(root)
    root.chmod(0o700)


def _migration_notes(manifest: dict) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    applied = set(manifest["migrations"])
    notes = []
    unknown = sorted(applied - known)
    if unknown:
        notes.append(
            f"The backup's database has migrations this code does not know ({', '.join(unknown[:5])}): it was made "
            "by a newer version of the app. Deploy that version (or newer) before using this database."
        )
    pending = sorted(known - applied)
    if pending:
        notes.append(
            f"This code has {len(pending)} migration(s) the backup's database does not: run `manage.py migrate`."
        )
    return notes


def restore(directory, *, log=lambda message: None) -> Result:
    """Restore the backup in `directory` into the (empty) database and (empty) media directory of the settings."""
    directory = Path(directory).absolute()
    manifest = read_manifest(directory)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database, and DATABASE_URL names a {engine} one: restore "
            "into the same kind of database."
        )
    _verify_file(directory, manifest["database"])
    _verify_file(directory, manifest["media"])
    log("Checksums match the manifest.")
    root = _media_root().absolute()
    _check_target_database_empty()
    _check_target_media_empty(root)
    staging = _unpack_media(directory, manifest, root)
    log(f"Private media: {len(manifest['media']['files'])} files unpacked and checked.")
    try:
        (_restore_postgres if engine == "postgresql" else _restore_sqlite)(directory / manifest["database"]["file"])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _move_into_place(staging, root)
    log(f"Database restored; private media in {root}.")
    with connection.cursor() as cursor:
        counts = _table_counts(cursor, manifest["tables"])
    differ = {table: (n, counts[table]) for table, n in manifest["tables"].items() if counts[table] != n}
    if differ:
        raise BackupError(
            f"Restored, but these tables' row counts differ from the manifest (expected, found): {differ}."
        )
    log(f"Every table's row count matches the manifest ({sum(counts.values())} rows in {len(counts)} tables).")
    return Result(directory, manifest, _migration_notes(manifest))
