"""Bounded stale-while-revalidate: the member lists (unfiltered, filtered, searched), the home page and the
statistics may lag a committed change by at most PUBLIC_LIST_STALE_SECONDS; member pages and member details
never lag."""

import pytest
from django.core.cache import cache as django_cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.models import Organization
from partners.services import cache
from tests.public_fixtures import make_member
from tests.redis_helpers import use_redis

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["local memory", "redis"])
def _cache_on(request, settings):
    if request.param == "redis":
        use_redis(settings, "stale-lists-test")
    settings.PUBLIC_RESPONSE_CACHE = True
    settings.PUBLIC_LIST_STALE_SECONDS = 3
    django_cache.clear()
    yield
    django_cache.clear()


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(cache, "_clock", lambda: now[0])
    return now


def read(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


LISTS = ["/", "/statistics/", "/members/", "/api/v1/members/", "/members/?q=九章", "/members/?type=compute",
         "/members/?district=110108", "/api/v1/members/?district=110108", "/api/v1/members/?partner_type=compute"]
OLD_NAME, NEW_NAME = "北京九章智算科技有限公司", "北京九章新名科技有限公司"


def test_the_lists_may_lag_a_change_by_the_bound_and_no_more(clock, django_capture_on_commit_callbacks):
    member = make_member("北京九章智算科技有限公司", types=("compute",), district="110108")
    connection.run_on_commit = []
    django_cache.clear()
    cache.generation()
    client = Client()
    for url in LISTS:
        read(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.get(pk=member.organization_id)
        org.name, org.name_en = NEW_NAME, "Jiuzhang New Name Ltd"
        org.save()

    clock[0] += 2  # within the bound: the lists may still answer from the copy built before, without a query
    for url in LISTS:
        assert read(client, url)[0] == 0, url
    for url in ("/members/", "/api/v1/members/", "/members/?type=compute", "/api/v1/members/?district=110108"):
        assert OLD_NAME in read(client, url)[1], url
    # The member's own page and detail show the change at once.
    for url in (f"/members/{member.number}/", f"/api/v1/members/{member.number}/"):
        n, body = read(client, url)
        assert n > 0 and NEW_NAME in body and OLD_NAME not in body, url

    clock[0] += 1.5  # past the bound since the copies were built: rebuilt, with the change
    for url in LISTS:
        n, body = read(client, url)
        assert n > 0 and OLD_NAME not in body, url
    for url in ("/members/", "/api/v1/members/", "/members/?type=compute", "/api/v1/members/?district=110108"):
        assert NEW_NAME in read(client, url)[1], url
    for url in LISTS:
        assert read(client, url)[0] == 0, url  # and cached again under the new generations


def test_a_member_page_never_lags_even_within_the_bound(clock, django_capture_on_commit_callbacks):
    member = make_member(OLD_NAME, types=("compute",), district="110108")
    connection.run_on_commit = []
    django_cache.clear()
    cache.generation()
    client = Client()
    for url in (f"/members/{member.number}/", f"/api/v1/members/{member.number}/"):
        read(client, url)
    for step in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            org = Organization.objects.get(pk=member.organization_id)
            org.name = f"北京九章第{step}名科技有限公司"
            org.save()
        clock[0] += 0.5
        for url in (f"/members/{member.number}/", f"/api/v1/members/{member.number}/"):
            assert org.name in read(client, url)[1], url


def test_with_the_bound_at_zero_every_list_is_fresh_at_once(settings, clock, django_capture_on_commit_callbacks):
    settings.PUBLIC_LIST_STALE_SECONDS = 0
    member = make_member("北京九章智算科技有限公司", types=("compute",), district="110108")
    connection.run_on_commit = []
    django_cache.clear()
    cache.generation()
    client = Client()
    read(client, "/members/")
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.get(pk=member.organization_id)
        org.name = "北京九章新名科技有限公司"
        org.save()
    n, body = read(client, "/members/")
    assert n > 0 and "北京九章新名科技有限公司" in body


def test_a_signed_in_reader_never_gets_a_stale_list(clock, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    member = make_member("北京九章智算科技有限公司", types=("compute",), district="110108")
    connection.run_on_commit = []
    django_cache.clear()
    cache.generation()
    read(Client(), "/members/")
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.get(pk=member.organization_id)
        org.name = "北京九章新名科技有限公司"
        org.save()
    client = Client()
    client.force_login(UserFactory())
    assert "北京九章新名科技有限公司" in read(client, "/members/")[1]
