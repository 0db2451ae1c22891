"""The response cache of public member reads and of the queue's counts: served from the cache, never stale after a
commit, bypassed while a change is being written, and each visitor keeps their own CSRF token."""

import json
import re

import pytest
from django.core.cache import cache as django_cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.enums import MembershipState
from partners.models import Application, DataProfile, Membership, Organization
from partners.services import cache
from partners.services import membership as membership_services
from tests.public_fixtures import make_member
from tests.redis_helpers import use_redis
from tests.test_query_budgets import add_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["local memory", "redis"])
def _cache_on(request, settings):
    """Every test with both caches: on Redis the API's throttle reads the generation in its own round trip."""
    if request.param == "redis":
        use_redis(settings, "response-cache-test")
    settings.PUBLIC_RESPONSE_CACHE = True
    settings.PUBLIC_LIST_STALE_SECONDS = 0  # every list fresh at once: stale lists are tested on their own
    django_cache.clear()
    yield
    django_cache.clear()


def settled():
    """Forget the changes of the test's set-up (their commit never comes inside the test's transaction): their
    marks in the cache and their pending publications."""
    connection.run_on_commit = []
    django_cache.clear()
    cache.generation()
    cache.generation(cache.QUEUE)
    cache.generation(cache.DETAIL)


def queries_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_directory_and_member_page_come_from_the_cache_until_a_change_commits(
        client, approver, django_capture_on_commit_callbacks):
    member = make_member("北京九章智算科技有限公司")
    settled()
    for url in ("/members/", f"/members/{member.number}/"):
        first, body = queries_of(client, url)
        assert first > 0 and "北京九章智算科技有限公司" in body
        again, body = queries_of(client, url)
        assert again == 0 and "北京九章智算科技有限公司" in body
    with django_capture_on_commit_callbacks(execute=True):
        membership_services.suspend(approver, member, "资料不实")
    queries, body = queries_of(client, "/members/")
    assert queries > 0 and "北京九章智算科技有限公司" not in body
    assert client.get(f"/members/{member.number}/").status_code == 404


def test_members_api_comes_from_the_cache_until_an_organisation_is_renamed(django_capture_on_commit_callbacks):
    member = make_member("北京九章智算科技有限公司")
    settled()
    client = Client()
    for url in ("/api/v1/members/", f"/api/v1/members/{member.number}/"):
        queries_of(client, url)
        again, body = queries_of(client, url)
        assert again == 0 and "九章" in body
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.get(pk=member.organization_id)
        org.name = "北京昆仑模型科技有限公司"
        org.save()
    for url in ("/api/v1/members/", f"/api/v1/members/{member.number}/"):
        _queries, body = queries_of(client, url)
        assert '"name":"北京昆仑模型科技有限公司"' in body and '"name":"北京九章' not in body


def test_a_cached_api_answer_is_the_one_a_fresh_read_gives():
    member = make_member("北京九章智算科技有限公司")
    settled()
    client = Client()
    for url in ("/api/v1/members/", f"/api/v1/members/{member.number}/"):
        fresh = client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            cached = client.get(url)
        assert len(ctx.captured_queries) == 0, "the second read comes from the cache"
        assert cached.content == fresh.content
        assert cached["Content-Type"] == fresh["Content-Type"] == "application/json"
        assert cached.get("ETag") == fresh.get("ETag")
        indented = client.get(url, HTTP_ACCEPT="application/json; indent=2")
        assert indented.content.startswith(b"{\n  ") and json.loads(indented.content) == json.loads(fresh.content)
        browsable = client.get(url, HTTP_ACCEPT="text/html")
        assert browsable.status_code == 200 and "text/html" in browsable["Content-Type"]
        assert "北京九章智算科技有限公司" in browsable.content.decode()
    detail = f"/api/v1/members/{member.number}/"
    assert client.get(detail, HTTP_IF_NONE_MATCH=client.get(detail)["ETag"]).status_code == 304


