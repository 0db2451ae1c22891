"""Public ids: the API shows and takes only UUIDs; integer ids in URLs answer, marked deprecated, until sunset."""

import uuid
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from partners.enums import NotificationChannel
from partners.models import Application, AuditEvent, Notification
from partners.services import webhooks
from tests.api_helpers import WebhookReceiver, _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.api_world import build_world
from tests.factories import TINY_PDF
from tests.test_api_end_to_end import test_an_application_from_draft_to_member_through_the_api as journey
from tests.test_api_resources import error_of

pytestmark = pytest.mark.django_db

# Keys whose value names a row: an id of its own, or a reference to another resource.
REFERENCE_KEYS = {"id", "public_id", "application", "organization", "event", "attachment", "decision",
                  "subscription", "notification", "user", "owner", "reviewer", "person"}
# Integers an answer may carry: counts and numbers of things, never a row's key.
COUNTS = {"attempts", "size", "revision", "RateLimit-Limit"}


def walk(node, path="$"):
    """Every (path, key, value) of a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key}", key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}[{i}]")


def integer_keys_in(document) -> list[str]:
    """Where a document shows an integer key: an integer anywhere but a count, a reference that is not a
    UUID, or a person named by their account number (`user:<id>`)."""
    problems = []
    for path, key, value in walk(document):
        if isinstance(value, int) and not isinstance(value, bool) and key not in COUNTS:
            problems.append(f"{path} = {value}")
        elif key in REFERENCE_KEYS and value is not None and not isinstance(value, (dict, list)):
            try:
                uuid.UUID(str(value))
            except ValueError:
                problems.append(f"{path} = {value!r} is no UUID")
        elif isinstance(value, str) and value.startswith("user:"):
            problems.append(f"{path} = {value!r}")
    return problems


@pytest.fixture
def recorded(monkeypatch):
    """Every JSON body the API test client receives under /api/v1/."""
    bodies = []
    original = APIClient.request

    def request(self, **kwargs):
        response = original(self, **kwargs)
        if response.wsgi_request.path.startswith("/api/v1/") and response.get("Content-Type", "").startswith(
                "application/json") and response.content:
            bodies.append((f"{response.wsgi_request.method} {response.wsgi_request.path}", response.json()))
        return response

    monkeypatch.setattr(APIClient, "request", request)
    return bodies


def test_no_answer_feed_or_webhook_payload_carries_an_integer_key(recorded, applicant, reviewer, approver,
                                                                     django_capture_on_commit_callbacks):
    journey(applicant, reviewer, approver, django_capture_on_commit_callbacks)
    # And every other resource, read by the applicant and by staff, lists and details.
    _k, mine = key_for(applicant, name="reader")
    _k, staff = key_for(reviewer, name="staff reader")
    for token in (mine, staff):
        client = client_for(token)
        for prefix in ("organizations", "applications", "decisions", "webhooks"):
            listed = client.get(f"/api/v1/{prefix}/")
            for row in (listed.json().get("results", []) if listed.status_code == 200 else [])[:3]:
                assert client.get(f"/api/v1/{prefix}/{row['id']}/").status_code == 200
                if prefix == "applications":
                    client.get(f"/api/v1/{prefix}/{row['id']}/attachments/")
                if prefix == "webhooks":
                    client.get(f"/api/v1/{prefix}/{row['id']}/deliveries/")
        client.get("/api/v1/events/", {"page_size": 500})
    seen = {where.split(" ")[1].split("/")[3] for where, _body in recorded}
    assert {"organizations", "applications", "decisions", "webhooks", "events", "members"} <= seen

    problems = [f"{where}: {p}" for where, body in recorded for p in integer_keys_in(body)]
    payloads = [row.context["payload"] for row in Notification.objects.filter(channel=NotificationChannel.WEBHOOK)]
    assert payloads, "the journey delivered webhooks"
    problems += [f"webhook payload: {p}" for payload in payloads for p in integer_keys_in(payload)]
    assert not problems, "\n".join(problems)


def test_the_webhook_payload_and_the_feed_name_the_same_public_ids(reviewer, applicant,
                                                                   django_capture_on_commit_callbacks):
    from tests.factories import submitted_application

    key, token = key_for(reviewer)
    with WebhookReceiver() as receiver, django_capture_on_commit_callbacks(execute=True):
        webhooks.subscribe(key, url=receiver.url, event_types=["application.submitted"])
        application = submitted_application(applicant)
    import json

    (hit,) = receiver.received
    body = json.loads(hit["body"])
    event = AuditEvent.objects.get(action="application.submitted", application=application)
    assert body["id"] == str(event.public_id)
    assert body["application"] == str(application.public_id)
    assert body["organization"] == str(application.organization.public_id)
    feed = client_for(token).get("/api/v1/events/", {"application": str(application.public_id)}).json()["results"]
    assert next(e for e in feed if e["id"] == body["id"]) == body
    delivery = client_for(token).get(
        f"/api/v1/webhooks/{key.webhooks.get().public_id}/deliveries/").json()["results"][0]
    assert delivery["event"] == body["id"]
    assert {k.lower(): v for k, v in hit["headers"].items()}["x-registry-delivery"] == delivery["id"]


# --- Lookups ------------------------------------------------------------------------------------

def _resources(w):
    """(URL prefix, row, token that may read it) for every resource addressed by id."""
    return [
        ("organizations", w.org_a, w.tokens["a"]),
        ("applications", w.submitted_a, w.tokens["a"]),
        ("decisions", w.admitted_a.decisions.first(), w.tokens["reviewer"]),
        ("webhooks", w.subscription_a, w.tokens["a"]),
    ]


def test_resources_are_read_by_their_public_id_without_deprecation():
    w = build_world()
    for prefix, row, token in _resources(w):
        response = client_for(token).get(f"/api/v1/{prefix}/{row.public_id}/")
        assert response.status_code == 200, (prefix, response.content)
        assert response.json()["id"] == str(row.public_id)
        assert "Deprecation" not in response and "Sunset" not in response


def test_integer_ids_answer_the_same_with_deprecation_sunset_and_successor_link(settings):
    settings.API_INTEGER_IDS_DEPRECATED_AT = date(2026, 12, 1)
    settings.API_INTEGER_IDS_SUNSET = date(2099, 6, 30)
    w = build_world()
    for prefix, row, token in _resources(w):
        client = client_for(token)
        by_uuid = client.get(f"/api/v1/{prefix}/{row.public_id}/")
        by_int = client.get(f"/api/v1/{prefix}/{row.pk}/", {"x": "1"})
        assert by_int.status_code == 200 and by_int.json() == by_uuid.json(), prefix
        assert by_int["ETag"] == by_uuid["ETag"]
        assert by_int["Deprecation"] == f"@{int(datetime(2026, 12, 1, tzinfo=UTC).timestamp())}"  # RFC 9745
        assert parsedate_to_datetime(by_int["Sunset"]).date() == date(2099, 6, 30)
        assert by_int["Link"] == f'<http://testserver/api/v1/{prefix}/{row.public_id}/?x=1>; rel="successor-version"'
    # Writes and actions too: the same change, marked.
    client = client_for(w.tokens["a"])
    changed = client.patch(f"/api/v1/applications/{w.draft_a.pk}/", {"contact_title": "CTO"}, format="json")
    assert changed.status_code == 200 and changed.json()["contact_title"] == "CTO" and changed["Deprecation"]
    assert changed["Link"].startswith(f"<http://testserver/api/v1/applications/{w.draft_a.public_id}/>")
    listed = client.get(f"/api/v1/applications/{w.submitted_a.pk}/attachments/")
    assert listed.status_code == 200 and f"/applications/{w.submitted_a.public_id}/attachments/" in listed["Link"]
    withdrawn = client.post(f"/api/v1/applications/{w.draft_a.pk}/actions/withdraw/", {}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn" and withdrawn["Deprecation"]


def test_an_integer_id_one_may_not_see_reveals_nothing():
    w = build_world()
    response = client_for(w.tokens["b"]).get(f"/api/v1/applications/{w.submitted_a.pk}/")
    error_of(response, 404)
    assert response["Deprecation"] and "Link" not in response
    assert str(w.submitted_a.public_id) not in response.content.decode()


@pytest.mark.parametrize("raw,status", [
    ("abc", 404), ("1.5", 404), ("-1", 404), ("0", 404), ("99999999999999999999", 404), ("1e3", 404),
    ("123e4567-e89b-12d3-a456-42661417400", 404), ("5f0c2a9e-3b7d-4c1e-9a6f-2d8e4b1c7a30", 404), ("%00", 400), ("%C3%28", 404)])
def test_malformed_or_unknown_ids_answer_4xx_in_the_error_shape(raw, status):
    w = build_world()
    for prefix in ("organizations", "applications", "decisions", "webhooks"):
        error_of(client_for(w.tokens["reviewer" if prefix == "decisions" else "a"]).get(
            f"/api/v1/{prefix}/{raw}/"), status)


def test_past_the_sunset_integer_ids_answer_410(settings):
    settings.API_INTEGER_IDS_SUNSET = date(2020, 1, 1)
    w = build_world()
    client = client_for(w.tokens["a"])
    body = error_of(client.get(f"/api/v1/applications/{w.submitted_a.pk}/"), 410, "integer_id_retired")
    assert "UUID" in body["message"] or "uuid" in body["message"].lower()
    assert client.get(f"/api/v1/applications/{w.submitted_a.public_id}/").status_code == 200


def test_the_schema_says_ids_are_uuids_and_describes_the_deprecation():
    schema = client_for().get("/api/schema/", {"format": "json"}).json()
    by_id = [(path, method, op) for path, item in schema["paths"].items() if "{id}" in path
             for method, op in item.items() if method in ("get", "post", "patch", "delete")]
    assert len(by_id) >= 10
    for path, method, op in by_id:
        (param,) = [p for p in op["parameters"] if p["in"] == "path" and p["name"] == "id"]
        assert param["schema"] == {"type": "string", "format": "uuid"}, path
        assert "Deprecation" in param["description"] and "410" in param["description"]
        ok = next(r for code, r in op["responses"].items() if code.startswith("2"))
        assert {"Deprecation", "Sunset", "Link"} <= set(ok["headers"]), (path, method)
        assert "410" in op["responses"]
    for name in ("Organization", "Application", "Decision", "Webhook", "Delivery", "Event", "Attachment"):
        assert schema["components"]["schemas"][name]["properties"]["id"]["format"] == "uuid", name


# --- Filters --------------------------------------------------------------------------------------

def test_filters_take_public_ids_and_refuse_integers_and_garbage():
    w = build_world()
    applicant, staff = client_for(w.tokens["a"]), client_for(w.tokens["reviewer"])
    org, app = str(w.org_a.public_id), str(w.admitted_a.public_id)

    listed = applicant.get("/api/v1/applications/", {"organization": org}).json()["results"]
    assert listed and {a["organization"] for a in listed} == {org}
    decisions = staff.get("/api/v1/decisions/", {"application": app}).json()["results"]
    assert decisions and {d["application"] for d in decisions} == {app}
    events = staff.get("/api/v1/events/", {"application": app, "page_size": 500}).json()["results"]
    assert events and {e["application"] for e in events} == {app}
    by_org = applicant.get("/api/v1/events/", {"organization": org, "page_size": 500}).json()["results"]
    assert by_org and {e["organization"] for e in by_org} == {org}

    cases = [
        (applicant, "/api/v1/applications/", "organization", w.org_a.pk),
        (staff, "/api/v1/decisions/", "application", w.admitted_a.pk),
        (staff, "/api/v1/events/", "application", w.admitted_a.pk),
        (staff, "/api/v1/events/", "organization", w.org_a.pk),
    ]
    for client, path, field, integer in cases:
        for value in (integer, "garbage", str(uuid.uuid4()), "0" * 40):
            body = error_of(client.get(path, {field: value}), 400, "invalid")
            assert field in body["fields"], (path, value)
    # Another organisation's id is as unknown to an applicant as one that does not exist.
    other = client_for(w.tokens["b"])
    error_of(other.get("/api/v1/applications/", {"organization": org}), 400, "invalid")
    error_of(other.get("/api/v1/events/", {"application": app}), 400, "invalid")


def test_a_draft_is_created_for_an_organisation_named_by_its_public_id():
    w = build_world()
    client = client_for(w.tokens["b"])  # organisation A has a draft already; B has none
    org_b = w.applicant_b.organizations.get()
    created = client.post("/api/v1/applications/", {"organization": str(org_b.public_id),
                                                    "partner_types": ["data"]}, format="json")
    assert created.status_code == 201 and created.json()["organization"] == str(org_b.public_id)
    assert Application.objects.get(public_id=created.json()["id"]).organization == org_b
    for value in (org_b.pk, "garbage", str(uuid.uuid4())):
        body = error_of(client.post("/api/v1/applications/", {"organization": value}, format="json"), 400)
        assert "organization" in body["fields"], value


def test_attachments_are_listed_by_public_id():
    w = build_world()
    client = client_for(w.tokens["a"])
    url = f"/api/v1/applications/{w.draft_a.public_id}/attachments/"
    upload = SimpleUploadedFile("章程.pdf", TINY_PDF, content_type="application/pdf")
    created = client.post(url, {"file": upload, "kind": "other"}, format="multipart").json()
    assert uuid.UUID(created["id"]) == w.draft_a.attachments.get().public_id
    assert [a["id"] for a in client.get(url).json()] == [created["id"]]
