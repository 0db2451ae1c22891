"""Probes: liveness (`/health/live/`: the process answers) and readiness (`/health/`: the site can serve a page).

Readiness asks everything a page needs: the database, the cache, the Celery broker (when one is configured) and
the static files (the manifest of hashed names is loaded and its files are on disk). Any failure answers 503,
so an orchestrator or a load balancer takes the instance out of service instead of sending people to 500s.
Each check is bounded by HEALTH_TIMEOUT_SECONDS; the answer names the failed checks but never the error, which
goes to the log.

Probes come from the orchestrator, not through the public address: `ProbeMiddleware`, first in the stack, answers
both paths before host validation and the HTTPS redirect, so `curl http://127.0.0.1:8000/health/` inside the
container works with production settings. `/ping/` stays a full-stack view: the load benchmarks' ceiling.
"""

import logging
import time
import uuid

from django.conf import settings
from django.http import HttpResponse, JsonResponse

log = logging.getLogger(__name__)

# A file every page links (templates/base.html): when it has no hashed name, every page answers 500.
PAGE_ASSET = "vendor/bootstrap/bootstrap.min.css"


def live(request):
    return HttpResponse("ok", content_type="text/plain")


def ping(request):
    """The cheapest Django response: the liveness probe, and the ceiling the load benchmarks compare every page
    with."""
    return HttpResponse("ok", content_type="text/plain")


def _timeout() -> float:
    return float(getattr(settings, "HEALTH_TIMEOUT_SECONDS", 2))


def check_database():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("the database answered SELECT 1 wrongly")


def check_cache():
    from django.core.cache import cache

    if settings.REDIS_URL:
        # Ask Redis itself first, with a deadline: a hung server must fail the probe, not hold it.
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=_timeout(),
                                      socket_timeout=_timeout())
        try:
            client.ping()
        finally:
            client.close()
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def check_broker():
    if not settings.CELERY_BROKER_URL:
        return "not configured"  # tasks run in-process (the embedded set-up)
    from registry.celery import app

    deadline = {"socket_timeout": _timeout(), "socket_connect_timeout": _timeout()}
    with app.connection_for_write(settings.CELERY_BROKER_URL, connect_timeout=_timeout(),
                                  transport_options=deadline) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=_timeout())
    return "ok"


def check_static():
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if isinstance(staticfiles_storage, ManifestFilesMixin):
        name = staticfiles_storage.stored_name(PAGE_ASSET)  # raises when the manifest lacks the entry
        if name == PAGE_ASSET or not staticfiles_storage.exists(name):
            raise RuntimeError(f"{PAGE_ASSET} has no hashed copy in STATIC_ROOT")
        return "ok"
    from django.contrib.staticfiles import finders

    if not (staticfiles_storage.exists(PAGE_ASSET) or finders.find(PAGE_ASSET)):
        raise RuntimeError(f"{PAGE_ASSET} is not found")
    return "ok"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker, "static": check_static}


def readiness() -> tuple[bool, dict]:
    """Run every check; returns (ready, {check: "ok" | "not configured" | "failed"})."""
    results, ready = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            results[name] = check() or "ok"
        except Exception:  # noqa: BLE001 - any failure of a dependency means not ready
            log.exception("readiness check %s failed after %.1f s", name, time.monotonic() - started)
            results[name], ready = "failed", False
    return ready, results


def health(request):
    ready, checks = readiness()
    response = JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                            status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


PROBES = {"/health/": health, "/health/live/": live}


class ProbeMiddleware:
    """Answer the probes before anything that depends on the public address (ALLOWED_HOSTS, HTTPS redirect)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = PROBES.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
