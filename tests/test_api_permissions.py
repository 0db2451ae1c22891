"""The API's permission table: endpoint × method × identity → status, checked against a fresh world per row.

Identities, in the order the requests are sent (those expected to change something come last):
    anon       no credentials
    b          key of applicant B (all applicant scopes), who acts for another organisation
    a_members  key of applicant A with members:read only
    ro         key of a reviewer with applications:read only
    reviewer   key of a reviewer with every scope
    session    applicant A logged in on the site (session, no key)
    a          key of applicant A (all applicant scopes)
A missing scope answers 403 before the object is looked up, so it reveals nothing of the object.
`-` skips an identity in a row (its answer depends on an earlier identity's change).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.api_helpers import _fresh_throttle_cache, client_for  # noqa: F401
from tests.api_world import build_world
from tests.factories import TINY_PDF

IDENTITIES = ["anon", "b", "a_members", "ro", "reviewer", "session", "a"]
READ_PUBLIC = "200 200 200 200 200 200 200"

ROWS = [
    # method, path (formatted with the world), body, expected statuses
    ("get", "/api/v1/partner-types/", None, READ_PUBLIC),
    ("get", "/api/v1/districts/", None, READ_PUBLIC),
    ("get", "/api/v1/districts/110108/", None, READ_PUBLIC),
    ("get", "/api/v1/industries/", None, READ_PUBLIC),
    ("get", "/api/v1/industries/health/", None, READ_PUBLIC),
    ("get", "/api/v1/organizations/", None, "401 200 403 200 200 200 200"),
    ("get", "/api/v1/organizations/{w.org_a.public_id}/", None, "401 404 403 200 200 200 200"),
    ("get", "/api/v1/applications/", None, "401 200 403 200 200 200 200"),
    # A draft is the applicant's until submitted: the staff who review get 404, as on the web.
    ("get", "/api/v1/applications/{w.draft_a.public_id}/", None, "401 404 403 404 404 200 200"),
    ("get", "/api/v1/applications/{w.submitted_a.public_id}/", None, "401 404 403 200 200 200 200"),
    ("post", "/api/v1/applications/", {"organization": "{w.org_a.public_id}"}, "401 403 403 403 403 201 201"),
    ("patch", "/api/v1/applications/{w.draft_a.public_id}/", {"contact_title": "CTO"}, "401 404 403 403 404 200 200"),
    ("post", "/api/v1/applications/{w.draft_a.public_id}/actions/withdraw/", {}, "401 404 403 403 404 - 200"),
    ("post", "/api/v1/applications/{w.submitted_a.public_id}/actions/start_review/", {}, "401 403 403 403 200 - 403"),
    ("get", "/api/v1/applications/{w.draft_a.public_id}/attachments/", None, "401 404 403 404 404 200 200"),
    ("get", "/api/v1/applications/{w.submitted_a.public_id}/attachments/", None, "401 404 403 200 200 200 200"),
    ("post", "/api/v1/applications/{w.draft_a.public_id}/attachments/", "upload", "401 404 403 403 404 201 201"),
    ("get", "/api/v1/decisions/", None, "401 403 403 403 200 403 403"),
    ("get", "/api/v1/decisions/{w.decision_id}/", None, "401 403 403 403 200 403 403"),
    ("get", "/api/v1/members/", None, "200 200 200 403 200 200 200"),
    ("get", "/api/v1/members/{w.member_number}/", None, "200 200 200 403 200 200 200"),
    ("get", "/api/v1/events/", None, "401 200 403 200 200 200 200"),
    ("get", "/api/v1/webhooks/", None, "401 200 403 403 200 403 200"),
    ("post", "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/x", "event_types": ["member.admitted"]},
     "401 201 403 403 201 403 201"),
    ("get", "/api/v1/webhooks/{w.subscription_a.public_id}/", None, "401 404 403 403 404 403 200"),
    ("get", "/api/v1/webhooks/{w.subscription_a.public_id}/deliveries/", None, "401 404 403 403 404 403 200"),
    ("patch", "/api/v1/webhooks/{w.subscription_a.public_id}/", {"active": True}, "401 404 403 403 404 403 200"),
    ("delete", "/api/v1/webhooks/{w.subscription_a.public_id}/", None, "401 404 403 403 404 403 204"),
]


def _client(w, identity):
    if identity == "anon":
        return APIClient()
    if identity == "session":
        client = APIClient()
        client.force_login(w.applicant_a)
        return client
    return client_for(w.tokens[identity])


def _fill(value, w):
    if isinstance(value, str):
        return value.format(w=w)
    if isinstance(value, dict):
        return {k: _fill(v, w) for k, v in value.items()}
    return value


def _send(client, method, path, body):
    if body == "upload":
        upload = SimpleUploadedFile("licence.pdf", TINY_PDF, content_type="application/pdf")
        return client.post(path, {"file": upload, "kind": "licence"}, format="multipart")
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("method,path,body,expected", ROWS, ids=[f"{r[0]} {r[1]}" for r in ROWS])
def test_permission_table(method, path, body, expected):
    w = build_world()
    url = _fill(path, w)
    payload = _fill(body, w)
    wanted = dict(zip(IDENTITIES, expected.split(), strict=True))
    got = {}
    for identity in IDENTITIES:
        if wanted[identity] == "-":
            continue
        response = _send(_client(w, identity), method, url, payload)
        got[identity] = str(response.status_code)
        if response.status_code >= 400:
            body_json = response.json()
            assert set(body_json) == {"code", "message", "fields"}, (identity, body_json)
    assert got == {k: v for k, v in wanted.items() if v != "-"}
