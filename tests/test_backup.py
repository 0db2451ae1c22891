"""Backup and restore: a dump restored into a fresh database holds every application, revision, audit event
and attachment, and the uploaded files come back byte for byte."""

import hashlib
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from partners.enums import ApplicationState
from partners.models import Application, Attachment, AuditEvent, Revision
from partners.services import applications as app_services
from tests.factories import advance, submitted_application

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="pg_dump and pg_restore need PostgreSQL")


def _admin_conninfo():
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
                                          password=s["PASSWORD"] or None, dbname="postgres")


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "") + "@" if s["USER"] else ""
    url = f"postgres://{auth}{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"
    yield name, url
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rows(conninfo, sql):
    with psycopg.connect(conninfo) as conn:
        return set(conn.execute(sql).fetchall())


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_restores_into_a_fresh_database_with_every_record_and_file(
        tmp_path, settings, fresh_database, applicant, other_applicant, reviewer):
    # Applications with revisions (one resubmitted), audit events and attachments, committed for pg_dump.
    first = submitted_application(applicant)
    second = advance(submitted_application(other_applicant), ApplicationState.IN_REVIEW, reviewer=reviewer)
    from partners import workflow

    workflow.fire(second.pk, "request_changes", workflow.Actor(user=reviewer), message="Please fix",
                  points=["licence scan is unreadable"])
    app_services.resubmit(other_applicant, Application.objects.get(pk=second.pk))
    assert Revision.objects.filter(application=second).count() == 2

    expected = {
        "applications": set(Application.objects.values_list("id", "state")),
        "revisions": set(Revision.objects.values_list("id", "application_id", "number")),
        "audit": set(AuditEvent.objects.values_list("id", "action", "application_id")),
        "attachments": set(Attachment.objects.values_list("id", "file", "sha256")),
    }
    assert first.pk and all(expected.values())
    files = {a.file.name: a.file.read() for a in Attachment.objects.all()}

    archive = tmp_path / "registry.tar"
    call_command("backup", output=str(archive))
    assert archive.stat().st_size > 0

    name, url = fresh_database
    restored_media = tmp_path / "restored-media"
    call_command("restore", str(archive), database_url=url, media_root=str(restored_media))

    s = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(host=s["HOST"] or None, port=s["PORT"] or None,
                                              user=s["USER"] or None, password=s["PASSWORD"] or None, dbname=name)
    assert _rows(conninfo, "SELECT id, state FROM partners_application") == expected["applications"]
    assert _rows(conninfo, "SELECT id, application_id, number FROM partners_revision") == expected["revisions"]
    assert _rows(conninfo, "SELECT id, action, application_id FROM partners_auditevent") == expected["audit"]
    assert _rows(conninfo, "SELECT id, file, sha256 FROM partners_attachment") == expected["attachments"]
    for file_name, content in files.items():
        restored = (restored_media / file_name).read_bytes()
        assert restored == content
        sha = next(a[2] for a in expected["attachments"] if a[1] == file_name)
        assert hashlib.sha256(restored).hexdigest() == sha
    # The restored audit trail is still append-only.
    with pytest.raises(psycopg.errors.InsufficientPrivilege), psycopg.connect(conninfo) as conn:
        conn.execute("DELETE FROM partners_auditevent")


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_non_empty_database_and_a_damaged_archive(tmp_path, applicant):
    submitted_application(applicant)
    archive = tmp_path / "registry.tar"
    call_command("backup", output=str(archive))
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), media_root=str(tmp_path / "m"))
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(archive.read_bytes()[:2048])
    with pytest.raises(CommandError):
        call_command("restore", str(damaged), media_root=str(tmp_path / "m"))


def test_backup_and_restore_of_the_embedded_sqlite_set_up(tmp_path):
    """`make backup` / `make restore` also serve the embedded set-up (SQLite file plus uploads)."""
    import os
    import sqlite3
    import subprocess
    import sys

    from django.conf import settings

    source, target = tmp_path / "registry.sqlite3", tmp_path / "restored.sqlite3"
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    (media / "attachments" / "1").mkdir(parents=True)
    (media / "attachments" / "1" / "f00d").write_bytes(b"%PDF-1.4 bytes of a licence")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "registry.settings_test", "DATABASE_URL": f"sqlite:///{source}",
           "MEDIA_ROOT": str(media)}

    def manage(*args, **extra):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env={**env, **extra},
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    manage("migrate", "--noinput", "-v0")
    with sqlite3.connect(source) as conn:
        conn.execute("INSERT INTO partners_district (code, name_zh, name_en, position, active) "
                      "VALUES ('999999', '测试区', 'Test district', 99, 1)")
    archive = tmp_path / "backup.tar"
    manage("shell", "-c", f"from partners.services.backup import create_backup; "
                          f"create_backup({str(archive)!r}, media_root={str(media)!r})")
    assert (archive.stat().st_mode & 0o777) == 0o600  # personal data: owner-only
    manage("restore", str(archive), "--media-root", str(restored_media), DATABASE_URL=f"sqlite:///{target}")
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT name_en FROM partners_district WHERE code = '999999'").fetchone() == (
            "Test district",)
    assert (restored_media / "attachments" / "1" / "f00d").read_bytes() == b"%PDF-1.4 bytes of a licence"

    # The folder now holds files: restoring over them needs --force, and then it holds the archive's files only.
    (restored_media / "stray.txt").write_bytes(b"not in the backup")
    forced = subprocess.run([sys.executable, "manage.py", "restore", str(archive), "--media-root",
                             str(restored_media), "--force"], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'third.sqlite3'}"}, timeout=300)
    assert forced.returncode == 0, forced.stderr
    assert sorted(str(p.relative_to(restored_media)) for p in restored_media.rglob("*") if p.is_file()) == [
        "attachments/1/f00d"]
    second = subprocess.run([sys.executable, "manage.py", "restore", str(archive), "--media-root",
                             str(restored_media)], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'fourth.sqlite3'}"}, timeout=300)
    assert second.returncode != 0 and "--force" in second.stderr


def test_restore_targets_are_checked_before_anything_is_written(settings, tmp_path):
    """Into another database the uploads need their own folder; over files already there only with force."""
    from partners.services.backup import BackupError, _media_target, database_config

    live = tmp_path / "live"
    (live / "attachments").mkdir(parents=True)
    (live / "attachments" / "kept.pdf").write_bytes(b"%PDF")
    settings.MEDIA_ROOT = live
    other = database_config("postgres://u@127.0.0.1:5432/scratch")
    same = settings.DATABASES["default"]
    with pytest.raises(BackupError, match="--media-root"):
        _media_target(other, None, force=False)
    with pytest.raises(BackupError, match="--media-root"):
        _media_target(other, None, force=True)  # not even with force: name the folder
    assert _media_target(other, str(tmp_path / "scratch"), force=False) == tmp_path / "scratch"
    with pytest.raises(BackupError, match="live uploads folder .* needs --force"):
        _media_target(same, None, force=False)
    assert _media_target(same, None, force=True) == live
    (live / "attachments" / "kept.pdf").unlink()
    (live / "attachments").rmdir()
    assert _media_target(same, None, force=False) == live  # an empty folder (a fresh volume) needs no force
