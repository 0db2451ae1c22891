"""Faults: a database restart under load, the broker down, a worker dying mid-task, a double click and two
approvers at once. Nothing is lost and nothing is stored twice; mail is sent at least once, and a copy sent
again after a crash carries the same Message-ID."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partners import workflow
from partners.enums import ApplicationState, AttemptOutcome, NotificationState
from partners.models import Application, AuditEvent, Decision, Notification, Revision
from partners.services import applications as app_services
from partners.services.delivery import deliver, sweep
from tests.factories import advance, complete_draft, submitted_application
from tests.integration.replica_env import as_postgres, free_port, pg_bin

PG_BIN = pg_bin()
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")


# --- PostgreSQL restarts during a load of submissions -------------------------------------------------

class PrivateServer:
    """A throwaway PostgreSQL server in a temporary folder; the shared server is never touched."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="registry-faults-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def run(self, *args):
        # No pipes: the server inherits pg_ctl's output and would hold a pipe open for its whole life.
        subprocess.run(as_postgres([str(PG_BIN / args[0]), *args[1:]]), check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def init_and_start(self):
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def start(self):
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def restart(self):
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-m", "fast", "-w", "restart")

    def stop(self):
        subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db="registry_faults"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"


@pytest.fixture
def private_postgres():
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 server binaries are not installed")
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres account to run a private server as")
    server = PrivateServer()
    try:
        server.init_and_start()
        yield server
    finally:
        server.stop()


@pytest.mark.postgres
def test_postgres_restart_during_a_load_of_submissions_loses_and_doubles_nothing(private_postgres, tmp_path):
    server = private_postgres
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE registry_faults")
    env = {**os.environ, "DATABASE_URL": server.url(), "DJANGO_SETTINGS_MODULE": "registry.settings_test",
           "CONN_MAX_AGE": "0", "PYTHONPATH": str(settings.BASE_DIR), "AXES_ENABLED": "0"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=settings.BASE_DIR, env=env,
                   check=True, capture_output=True, timeout=300)

    results = tmp_path / "results.jsonl"
    results.touch()
    load = subprocess.Popen([sys.executable, "-m", "tests.fault_load", str(results), "6", "15"],
                            cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while sum(1 for _ in results.open()) < 15 and load.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    server.restart()  # midway: some submissions are done, others in flight or still to come
    output, _ = load.communicate(timeout=300)
    assert load.returncode == 0, output.decode()[-3000:]

    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(lines) == 6 * 15, "every client got an answer"
    successes = {line["marker"]: line["id"] for line in lines if line["ok"]}
    failures = [line["marker"] for line in lines if not line["ok"]]
    assert successes, "the load made progress"
    with psycopg.connect(server.url()) as conn:
        stored = conn.execute(
            "SELECT a.contact_name, a.id, a.state, count(r.id) FROM partners_application a "
            "LEFT JOIN partners_revision r ON r.application_id = a.id "
            "WHERE a.contact_name LIKE 'load-%%' GROUP BY a.id").fetchall()
        events = dict(conn.execute(
            "SELECT a.contact_name, count(e.id) FROM partners_application a JOIN partners_auditevent e "
            "ON e.application_id = a.id AND e.action = 'application.submitted' GROUP BY a.contact_name").fetchall())
    by_marker = {}
    for marker, pk, state, revisions in stored:
        by_marker.setdefault(marker, []).append((pk, state, revisions))
    for marker, pk in successes.items():
        assert by_marker.get(marker) == [(pk, "submitted", 1)], f"{marker} stored exactly once, submitted"
        assert events.get(marker) == 1, f"{marker} has one submission event"
    for marker in failures:
        assert marker not in by_marker, f"{marker} failed, so nothing of it may be stored"
    # Whether the restart hit in-flight work depends on timing; what must hold either way is checked above.
    print(f"restart under load: {len(successes)} succeeded, {len(failures)} failed")


# --- The broker is down when an applicant submits ------------------------------------------------------

@pytest.mark.django_db
def test_submission_succeeds_with_the_broker_down_and_the_message_waits_in_the_outbox(
        applicant, settings, django_capture_on_commit_callbacks):
    from registry.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url,
           "broker_transport_options": app.conf.broker_transport_options}
    app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0",
                    broker_connection_retry=False, broker_connection_max_retries=0,
                    broker_transport_options={"max_retries": 0})
    app._pool = None
    try:
        application = complete_draft(
            Application.objects.create(organization=applicant.organizations.get(), created_by=applicant,
                                       contact_name="王芳", contact_phone="13912345678",
                                       contact_email="c@example.com"))
        with django_capture_on_commit_callbacks(execute=True):
            app_services.submit(applicant, application)
    finally:
        app.conf.update(**old)
        app._pool = None
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    pending = Notification.objects.filter(application=application, state=NotificationState.PENDING)
    assert pending.exists(), "the message waits in the outbox for the sweep"
    assert not mail.outbox


# --- A worker dies in the middle of sending ------------------------------------------------------------

class WorkerKilled(BaseException):
    """Stands for the process dying: not an Exception, so no handler in the task catches it."""


