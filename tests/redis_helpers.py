"""Pointing a test's Django cache at the real Redis (skipped without one, failed in CI)."""

import os

import pytest
import redis


def _worker_url(url):
    """Each pytest-xdist worker gets a Redis database of its own (counting down from the configured one), so one
    worker's flush or keys never meet another's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    base, _, db = url.rpartition("/")
    index = int(worker[2:]) + 1
    number = (int(db) if db.isdigit() else 0) - index
    return f"{base}/{number % 16}"


REDIS_URL = _worker_url(os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/4"))


def use_redis(settings, prefix="tests"):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_INTEGRATION") == "1":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (REQUIRE_INTEGRATION=1)")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    settings.CACHES = {alias: {"BACKEND": "registry.redis_cache.RedisCache", "LOCATION": REDIS_URL,
                               "KEY_PREFIX": prefix, "OPTIONS": {"FALLBACK": fallback}}
                       for alias, fallback in (("default", "local"), ("shared", "none"))}


class RoundTrips:
    """Counts the commands (or pipelines) sent to Redis while it is installed."""

    def __init__(self, monkeypatch):
        from redis.connection import AbstractConnection

        self.sent = []
        original = AbstractConnection.send_packed_command

        def counting(connection, command, check_health=True):
            self.sent.append(command)
            return original(connection, command, check_health)

        monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)

    def __len__(self):
        return len(self.sent)
