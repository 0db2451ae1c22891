"""Redis down or hung: every cache user degrades (sessions from the database, local limits, settings from the
database, the response cache bypassed), nothing stale survives the outage, and the cache is used again after it.

Each test runs its own redis-server on a free port (tests/redis_outage_env.py) and kills or SIGSTOPs it."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from partners.enums import ApplicationState, NotificationState, StaffRole
from partners.models import Notification, Revision
from partners.services import security
from registry.redis_cache import shared_cache
from tests.api_helpers import client_for, key_for
from tests.factories import PASSWORD, ApplicationFactory, complete_draft, make_staff
from tests.public_fixtures import make_member
from tests.redis_outage_env import private_redis, use_private_redis, wait_for_recovery  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# Not a speed measure: a bound far above a degraded call and far below a hung one (which never returns).
HANG_BOUND = 5.0


@pytest.fixture
def redis_server(settings, private_redis):  # noqa: F811
    use_private_redis(settings, private_redis)
    settings.AXES_ENABLED = False  # axes keeps its counts in the database; allauth's limits are the ones cached
    yield private_redis
    private_redis.resume()


def signed_in(response):
    return response.wsgi_request.user.is_authenticated


def test_every_cache_call_answers_while_redis_is_down_or_hung(redis_server):
    cache.set("k", 1)
    shared_cache.set("s", 1)
    assert cache.get("k") == 1 and shared_cache.get("s") == 1
    assert cache.reachable() and not cache.degraded()

    for outage in (redis_server.hang, redis_server.kill):
        outage()
        started = time.monotonic()
        for _ in range(50):
            # The default alias counts in this process: a limit keeps counting.
            cache.add("counter", 0, 60)
            cache.incr("counter")
            cache.get_many(["a", "b"])
            # The shared alias misses and skips writes: callers go to the database.
            assert shared_cache.get("s") is None
            shared_cache.set("s", 2)
            shared_cache.delete("s")
            with pytest.raises(ValueError):
                shared_cache.incr("missing")
        assert time.monotonic() - started < HANG_BOUND  # one timeout, then the breaker skips Redis
        assert cache.get("counter") >= 50
        assert cache.degraded() and not cache.reachable()  # what a health check can report
        redis_server.resume()
        cache.delete("counter")
    redis_server.start()
    wait_for_recovery()
    shared_cache.set("s", 3)
    assert shared_cache.get("s") == 3
    assert redis_server.client().get(shared_cache.make_and_validate_key("s")) is not None


def test_signed_in_pages_logout_and_login_work_with_redis_killed(client, applicant, redis_server):
    client.force_login(applicant)
    assert client.get(reverse("portal:home")).status_code == 200
    redis_server.kill()

    page = client.get(reverse("portal:home"))
    assert page.status_code == 200 and signed_in(page)  # the session read from the database
    assert client.post(reverse("account_logout")).status_code == 302
    assert not signed_in(client.get(reverse("portal:home"), follow=True))

    login = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert login.status_code == 302
    assert signed_in(client.get(reverse("portal:home")))


def test_a_session_ended_while_redis_hung_is_not_revived_when_it_returns(client, applicant, redis_server):
    client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    cookie = client.cookies["sessionid"].value
    session_key = shared_cache.make_and_validate_key(f"django.contrib.sessions.cached_db{cookie}")
    assert redis_server.client().exists(session_key)  # the session is in Redis

    redis_server.hang()
    assert client.post(reverse("account_logout")).status_code == 302  # deleted from the database only
    redis_server.resume()
    wait_for_recovery()

    thief = type(client)()
    thief.cookies["sessionid"] = cookie
    response = thief.get(reverse("portal:home"))
    assert response.status_code == 302 and not signed_in(response)
    assert not redis_server.client().exists(session_key)


def test_api_throttle_falls_back_to_a_local_limit(client, settings, redis_server):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "anon": "3/min"}}
    redis_server.kill()
    answers = [client.get("/api/v1/members/").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]  # neither open to everyone nor closed to everyone


def test_login_rate_limit_falls_back_to_a_local_limit(client, settings, applicant, redis_server):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    redis_server.kill()
    url = reverse("account_login")

    def error_codes(password):
        response = client.post(url, {"login": applicant.email, "password": password})
        assert response.status_code == 200
        return {e.code for e in response.context["form"].non_field_errors().as_data()}

    for _ in range(3):
        assert "too_many_login_attempts" not in error_codes("Wrong-password-1")
    # Counted in this process: even the right password waits, as it would with Redis up.
    assert "too_many_login_attempts" in error_codes(PASSWORD)
    assert not signed_in(client.get(reverse("portal:home")))


def test_a_setting_changed_while_redis_hung_is_read_from_the_database_and_not_stale_after(redis_server):
    admin = make_staff(StaffRole.SYSTEM_ADMIN)
    key = "idle_minutes_staff"
    security.change_setting(admin, key, 25)
    assert security.setting_value(key) == 25  # now cached in Redis
    redis_server.hang()
    security.change_setting(admin, key, 20)
    assert security.setting_value(key) == 20
    redis_server.resume()
    wait_for_recovery()
    assert security.setting_value(key) == 20
    assert security.setting_value(key) == 20  # and again from Redis, filled with the new value
    assert redis_server.client().get(shared_cache.make_and_validate_key(f"registry:security_setting:{key}"))


def test_the_response_cache_is_bypassed_in_an_outage_and_used_again_after(
        settings, redis_server, django_capture_on_commit_callbacks):
    settings.PUBLIC_RESPONSE_CACHE = True
    settings.PUBLIC_LIST_STALE_SECONDS = 0  # every list fresh at once: stale lists are tested on their own
    org = make_member("甲公司").organization
    connection.run_on_commit = []  # the set-up's changes never commit inside the test's transaction
    shared_cache.clear()
    names = lambda: [m["name"] for m in client_for().get("/api/v1/members/").json()["results"]]  # noqa: E731
    for _ in range(3):
        assert names() == ["甲公司"]
    stored = redis_server.client().keys("*public-cache:api-json*")
    assert stored  # served from the cache

    redis_server.hang()
    with django_capture_on_commit_callbacks(execute=True):
        org.name = "乙公司"
        org.save()
    assert names() == ["乙公司"]  # read from the database
    redis_server.resume()
    wait_for_recovery()
    for _ in range(3):
        assert names() == ["乙公司"]  # the old generation is gone, not served
    assert set(redis_server.client().keys("*public-cache:api-json*")) - set(stored)  # cached again


def test_api_submission_with_the_broker_hung_succeeds_and_waits_in_the_outbox(
        settings, applicant, private_redis, django_capture_on_commit_callbacks):  # noqa: F811
    from tests.integration.outbox_env import use_broker

    application = ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)
    complete_draft(application)
    _key, token = key_for(applicant)
    use_broker(settings, private_redis.url)
    private_redis.hang()
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as published:
            response = client_for(token).post(f"/api/v1/applications/{application.public_id}/actions/submit/", {},
                                              format="json")
        assert response.status_code == 200, response.content
        assert published and time.monotonic() - started < HANG_BOUND
    finally:
        private_redis.resume()
        use_broker(settings, "")
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert Revision.objects.filter(application=application).exists()
    assert Notification.objects.filter(state=NotificationState.PENDING).exists()
