"""Running jobs at the same moment, each in its own thread with its own database connection (race tests)."""

import threading

from django.db import close_old_connections, connections


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
