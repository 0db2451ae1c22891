"""The members API reads a page in one query and answers exactly what MemberSerializer gives for the same members:
partner types in force in type order, industries from every grant's model and application profiles."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from partners.api.members import MemberSerializer, industries_by_member
from partners.enums import MembershipState
from partners.models import ApplicationProfile, Industry, MembershipGrant, ModelProfile
from partners.services import directory
from tests.api_helpers import client_for
from tests.factories import ApplicationFactory
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


def grant(membership, partner_type, *, industries=(), app_industry=None, ends_on=None, application=True):
    """A further grant of `membership` from an application of its own, with the profile that carries industries."""
    app = None
    if application:
        org = membership.organization
        app = ApplicationFactory(organization=org, created_by=org.owner)
        if industries:
            ModelProfile.objects.create(application=app).industries.set(Industry.objects.filter(code__in=industries))
        if app_industry:
            ApplicationProfile.objects.create(application=app, industry_id=app_industry)
    return MembershipGrant.objects.create(membership=membership, partner_type=partner_type, application=app,
                                          granted_on=timezone.localdate() - timedelta(days=400), ends_on=ends_on)


@pytest.fixture
def members():
    today = timezone.localdate()
    many = make_member("北京九章智算科技有限公司", types=("model", "data", "compute"),
                       industries=("government", "finance", "health"))
    # Its own industry as an application partner, a model grant from another application, and an ended
    # investment grant whose application's industries still count (as industries_by_member counts them).
    mixed = make_member("北京九章应用科技有限公司", types=("application",), app_industry="finance")
    grant(mixed, "model", industries=("education",))
    grant(mixed, "investment", industries=("health",), ends_on=today - timedelta(days=1))
    # Outside Beijing, with a website and a description; grants ending today (in force) and tomorrow.
    elsewhere = make_member("上海九章数据有限公司", types=(), district="outside", province="上海",
                            website="https://example.com/", description="数据服务\n第二行")
    grant(elsewhere, "data", ends_on=today)
    grant(elsewhere, "investment", app_industry="government", ends_on=today + timedelta(days=1))
    grant(elsewhere, "compute", ends_on=today - timedelta(days=30))
    # A grant from the roster kept before the registry: no application behind it.
    roster = make_member("北京旧册科技有限公司", types=())
    grant(roster, "compute", application=False)
    bare = make_member("北京无类科技有限公司", types=())
    make_member("北京撤销科技有限公司", types=("model",), industries=("finance",), state=MembershipState.REVOKED)
    return [many, mixed, elsewhere, roster, bare]


def serialized(numbers=None):
    """What MemberSerializer gives for the active members (newest first), from the models."""
    members = list(directory.public_members().order_by("-admitted_at", "-id"))
    if numbers is not None:
        members = [m for m in members if m.number in numbers]
    return MemberSerializer(members, many=True, context={"industries": industries_by_member(members)}).data


def test_a_page_is_what_the_serializer_gives(members):
    positions = dict(Industry.objects.values_list("code", "position"))
    by_position = lambda *codes: sorted(codes, key=lambda code: (positions[code], code))  # noqa: E731
    expected = serialized()
    assert {m["member_number"]: (m["partner_types"], m["industries"]) for m in expected} == {
        members[0].number: (["compute", "data", "model"], by_position("government", "finance", "health")),
        members[1].number: (["model", "application"], by_position("finance", "health", "education")),
        members[2].number: (["data", "investment"], ["government"]),
        members[3].number: (["compute"], []),
        members[4].number: ([], []),
    }
    response = client_for().get("/api/v1/members/", {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["results"] == [dict(m) for m in expected]
    assert response.content == JSONRenderer().render({"next": None, "previous": None, "results": expected})


def test_industries_tied_on_position_are_ordered_by_code(members):
    Industry.objects.filter(code__in=("finance", "health", "education", "government")).update(position=7)
    expected = serialized()
    assert [m["industries"] for m in expected if m["member_number"] == members[1].number] == [
        ["education", "finance", "health"]]
    assert client_for().get("/api/v1/members/", {"page_size": 100}).json()["results"] == [dict(m) for m in expected]


@pytest.mark.parametrize("params", [{"partner_type": "investment"}, {"industry": "health"}, {"q": "九章"},
                                   {"district": "outside"}, {"ordering": "number"}, {"page_size": 2}])
def test_filtered_pages_are_what_the_serializer_gives(members, params):
    rows = client_for().get("/api/v1/members/", params).json()["results"]
    assert rows
    by_number = {m["member_number"]: dict(m) for m in serialized()}
    assert rows == [by_number[row["member_number"]] for row in rows]


def test_a_member_is_what_the_serializer_gives(members):
    for member in members:
        response = client_for().get(f"/api/v1/members/{member.number}/")
        assert response.status_code == 200
        # Byte for byte: the same fields in the same order (the ETag is a hash of these bytes).
        assert response.content == JSONRenderer().render(serialized({member.number})[0])


def test_the_detail_keeps_its_etag_and_cache_headers(members):
    url = f"/api/v1/members/{members[1].number}/"
    first = client_for().get(url)
    assert first["Cache-Control"] == "public, no-cache"
    assert client_for().get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def queries(url):
    client = client_for()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def add_members(n):
    for i in range(n):
        member = make_member(f"北京九章智算科技有限公司{i}", types=("model", "data"), industries=("government", "finance"),
                             app_industry="health")
        grant(member, "investment", industries=("education",), ends_on=timezone.localdate() - timedelta(days=1))


@pytest.mark.parametrize(("query", "count"), [("", 1), ("?partner_type=model", 1), ("?q=九章", 1),
                                              ("?industry=finance", 2), ("?district=110108", 2)])
def test_a_page_of_members_is_one_query(query, count):
    """One query for the page whatever its size; a filter by a code first checks that the code exists."""
    add_members(5)
    small, response = queries("/api/v1/members/" + query)
    assert len(response.json()["results"]) == 5
    add_members(25)
    large, response = queries("/api/v1/members/?page_size=30" + query.replace("?", "&"))
    assert len(response.json()["results"]) == 30
    assert small == large == count


def test_a_member_is_one_query():
    add_members(3)
    member = make_member(types=("model", "data"), industries=("government", "finance"), app_industry="health")
    count, response = queries(f"/api/v1/members/{member.number}/")
    assert count == 1
    assert response.json()["industries"] == ["government", "health", "finance"]  # by position
