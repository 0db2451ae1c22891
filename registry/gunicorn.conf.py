"""gunicorn configuration used by docker-compose and the benchmarks: sync workers, one per core."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 60
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
# The access log names each request by the id the registry answered with (X-Request-ID).
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'

# The application is loaded once in the master and forked: a recycled worker starts in milliseconds instead of
# importing Django again for a second, during which its share of the requests waited (the 1 s p99 seen under
# load). Workers are still recycled now and then, against slow leaks, staggered by the jitter.
preload_app = True
max_requests = 50_000
max_requests_jitter = 5_000


def pre_fork(server, worker):
    """Move everything the master loaded (Django, the URL conf, the apps: hundreds of thousands of objects) out of
    the garbage collector's reach before forking. A worker's full collections then walk only what it made itself:
    they took 3.5 ms of a 12 ms member page on average (bench/RESULTS.md), and touching the shared objects' headers
    also copied the master's memory into every worker page by page."""
    import gc

    gc.freeze()
