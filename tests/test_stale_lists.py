"""Bounded stale-while-revalidate: the unfiltered member lists may lag a committed change by at most
PUBLIC_LIST_STALE_SECONDS; member pages, member details and filtered lists never lag."""

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


UNFILTERED = ["/members/", "/api/v1/members/", "/members/?q=九章"]
NEVER_STALE = ["/members/?type=compute", "/api/v1/members/?district=110108"]


def test_the_unfiltered_lists_may_lag_a_change_by_the_bound_and_no_more(clock, django_capture_on_commit_callbacks):
    member = make_member("北京九章智算科技有限公司", types=("compute",), district="110108")
    connection.run_on_commit = []
    django_cache.clear()
    cache.generation()
    client = Client()
    for url in UNFILTERED + NEVER_STALE:
        read(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.get(pk=member.organization_id)
        org.name, org.name_en = "北京九章新名科技有限公司", "Jiuzhang New Name Ltd"
        org.save()
    new_name_json = "北京九章新名科技有限公司"

    clock[0] += 2  # within the bound: the unfiltered lists may still show the old name, without a query
    for url in UNFILTERED:
        n, body = read(client, url)
        assert n == 0 and "北京九章智算科技有限公司" in body, url
    # The member's own page and detail, and the lists filtered by its facts, show the change at once.
    for url in (f"/members/{member.number}/", f"/api/v1/members/{member.number}/", *NEVER_STALE):
        n, body = read(client, url)
        assert n > 0 and new_name_json in body, url

    clock[0] += 1.5  # past the bound since the copies were built: rebuilt, with the change
    for url in UNFILTERED:
        n, body = read(client, url)
        assert n > 0 and new_name_json in body and "北京九章智算科技有限公司" not in body, url
    for url in UNFILTERED:
        assert read(client, url)[0] == 0  # and cached again under the new generation


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
