"""Headers integrators rely on: a request id on every answer (theirs when they send a sane one, and on the
log lines of the request), and the RateLimit-* headers of the limit each request counted against."""

import logging

import pytest
from django.core.cache import cache
from django.test import Client

from partners.request_id import RequestIdFilter
from tests.api_helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "anon": "3/min"}
    settings.REST_FRAMEWORK = rest
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("path", ["/api/v1/partner-types/", "/members/", "/api/v1/applications/", "/nowhere/"])
def test_every_answer_carries_a_request_id(path):
    first, second = Client().get(path), Client().get(path)
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_request_id_of_the_caller_is_kept_and_a_bad_one_replaced():
    kept = Client().get("/api/v1/partner-types/", HTTP_X_REQUEST_ID="erp-sync-20261207-0001")
    assert kept["X-Request-ID"] == "erp-sync-20261207-0001"
    for bad in ["x", "a b c d e f g h", "<script>alert(1)</script>", "9" * 300]:
        replaced = Client().get("/api/v1/partner-types/", HTTP_X_REQUEST_ID=bad)
        assert replaced["X-Request-ID"] != bad and len(replaced["X-Request-ID"]) == 32


def test_log_lines_of_a_request_carry_its_id():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        Client().get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="trace-me-please-42")
    finally:
        logger.removeHandler(handler)
    assert records and all(r.request_id == "trace-me-please-42" for r in records)


def test_rate_limit_headers_count_down_and_say_when_the_limit_resets(three_a_minute):
    client = client_for()
    answers = [client.get("/api/v1/partner-types/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Limit"] for a in answers] == ["3"] * 4
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    # A sliding window: an exhausted limit may need part of the next minute too (never more than two).
    assert all(1 <= int(a["RateLimit-Reset"]) <= 120 for a in answers), [a["RateLimit-Reset"] for a in answers]
    assert answers[3]["RateLimit-Reset"] == answers[3]["Retry-After"]
