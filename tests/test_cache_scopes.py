"""Invalidation by what changed: a write to one member refreshes its page, its detail and the lists its facts
fall under, and leaves every other cached list cached; public pages carry ETag and Cache-Control."""

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
        use_redis(settings, "cache-scopes-test")
    settings.PUBLIC_RESPONSE_CACHE = True
    settings.PUBLIC_LIST_STALE_SECONDS = 0  # every list fresh at once: stale lists are tested on their own
    django_cache.clear()
    yield
    django_cache.clear()


@pytest.fixture
def two_members():
    edited = make_member("北京九章智算科技有限公司", types=("compute",), district="110108", industries=("finance",))
    other = make_member("北京灵犀数据有限公司", types=("data",), district="110105", app_industry="health")
    connection.run_on_commit = []  # the set-up's publications never come inside the test's transaction
    django_cache.clear()
    cache.generation()
    cache.generation(cache.QUEUE)
    return edited, other


def warmed(*urls):
    """A client that has read each of the urls once, so that each is in the response cache."""
    client = Client()
    for url in urls:
        queries(client, url)
    return client


def edit_organization(member, **values):
    """Change some fields of the member's organisation, saved with update_fields (as the services save an edit)."""
    org = Organization.objects.get(pk=member.organization_id)
    for name, value in values.items():
        setattr(org, name, value)
    org.save(update_fields=[*values, "updated_at"])


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


AFFECTED = ["/members/", "/members/?type=compute", "/members/?district=110108", "/members/?industry=finance",
            "/members/?q=九章", "/api/v1/members/", "/api/v1/members/?partner_type=compute",
            "/api/v1/members/?district=110108"]
UNRELATED = ["/members/?type=data", "/members/?district=110105", "/members/?industry=health",
             "/members/?type=data&district=110105", "/api/v1/members/?partner_type=data",
             "/api/v1/members/?district=110105"]


def test_a_write_refreshes_what_it_touches_and_keeps_the_rest(two_members, django_capture_on_commit_callbacks):
    edited, other = two_members
    client = Client()
    pages = [*AFFECTED, *UNRELATED, f"/members/{edited.number}/", f"/api/v1/members/{edited.number}/",
             f"/members/{other.number}/", f"/api/v1/members/{other.number}/"]
    for url in pages:
        queries(client, url)
    for url in pages:
        assert queries(client, url)[0] == 0, f"{url} is not cached"
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.get(pk=edited.organization_id)
        org.description = "新的介绍：行业大模型"
        org.save()
    # Every read after the commit shows the write: the member's page and detail and the lists it is in.
    for url in (f"/members/{edited.number}/", f"/api/v1/members/{edited.number}/", "/api/v1/members/",
                "/api/v1/members/?partner_type=compute", "/api/v1/members/?district=110108"):
        n, body = queries(client, url)
        assert n > 0 and ("新的介绍" in body or "\\u65b0" in body), url
    for url in AFFECTED:
        if url.startswith("/members/"):
            assert queries(client, url)[0] > 0, f"{url} was not refreshed"
    # Lists the member is not in, and the other member's page and detail, stay cached.
    for url in (*UNRELATED, f"/members/{other.number}/", f"/api/v1/members/{other.number}/"):
        assert queries(client, url)[0] == 0, f"{url} was refreshed by a change it does not show"


def test_moving_district_refreshes_both_districts(two_members, django_capture_on_commit_callbacks):
    edited, _other = two_members
    client = warmed("/members/?district=110108", "/members/?district=110105", "/members/?district=110101")
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.get(pk=edited.organization_id)
        org.district_id = "110105"
        org.save()
    n, body = queries(client, "/members/?district=110105")
    assert n > 0 and "北京九章智算科技有限公司" in body
    n, body = queries(client, "/members/?district=110108")
    assert n > 0 and "北京九章智算科技有限公司" not in body
    assert queries(client, "/members/?district=110101")[0] == 0


def test_reference_data_changes_refresh_everything(two_members, django_capture_on_commit_callbacks):
    from partners.models import District

    client = Client()
    queries(client, "/members/?district=110105")
    with django_capture_on_commit_callbacks(execute=True):
        district = District.objects.get(code="110101")
        district.name_en = district.name_en + " "
        district.save()
    assert queries(client, "/members/?district=110105")[0] > 0


def test_public_pages_send_etag_and_cache_control_and_answer_304(two_members):
    edited, _other = two_members
    for url in ("/", "/members/", f"/members/{edited.number}/"):
        client = Client()
        first = client.get(url)
        assert first["Cache-Control"] == "private, no-cache"  # each page carries the visitor's CSRF token
        etag = first["ETag"]
        assert etag.startswith('W/"')
        again = Client().get(url)
        assert again["ETag"] == etag  # the same for every visitor: the token is not part of it
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert client.get(url, HTTP_IF_NONE_MATCH='W/"other"').status_code == 200


def test_api_reads_say_who_may_keep_them(two_members):
    edited, _other = two_members
    for url in ("/api/v1/members/", f"/api/v1/members/{edited.number}/"):
        assert Client().get(url)["Cache-Control"] == "public, no-cache"


