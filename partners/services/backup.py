"""Backups: one archive holding a pg_dump (custom format) of the database and a tarball of the uploads."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import environ
from django.conf import settings
from django.utils import timezone

DUMP_NAME = "database.dump"
SQLITE_NAME = "database.sqlite3"
MEDIA_NAME = "media.tar.gz"
MANIFEST_NAME = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def database_config(database_url=None):
    """The connection settings of the given URL, or of the configured default database."""
    if database_url:
        config = environ.Env.db_url_config(database_url)
        if "postgres" in config["ENGINE"]:
            config["ENGINE"] = "django.db.backends.postgresql"
        return config
    return settings.DATABASES["default"]


def _is_postgres(config):
    return config["ENGINE"] == "django.db.backends.postgresql"


def _pg_args(config):
    args = []
    if config.get("HOST"):
        args += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        args += ["--port", str(config["PORT"])]
    if config.get("USER"):
        args += ["--username", str(config["USER"])]
    return args


def _pg_env(config):
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])  # never on the command line, where `ps` shows it
    return env


def _run(command, env=None):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")
    return result


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_output():
    folder = Path(settings.VAR_DIR if hasattr(settings, "VAR_DIR") else settings.BASE_DIR / "var") / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"registry-{timezone.now():%Y%m%d-%H%M%S}.tar"


def create_backup(output=None, media_root=None) -> Path:
    """Write the archive; returns its path. The database dump is consistent (one snapshot)."""
    output = Path(output or default_output())
    media_root = Path(media_root or settings.MEDIA_ROOT)
    config = database_config()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        parts = []
        if _is_postgres(config):
            dump = tmp / DUMP_NAME
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump),
                  *_pg_args(config), "--dbname", config["NAME"]], env=_pg_env(config))
            parts.append(dump)
        else:
            copy = tmp / SQLITE_NAME
            source = sqlite3.connect(config["NAME"])
            target = sqlite3.connect(copy)
            with target:
                source.backup(target)  # the online-backup API: consistent while the site runs
            source.close()
            target.close()
            parts.append(copy)
        media = tmp / MEDIA_NAME
        with tarfile.open(media, "w:gz") as tar:
            if media_root.exists():
                tar.add(media_root, arcname=".")
        parts.append(media)
        manifest = {
            "created_at": timezone.now().isoformat(),
            "engine": "postgresql" if _is_postgres(config) else "sqlite",
            "files": {p.name: _sha256(p) for p in parts},
        }
        (tmp / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2))
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            for p in [tmp / MANIFEST_NAME, *parts]:
                tar.add(p, arcname=p.name)
        partial.replace(output)  # a crash mid-way never leaves a truncated archive under the real name
    return output


def _safe_members(tar, root: Path):
    """Refuse members that would land outside the target folder (absolute paths, `..`, links)."""
    root = root.resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        if not (target == root or root in target.parents) or member.issym() or member.islnk():
            raise BackupError(f"unsafe path in the archive: {member.name}")
        yield member


def _target_has_tables(config) -> bool:
    result = _run(["psql", "-tA", *_pg_args(config), "--dbname", config["NAME"], "-c",
                   "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"], env=_pg_env(config))
    return int(result.stdout.strip() or 0) > 0


def _unpack_and_verify(archive, tmp: Path) -> dict:
    """Unpack the archive and check every part against the manifest's checksums before touching anything."""
    try:
        with tarfile.open(archive) as outer:
            outer.extractall(tmp, members=list(_safe_members(outer, tmp)))
        manifest = json.loads((tmp / MANIFEST_NAME).read_text())
        for name, digest in manifest["files"].items():
            if _sha256(tmp / name) != digest:
                raise BackupError(f"{name} is damaged: its checksum does not match the manifest")
    except (tarfile.TarError, OSError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is damaged or not a backup of this registry ({exc})") from exc
    return manifest


def restore_backup(archive, database_url=None, media_root=None, force=False) -> dict:
    """Restore an archive into the given database (default: the configured one) and media folder."""
    archive = Path(archive)
    if not archive.exists():
        raise BackupError(f"no such backup: {archive}")
    config = database_config(database_url)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        manifest = _unpack_and_verify(archive, tmp)
        if manifest["engine"] == "postgresql":
            if not _is_postgres(config):
                raise BackupError("this backup holds a PostgreSQL dump; restore it into PostgreSQL")
            if _target_has_tables(config) and not force:
                raise BackupError(f"the database {config['NAME']} is not empty; use --force to replace its "
                                  "contents")
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
                  "--single-transaction", *_pg_args(config), "--dbname", config["NAME"], str(tmp / DUMP_NAME)],
                 env=_pg_env(config))
        else:
            if _is_postgres(config):
                raise BackupError("this backup holds a SQLite database; restore it into SQLite")
            target = Path(config["NAME"])
            if target.exists() and target.stat().st_size and not force:
                raise BackupError(f"{target} exists; use --force to replace it")
            shutil.copyfile(tmp / SQLITE_NAME, target)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tmp / MEDIA_NAME) as media:
            media.extractall(media_root, members=list(_safe_members(media, media_root)))
    return {"database": config["NAME"], "media_root": str(media_root), "created_at": manifest["created_at"]}


__all__ = ["BackupError", "create_backup", "restore_backup"]
