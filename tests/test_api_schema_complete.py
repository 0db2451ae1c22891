"""The OpenAPI schema says everything an integrator needs: enums of states, event types, actions and
per-type decisions; the headers of each operation; tags with bilingual summaries; public operations;
links from a created application; the webhook payload; and no placeholder URLs."""

import json
import re

import pytest
from rest_framework.test import APIClient

from partners import workflow
from partners.api.schema_docs import TAGS
from partners.enums import ApplicationState
from partners.event_types import EVENT_STATES, event_types

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def schema():
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(schema, node):
    while "$ref" in node or ("allOf" in node and len(node["allOf"]) == 1):
        if "allOf" in node:
            node = node["allOf"][0]
            continue
        node = schema["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


def enum_of(schema, node):
    node = resolve(schema, node)
    if "oneOf" in node:
        return sorted(v for part in node["oneOf"] for v in resolve(schema, part).get("enum", []))
    return sorted(node["enum"])


def test_enums_cover_states_event_types_actions_and_decisions(schema):
    schemas = schema["components"]["schemas"]
    assert enum_of(schema, schemas["Application"]["properties"]["state"]) == sorted(ApplicationState.values)
    event = schemas["Event"]["properties"]
    assert enum_of(schema, event["type"]) == sorted(event_types())
    assert enum_of(schema, event["from_state"]) == sorted(EVENT_STATES)
    assert enum_of(schema, event["to_state"]) == sorted(EVENT_STATES)
    assert enum_of(schema, schemas["AvailableAction"]["properties"]["action"]) == sorted(workflow.ACTIONS)
    decision = schemas["Decision"]["properties"]
    assert enum_of(schema, decision["action"]) == sorted(workflow.ACTIONS)
    assert set(decision["per_type"]["additionalProperties"]["enum"]) == {"grant", "decline", "granted", "declined"}


def test_every_operation_is_tagged_and_summarised_in_both_languages(schema):
    tags = {name for name, _text in TAGS}
    assert [t["name"] for t in schema["tags"]] == [name for name, _text in TAGS]
    assert all(CJK.search(t["description"]) for t in schema["tags"])
    seen_tags = set()
    for path, method, operation in operations(schema):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in tags, (method, path)
        seen_tags.add(operation["tags"][0])
        summary = operation.get("summary", "")
        assert re.search(r"[A-Za-z]", summary) and CJK.search(summary), (method, path, summary)
    assert seen_tags == tags


def test_every_operation_documents_its_headers(schema):
    for path, method, operation in operations(schema):
        where = (method, path)
        params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "X-Request-ID" in params, where
        for code, response in operation["responses"].items():
            headers = set(response.get("headers", {}))
            assert {"X-Request-ID", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= headers, (
                where, code)
        assert "Retry-After" in operation["responses"]["429"]["headers"], where
        if method == "get" and path.endswith("}/"):
            assert "ETag" in operation["responses"]["200"]["headers"], where
            assert "If-None-Match" in params and "304" in operation["responses"], where
        if method == "post":
            assert "Idempotency-Key" in params, where
            ok = operation["responses"].get("201") or operation["responses"].get("200")
            assert "Idempotent-Replayed" in ok["headers"], where
    writes = {"/api/v1/applications/{id}/": "patch", "/api/v1/applications/{id}/actions/{action_name}/": "post"}
    for path, method in writes.items():
        operation = schema["paths"][path][method]
        assert "If-Match" in {p["name"] for p in operation["parameters"]}
        assert "412" in operation["responses"] and "ETag" in operation["responses"]["200"]["headers"]


def test_public_operations_need_no_key(schema):
    public = {(p, m) for p, m, op in operations(schema) if {} in op.get("security", [])}
    assert public == {("/api/v1/members/", "get"), ("/api/v1/members/{member_number}/", "get"),
                      ("/api/v1/partner-types/", "get"), ("/api/v1/districts/", "get"),
                      ("/api/v1/districts/{code}/", "get"), ("/api/v1/industries/", "get"),
                      ("/api/v1/industries/{code}/", "get"), ("/api/v1/datasets/", "get"),
                      ("/api/v1/datasets/{id}/", "get"), ("/api/v1/demands/", "get"), ("/api/v1/demands/{id}/", "get"),
                      ("/api/v1/demands/{id}/matches/", "get"), ("/api/v1/cases/", "get"),
                      ("/api/v1/cases/{id}/", "get"), ("/api/v1/target-progress/", "get")}
    for path, _method in public:  # and they really answer without one
        if "{" not in path:
            assert APIClient().get(path).status_code == 200, path


def test_links_lead_from_a_created_application_to_its_reads_and_actions(schema):
    links = schema["paths"]["/api/v1/applications/"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in links.values()}
    ids = {op["operationId"] for _p, _m, op in operations(schema)}
    assert targets <= ids and "v1_applications_actions_create" in targets


def test_the_webhook_payload_is_described_and_no_placeholder_remains(schema):
    assert schema["components"]["schemas"]["WebhookEvent"]["allOf"] == [{"$ref": "#/components/schemas/Event"}]
    assert "X-Registry-Signature" in schema["components"]["schemas"]["WebhookEvent"]["description"]
    text = json.dumps(schema)
    assert "example.org" not in text and "api.example" not in text