def test_a_bulk_change_inside_a_transaction_renews_every_public_read(two_members,
                                                                     django_capture_on_commit_callbacks):
    client = Client()
    queries(client, "/members/?district=110101")
    with django_capture_on_commit_callbacks(execute=True):
        cache.members_changed()
    assert queries(client, "/members/?district=110101")[0] > 0


def test_while_one_member_is_written_only_the_reads_that_show_it_bypass_the_cache(
        two_members, django_capture_on_commit_callbacks):
    edited, other = two_members
    client = Client()
    shows_edited = [f"/members/{edited.number}/", f"/api/v1/members/{edited.number}/", "/members/",
                    "/api/v1/members/", "/members/?type=compute", "/api/v1/members/?district=110108"]
    shows_other = [*UNRELATED, f"/members/{other.number}/", f"/api/v1/members/{other.number}/"]
    for url in shows_edited + shows_other:
        queries(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.get(pk=edited.organization_id)
        org.description = "写入中"
        org.save()
        # Written but not committed: the reads that show the member go to the database (so nobody keeps a
        # page built before the commit), every other read is still answered by the cache.
        for url in shows_edited:
            assert queries(client, url)[0] > 0, f"{url} came from the cache while its member was written"
        for url in shows_other:
            assert queries(client, url)[0] == 0, f"{url} bypassed the cache for a write it does not show"
    for url in shows_other:
        assert queries(client, url)[0] == 0


def test_a_change_scopes_cannot_name_marks_every_public_read(two_members, django_capture_on_commit_callbacks):
    from partners.models import District

    client = Client()
    queries(client, "/members/?district=110105")
    with django_capture_on_commit_callbacks(execute=True):
        district = District.objects.get(code="110101")
        district.name_en = district.name_en + " "
        district.save()
        assert queries(client, "/members/?district=110105")[0] > 0  # no scope names it: every read waits


def test_an_edit_limited_to_its_fields_refreshes_what_the_member_is_in(two_members,
                                                                        django_capture_on_commit_callbacks):
    """A save with update_fields that no scope depends on (the writer of the mixed workload saves the description
    so) works its scopes out once, before the save, and still renews every read that shows the member."""
    edited, other = two_members
    client = Client()
    pages = [*AFFECTED, *UNRELATED, f"/members/{edited.number}/", f"/api/v1/members/{edited.number}/",
             f"/members/{other.number}/"]
    for url in pages:
        queries(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.select_for_update().get(pk=edited.organization_id)
        org.description = "只改介绍"
        org.save(update_fields=["description", "updated_at"])
    for url in (f"/members/{edited.number}/", f"/api/v1/members/{edited.number}/", *AFFECTED):
        n, body = queries(client, url)
        assert n > 0, f"{url} was not refreshed"
        if "/api/" in url or url.startswith(f"/members/{edited.number}"):
            assert "只改介绍" in body or "\\u53ea" in body, url
    for url in (*UNRELATED, f"/members/{other.number}/"):
        assert queries(client, url)[0] == 0, f"{url} was refreshed by a change it does not show"


def test_a_district_moved_by_update_fields_refreshes_both_districts(two_members,
                                                                     django_capture_on_commit_callbacks):
    edited, _other = two_members
    client = warmed("/members/?district=110108", "/members/?district=110105")
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.get(pk=edited.organization_id)
        org.district_id = "110105"
        org.save(update_fields=["district"])
    n, body = queries(client, "/members/?district=110105")
    assert n > 0 and "北京九章智算科技有限公司" in body
    n, body = queries(client, "/members/?district=110108")
    assert n > 0 and "北京九章智算科技有限公司" not in body


def test_a_member_touched_twice_in_one_transaction_refreshes_the_scopes_of_the_end_state(
        two_members, django_capture_on_commit_callbacks):
    """The second row of a member (a grant after an edit of its organisation) does not work out the member's scopes
    before its save again, but after it: the list of the type the grant adds is renewed."""
    from django.utils import timezone

    from partners.models import MembershipGrant

    edited, _other = two_members
    client = warmed("/members/?type=data", "/api/v1/members/?partner_type=data", "/members/?type=investment")
    with django_capture_on_commit_callbacks(execute=True):
        edit_organization(edited, description="新增数据伙伴")
        MembershipGrant.objects.create(membership=edited, partner_type="data", granted_on=timezone.localdate())
    n, body = queries(client, "/members/?type=data")
    assert n > 0 and "北京九章智算科技有限公司" in body
    n, body = queries(client, "/api/v1/members/?partner_type=data")
    assert n > 0 and "新增数据伙伴" in body
    assert queries(client, "/members/?type=investment")[0] == 0


def test_a_grant_taken_away_refreshes_the_list_the_member_leaves(two_members, django_capture_on_commit_callbacks):
    edited, _other = two_members
    client = Client()
    queries(client, "/members/?type=compute")
    with django_capture_on_commit_callbacks(execute=True):
        edit_organization(edited, description="不再是算力伙伴")
        edited.grants.get(partner_type="compute").delete()
    n, body = queries(client, "/members/?type=compute")
    assert n > 0 and "北京九章智算科技有限公司" not in body
