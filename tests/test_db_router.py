"""The replica router's parts that need no second server (the end-to-end proof is
tests/integration/test_read_replicas.py): off by default, a pin cookie parsed and bounded, staff on the primary."""

import time

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.test import RequestFactory

from partners import db_router
from partners.replica_middleware import PIN_COOKIE, ReplicaMiddleware, _cookie_pinned, person_reads_primary


def test_without_replica_urls_nothing_changes(settings):
    assert settings.DATABASE_REPLICA_URLS == []
    assert settings.DATABASE_ROUTERS == []
    assert db_router.replica_aliases() == []
    with pytest.raises(MiddlewareNotUsed):
        ReplicaMiddleware(lambda request: None)


@pytest.mark.parametrize("value, pinned", [
    (lambda now, bound: str(int(now) + 5), True),
    (lambda now, bound: str(int(now) - 1), False),  # expired
    (lambda now, bound: str(int(now + bound) + 60), False),  # further than the setting allows: forged
    (lambda now, bound: "9" * 40, False),
    (lambda now, bound: "-5", False),
    (lambda now, bound: "１２３", False),  # digits, but not ASCII ones
    (lambda now, bound: "", False),
])
def test_the_pin_cookie_is_parsed_and_bounded(settings, value, pinned):
    request = RequestFactory().get("/")
    request.COOKIES[PIN_COOKIE] = value(time.time(), settings.READ_YOUR_WRITES_SECONDS)
    assert _cookie_pinned(request) is pinned


def test_read_your_writes_outlasts_the_staleness_a_replica_may_have(settings):
    assert settings.READ_YOUR_WRITES_SECONDS >= settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS


@pytest.mark.django_db
def test_staff_and_recent_writers_read_the_primary(reviewer, applicant):
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache

    assert person_reads_primary(reviewer)
    assert not person_reads_primary(AnonymousUser())
    assert not person_reads_primary(applicant)
    cache.set(f"replica-pin:user:{applicant.pk}", 1, timeout=5)
    assert person_reads_primary(applicant)
    cache.delete(f"replica-pin:user:{applicant.pk}")


def test_outside_a_web_request_every_read_is_the_primarys():
    from partners.models import Organization

    router = db_router.ReplicaRouter()
    assert db_router.current() is None
    assert router.db_for_read(Organization) == "default"
    token = db_router.begin_request(eligible=True)
    try:
        assert router.db_for_write(Organization) == "default"
        assert router.db_for_read(Organization) == "default", "after a write the request reads the primary"
    finally:
        db_router.end_request(token)


def test_every_replica_model_is_a_concrete_model_of_public_data():
    from django.apps import apps

    for label in db_router.REPLICA_MODELS:
        model = apps.get_model(label)  # a typo or an abstract class fails here
        assert not model._meta.abstract, label
    # People and secrets are never read from a replica.
    for private in ("partners.user", "partners.organizationmember", "partners.apikey", "sessions.session",
                    "partners.auditevent", "partners.notification", "partners.securitysetting"):
        assert private not in db_router.REPLICA_MODELS


def test_an_answer_filled_from_a_replica_is_kept_only_for_the_lag_bound(settings):
    """A replica may render a page from before a write the cache generation already counts; such an entry must
    not outlive the replica's own staleness bound (lag bound plus one health check)."""
    from partners.services import cache as response_cache

    settings.DATABASE_REPLICA_URLS = ["postgres://replica.invalid/registry"]
    settings.REPLICA_MAX_LAG_SECONDS = 1
    settings.REPLICA_CHECK_SECONDS = 0
    token = db_router.begin_request(eligible=True)
    try:
        db_router.current().used.add("replica1")
        response_cache._set("test-replica-fill", b"from the replica")
    finally:
        db_router.end_request(token)
    response_cache._set("test-primary-fill", b"from the primary")
    assert response_cache._get("test-replica-fill") == b"from the replica"
    time.sleep(1.3)
    assert response_cache._get("test-replica-fill") is None
    assert response_cache._get("test-primary-fill") == b"from the primary"
