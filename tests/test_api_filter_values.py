"""Unknown filter and sort values answer 400 naming the field, never an empty or silently unsorted page; the
search parameter works wherever the schema documents it."""

import pytest

from partners.api.urls import router
from tests.api_helpers import client_for
from tests.api_world import build_world
from tests.test_api_resources import error_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path,params,field", [
    ("/api/v1/members/", {"district": "nowhere"}, "district"),
    ("/api/v1/members/", {"industry": "nothing"}, "industry"),
    ("/api/v1/members/", {"partner_type": "gold"}, "partner_type"),
    ("/api/v1/members/", {"ordering": "name"}, "ordering"),
    ("/api/v1/applications/", {"state": "limbo"}, "state"),
    ("/api/v1/applications/", {"ordering": "-secret"}, "ordering"),
    ("/api/v1/organizations/", {"district": "nowhere"}, "district"),
    ("/api/v1/decisions/", {"action": "bless"}, "action"),
    ("/api/v1/events/", {"type": "no such type!"}, "type"),
])
def test_unknown_values_are_refused_with_the_field_named(path, params, field):
    w = build_world()
    body = error_of(client_for(w.tokens["reviewer"]).get(path, params), 400, "invalid")
    assert field in body["fields"]


def test_known_values_still_filter_and_sort():
    w = build_world()
    client = client_for(w.tokens["reviewer"])
    district = w.org_a.district_id
    members = client.get("/api/v1/members/", {"district": district, "ordering": "number"})
    assert members.status_code == 200 and [m["member_number"] for m in members.json()["results"]] == [
        w.member_number]
    assert client.get("/api/v1/decisions/", {"action": "approve"}).status_code == 200


def test_search_is_documented_exactly_where_it_works():
    w = build_world()
    schema = client_for().get("/api/schema/", {"format": "json"}).json()
    client = client_for(w.tokens["reviewer"])
    for prefix, viewset, _basename in router.registry:
        operation = schema["paths"].get(f"/api/v1/{prefix}/", {}).get("get")
        if not operation or not hasattr(viewset, "list"):
            continue  # another viewset's routes under the same prefix (an application's panel) list nothing
        documented = any(p["name"] == "search" for p in operation.get("parameters", []))
        assert documented == bool(getattr(viewset, "search_fields", None)), prefix
        if documented:
            name = w.org_a.name
            found = client.get(f"/api/v1/{prefix}/", {"search": name}).json()["results"]
            assert found and client.get(f"/api/v1/{prefix}/", {"search": "无此名称的单位"}).json()["results"] == []