def test_nothing_is_cached_while_a_change_is_written_nor_after_a_rollback():
    make_member()
    settled()
    before = cache.generation()
    assert before is not None
    with transaction.atomic():
        Membership.objects.update(state=MembershipState.ACTIVE)  # a bulk update announces itself
        cache.members_changed()
        assert cache.generation() is None  # readers go to the database until the commit is published
    assert cache.generation() is None  # the test's outer transaction has not committed yet
    try:
        with transaction.atomic():
            Organization.objects.first().save()
            raise RuntimeError
    except RuntimeError:
        pass
    assert cache.generation() is None  # a rolled-back change keeps the cache off until the marker lapses
    assert cache.WRITING_TTL > cache.RESPONSE_TTL


def scope_generations(*scopes):
    return {s: cache.scope_generation(s) for s in scopes}


def test_a_committed_change_gives_its_scopes_a_new_generation(django_capture_on_commit_callbacks):
    member = make_member(district="110108")
    settled()
    scopes = (f"member:{member.number}", "all", "district:110108", "type:compute")
    for scope in (*scopes, "district:110105"):
        cache._incr(cache._scope_key(scope), 1, generation_key=True)
    before, unrelated = scope_generations(*scopes), cache.scope_generation("district:110105")
    namespace = cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        Organization.objects.filter(pk=member.organization_id).first().save()
    after = scope_generations(*scopes)
    assert all(after[s] is not None and after[s] != before[s] for s in scopes), (before, after)
    # Only what the member falls under: another district's lists and the namespace keep their generation.
    assert cache.scope_generation("district:110105") == unrelated
    assert cache.generation() == namespace


def test_each_visitor_gets_their_own_csrf_token_from_a_cached_page():
    make_member()
    settled()
    tokens = []
    for _ in range(3):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get("/members/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        assert token != cache.CSRF_PLACEHOLDER
        tokens.append(token)
        switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/members/",
                                                   "csrfmiddlewaretoken": token})
        assert switched.status_code == 302  # the token fits this visitor's cookie
    assert len(set(tokens)) == 3


def test_signed_in_people_are_not_served_from_the_cache(client, applicant):
    make_member("北京九章智算科技有限公司")
    settled()
    client.force_login(applicant)
    queries_of(client, "/members/")
    again, body = queries_of(client, "/members/")
    assert again > 0 and str(applicant) in body


def queue_count(client, state="submitted"):
    body = client.get("/staff/queue/").content.decode()
    return int(re.search(rf'data-state="{state}">[^<]*<span class="badge[^"]*">(\d+)<', body).group(1))


