"""The API journey of the subsidy: a pairing proposed, accepted, confirmed and formed, then a claim drafted with
its documents, submitted, reviewed, approved by another person within the budget and paid, all at
POST …/actions/{action}/ through the workflow engine."""

import pytest
from django.utils import timezone

from partners.models import Pairing, SubsidyClaim
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import TINY_PDF
from tests.subsidy_helpers import PROVIDER_CODE, budget, model_team, rules, staff_team, user_unit

pytestmark = pytest.mark.django_db


def api(user):
    _key, token = key_for(user)
    client = client_for(token)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_the_api_journey_from_pairing_to_payment():
    rules()
    budget()
    staff = staff_team()
    application, model = user_unit(), model_team()
    unit, team = api(application.owner), api(model.owner)
    reviewer, approver = api(staff["reviewer"]), api(staff["approver"])

    proposed = team.post("/api/v1/pairings/", {
        "organization": str(model.public_id), "side": "model", "partner": str(application.public_id),
        "scenario": "政务问答", "model_title": "政务大模型", "starts_on": "2024-04-01"}, format="json")
    assert proposed.status_code == 201, proposed.content
    pairing = proposed.json()
    assert pairing["state"] == "proposed" and pairing["available_actions"][0]["action"] == "withdraw"
    url = f"/api/v1/pairings/{pairing['id']}/actions"
    assert team.post(f"{url}/accept/", {}, format="json").status_code == 403
    assert unit.get(f"/api/v1/pairings/{pairing['id']}/").json()["available_actions"][0]["action"] == "accept"
    assert unit.post(f"{url}/accept/", {"expected_state": "proposed"}, format="json").json()["state"] == "accepted"
    assert unit.post(f"{url}/confirm/", {}, format="json").status_code == 403
    assert reviewer.post(f"{url}/confirm/", {}, format="json").json()["state"] == "confirmed"
    missing = reviewer.post(f"{url}/mark_formed/", {"outcome": "pilot_case"}, format="json")
    assert missing.status_code == 400 and "evidence" in missing.json()["fields"]
    formed = reviewer.post(f"{url}/mark_formed/", {"outcome": "pilot_case", "evidence": "试点案例第5号"},
                           format="json").json()
    assert formed["state"] == "formed" and formed["outcome"] == "pilot_case"
    assert reviewer.post(f"{url}/nothing/", {}, format="json").status_code == 404
    # Standing pairings are listed to anyone with a key; others' proposals are not.
    outsider = api(user_unit("北京某外部单位").owner)
    assert pairing["id"] in [p["id"] for p in outsider.get("/api/v1/pairings/").json()["results"]]

    created = team.post("/api/v1/subsidy-claims/", {
        "pairing": pairing["id"], "provider_title": "北京某算力公司", "provider_credit_code": PROVIDER_CODE,
        "contract_number": "HT-API-1", "contract_signed_on": "2024-05-01", "service_starts_on": "2024-05-01",
        "service_ends_on": "2024-12-31", "contract_amount": "2000000.00", "invoiced_amount": "1234567.89",
        "compute_delivered": "推理算力 100 卡·月", "claimed_amount": "1"}, format="json")
    assert created.status_code == 201, created.content
    claim = created.json()
    assert claim["claimed_amount"] is None and claim["preview_amount"] == "123456.78"
    assert len(claim["missing"]) == 3
    bad = team.post("/api/v1/subsidy-claims/", {**{k: v for k, v in created.json().items() if k in (
        "provider_title", "provider_credit_code", "contract_signed_on", "service_starts_on", "service_ends_on",
        "invoiced_amount", "compute_delivered")}, "pairing": pairing["id"], "contract_number": "X",
        "contract_amount": "1e9999"}, format="json")
    assert bad.status_code == 400 and "contract_amount" in bad.json()["fields"]
    docs = f"/api/v1/subsidy-claims/{claim['id']}/documents/"
    for kind in ("contract", "invoice", "delivery"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(f"{kind}.pdf", TINY_PDF, content_type="application/pdf")
        assert team.post(docs, {"file": upload, "kind": kind}, format="multipart").status_code == 201
    fake = SimpleUploadedFile("invoice.pdf", b"not a pdf at all", content_type="application/pdf")
    assert team.post(docs, {"file": fake, "kind": "invoice"}, format="multipart").status_code == 400
    curl = f"/api/v1/subsidy-claims/{claim['id']}/actions"
    submitted = team.post(f"{curl}/submit/", {}, format="json").json()
    assert submitted["state"] == "submitted" and submitted["claimed_amount"] == "123456.78"
    assert submitted["rule_effective_from"] == "2024-01-01"
    assert reviewer.post(f"{curl}/start_review/", {}, format="json").json()["state"] == "in_review"
    four_eyes = reviewer.post(f"{curl}/approve/", {"approved_amount": "100000.00"}, format="json")
    assert four_eyes.status_code == 403
    assert approver.post(f"{curl}/approve/", {"approved_amount": "0.001"}, format="json").status_code == 400
    approved = approver.post(f"{curl}/approve/", {"approved_amount": "100000.00"}, format="json").json()
    assert approved["state"] == "approved" and approved["approved_amount"] == "100000.00"
    paid = approver.post(f"{curl}/pay/", {"payment_reference": "ZF-API-1",
                                          "paid_on": timezone.localdate().isoformat()}, format="json").json()
    assert paid["state"] == "paid" and paid["payment_reference"] == "ZF-API-1"
    # Others do not see the claim.
    assert outsider.get(f"/api/v1/subsidy-claims/{claim['id']}/").status_code == 404
    assert SubsidyClaim.objects.get(public_id=claim["id"]).pairing == Pairing.objects.get(public_id=pairing["id"])


def test_an_oversized_claim_document_is_stopped_at_the_limit_and_named(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.subsidy_helpers import draft_claim, standing_pairing

    rules()
    budget()
    claim = draft_claim(standing_pairing(staff_team()))
    before = claim.documents.count()
    settings.ATTACHMENT_MAX_BYTES = len(TINY_PDF) - 1
    team = api(claim.pairing.model_partner.owner)
    upload = SimpleUploadedFile("contract.pdf", TINY_PDF, content_type="application/pdf")
    response = team.post(f"/api/v1/subsidy-claims/{claim.public_id}/documents/", {"file": upload, "kind": "contract"},
                         format="multipart")
    # The size-limit handler skipped the file while it was received: the answer says so, not "file missing".
    assert response.status_code == 400 and response.json()["code"] == "too_large", response.content
    assert response.json()["fields"]["file"] == ["The file is larger than allowed."]
    assert claim.documents.count() == before
