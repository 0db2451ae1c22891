"""Rate limits of the API: per key for integrations and people, per address for anonymous clients.

Each limit is a sliding window estimated from two fixed-window counters kept in the shared cache, this
window's and the last one's: the estimate is ``last × (share of the last window still inside the sliding
window) + this``. With Redis that is one atomic INCR and one GET in a single round trip, where DRF's own
throttles read a pickled list of timestamps and write it back (two round trips and a list that grows with the
rate) before every request. A refused request is taken off the counter again, so a client that waits as long
as Retry-After says is let in, and one that keeps knocking does not push its own wait further out.
"""

import math

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from registry.redis_cache import shared_cache

from ..services import cache as response_cache


def _redis_client(made_key):
    """The redis-py client behind the registry's RedisCache, or None for any other cache (local memory in
    development and in the SQLite test runs) and while Redis is down: the cache's own calls then count in this
    process (registry/redis_cache.py), so the limit still holds, per process."""
    get_client = getattr(cache, "redis_client", None)
    return get_client(made_key) if get_client is not None else None


def count_request(current_key, previous_key, ttl, also=()):
    """Count one request under ``current_key``; return (this window's count, last window's count, the raw
    values of the keys in ``also`` or None when they were not read).

    ``also`` rides along in the same round trip: the response cache's generation, which a cached read needs
    next (see ``partners.services.cache.remember_generation``)."""
    made = cache.make_and_validate_key(current_key)
    client = _redis_client(made)
    if client is not None:
        pipe = client.pipeline(transaction=False)
        pipe.incr(made)
        pipe.expire(made, ttl, nx=True)
        pipe.get(cache.make_and_validate_key(previous_key))
        for key in also:
            pipe.get(shared_cache.make_and_validate_key(key))  # the same server (settings.CACHES)
        try:
            current, _expiry_set, previous, *extra = pipe.execute()
        except RedisError:
            cache.redis_failed()  # counted below, in this process, until Redis answers again
        else:
            return int(current), int(previous or 0), extra
    cache.add(current_key, 0, ttl)
    try:
        current = cache.incr(current_key)
    except ValueError:  # expired between the two calls
        cache.add(current_key, 1, ttl)
        current = 1
    return current, int(cache.get(previous_key) or 0), None


def uncount_request(current_key):
    try:
        cache.decr(current_key)
    except ValueError:
        pass  # the window ended meanwhile


def _whole_seconds(seconds):
    return max(1, math.ceil(seconds - 1e-9))  # 19.000000000000004 is 19


def note_limit(request, throttle, left):
    """Keep the tightest limit this request met, for the RateLimit-* headers of its answer."""
    left = max(0, math.floor(left + 1e-9))
    reset = throttle.wait() if left == 0 else _whole_seconds(throttle.duration - throttle.elapsed)
    seen = getattr(request._request, "rate_limit", None)
    if seen is None or left < seen[1]:
        request._request.rate_limit = (throttle.num_requests, left, reset)


def rate_limit_headers(request, response):
    """RateLimit-Limit, -Remaining and -Reset (seconds) of the limit this request counted against."""
    seen = getattr(getattr(request, "_request", request), "rate_limit", None)
    if seen is not None:
        limit, left, reset = seen
        response["RateLimit-Limit"] = str(limit)
        response["RateLimit-Remaining"] = str(left)
        response["RateLimit-Reset"] = str(reset)
    return response


class WindowCounterThrottle(SimpleRateThrottle):
    """SimpleRateThrottle's rates and keys, counted with two fixed-window counters (see the module)."""

    # Read the rate when asked, not at import, so a changed setting (or a test) takes effect.
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.elapsed = self.now - window * self.duration
        current_key = f"{self.key}:{window}"
        # Two windows' life: the counter is read as "the last window" during the next one.
        also = self.read_along(request, view)
        self.current, self.previous, values = count_request(current_key, f"{self.key}:{window - 1}",
                                                            2 * self.duration, also)
        if also and values is not None:
            response_cache.remember_generation(request._request, *values, scopes=self.scopes_read)
        weight = 1 - self.elapsed / self.duration
        if self.previous * weight + self.current <= self.num_requests + 1e-9:  # float slack at the boundary
            note_limit(request, self, self.num_requests - (self.previous * weight + self.current))
            return True
        uncount_request(current_key)
        self.current -= 1
        note_limit(request, self, 0)
        return False

    scopes_read = ()  # the response-cache scopes whose generations read_along() asked for

    def read_along(self, request, view):
        """Keys of the shared cache to read in the same round trip as the count."""
        return ()

    def wait(self):
        """Seconds until one more request fits under the estimate."""
        allowed = self.num_requests - 1  # what the estimate must be down to before the next request
        if self.previous and self.current <= allowed:
            # Within this window, once enough of the last window has slid out.
            needed = self.duration * (1 - (allowed - self.current) / self.previous)
            if needed < self.duration:
                return _whole_seconds(needed - self.elapsed)
        # In the next window this window's count becomes the last one's.
        into_next = self.duration * (1 - allowed / self.current) if self.current else 0
        return _whole_seconds(self.duration - self.elapsed + max(0.0, into_next))


class KeyRateThrottle(WindowCounterThrottle):
    """Per API key (or per person for a personal token or a browser session)."""

    scope = "key"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        auth = request.auth
        ident = getattr(auth, "prefix", None) or f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(WindowCounterThrottle):
    """Per client address, for requests without a key or session."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def read_along(self, request, view):
        # Anonymous reads of a view with ``response_cache = True`` are served from the response cache, which
        # needs its generation next: read it in this round trip.
        if getattr(view, "response_cache", False) and response_cache.enabled():
            # The answer's scopes too (cache_scopes.py): a hit then asks the cache nothing more.
            self.scopes_read = (view.cache_scopes(request, *view.args, **view.kwargs)
                                if hasattr(view, "cache_scopes") else ["all"])
            return response_cache.generation_keys(scopes=self.scopes_read)
        return ()
