"""Celery queues by kind: every task of the project is routed to a declared queue, mail and webhooks each have one
of their own, a notification row goes to its channel's queue (through a real Redis broker), and the compose file
runs a worker for every queue."""

import json
import shlex

import pytest
import redis
import yaml
from django.conf import settings
from django.utils import timezone

from partners.enums import NotificationChannel, NotificationState
from partners.models import Notification
from partners.services.delivery import sweep
from registry.celery import app
from tests.factories import OrganizationFactory
from tests.integration.outbox_env import use_broker
from tests.redis_helpers import REDIS_URL, use_redis

from .test_compose import ROOT


def _project_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if name.startswith(("partners.", "registry.")))


def queue_of(task_name) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_of_the_project_is_routed_to_a_declared_queue():
    tasks = _project_tasks()
    assert "partners.tasks.send_notification" in tasks and len(tasks) >= 10
    declared = set(settings.TASK_QUEUE_NAMES)
    assert set(app.amqp.queues) == declared
    for name in tasks:
        assert queue_of(name) in declared, name
    from partners.tasks import PERIODIC_TASKS

    for spec in PERIODIC_TASKS.values():  # beat's jobs are tasks of the project, so routed as above
        assert spec["task"] in tasks, spec


def test_mail_and_webhooks_have_queues_of_their_own():
    tasks = _project_tasks()
    assert queue_of("partners.tasks.send_notification") == "mail"
    assert queue_of("partners.tasks.send_webhook") == "webhooks"
    assert [t for t in tasks if queue_of(t) == "mail"] == ["partners.tasks.send_notification"]
    assert [t for t in tasks if queue_of(t) == "webhooks"] == ["partners.tasks.send_webhook"]
    assert queue_of("partners.tasks.send_digests") == "reports"
    assert queue_of("partners.tasks_imports.anything") == "imports"
    assert queue_of("partners.tasks.sweep_outbox") == "default"


def _queued(client, queue) -> list[str]:
    """Task names waiting in a queue of the Redis broker (kombu keeps each queue as a list of that name)."""
    return [json.loads(raw)["headers"]["task"] for raw in client.lrange(queue, 0, -1)]


@pytest.mark.django_db
def test_the_sweep_publishes_each_row_to_its_channels_queue(settings):
    use_redis(settings)  # skipped without Redis, failed under REQUIRE_INTEGRATION=1
    client = redis.Redis.from_url(REDIS_URL)
    for queue in settings.TASK_QUEUE_NAMES:
        client.delete(queue)
    owner = OrganizationFactory().owner
    past = timezone.now() - timezone.timedelta(hours=1)
    for channel in (NotificationChannel.EMAIL, NotificationChannel.WEBHOOK):
        Notification.objects.create(recipient=owner, email=owner.email, template_key="application.withdrawn",
                                    channel=channel, dedupe_key=f"queues-{channel}", state=NotificationState.PENDING,
                                    next_attempt_at=past)
    use_broker(settings, REDIS_URL)  # tasks leave the process for the real broker
    try:
        assert sweep(older_than=timezone.timedelta(minutes=5)) == 2
        assert _queued(client, "mail") == ["partners.tasks.send_notification"]
        assert _queued(client, "webhooks") == ["partners.tasks.send_webhook"]
        assert _queued(client, "default") == []
    finally:
        app._pool = None
        app.amqp._producer_pool = None
        for queue in settings.TASK_QUEUE_NAMES:
            client.delete(queue)


def _worker_queues() -> dict[str, set[str]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    found = {}
    for name, service in compose["services"].items():
        argv = shlex.split(service["command"]) if isinstance(service.get("command"), str) \
            else list(service.get("command") or [])
        if argv[:4] == ["celery", "-A", "registry", "worker"]:
            assert "-Q" in argv, f"{name} names its queues"
            found[name] = set(argv[argv.index("-Q") + 1].split(","))
    return found


def test_compose_runs_a_worker_for_every_queue_and_one_for_mail_alone():
    workers = _worker_queues()
    assert set().union(*workers.values()) == set(settings.TASK_QUEUE_NAMES)
    assert {"mail"} in workers.values(), "mail has a worker that takes nothing else"
    assert {"webhooks"} in workers.values(), "so has the webhooks queue"
