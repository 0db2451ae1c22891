"""The API's rate limits: a sliding window over two counters, refused requests not counted, Retry-After that
lets the client in, and one round trip to Redis per request."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIRequestFactory

from partners.api.throttling import AnonymousRateThrottle, WindowCounterThrottle
from tests.redis_helpers import RoundTrips, use_redis


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(6_000_000.0)  # the start of a minute
    monkeypatch.setattr(WindowCounterThrottle, "timer", clock)
    return clock


@pytest.fixture
def three_a_minute(settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "anon": "3/min"}
    settings.REST_FRAMEWORK = rest


@pytest.fixture(params=["local memory", "redis"])
def shared_cache(request, settings):
    """Both ways of counting: Redis in production, the portable cache calls in development."""
    if request.param == "redis":
        use_redis(settings, "throttle-test")
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def redis_cache(settings):
    use_redis(settings, "throttle-test")
    cache.clear()
    yield
    cache.clear()


def attempt(address="203.0.113.7"):
    """One anonymous request through a fresh throttle, as DRF makes one per request."""
    request = APIRequestFactory().get("/api/v1/members/", REMOTE_ADDR=address)
    from rest_framework.request import Request

    throttle = AnonymousRateThrottle()
    drf_request = Request(request)
    drf_request.user = None
    allowed = throttle.allow_request(drf_request, view=None)
    return allowed, throttle


@pytest.mark.usefixtures("three_a_minute")
def test_the_window_slides_instead_of_resetting_at_the_minute(clock, shared_cache):
    clock.now += 50
    assert [attempt()[0] for _ in range(3)] == [True, True, True]
    allowed, throttle = attempt()
    assert not allowed
    # A plain fixed window would let three more in as soon as the next minute starts, 10 s later.
    clock.now += 11
    allowed, throttle = attempt()
    assert not allowed, "three requests 11 s ago still count in a sliding window of a minute"
    # Retry-After is honest: waiting that long lets exactly one request in.
    wait = throttle.wait()
    assert 1 <= wait <= 60
    clock.now += wait - 1
    assert not attempt()[0]
    clock.now += 1
    assert attempt()[0]


@pytest.mark.usefixtures("three_a_minute")
def test_refused_requests_do_not_push_the_wait_further_out(clock, shared_cache):
    assert [attempt()[0] for _ in range(3)] == [True, True, True]
    first_wait = None
    for _ in range(20):  # a client that keeps knocking
        allowed, throttle = attempt()
        assert not allowed
        first_wait = first_wait or throttle.wait()
        clock.now += 1
    # 20 s later the wait has shrunk by 20 s: the refusals were not counted.
    assert throttle.wait() == first_wait - 19
    clock.now += throttle.wait()
    assert attempt()[0]


@pytest.mark.usefixtures("three_a_minute")
def test_each_address_has_its_own_limit(clock, shared_cache):
    assert [attempt("198.51.100.1")[0] for _ in range(4)] == [True, True, True, False]
    assert attempt("198.51.100.2")[0]


@pytest.mark.usefixtures("three_a_minute")
@pytest.mark.usefixtures("redis_cache")
def test_one_round_trip_to_redis_per_allowed_request(clock, monkeypatch):
    attempt()  # opens the connection
    trips = RoundTrips(monkeypatch)
    assert attempt()[0]
    assert len(trips) == 1


def test_the_redis_client_is_built_once_per_pool(settings):
    use_redis(settings)
    from django.core.cache import cache as django_cache

    assert django_cache._cache.get_client() is django_cache._cache.get_client(write=True)
    django_cache.set("reuse", 1)
    assert django_cache.get("reuse") == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_cache")
def test_a_cached_member_read_costs_one_round_trip_to_redis(settings, monkeypatch):
    """The anonymous throttle reads the response cache's generation along with its count."""
    from django.test import Client

    from tests.public_fixtures import make_member

    settings.PUBLIC_RESPONSE_CACHE = True

    settings.PUBLIC_LIST_STALE_SECONDS = 0  # every list fresh at once: stale lists are tested on their own
    member = make_member("北京九章智算科技有限公司")
    cache.clear()  # forget the set-up's change (its commit never comes inside the test's transaction)
    client = Client()
    for url in ("/api/v1/members/", f"/api/v1/members/{member.number}/"):
        for _ in range(3):  # settle the generation, fill the cache
            first = client.get(url)
        trips = RoundTrips(monkeypatch)
        again = client.get(url)
        assert again.content == first.content and "九章" in again.content.decode()
        assert len(trips) == 1, trips.sent
        monkeypatch.undo()
