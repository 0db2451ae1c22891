"""Django's Redis cache backend, keeping one redis-py client per connection pool and degrading when Redis fails.

Django's client builds a new ``redis.Redis`` object for every cache call; building it cost about a third of a
millisecond, as much as the round trip to Redis itself, on every throttle check and cache read of a request.
The client is thread-safe and its pool notices a fork, so one per pool and process is enough.

When Redis is down or hung, a call fails within the socket timeouts (settings: ``REDIS_SOCKET_TIMEOUT``) and
trips a per-process *breaker*: for ``RETRY_SECONDS`` every call of every alias on that server skips Redis, so a
hung server costs one timeout per process and interval, not one per call. Meanwhile each alias degrades as its
``FALLBACK`` option says:

- ``"local"`` (the default alias: rate limits, throttles, one-time codes): a per-process memory cache, so limits
  still hold, per process, instead of opening to everyone or closing to everyone.
- ``"none"`` (the shared alias: sessions, cached settings, the response cache): every read misses and every
  write is skipped, so callers fall back to the database. A skipped write leaves Redis holding an older value
  (a deleted session, a changed setting); its key is remembered and deleted from Redis as soon as Redis answers
  again, before this process reads from it, and by a background thread if no request comes.
"""

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.utils.connection import ConnectionProxy
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# The cache alias whose values the database holds too: with Redis down it misses, and callers read the database.
SHARED = "shared"
shared_cache = ConnectionProxy(caches, SHARED)

DEFAULT_SOCKET_TIMEOUT = 0.3
DEFAULT_RETRY_SECONDS = 2.0
# Keys whose write was skipped, per server; beyond this many the repair deletes every key of the cache instead.
MAX_REPAIR_KEYS = 50_000


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class Breaker:
    """Whether this process should leave a Redis server alone for a while, and what it owes it on return."""

    def __init__(self, retry_seconds):
        self.retry_seconds = retry_seconds
        self.down_until = 0.0
        self.up = True
        self.lock = threading.Lock()
        self.stale_keys = set()  # made keys whose write to Redis was skipped
        self.stale_pattern = None  # set when too many keys were skipped: delete the whole cache's keys
        self.repairer = None

    def is_open(self) -> bool:
        return time.monotonic() < self.down_until

    def trip(self):
        with self.lock:
            first, self.up = self.up, False
            self.down_until = time.monotonic() + self.retry_seconds
        if first:
            log.warning("Redis cache unreachable: degrading, trying again every %.1f s", self.retry_seconds)

    def answered(self):
        if not self.up:
            self.up = True
            log.warning("Redis cache reachable again")

    def remember_stale(self, made_keys, pattern, *, everything=False):
        with self.lock:
            if self.stale_pattern is None:
                self.stale_keys.update(made_keys)
                if everything or len(self.stale_keys) > MAX_REPAIR_KEYS:
                    self.stale_keys.clear()
                    self.stale_pattern = pattern

    def owes_repair(self) -> bool:
        return bool(self.stale_keys) or self.stale_pattern is not None

    def repair(self, client):
        """Delete what Redis may hold stale; raises RedisError if Redis fails meanwhile (the debt stays)."""
        with self.lock:
            keys, pattern = list(self.stale_keys), self.stale_pattern
        if not keys and pattern is None:
            return  # another thread repaid it
        if pattern is not None:
            batch = []
            for key in client.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.delete(*batch)
                    batch = []
            if batch:
                client.delete(*batch)
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start:start + 1000])
        with self.lock:
            self.stale_keys.difference_update(keys)
            if self.stale_pattern == pattern:
                self.stale_pattern = None
        log.warning("Redis cache back: %d stale keys deleted%s", len(keys), " and the cache emptied" if pattern else "")

    def start_repairer(self, cache):
        """Repair in the background too: a process that serves no request must not leave stale keys for others."""
        with self.lock:
            if self.repairer is not None and self.repairer.is_alive():
                return
            self.repairer = threading.Thread(target=self._repair_loop, args=(cache,), daemon=True,
                                             name="redis-cache-repair")
            self.repairer.start()

    def _repair_loop(self, cache):
        while self.owes_repair():
            time.sleep(max(0.05, self.down_until - time.monotonic()))
            if self.is_open():
                continue
            try:
                self.repair(cache.raw_client())
            except RedisError:
                self.trip()


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(servers, retry_seconds) -> Breaker:
    with _breakers_lock:
        key = tuple(servers)
        if key not in _breakers:
            _breakers[key] = Breaker(retry_seconds)
        return _breakers[key]


