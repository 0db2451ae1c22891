"""Running jobs at the same moment, each in its own thread with its own database connection (race tests)."""

import threading

import pytest
from django.db import close_old_connections, connection, connections

# The marks of a race test module (`pytestmark = RACE_TEST`): the threads see only committed rows, and
# serialized_rollback restores the groups, districts and continuous call the migrations load, which the
# flush at the end of each test removes.
RACE_TEST = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks under real concurrency need PostgreSQL (set DATABASE_URL to a postgres URL)"),
]


def run_together(*jobs):
    """Start every job at the same moment; each result is ("ok", value) or ("error", exception)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def runner(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", job())
        except Exception as exc:  # noqa: BLE001 - the test inspects what each side got
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    close_old_connections()
    return results