def application_queries(client, url="/staff/queue/"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    return [q["sql"] for q in ctx.captured_queries if '"partners_application"' in q["sql"]], body


def test_queue_counts_are_kept_until_an_application_changes(client, reviewer, django_capture_on_commit_callbacks):
    client.force_login(reviewer)
    add_submitted(2)
    settled()
    assert queue_count(client) == 2
    assert queue_count(client) == 2
    with django_capture_on_commit_callbacks(execute=True):
        add_submitted(1)
    assert queue_count(client) == 3


def test_queue_results_are_kept_until_an_organisation_changes(client, reviewer, django_capture_on_commit_callbacks):
    client.force_login(reviewer)
    add_submitted(2)
    application = Application.objects.order_by("pk").first()
    settled()
    first, body = application_queries(client)
    assert first and application.organization.name in body
    again, body = application_queries(client)
    assert again == [] and application.organization.name in body, "rows, counts and forms come from the cache"
    with django_capture_on_commit_callbacks(execute=True):
        org = application.organization
        org.name = "北京昆仑模型科技有限公司"
        org.save()
    queries, body = application_queries(client)
    assert queries and "北京昆仑模型科技有限公司" in body


def test_a_renamed_reviewer_shows_at_once_but_a_login_keeps_the_cache(client, reviewer, approver,
                                                                        django_capture_on_commit_callbacks):
    add_submitted(1)
    Application.objects.update(assigned_reviewer=reviewer)
    client.force_login(approver)
    settled()
    application_queries(client)
    before = cache.generation(cache.QUEUE)
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.last_login = timezone.now()
        reviewer.save(update_fields=["last_login"])
    assert cache.generation(cache.QUEUE) == before
    assert application_queries(client)[0] == []
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.display_name = "审核员王五"
        reviewer.save()
    queries, body = application_queries(client)
    assert queries and "审核员王五" in body


def test_each_person_gets_the_results_their_rights_allow_with_their_own_csrf_token(
        reviewer, approver, django_capture_on_commit_callbacks):
    add_submitted(1)
    settled()
    tokens = []
    for person, may_assign in ((reviewer, True), (approver, False), (reviewer, True)):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        body = client.get("/staff/queue/").content.decode()
        assert ('name="reviewer"' in body) is may_assign
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        assert token != cache.CSRF_PLACEHOLDER
        tokens.append(token)
        if may_assign:
            response = client.post("/staff/queue/assign/", {"csrfmiddlewaretoken": token, "scope": "all",
                                                            "reviewer": person.pk})
            assert response.status_code == 302  # the token served from the cache is accepted
    assert len(set(tokens)) == 3


def test_home_page_is_cached_until_an_application_or_a_member_changes(client, django_capture_on_commit_callbacks):
    member = make_member("北京九章智算科技有限公司")
    settled()
    cache.generation()  # both namespaces settle on their first read
    queries_of(client, "/")
    again, _body = queries_of(client, "/")
    assert again == 0
    with django_capture_on_commit_callbacks(execute=True):
        add_submitted(1)  # the home page counts applications under review
    assert queries_of(client, "/")[0] > 0
    queries_of(client, "/")
    with django_capture_on_commit_callbacks(execute=True):
        Organization.objects.get(pk=member.organization_id).save()
    assert queries_of(client, "/")[0] > 0


def test_duplicate_warnings_are_kept_until_an_organisation_registers(client, reviewer, submitted,
                                                                    django_capture_on_commit_callbacks):
    from tests.factories import OrganizationFactory

    client.force_login(reviewer)
    org = submitted.organization
    org.name = "北京深度求索人工智能基础技术研究有限公司"
    org.save()
    settled()
    url = f"/staff/applications/{submitted.pk}/"
    assert "A very similar name" not in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert not [q for q in ctx.captured_queries if "LIKE" in q["sql"]], "the name comparison was kept"
    with django_capture_on_commit_callbacks(execute=True):
        OrganizationFactory(name="深度求索人工智能基础技术研究(北京)有限公司")
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A very similar name" in body


def detail_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    shown = [q["sql"] for q in ctx.captured_queries
             if any(t in q["sql"] for t in ('"partners_auditevent"', '"partners_revision"', '"partners_internalnote"'))]
    return shown, response.content.decode()


def test_an_application_page_is_kept_until_a_note_or_a_profile_changes(client, reviewer, submitted,
                                                                       django_capture_on_commit_callbacks):
    from partners.services import review as review_services

    client.force_login(reviewer)
    settled()
    url = f"/staff/applications/{submitted.pk}/"
    first, body = detail_queries(client, url)
    assert first and submitted.organization.name in body
    again, cached_body = detail_queries(client, url)
    assert again == [], "the timeline, revisions and notes come from the cache"
    assert re.sub(r'value="[A-Za-z0-9]{64}"', "", cached_body) == re.sub(r'value="[A-Za-z0-9]{64}"', "", body)
    with django_capture_on_commit_callbacks(execute=True):
        review_services.add_note(reviewer, submitted, "营业执照扫描件不清晰")
    queries, body = detail_queries(client, url)
    assert queries and "营业执照扫描件不清晰" in body
    assert detail_queries(client, url)[0] == []
    profile = DataProfile.objects.get(application=submitted)  # the fixture asks for the data type
    with django_capture_on_commit_callbacks(execute=True):
        profile.summary = "提供1PB中文语料，覆盖金融与政务。"
        profile.save()
    assert "提供1PB中文语料" in detail_queries(client, url)[1]


def test_each_person_gets_their_own_actions_and_csrf_token_on_a_kept_application_page(
        reviewer, approver, submitted, django_capture_on_commit_callbacks):
    settled()
    url = f"/staff/applications/{submitted.pk}/"
    seen = {}
    for person in (reviewer, approver, reviewer):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        actions = set(re.findall(r'data-action="([a-z_]+)"', body))
        token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', body).group(1)
        assert token != cache.CSRF_PLACEHOLDER
        seen.setdefault(person.pk, []).append((actions, token))
        if person == reviewer:
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(f"/staff/applications/{submitted.pk}/note/",
                                       {"csrfmiddlewaretoken": token, "body": f"note by {person.pk}"})
            assert response.status_code == 302  # the token in the kept page is this person's
    assert "start_review" in seen[reviewer.pk][0][0] and "start_review" not in seen[approver.pk][0][0]
    assert seen[reviewer.pk][0][1] != seen[reviewer.pk][1][1]


def test_one_transaction_marks_and_publishes_each_namespace_once(django_capture_on_commit_callbacks):
    member = make_member()
    settled()
    _gen_key, writing_key = cache.generation_keys(cache.PUBLIC)
    member_mark = cache._scope_writing_key(f"member:{member.number}")
    before = cache.scope_generation(f"member:{member.number}")
    with django_capture_on_commit_callbacks(execute=True) as published:
        org = Organization.objects.get(pk=member.organization_id)
        for name in ("甲", "乙", "丙"):
            org.name = f"北京{name}智能科技有限公司"
            org.save()
        assert django_cache.get(member_mark) == 1  # three saves, one mark of the member's scope
        assert django_cache.get(writing_key) is None  # and none of the whole namespace
    assert sum(1 for f in published if getattr(f, "ns", None) == cache.PUBLIC) == 1
    assert django_cache.get(member_mark) == 0
    assert cache.scope_generation(f"member:{member.number}") not in (None, before)


def test_a_save_after_a_rolled_back_savepoint_announces_itself_again(django_capture_on_commit_callbacks):
    member = make_member()
    settled()
    scope = f"member:{member.number}"
    member_mark = cache._scope_writing_key(scope)
    before = cache.scope_generation(scope)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                Organization.objects.get(pk=member.organization_id).save()
                raise RuntimeError
        except RuntimeError:
            pass
        Organization.objects.get(pk=member.organization_id).save()
        assert django_cache.get(member_mark) == 2  # the rolled-back mark lapses on its own; this one is new
    # The rolled-back mark keeps the member's reads off the cache until it lapses; other scopes are cached.
    assert cache._generations((cache.PUBLIC,), [scope]) is None
    assert cache._generations((cache.PUBLIC,), ["district:110105"]) is not None
    django_cache.delete(member_mark)
    assert cache.scope_generation(scope) not in (None, before)  # the change was published


# A NUL (?sort=%00) never reaches the queue: the input-hygiene layer answers 400 (tests/test_input_hygiene.py).
@pytest.mark.parametrize(("query", "invalid"), [
    ("?state=bogus", True), ("?district=nowhere&page=abc", True), ("?q=" + "九" * 300, True),
    ("?per_page=x&page=99999", False)])
def test_bad_queue_input_is_answered_and_a_filter_with_errors_is_never_kept(client, reviewer, query, invalid):
    client.force_login(reviewer)
    add_submitted(1)
    settled()
    for _ in range(2):
        queries, body = application_queries(client, "/staff/queue/" + query)
    assert ("text-danger" in body) is invalid  # the form says what is wrong
    assert bool(queries) is invalid  # a filter with errors is rendered afresh each time; a valid one is kept