@pytest.mark.django_db
def test_a_worker_dying_after_the_server_accepted_sends_a_copy_under_the_same_message_id(submitted, monkeypatch):
    """At least once: the copy is not hidden (the captured mail is never cleared) but made harmless and
    explained: both copies carry the row's one Message-ID, and the attempt log shows the interrupted try."""
    from partners.services import delivery
    from partners.tasks import send_notification

    assert send_notification.acks_late and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    row = Notification.objects.filter(application=submitted, state=NotificationState.PENDING,
                                      channel="email").first()
    assert row is not None
    real_send = delivery.send_email

    def dying_send(notification):
        real_send(notification)  # the SMTP server accepted it ...
        raise WorkerKilled  # ... but the worker died before committing "sent"

    mail.outbox.clear()
    monkeypatch.setattr(delivery, "send_email", dying_send)
    with pytest.raises(WorkerKilled):
        deliver(row.pk)
    monkeypatch.setattr(delivery, "send_email", real_send)
    row.refresh_from_db()
    assert row.state == NotificationState.PENDING and row.attempts == 1  # the claim was committed, "sent" never
    assert deliver(row.pk) is None  # the broker's re-delivery (acks_late) meets the claim: nothing sent
    assert len(mail.outbox) == 1

    # The claim runs out (the worker is presumed dead); the sweep hands the row out again.
    Notification.objects.filter(pk=row.pk).update(claimed_until=timezone.now() - timedelta(minutes=10),
                                                  next_attempt_at=timezone.now() - timedelta(minutes=10))
    assert sweep() == 1  # in-process: the swept row is sent at once
    assert deliver(row.pk) is None  # and a duplicate delivery is a no-op
    row.refresh_from_db()
    assert row.state == NotificationState.SENT and row.attempts == 2
    copies = [m for m in mail.outbox if row.email in m.to]
    assert len(copies) == 2, "the copy is visible: at least once, not exactly once"
    assert {m.extra_headers["Message-ID"] for m in copies} == {row.message_id}
    assert {m.message()["Message-ID"] for m in copies} == {row.message_id}, "one id on the wire"
    log = list(row.attempt_log.values_list("number", "outcome"))
    assert log == [(1, AttemptOutcome.INTERRUPTED), (2, AttemptOutcome.SENT)]


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_delivering_the_same_row_at_once_send_once(applicant):
    application = submitted_application(applicant)
    row = Notification.objects.filter(application=application, channel="email").first()
    Notification.objects.filter(pk=row.pk).update(state=NotificationState.PENDING, attempts=0)
    mail.outbox.clear()
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        try:
            deliver(row.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    row.refresh_from_db()
    assert row.state == NotificationState.SENT and row.attempts == 1
    assert len([m for m in mail.outbox if row.email in m.to]) == 1


# --- The same form posted twice (a double click) -------------------------------------------------------

@pytest.mark.django_db
def test_double_click_on_submit_submits_once(client, applicant, draft):
    complete_draft(draft)
    client.force_login(applicant)
    url = reverse("portal:application_action", kwargs={"pk": draft.pk, "action": "submit"})
    # Both posts carry the state the page showed, as the button's form does.
    first = client.post(url, {"expected_state": ApplicationState.DRAFT})
    second = client.post(url, {"expected_state": ApplicationState.DRAFT})
    assert first.status_code == 302
    assert second.status_code == 409
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED
    assert Revision.objects.filter(application=draft).count() == 1
    assert AuditEvent.objects.filter(application=draft, action="application.submitted").count() == 1


@pytest.mark.django_db
def test_the_submit_service_called_twice_refuses_the_second(applicant, draft):
    complete_draft(draft)
    app_services.submit(applicant, draft)
    with pytest.raises(workflow.TransitionError):
        app_services.submit(applicant, Application.objects.get(pk=draft.pk))
    assert Revision.objects.filter(application=draft).count() == 1


# --- Two approvers act at once -------------------------------------------------------------------------

@pytest.mark.django_db
def test_two_approvers_one_after_the_other_the_second_is_told_it_changed(submitted, reviewer, approver, approver2):
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    workflow.fire(application.pk, "approve", workflow.Actor(user=approver), granted_types=["data"])
    with pytest.raises(workflow.AlreadyChanged):
        workflow.fire(application.pk, "reject", workflow.Actor(user=approver2), message="No.",
                      expected_state=ApplicationState.FINAL_REVIEW)
    assert Decision.objects.filter(application=application, level="final").count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvers_at_the_same_moment_one_wins(applicant, reviewer, approver, approver2):
    application = advance(submitted_application(applicant), ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(name, user, action, inputs):
        barrier.wait()
        try:
            workflow.fire(application.pk, action, workflow.Actor(user=user), **inputs)
            outcomes[name] = "won"
        except workflow.TransitionError as exc:
            outcomes[name] = exc.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("approve", approver, "approve", {"granted_types": ["data"]})),
        threading.Thread(target=act, args=("reject", approver2, "reject", {"message": "Not now."})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["conflict", "won"], outcomes
    application.refresh_from_db()
    winner = next(k for k, v in outcomes.items() if v == "won")
    assert application.state == {"approve": ApplicationState.PUBLICITY, "reject": ApplicationState.REJECTED}[winner]
    assert Decision.objects.filter(application=application, level="final").count() == 1
    assert AuditEvent.objects.filter(application=application, action__in=[
        "application.approved", "application.rejected"]).count() == 1
