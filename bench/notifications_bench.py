"""Benchmark of the outbox: N notifications through a real Celery worker (Redis) to a real SMTP server.

Reports the throughput and counts showing that none was lost, and how many arrived twice (sending is at
least once: only a crash between the server's accept and the commit sends a copy, under the same
Message-ID; this run has no crash, so it expects none). Run:

    .venv/bin/python bench/notifications_bench.py --count 10000 --concurrency 4

It uses its own PostgreSQL database (BENCH_DATABASE_URL, created and migrated when missing) and the Redis
database in BENCH_REDIS_URL, which it empties first.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ensure_database  # noqa: E402

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/notify_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4, help="worker processes")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    ensure_database(DB_URL)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "registry.settings", "SECRET_KEY": "bench-only", "DEBUG": "0",
                       "DATABASE_URL": DB_URL, "CELERY_BROKER_URL": REDIS_URL, "AXES_ENABLED": "0",
                       "LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from partners.enums import NotificationState
    from partners.models import Notification, User
    from partners.tasks import send_notification
    from tests.integration.outbox_env import flush_redis, start_smtp, start_worker, stop_worker

    call_command("migrate", verbosity=0)
    flush_redis(REDIS_URL)
    controller, mailbox = start_smtp()
    log_path = Path(tempfile.mkdtemp()) / "worker.log"
    worker = start_worker(broker_url=REDIS_URL, db_url=DB_URL, smtp_port=controller.port,
                          concurrency=args.concurrency, log_path=log_path, extra_env={"LOG_LEVEL": "WARNING", "CONN_MAX_AGE": "600"})
    try:
        run = f"bench-{int(time.time())}"
        users = [User.objects.get_or_create(email=f"bench{i}@example.com")[0] for i in range(20)]
        with transaction.atomic():
            rows = Notification.objects.bulk_create(
                Notification(recipient=users[i % len(users)], email=users[i % len(users)].email,
                             template_key="application.withdrawn", language=("zh-hans", "en")[i % 2],
                             context={"organization": f"基准测试单位{i}"}, dedupe_key=f"{run}:{i}")
                for i in range(args.count))
        ids = [r.pk for r in rows]
        started = time.monotonic()
        for pk in ids:
            send_notification.apply_async((pk,))
        queued = time.monotonic() - started
        mailbox.wait_for(lambda: len(mailbox.messages) >= len(ids), timeout=args.timeout)
        elapsed = time.monotonic() - started
        mailbox.wait_for(lambda: False, 3.0)  # let late duplicates show
        received = Counter(int(x) for x in mailbox.notification_ids() if x)
        wanted = set(ids)
        lost = len(wanted - set(received))
        doubled = sum(1 for pk, n in received.items() if pk in wanted and n > 1)
        sent_rows = Notification.objects.filter(pk__in=ids, state=NotificationState.SENT).count()
        print(f"notifications: {len(ids)}  worker processes: {args.concurrency}")
        print(f"queued in {queued:.1f} s; all received after {elapsed:.1f} s")
        print(f"throughput: {len(received) / elapsed:.0f} e-mails/s")
        print(f"received distinct: {len(received)}  lost: {lost}  doubled: {doubled}  rows sent: {sent_rows}")
        return 0 if lost == 0 and doubled == 0 and sent_rows == len(ids) else 1
    finally:
        stop_worker(worker)
        controller.stop()
        Notification.objects.filter(dedupe_key__startswith="bench-").delete()


if __name__ == "__main__":
    sys.exit(main())
