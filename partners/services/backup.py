"""Backups: one archive holding a pg_dump (custom format) of the database and a tarball of the uploads.

The archive is written with mode 0600. Its manifest lists the SHA-256 of every part and is signed with
HMAC-SHA256 under BACKUP_SIGNING_KEY (or, without one, a key derived from SECRET_KEY); a restore checks the
signature and the checksums before it touches anything. A restore never writes uploads into the live MEDIA_ROOT
by accident: a restore into another database needs a folder of its own for them, and a folder that already holds
files is only replaced with `force`.
"""

import hashlib
import hmac
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
SIGNATURE_NAME = "manifest.hmac"
FORMAT = 2
ARCHIVE_MODE = 0o600


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


def signing_key() -> bytes:
    key = getattr(settings, "BACKUP_SIGNING_KEY", "")
    if key:
        return key.encode()
    from django.utils.crypto import salted_hmac

    return salted_hmac("partner-plan-registry.backup-signing-key", "v1").digest()


def key_id(key: bytes) -> str:
    """A fingerprint that tells which key signed an archive without revealing it."""
    return hashlib.sha256(b"key-id:" + key).hexdigest()[:12]


def sign(manifest_bytes: bytes, key: bytes | None = None) -> str:
    return "sha256=" + hmac.new(key or signing_key(), manifest_bytes, hashlib.sha256).hexdigest()


def default_output():
    folder = Path(settings.VAR_DIR if hasattr(settings, "VAR_DIR") else settings.BASE_DIR / "var") / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
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
        key = signing_key()
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": "postgresql" if _is_postgres(config) else "sqlite",
            "files": {p.name: _sha256(p) for p in parts},
            "signing_key_id": key_id(key),
        }
        manifest_bytes = json.dumps(manifest, indent=2).encode()
        (tmp / MANIFEST_NAME).write_bytes(manifest_bytes)
        (tmp / SIGNATURE_NAME).write_text(sign(manifest_bytes, key))
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        # Owner-only from the first byte: the archive holds every person's data and the password hashes.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, ARCHIVE_MODE)
        os.fchmod(fd, ARCHIVE_MODE)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            for p in [tmp / MANIFEST_NAME, tmp / SIGNATURE_NAME, *parts]:
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
    """Unpack the archive, check the manifest's signature and every part's checksum before touching anything."""
    try:
        with tarfile.open(archive) as outer:
            members = list(_safe_members(outer, tmp))
            unexpected = {m.name for m in members} - {MANIFEST_NAME, SIGNATURE_NAME, DUMP_NAME, SQLITE_NAME,
                                                       MEDIA_NAME}
            if unexpected:
                raise BackupError(f"{archive} holds files a backup does not: {', '.join(sorted(unexpected))}")
            outer.extractall(tmp, members=members)
        manifest_bytes = (tmp / MANIFEST_NAME).read_bytes()
        signature_file = tmp / SIGNATURE_NAME
        if not signature_file.exists():
            raise BackupError(f"{archive} is not signed; only signed backups are restored")
        key = signing_key()
        if not hmac.compare_digest(signature_file.read_text().strip(), sign(manifest_bytes, key)):
            try:
                signed_by = json.loads(manifest_bytes).get("signing_key_id")
            except ValueError:
                signed_by = None
            hint = (" (it was signed with another key: set BACKUP_SIGNING_KEY to the key of the installation "
                    "that made it)" if signed_by and signed_by != key_id(key) else "")
            raise BackupError(f"{archive}: the manifest's signature does not match; the archive was changed or "
                              f"is not ours{hint}")
        manifest = json.loads(manifest_bytes)
        for name, digest in manifest["files"].items():
            if _sha256(tmp / name) != digest:
                raise BackupError(f"{name} is damaged: its checksum does not match the manifest")
    except (tarfile.TarError, OSError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is damaged or not a backup of this registry ({exc})") from exc
    return manifest


def _same_database(config, other) -> bool:
    def where(c):
        return (c.get("ENGINE"), str(c.get("HOST") or ""), str(c.get("PORT") or ""), str(c.get("NAME")))

    return where(config) == where(other)


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _media_target(database_config_, media_root, force) -> Path:
    """Where the uploads go; refuses before anything is written when that would hurt the live site."""
    live = Path(settings.MEDIA_ROOT)
    if media_root is None and not _same_database(database_config_, settings.DATABASES["default"]):
        raise BackupError("this restore goes into another database than the site's, so its uploads need a folder "
                          "of their own: give --media-root (make restore ... TARGET_MEDIA_ROOT=<folder>); the "
                          f"live uploads in {live} are never written for it")
    target = Path(media_root) if media_root is not None else live
    if _has_files(target) and not force:
        what = "the live uploads folder" if target.resolve() == live.resolve() else "the folder"
        raise BackupError(f"{what} {target} already holds files; restoring over them replaces them all and "
                          "needs --force (FORCE=1)")
    return target


def _restore_media(archive_media: Path, target: Path):
    """Make `target` hold exactly the archive's uploads: unpacked beside them first, then swapped in."""
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=target))  # same file system (a volume, say)
    try:
        with tarfile.open(archive_media) as media:
            media.extractall(staging, members=list(_safe_members(media, staging)))
        for entry in target.iterdir():
            if entry == staging:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        for entry in staging.iterdir():
            entry.rename(target / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def restore_backup(archive, database_url=None, media_root=None, force=False) -> dict:
    """Restore an archive into the given database (default: the configured one) and uploads folder.

    Into another database than the site's, `media_root` is required: the live uploads are never its target.
    A non-empty database or uploads folder is replaced only with `force`. Every refusal comes before any write.
    """
    archive = Path(archive)
    if not archive.exists():
        raise BackupError(f"no such backup: {archive}")
    config = database_config(database_url)
    media_target = _media_target(config, media_root, force)
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
        _restore_media(tmp / MEDIA_NAME, media_target)
    return {"database": config["NAME"], "media_root": str(media_target), "created_at": manifest["created_at"]}


__all__ = ["BackupError", "create_backup", "restore_backup"]
