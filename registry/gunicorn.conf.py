"""gunicorn configuration used by docker-compose and the benchmarks: sync workers, one per core."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 60
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
max_requests = 5000
max_requests_jitter = 500
