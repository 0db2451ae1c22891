"""Backup and restore as an operator runs them (`make backup`, `make restore`) with production settings, against
real PostgreSQL: a restore into a scratch database cannot touch the live uploads, the archive is owner-only and
its signed manifest is checked.

The bug this guards: `make restore FILE=… TARGET_DATABASE_URL=<scratch>` unpacked the uploads into the live
MEDIA_ROOT, so a file the retention job had purged came back.
"""

import io
import json
import os
import stat
import subprocess
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from partners.models import Attachment
from tests.factories import submitted_application

from .outbox_env import ROOT, database_url

pytestmark = [pytest.mark.integration, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIGNING_KEY = "backup-test-signing-key-" + "k" * 16


def _unavailable(reason):
    if os.environ.get("REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"{reason} (REQUIRE_INTEGRATION=1)")
    pytest.skip(reason)


def _admin_conninfo(dbname="postgres"):
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
                                          password=s["PASSWORD"] or None, dbname=dbname)


@pytest.fixture
def scratch_database():
    if connection.vendor != "postgresql":
        _unavailable("pg_dump and pg_restore need PostgreSQL: set DATABASE_URL to PostgreSQL")
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name, database_url({**connection.settings_dict, "NAME": name})
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def operator(settings, tmp_path):
    """`make <target> VAR=…` in the repository with the production settings of this site."""
    live_media = Path(settings.MEDIA_ROOT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "MEDIA_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "registry.settings", "DEBUG": "0", "SECRET_KEY": "operator-test-key",
                "DATABASE_URL": database_url(connection.settings_dict), "MEDIA_ROOT": str(live_media),
                "BACKUP_SIGNING_KEY": SIGNING_KEY, "STATIC_ROOT": str(tmp_path / "static")})

    def make(target, expect_ok=True, extra_env=None, **variables):
        argv = ["make", "-s", target, *(f"{k}={v}" for k, v in variables.items())]
        result = subprocess.run(argv, cwd=ROOT, env={**env, **(extra_env or {})}, capture_output=True, text=True,
                                timeout=300)
        output = result.stdout + result.stderr
        assert (result.returncode == 0) == expect_ok, f"{' '.join(argv)} exited {result.returncode}:\n{output}"
        return output

    make.live_media = live_media
    return make


def _tables(name) -> int:
    with psycopg.connect(_admin_conninfo(name)) as conn:
        return conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_a_scratch_restore_never_writes_the_live_uploads(operator, scratch_database, applicant, other_applicant,
                                                         tmp_path):
    first, second = submitted_application(applicant), submitted_application(other_applicant)
    kept = Attachment.objects.get(application=first).file.name
    purged = Attachment.objects.get(application=second).file.name
    archive = tmp_path / "backups" / "registry.tar"
    operator("backup", FILE=archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # every person's data: owner-only
    live = operator.live_media
    (live / purged).unlink()  # the retention job purges a file after the backup
    before = _files(live)
    assert kept in before and purged not in before

    # Into a scratch database without a folder for its uploads: refused before anything is written.
    name, url = scratch_database
    output = operator("restore", expect_ok=False, FILE=archive, TARGET_DATABASE_URL=url)
    assert "TARGET_MEDIA_ROOT" in output and "--media-root" in output
    assert _files(live) == before and _tables(name) == 0

    # With a folder of its own: the scratch copy is whole, and the purged file did not come back to the live site.
    scratch_media = tmp_path / "scratch-uploads"
    operator("restore", FILE=archive, TARGET_DATABASE_URL=url, TARGET_MEDIA_ROOT=scratch_media)
    assert {kept, purged} <= _files(scratch_media)
    assert (scratch_media / kept).read_bytes() == (live / kept).read_bytes()
    assert _files(live) == before
    with psycopg.connect(_admin_conninfo(name)) as conn:
        restored = {row[0] for row in conn.execute("SELECT id FROM partners_application")}
    assert {first.pk, second.pk} <= restored

    # Over the live site without FORCE=1: refused, and nothing changed.
    output = operator("restore", expect_ok=False, FILE=archive)
    assert "FORCE=1" in output and "live uploads" in output
    assert _files(live) == before
    # The scratch folder now holds files: a second restore into it needs FORCE=1 as well.
    operator("restore", expect_ok=False, FILE=archive, TARGET_DATABASE_URL=url, TARGET_MEDIA_ROOT=scratch_media)


def _rewrite(archive: Path, out: Path, change):
    """Copy an archive, letting `change(name, bytes)` replace (or drop, with None) each member."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def test_restore_checks_the_signed_manifest(operator, scratch_database, applicant, tmp_path):
    submitted_application(applicant)
    archive = tmp_path / "registry.tar"
    operator("backup", FILE=archive)
    _name, url = scratch_database
    media = tmp_path / "restored"

    def restore(path, **extra):
        return operator("restore", expect_ok=False, FILE=path, TARGET_DATABASE_URL=url, TARGET_MEDIA_ROOT=media,
                        **extra)

    # A forged manifest (checksums of other parts) under the old signature.
    def forge(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["media.tar.gz"] = "0" * 64
            return json.dumps(manifest).encode()
        return data

    assert "signature does not match" in restore(_rewrite(archive, tmp_path / "forged.tar", forge))
    # An archive without its signature.
    unsigned = _rewrite(archive, tmp_path / "unsigned.tar", lambda n, d: None if n == "manifest.hmac" else d)
    assert "not signed" in restore(unsigned)
    # The genuine archive on an installation with another key.
    output = operator("restore", expect_ok=False, FILE=archive, TARGET_DATABASE_URL=url, TARGET_MEDIA_ROOT=media,
                      extra_env={"BACKUP_SIGNING_KEY": "another-installation-key"})
    assert "another key" in output
    assert _files(media) == set() and _tables(_name) == 0
    # And with the right key it restores.
    operator("restore", FILE=archive, TARGET_DATABASE_URL=url, TARGET_MEDIA_ROOT=media)
    assert _files(media)
