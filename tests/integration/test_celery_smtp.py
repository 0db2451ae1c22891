"""The outbox end to end: a real Celery worker process, Redis as the broker, and a real SMTP server.

Needs PostgreSQL (the worker process must see the test database) and Redis. Without them the tests are
skipped, unless REQUIRE_INTEGRATION=1 (CI), where they fail.
"""

import os
from datetime import timedelta

import pytest
from django.db import connection, transaction

from partners.enums import NotificationState
from partners.models import Notification
from partners.services.delivery import sweep
from partners.services.notifications import record
from tests.factories import OrganizationFactory, submitted_application
from tests.redis_helpers import REDIS_URL  # one Redis database per test worker

from .outbox_env import (
    database_url,
    flush_redis,
    free_port,
    redis_reachable,
    start_smtp,
    start_worker,
    stop_worker,
    use_broker,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]



def _unavailable(reason):
    if os.environ.get("REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"{reason} (REQUIRE_INTEGRATION=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def smtp():
    controller, mailbox = start_smtp()
    yield controller, mailbox
    controller.stop()


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, smtp, tmp_path_factory):
    if connection.vendor != "postgresql":
        _unavailable("the worker process must share the test database: set DATABASE_URL to PostgreSQL")
    if not redis_reachable(REDIS_URL):
        _unavailable(f"Redis is not reachable at {REDIS_URL}")
    flush_redis(REDIS_URL)
    controller, _mailbox = smtp
    proc = start_worker(broker_url=REDIS_URL, db_url=database_url(connection.settings_dict),
                        smtp_port=controller.port, log_path=tmp_path_factory.mktemp("worker") / "worker.log")
    yield proc
    stop_worker(proc)


@pytest.fixture
def mailbox(smtp, worker, settings):
    _controller, box = smtp
    with box.lock:
        box.messages.clear()
        box.fail_next = 0
    use_broker(settings, REDIS_URL)
    yield box
    use_broker(settings, "")
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _settle(mailbox, address, expected=1, timeout=30):
    assert mailbox.wait_for(lambda: len(mailbox.to(address)) >= expected, timeout), "no e-mail arrived"
    mailbox.wait_for(lambda: False, 2.0)  # give a duplicate the chance to show up
    return mailbox.to(address)


def test_a_submission_is_mailed_exactly_once_through_worker_and_smtp(mailbox):
    applicant = OrganizationFactory().owner
    application = submitted_application(applicant)
    received = _settle(mailbox, applicant.email)
    assert len(received) == 1
    row = Notification.objects.get(recipient=applicant, template_key="application.submitted")
    assert received[0]["X-Registry-Notification"] == str(row.pk)
    assert application.organization.name in str(received[0]["Subject"]) or received[0]["Subject"]
    assert received[0].is_multipart()  # a text part and an HTML part
    row.refresh_from_db()
    assert row.state == NotificationState.SENT and row.attempts == 1


def test_broker_down_at_submit_then_the_sweep_delivers(mailbox, settings):
    applicant = OrganizationFactory().owner
    use_broker(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    application = submitted_application(applicant)
    application.refresh_from_db()
    assert application.state == "submitted"  # the change stands although the broker is down
    row = Notification.objects.get(recipient=applicant, template_key="application.submitted")
    assert row.state == NotificationState.PENDING
    assert mailbox.to(applicant.email) == []
    use_broker(settings, REDIS_URL)  # the broker is back
    assert sweep(older_than=timedelta(0)) >= 1
    assert len(_settle(mailbox, applicant.email)) == 1
    row.refresh_from_db()
    assert row.state == NotificationState.SENT


def test_a_task_run_twice_sends_once(mailbox):
    from partners.tasks import send_notification

    person = OrganizationFactory().owner
    with transaction.atomic():
        row = record("application.withdrawn", recipient=person, context={"organization": "测试单位"},
                     dedupe_key="twice-test")
    for _ in range(3):
        send_notification.delay(row.pk)
    assert len(_settle(mailbox, person.email)) == 1
    row.refresh_from_db()
    assert row.state == NotificationState.SENT and row.attempts == 1


def test_an_smtp_failure_is_retried_then_succeeds(mailbox):
    person = OrganizationFactory().owner
    mailbox.fail_next = 2  # the server answers 451 twice
    with transaction.atomic():
        row = record("application.withdrawn", recipient=person, context={"organization": "测试单位"},
                     dedupe_key="retry-test")
    assert len(_settle(mailbox, person.email, timeout=40)) == 1
    row.refresh_from_db()
    assert row.state == NotificationState.SENT
    assert row.attempts == 3


def test_the_worker_consumes_every_queue(worker, settings):
    """Tasks are routed by kind (settings.CELERY_TASK_ROUTES); the worker here, like compose's set of workers,
    takes every queue, so no routed task waits for a consumer that never comes."""
    from registry.celery import app

    use_broker(settings, REDIS_URL)
    replies = app.control.inspect(timeout=10).active_queues() or {}
    consumed = {queue["name"] for queues in replies.values() for queue in queues}
    assert consumed >= set(settings.TASK_QUEUE_NAMES), replies
