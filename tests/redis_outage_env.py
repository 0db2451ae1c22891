"""A private redis-server for outage tests: killed, restarted and hung (SIGSTOP) at will; the shared one is never
touched."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import redis

from tests.integration.outbox_env import free_port


class PrivateRedis:
    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="registry-redis-")
        self.proc = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        # No persistence: a killed server comes back empty, as a cache restarted without a snapshot does.
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self):
        self.resume()
        self.proc.kill()
        self.proc.wait()

    def hang(self):
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)

    def client(self):
        return redis.Redis(port=self.port, socket_timeout=5, socket_connect_timeout=5)

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        if os.environ.get("REQUIRE_INTEGRATION") == "1":
            pytest.fail("redis-server is not installed (REQUIRE_INTEGRATION=1)")
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    yield server
    server.close()


def use_private_redis(settings, server, retry_seconds=0.5):
    """Point both cache aliases and the session engine at `server`, with production's degrading options."""
    options = {"socket_timeout": 0.3, "socket_connect_timeout": 0.3, "RETRY_SECONDS": retry_seconds}
    settings.CACHES = {
        "default": {"BACKEND": "registry.redis_cache.RedisCache", "LOCATION": server.url,
                    "OPTIONS": {**options, "FALLBACK": "local"}},
        "shared": {"BACKEND": "registry.redis_cache.RedisCache", "LOCATION": server.url,
                   "OPTIONS": {**options, "FALLBACK": "none"}},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "shared"


def wait_for_recovery(retry_seconds=0.5):
    """Past the breaker's interval, so the next call tries Redis again."""
    time.sleep(retry_seconds + 0.2)
