"""Real components for the outbox tests and benchmark: an SMTP server, a Celery worker, the broker switch."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message; it can refuse the next N with a transient 451."""

    def __init__(self):
        self.messages = []
        self.fail_next = 0
        self.lock = threading.Lock()
        self.on_accept = None  # called with each accepted message, before the server answers 250

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return "451 4.3.0 Try again later"
            message = message_from_bytes(envelope.content)
            self.messages.append((envelope.rcpt_tos, message))
        if self.on_accept is not None:
            self.on_accept(message)
        return "250 OK"

    def to(self, address):
        with self.lock:
            return [m for rcpts, m in self.messages if address in rcpts]

    def notification_ids(self):
        with self.lock:
            return [m["X-Registry-Notification"] for _r, m in self.messages]

    def wait_for(self, predicate, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return predicate()


def start_smtp(mailbox=None, port=None):
    from aiosmtpd.controller import Controller

    mailbox = mailbox or Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller, mailbox


def worker_children(proc):
    """The pool processes of a worker started by start_worker (its direct children)."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def start_worker(*, broker_url, db_url, smtp_port, concurrency=2, log_path, extra_env=None):
    """A real `celery -A registry worker` process with its own settings from the environment, consuming every
    queue (mail, webhooks, reports, imports, default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "EMAIL_", "DATABASE_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "registry.settings", "SECRET_KEY": "worker-test-only", "DEBUG": "0",
        "DATABASE_URL": db_url, "CONN_MAX_AGE": "0", "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}", "OUTBOX_RETRY_SCHEDULE": "1,2,4,8", "LOG_LEVEL": "INFO",
        "AXES_ENABLED": "0", **(extra_env or {}),
    })
    log = open(log_path, "wb")  # noqa: SIM115 - closed by stop_worker
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "registry", "worker", "-l", "info", "-c", str(concurrency),
         "-Q", ",".join(settings.TASK_QUEUE_NAMES), "-n", f"outbox-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log_file, proc.log_path = log, log_path
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited: {Path(log_path).read_text()[-3000:]}")
        if b"ready." in Path(log_path).read_bytes():
            return proc
        time.sleep(0.2)
    stop_worker(proc)
    raise RuntimeError(f"the worker did not start: {Path(log_path).read_text()[-3000:]}")


def stop_worker(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.log_file.close()


def use_broker(settings, url):
    """Point this process's Celery app at a broker (tasks leave the process) and forget old connections."""
    from registry.celery import app

    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app._pool = None
    app.amqp._producer_pool = None


def redis_reachable(url) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