def _skipped(op, args, kwargs):
    """What a call answers when Redis is skipped and nothing stands in for it: a miss, or a write not done."""
    if op == "get":
        return kwargs.get("default", args[1] if len(args) > 1 else None)
    if op == "get_many":
        return {}
    if op in ("incr", "decr"):
        raise ValueError(f"Key '{args[0]}' not found")  # as for a key that is not there
    if op == "set_many":
        return list(args[0])
    if op in ("add", "delete", "touch", "has_key"):
        return False
    return None


# The operations wrapped, and which of their arguments name the keys they write.
_WRITES = {"set": "one", "add": "one", "delete": "one", "touch": "one", "incr": "one", "decr": "one",
           "set_many": "many", "delete_many": "many", "clear": "all"}
_READS = ("get", "get_many", "has_key")


class RedisCache(DjangoRedisCache):
    """Options besides redis-py's: ``FALLBACK`` ("local" or "none") and ``RETRY_SECONDS`` (see the module)."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.fallback = options.pop("FALLBACK", "local")
        retry_seconds = float(options.pop("RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        # A hung server must cost a fraction of a second, never the worker's life.
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_connect_timeout", options["socket_timeout"])
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self.breaker = breaker_for(self._servers, retry_seconds)
        self._local = None
        if self.fallback == "local":
            self._local = LocMemCache(f"redis-fallback:{'|'.join(self._servers)}", {
                "TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1), "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                "OPTIONS": {"MAX_ENTRIES": 10_000}})

    # --- for code that talks to Redis directly (the API throttles' pipeline) -----------------------------

    def raw_client(self, key=None):
        return self._cache.get_client(key, write=True)

    def redis_client(self, key=None):
        """The redis-py client, or None while Redis is being left alone; report its failures to
        ``redis_failed()``."""
        if self.breaker.is_open() or not self._repaired():
            return None
        return self.raw_client(key)

    def redis_failed(self):
        self.breaker.trip()

    def degraded(self) -> bool:
        return self.breaker.is_open()

    def reachable(self) -> bool:
        """Whether Redis answers now, for health checks: the cache's own calls never fail, so they cannot tell."""
        try:
            return bool(self.raw_client().ping())
        except RedisError:
            self.breaker.trip()
            return False

    # --- the wrapped operations ------------------------------------------------------------------------

    def _repaired(self) -> bool:
        if not self.breaker.owes_repair():
            return True
        try:
            self.breaker.repair(self.raw_client())
        except RedisError:
            self.breaker.trip()
            return False
        return True

    def _call(self, op, args, kwargs):
        if not self.breaker.is_open() and self._repaired():
            try:
                result = getattr(super(), op)(*args, **kwargs)
            except RedisError:
                self.breaker.trip()
                # A write that timed out on a hung server may still be applied when it resumes.
                self._remember_stale(op, args, kwargs)
            else:
                if not self.breaker.up:
                    self.breaker.answered()
                if self._local is not None and op in ("delete", "delete_many"):
                    getattr(self._local, op)(*args, **kwargs)  # what an outage left here is gone too
                return result
        return self._degraded(op, args, kwargs)

    def _remember_stale(self, op, args, kwargs):
        written = _WRITES.get(op)
        if not written:
            return
        version = kwargs.get("version")
        if written == "one":
            made = [self.make_and_validate_key(args[0], version=version)]
        elif written == "many":
            made = [self.make_and_validate_key(key, version=version) for key in args[0]]
        else:
            made = []
        self.breaker.remember_stale(made, self.make_key("*"), everything=written == "all")
        self.breaker.start_repairer(self)

    def _degraded(self, op, args, kwargs):
        if self._local is not None:
            # Values counted here replace nothing in Redis, but a delete must reach it (a lock released here
            # that was taken there would hold on for its whole timeout).
            if op in ("delete", "delete_many", "clear"):
                self._remember_stale(op, args, kwargs)
            return getattr(self._local, op)(*args, **kwargs)
        self._remember_stale(op, args, kwargs)
        return _skipped(op, args, kwargs)


def _wrapped(op):
    def method(self, *args, **kwargs):
        return self._call(op, args, kwargs)

    method.__name__ = op
    return method


for _op in (*_WRITES, *_READS):
    setattr(RedisCache, _op, _wrapped(_op))
