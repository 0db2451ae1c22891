"""A load of submissions from several threads, run in its own process against a given database.

Used by tests/test_faults.py: `python -m tests.fault_load <results file> <threads> <per thread>` with
DATABASE_URL pointing at a private PostgreSQL server that the test restarts midway. Each attempt writes one
line: {"marker", "ok", "id"} on success, {"marker", "ok": false, "error"} on failure.
"""

import json
import os
import sys
import threading
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings_test")
django.setup()

from django.db import connection, transaction  # noqa: E402

from partners.services import applications as app_services  # noqa: E402
from tests.factories import ApplicationFactory, OrganizationFactory, complete_draft  # noqa: E402


def one_submission(owner, marker):
    """Create, complete and submit one application in one transaction: all of it is stored, or none."""
    with transaction.atomic():
        application = ApplicationFactory(organization=owner.organizations.get(), created_by=owner,
                                         contact_name=marker)
        complete_draft(application)
        app_services.submit(owner, application)
    return application.pk


def worker(index, per_thread, out, lock):
    owners = []
    for _ in range(per_thread):
        for _attempt in range(200):  # set-up rows themselves may meet the restart; retry them
            try:
                owners.append(OrganizationFactory().owner)
                break
            except Exception:  # noqa: BLE001
                connection.close()
                time.sleep(0.1)
    for n, owner in enumerate(owners):
        marker = f"load-{index}-{n}"
        try:
            pk = one_submission(owner, marker)
            line = {"marker": marker, "ok": True, "id": pk}
        except Exception as exc:  # noqa: BLE001 - every failure is an answer the client sees
            line = {"marker": marker, "ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
            connection.close()  # a broken connection is replaced on the next attempt
            time.sleep(0.05)
        with lock:
            out.write(json.dumps(line) + "\n")
            out.flush()
    connection.close()


def main():
    path, threads, per_thread = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    lock = threading.Lock()
    with open(path, "a", encoding="utf-8") as out:
        pool = [threading.Thread(target=worker, args=(i, per_thread, out, lock)) for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()


if __name__ == "__main__":
    main()
