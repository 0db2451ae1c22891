"""A whole application through the API: create, upload, submit, review, approve, public notice, admission,
then visible in `members`; webhook deliveries arrive at a real local HTTP server with valid signatures."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partners.services import webhooks
from partners.services.membership import admit_due_applications
from tests import contract
from tests.api_helpers import WebhookReceiver, _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import TINY_PDF


@pytest.fixture(autouse=True)
def contract_checked(monkeypatch):
    """Every answer of these journeys is checked against the OpenAPI schema (status, body shape)."""
    checked = contract.checking_every_response(monkeypatch)
    yield checked
    assert checked, "the journey made no API call"


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.mark.django_db
def test_an_application_from_draft_to_member_through_the_api(applicant, reviewer, approver,
                                                             django_capture_on_commit_callbacks):
    _k, applicant_token = key_for(applicant)
    _k, reviewer_token = key_for(reviewer)
    _k, approver_token = key_for(approver)
    me, staff, decider = client_for(applicant_token), client_for(reviewer_token), client_for(approver_token)
    org = applicant.organizations.get()

    with WebhookReceiver() as receiver, django_capture_on_commit_callbacks(execute=True) as callbacks:
        mine = ok(me.post("/api/v1/webhooks/", {
            "url": f"{receiver.url}/applicant",
            "event_types": ["application.submitted", "application.approved", "member.admitted"],
        }, format="json"), 201)
        theirs = ok(staff.post("/api/v1/webhooks/", {"url": f"{receiver.url}/staff",
                                                     "event_types": ["application.submitted"]}, format="json"), 201)
        secrets = {"/hook/applicant": mine["secret"], "/hook/staff": theirs["secret"]}

        # Create the draft with its facts, then upload the business licence.
        draft = ok(me.post("/api/v1/applications/", {
            "partner_types": ["model"], "channel": "self", "declaration_accepted": True,
            "profiles": {"model": {"summary": "面向医疗的行业大模型解决方案", "industries": ["health"],
                                   "base_models": "自研基座"}},
        }, format="json", HTTP_IDEMPOTENCY_KEY="create-e2e"), 201)
        app_url = f"/api/v1/applications/{draft['id']}"
        assert draft["missing"] == {"attachments": [draft["missing"]["attachments"][0]]}
        licence = SimpleUploadedFile("营业执照.pdf", TINY_PDF, content_type="application/pdf")
        ok(me.post(f"{app_url}/attachments/", {"file": licence, "kind": "licence"}, format="multipart"), 201)

        # Submit; review (start, pass to final); approve; the public notice starts.
        submitted = ok(me.post(f"{app_url}/actions/submit/", {}, format="json"))
        assert submitted["state"] == "submitted" and submitted["available_actions"] == [
            {"action": "withdraw", "label": submitted["available_actions"][0]["label"], "requires": []}]
        review_actions = {a["action"] for a in ok(staff.get(f"{app_url}/"))["available_actions"]}
        assert "start_review" in review_actions
        ok(staff.post(f"{app_url}/actions/start_review/", {}, format="json"))
        ok(staff.post(f"{app_url}/actions/pass_to_final/", {"recommendations": {"model": "grant"},
                                                             "message": "材料齐全"}, format="json"))
        approved = ok(decider.post(f"{app_url}/actions/approve/", {"granted_types": ["model"]}, format="json"))
        assert approved["state"] == "publicity" and approved["publicity_ends_at"]
        assert ok(client_for().get("/api/v1/members/"))["results"] == []

        # The public notice ends with no objection: the periodic job admits the application.
        assert admit_due_applications(now=timezone.now() + timezone.timedelta(days=30)) == 1

    assert callbacks, "deliveries are queued only after commit"
    admitted = ok(me.get(f"{app_url}/"))
    assert admitted["state"] == "admitted"
    org.refresh_from_db()
    number = org.membership.number

    # Visible in the public directory, filtered as an integrator would.
    found = ok(client_for().get("/api/v1/members/", {"partner_type": "model", "industry": "health"}))["results"]
    assert [m["member_number"] for m in found] == [number]
    assert found[0]["name"] == org.name and found[0]["partner_types"] == ["model"]
    assert ok(client_for().get(f"/api/v1/members/{number}/"))["industries"] == ["health"]

    # Every webhook delivery arrived once, signed with its subscription's secret.
    by_path = {}
    for hit in receiver.received:
        headers = {k.lower(): v for k, v in hit["headers"].items()}
        assert webhooks.verify(secrets[hit["path"]], headers["x-registry-timestamp"], hit["body"],
                               headers["x-registry-signature"]), hit
        payload = json.loads(hit["body"])
        assert payload["type"] == headers["x-registry-event"]
        assert payload["application"] == draft["id"]
        by_path.setdefault(hit["path"], []).append(payload["type"])
    assert by_path["/hook/applicant"] == ["application.submitted", "application.approved", "member.admitted"]
    assert by_path["/hook/staff"] == ["application.submitted"]
    member_event = json.loads(next(h["body"] for h in receiver.received
                                   if json.loads(h["body"])["type"] == "member.admitted"))
    assert member_event["data"]["member_number"] == number

    # The delivery log and the event feed tell the same story.
    log = ok(me.get(f"/api/v1/webhooks/{mine['id']}/deliveries/"))["results"]
    assert sorted(d["event_type"] for d in log) == sorted(by_path["/hook/applicant"])
    assert {d["state"] for d in log} == {"sent"}
    feed = ok(me.get("/api/v1/events/", {"application": draft["id"], "page_size": 100}))["results"]
    types = [e["type"] for e in feed]
    for expected in ("application.created", "application.submitted", "application.review_started",
                     "application.passed_to_final", "application.approved", "application.admitted"):
        assert expected in types
    assert types.index("application.submitted") < types.index("application.approved") < \
        types.index("application.admitted")
