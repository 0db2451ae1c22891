"""Mail faults end to end: a real Celery worker, Redis, PostgreSQL and an SMTP server (aiosmtpd).

An SMTP outage longer than the old retry limit loses nothing and sends each mail once; a worker killed
between the server's accept and the commit sends a copy, visible, under the same Message-ID.
Needs PostgreSQL and Redis; skipped without them unless REQUIRE_INTEGRATION=1 (CI), where they fail.
"""

import os
import signal
import threading
import time
from collections import Counter
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from partners.enums import AttemptOutcome, NotificationState
from partners.models import Notification, User
from partners.services.delivery import sweep
from partners.services.notifications import ACCOUNT_MAIL, record
from tests.factories import PASSWORD, OrganizationFactory
from tests.redis_helpers import REDIS_URL  # one Redis database per test worker

from .outbox_env import (
    Mailbox,
    database_url,
    flush_redis,
    free_port,
    redis_reachable,
    start_smtp,
    start_worker,
    stop_worker,
    use_broker,
    worker_children,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The schedule shortened for the test: one second here stands for one minute. The old limit (five tries,
# waits of 30 s, 1, 2 and 4 min: 7.5 minutes in all) stands for 7.5 seconds.
SCHEDULE = [1, 2, 3, 4, 5, 5, 5]
OLD_LIMIT = 7.5
LEASE = 2  # seconds a worker's claim holds before it is presumed dead


def _unavailable(reason):
    if os.environ.get("REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"{reason} (REQUIRE_INTEGRATION=1)")
    pytest.skip(reason)


class Server:
    """The SMTP server, which can go down and come back on the same port."""

    def __init__(self):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller, _ = start_smtp(self.mailbox, self.port)

    def down(self):
        self.controller.stop()
        self.controller = None

    def up(self):
        self.controller, _ = start_smtp(self.mailbox, self.port)

    def stop(self):
        if self.controller is not None:
            self.controller.stop()


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, server, tmp_path_factory):
    if connection.vendor != "postgresql":
        _unavailable("the worker process must share the test database: set DATABASE_URL to PostgreSQL")
    if not redis_reachable(REDIS_URL):
        _unavailable(f"Redis is not reachable at {REDIS_URL}")
    flush_redis(REDIS_URL)
    proc = start_worker(broker_url=REDIS_URL, db_url=database_url(connection.settings_dict),
                        smtp_port=server.port, log_path=tmp_path_factory.mktemp("worker") / "worker.log",
                        extra_env={"OUTBOX_RETRY_SCHEDULE": ",".join(map(str, SCHEDULE)),
                                   "OUTBOX_SEND_LEASE_SECONDS": str(LEASE), "EMAIL_TIMEOUT": "5"})
    yield proc
    stop_worker(proc)


@pytest.fixture
def mailbox(server, worker, settings):
    if server.controller is None:
        server.up()
    box = server.mailbox
    with box.lock:
        box.messages.clear()
        box.fail_next = 0
    box.on_accept = None
    use_broker(settings, REDIS_URL)
    yield box
    box.on_accept = None
    use_broker(settings, "")
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    assert predicate(), what


def test_an_smtp_outage_longer_than_the_old_limit_loses_nothing_and_sends_each_mail_once(
        mailbox, server, client):
    assert sum(SCHEDULE[:4]) > OLD_LIMIT  # the new schedule outlasts the old limit within four waits
    people = [OrganizationFactory().owner for _ in range(4)]
    server.down()  # connections refused ...
    outage_started = time.monotonic()
    with transaction.atomic():
        rows = [record("application.withdrawn", recipient=p, context={"organization": f"停机测试单位{i}"},
                       dedupe_key=f"outage-{i}") for i, p in enumerate(people)]
    response = client.post(reverse("account_signup"), {"email": "outage@example.com", "password1": PASSWORD,
                                                       "password2": PASSWORD, "consent": "on", "display_name": "王芳"})
    assert response.status_code == 302  # the mail server is down: sign-up answers as always
    assert User.objects.filter(email="outage@example.com").exists()
    rows.append(Notification.objects.get(template_key=ACCOUNT_MAIL, email="outage@example.com"))
    ids = [r.pk for r in rows]

    time.sleep(max(0.0, 4 - (time.monotonic() - outage_started)))
    server.up()
    with mailbox.lock:
        mailbox.fail_next = 10**6  # ... then back, but answering 451 (try again later) ...
    time.sleep(max(0.0, OLD_LIMIT + 1.5 - (time.monotonic() - outage_started)))
    with mailbox.lock:
        mailbox.fail_next = 0  # ... and healthy again after more than the old limit
    outage = time.monotonic() - outage_started
    recovered_at = timezone.now()
    assert outage > OLD_LIMIT
    assert not Notification.objects.filter(pk__in=ids, state=NotificationState.FAILED).exists()
    assert mailbox.messages == []

    _wait(lambda: Notification.objects.filter(pk__in=ids, state=NotificationState.SENT).count() == len(ids),
          timeout=sum(SCHEDULE) + 30, what="every mail was sent once the server recovered")
    mailbox.wait_for(lambda: False, 2.0)  # give a copy the chance to show up
    sent = Notification.objects.filter(pk__in=ids)
    received = Counter(m["Message-ID"] for _r, m in mailbox.messages)
    assert received == Counter({row.message_id: 1 for row in sent}), "each mail exactly once per Message-ID"
    for row in sent:
        log = list(row.attempt_log.order_by("id"))
        assert len(log) == row.attempts >= 3
        assert [a.outcome for a in log] == [AttemptOutcome.RETRY] * (len(log) - 1) + [AttemptOutcome.SENT]
        assert log[0].started_at < recovered_at <= log[-1].started_at, "tried during the outage, sent after"
        if row.template_key != ACCOUNT_MAIL:  # recorded as the outage began: it waited through all of it
            assert (log[-1].started_at - log[0].started_at) > timedelta(seconds=OLD_LIMIT)
        errors = " ".join(a.error for a in log)
        assert "451" in errors and ("Refused" in errors or "refused" in errors), errors
    account_mail = next(m for r, m in mailbox.messages if "outage@example.com" in r)
    text = next(p for p in account_mail.walk() if p.get_content_type() == "text/plain")
    assert "/accounts/confirm-email/" in text.get_payload(decode=True).decode()


def test_a_worker_killed_between_accept_and_commit_sends_a_visible_copy_with_the_same_message_id(
        mailbox, worker):
    person = OrganizationFactory().owner
    held, accepted = threading.Event(), threading.Event()
    lock = {}
    url = database_url(connection.settings_dict)

    def hold_the_row_then_accept(message):
        # The first copy: before the worker can commit "sent", hold the row, so it waits on the lock.
        if accepted.is_set():
            return
        conn = psycopg.connect(url)
        conn.execute("SELECT id FROM partners_notification WHERE id = %s FOR UPDATE",
                     [int(message["X-Registry-Notification"])])
        lock["conn"] = conn
        held.set()
        accepted.set()

    mailbox.on_accept = hold_the_row_then_accept
    with transaction.atomic():
        row = record("application.withdrawn", recipient=person, context={"organization": "崩溃测试单位"},
                     dedupe_key="crash")
    assert held.wait(30), "the mail reached the server"
    try:
        # The worker's pool process now waits for the lock to commit "sent": kill every pool process.
        with psycopg.connect(url, autocommit=True) as probe:
            _wait(lambda: probe.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                        "AND query ILIKE '%%partners_notification%%FOR UPDATE%%'").fetchone()[0] >= 1,
                  timeout=20, what="the worker waits to commit")
        children = worker_children(worker)
        assert children
        for pid in children:
            os.kill(pid, signal.SIGKILL)
    finally:
        lock["conn"].rollback()
        lock["conn"].close()
    _wait(lambda: set(worker_children(worker)) - set(children), timeout=30, what="the pool replaced its processes")
    row.refresh_from_db()
    assert row.state == NotificationState.PENDING and row.attempts == 1, "the crash lost the commit of 'sent'"

    time.sleep(LEASE + 0.5)  # the claim runs out: the worker is presumed dead
    # Beat's sweep hands the row out again (unless the broker's re-delivery came after the claim ran out).
    sweep(older_than=timedelta(0))
    _wait(lambda: Notification.objects.get(pk=row.pk).state == NotificationState.SENT, timeout=30,
          what="the row is sent again")
    mailbox.wait_for(lambda: False, 2.0)
    copies = mailbox.to(person.email)
    assert len(copies) == 2, "the copy is visible (the captured mail is never cleared)"
    row.refresh_from_db()
    assert [m["Message-ID"] for m in copies] == [row.message_id, row.message_id], "one Message-ID on both"
    assert {m["X-Registry-Notification"] for m in copies} == {str(row.pk)}
    log = list(row.attempt_log.order_by("id"))
    assert [(a.number, a.outcome) for a in log] == [(1, AttemptOutcome.INTERRUPTED), (2, AttemptOutcome.SENT)]
    assert log[0].worker != log[1].worker, "the second try came from a new pool process"
