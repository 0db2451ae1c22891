"""Each API resource: what it returns, how it filters, how it refuses bad input (always in one error format)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.enums import ApplicationState, PartnerType
from partners.models import Application, AuditEvent, Industry
from partners.services import applications as app_services
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.api_world import build_world
from tests.factories import TINY_PDF, advance, complete_draft, submitted_application

pytestmark = pytest.mark.django_db


def error_of(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["message"]
    if code:
        assert body["code"] == code, body
    return body


# --- reference data ---------------------------------------------------------------------------

def test_partner_types_and_reference_data_are_translated():
    client = client_for()
    en = client.get("/api/v1/partner-types/", HTTP_ACCEPT_LANGUAGE="en").json()
    zh = client.get("/api/v1/partner-types/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert [r["code"] for r in en] == PartnerType.values
    assert en[0]["label"] == "Compute partner" and zh[0]["label"] == "算力伙伴"
    districts = client.get("/api/v1/districts/").json()
    assert {"code": "110108", "name_zh": "海淀区", "name_en": "Haidian"} in districts
    assert client.get("/api/v1/districts/999999/").status_code == 404


# --- members -----------------------------------------------------------------------------------

def test_members_show_public_facts_only():
    w = build_world()
    rows = client_for().get("/api/v1/members/").json()["results"]
    assert [r["member_number"] for r in rows] == [w.member_number]
    row = rows[0]
    assert set(row) == {"member_number", "name", "name_en", "district", "province", "website", "description",
                        "partner_types", "industries", "admitted_at"}
    text = str(rows)
    for secret in (w.applicant_a.email, w.applicant_a.phone, "13912345678", "contact@example.com",
                   w.org_a.legal_representative, w.org_a.credit_code):
        assert secret not in text
    assert row["partner_types"] == ["data"]
    detail = client_for().get(f"/api/v1/members/{w.member_number}/")
    assert detail.status_code == 200 and detail.json()["member_number"] == w.member_number


def test_members_filter_by_type_district_industry_and_name(applicant, reviewer, approver):
    model_app = submitted_application(applicant, types=(PartnerType.MODEL,))
    profile = app_services.profile_of(model_app, PartnerType.MODEL)
    profile.industries.set([Industry.objects.get(code="health")])
    advance(model_app, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    from django.utils import timezone

    from partners.services.membership import admit_due_applications

    admit_due_applications(now=timezone.now() + timezone.timedelta(days=30))
    org = applicant.organizations.get()
    client = client_for()

    def numbers(**params):
        response = client.get("/api/v1/members/", params)
        assert response.status_code == 200, response.content
        return [r["member_number"] for r in response.json()["results"]]

    number = org.membership.number
    assert numbers(partner_type="model") == [number]
    assert numbers(partner_type="data") == []
    assert numbers(district="110108") == [number]
    assert numbers(district="110101") == []
    assert numbers(industry="health") == [number]
    assert numbers(industry="finance") == []
    assert numbers(q=org.name[2:6]) == [number]
    assert numbers(q="不存在的名字") == []
    row = client.get("/api/v1/members/").json()["results"][0]
    assert row["industries"] == ["health"]
    error_of(client.get("/api/v1/members/", {"partner_type": "nonsense"}), 400, "invalid")


def test_members_page_with_a_cursor(applicant, reviewer, approver):
    from django.utils import timezone

    from partners.services.membership import admit_due_applications
    from tests.factories import OrganizationFactory

    for _ in range(3):
        owner = OrganizationFactory().owner
        advance(submitted_application(owner), ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    admit_due_applications(now=timezone.now() + timezone.timedelta(days=30))
    client = client_for()
    first = client.get("/api/v1/members/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    seen = [r["member_number"] for r in first["results"] + second["results"]]
    assert len(set(seen)) == 3
    by_number = client.get("/api/v1/members/", {"ordering": "number"}).json()["results"]
    assert [r["member_number"] for r in by_number] == sorted(seen)


# --- organisations ---------------------------------------------------------------------------

def test_organizations_own_or_all_for_staff():
    w = build_world()
    mine = client_for(w.tokens["a"]).get("/api/v1/organizations/").json()["results"]
    assert [o["id"] for o in mine] == [str(w.org_a.public_id)]
    assert mine[0]["member_number"] == w.member_number
    everyone = client_for(w.tokens["reviewer"]).get("/api/v1/organizations/").json()["results"]
    assert len(everyone) == 2


# --- applications ------------------------------------------------------------------------------

def test_create_and_edit_a_draft_with_profiles(applicant):
    _key, token = key_for(applicant)
    client = client_for(token)
    created = client.post("/api/v1/applications/", {
        "partner_types": ["model", "data"], "channel": "self", "contact_phone": "+86 139-1234-5678",
        "profiles": {"model": {"summary": "行业大模型", "industries": ["health", "finance"],
                               "algorithm_filing": "网信算备110108823483901230031号"},
                     "data": {"summary": "语料", "modalities": ["text", "image"]}},
    }, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "draft" and sorted(body["partner_types"]) == ["data", "model"]
    assert body["contact_phone"] == "13912345678"
    assert body["profiles"]["model"]["industries"] == ["health", "finance"] or \
        sorted(body["profiles"]["model"]["industries"]) == ["finance", "health"]
    assert body["profiles"]["data"]["modalities"] == ["text", "image"]
    assert {a["action"] for a in body["available_actions"]} == {"submit", "withdraw"}
    assert "attachments" in body["missing"]
    app_id = body["id"]
    patched = client.patch(f"/api/v1/applications/{app_id}/", {
        "declaration_accepted": True, "profiles": {"data": {"volume_tb": "12.5"}}}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["declaration_accepted"] is True
    assert patched.json()["profiles"]["data"]["volume_tb"] == "12.50"
    assert patched.json()["profiles"]["data"]["summary"] == "语料"  # untouched
    assert AuditEvent.objects.filter(application__public_id=app_id, action="application.created",
                                     actor_label__startswith="api-key:").exists()


def test_draft_edits_refuse_bad_input_with_field_errors(applicant):
    _key, token = key_for(applicant)
    client = client_for(token)
    app_id = client.post("/api/v1/applications/", {"partner_types": ["data"]}, format="json").json()["id"]
    body = error_of(client.patch(f"/api/v1/applications/{app_id}/", {"contact_phone": "12345"}, format="json"),
                    400, "invalid")
    assert "contact_phone" in body["fields"]
    body = error_of(client.patch(f"/api/v1/applications/{app_id}/",
                                 {"profiles": {"model": {"summary": "x"}}}, format="json"), 400)
    assert "profiles.model" in body["fields"]
    body = error_of(client.patch(f"/api/v1/applications/{app_id}/",
                                 {"profiles": {"model": {"genai_filing": "nonsense"}}}, format="json"), 400)
    assert "profiles.model.genai_filing" in body["fields"]
    body = error_of(client.patch(f"/api/v1/applications/{app_id}/", {"invitation_code": "NOPE"}, format="json"),
                    400)
    assert "invitation_code" in body["fields"]
    error_of(client.post("/api/v1/applications/", {"partner_types": ["data"]}, format="json"), 409, "duplicate")
    error_of(client.patch(f"/api/v1/applications/{app_id}/", "not json", content_type="application/json"),
             400, "parse_error")


def test_submitted_application_cannot_be_edited(applicant):
    application = submitted_application(applicant)
    _key, token = key_for(applicant)
    error_of(client_for(token).patch(f"/api/v1/applications/{application.public_id}/", {"contact_title": "x"},
                                     format="json"), 403, "forbidden")


def test_actions_map_workflow_refusals_to_statuses(applicant, reviewer, approver):
    application = submitted_application(applicant)
    _k, applicant_token = key_for(applicant)
    _k, reviewer_token = key_for(reviewer)
    staff = client_for(reviewer_token)
    url = f"/api/v1/applications/{application.public_id}/actions"
    error_of(staff.post(f"{url}/approve/", {}, format="json"), 409, "invalid_transition")
    error_of(staff.post(f"{url}/fly_away/", {}, format="json"), 404, "unknown_action")
    started = staff.post(f"{url}/start_review/", {}, format="json")
    assert started.status_code == 200 and started.json()["state"] == "in_review"
    body = error_of(staff.post(f"{url}/request_changes/", {"message": "请补充"}, format="json"), 400, "required")
    assert "points" in body["fields"]
    error_of(staff.post(f"{url}/pass_to_final/", {"recommendations": {"data": "maybe"}}, format="json"), 400,
             "invalid")
    error_of(staff.post(f"{url}/start_review/", {}, format="json"), 409, "conflict")
    error_of(staff.post(f"{url}/reject/", {"message": "x", "expected_state": "submitted"}, format="json"),
             409, "conflict")
    passed = staff.post(f"{url}/pass_to_final/", {"recommendations": {"data": "grant"}}, format="json")
    assert passed.status_code == 200 and passed.json()["state"] == "final_review"
    # The reviewer who passed it cannot approve it (four eyes), even holding the approver role too.
    reviewer.groups.add(approver.groups.get())
    if hasattr(reviewer, "_role_cache"):
        del reviewer._role_cache
    error_of(staff.post(f"{url}/approve/", {"granted_types": ["data"]}, format="json"), 403)
    # The applicant's key cannot fire a staff action: its scopes do not reach review.
    error_of(client_for(applicant_token).post(f"{url}/approve/", {"granted_types": ["data"]}, format="json"),
             403, "insufficient_scope")
    _k, approver_token = key_for(approver)
    approved = client_for(approver_token).post(f"{url}/approve/", {"granted_types": ["data"]}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "publicity"


def test_submit_of_an_incomplete_draft_lists_what_is_missing(applicant):
    _k, token = key_for(applicant)
    client = client_for(token)
    app_id = client.post("/api/v1/applications/", {"partner_types": ["data"]}, format="json").json()["id"]
    body = error_of(client.post(f"/api/v1/applications/{app_id}/actions/submit/", {}, format="json"), 400,
                    "incomplete")
    assert {"profiles", "channel", "attachments", "review"} <= set(body["fields"])
    assert Application.objects.get(public_id=app_id).state == "draft"


def test_upload_checks_content_and_size(applicant, settings):
    _k, token = key_for(applicant)
    client = client_for(token)
    application = complete_draft(
        Application.objects.create(organization=applicant.organizations.get(), created_by=applicant))
    url = f"/api/v1/applications/{application.public_id}/attachments/"
    good = client.post(url, {"file": SimpleUploadedFile("章程.pdf", TINY_PDF), "kind": "other"},
                       format="multipart")
    assert good.status_code == 201, good.content
    assert good.json()["name"] == "章程.pdf" and good.json()["content_type"] == "application/pdf"
    body = error_of(client.post(url, {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf at all"),
                                      "kind": "other"}, format="multipart"), 400, "bad_type")
    assert "file" in body["fields"]
    settings.ATTACHMENT_MAX_BYTES = 100
    error_of(client.post(url, {"file": SimpleUploadedFile("big.pdf", TINY_PDF * 3)}, format="multipart"),
             400, "too_large")
    error_of(client.post(url, {"kind": "other"}, format="multipart"), 400, "invalid")
    listed = client.get(url).json()
    assert [a["name"] for a in listed].count("章程.pdf") == 1


# --- decisions -----------------------------------------------------------------------------------

def test_decisions_for_staff_keys():
    w = build_world()
    rows = client_for(w.tokens["reviewer"]).get("/api/v1/decisions/", {"application": str(w.admitted_a.public_id)})
    assert rows.status_code == 200
    actions = {d["action"] for d in rows.json()["results"]}
    assert {"approve", "pass_to_final"} <= actions


# --- events ------------------------------------------------------------------------------------

def test_event_feed_after_a_cursor_and_scoped_to_the_reader():
    w = build_world()
    staff = client_for(w.tokens["reviewer"])
    everything = staff.get("/api/v1/events/", {"page_size": 500}).json()["results"]
    ids = [e["id"] for e in everything]
    in_feed_order = AuditEvent.objects.order_by("txid", "id").values_list("public_id", flat=True)
    assert ids == [str(i) for i in in_feed_order] and len(set(ids)) == len(ids)
    middle = len(ids) // 2
    after = staff.get("/api/v1/events/", {"after": everything[middle]["position"], "page_size": 500})
    assert [e["id"] for e in after.json()["results"]] == ids[middle + 1:]
    mine = client_for(w.tokens["a"]).get("/api/v1/events/", {"page_size": 500}).json()["results"]
    visible = AuditEvent.objects.filter(organization=w.org_a, visible_to_applicant=True)
    assert [e["id"] for e in mine] == [str(i) for i in visible.order_by("txid", "id").values_list("public_id",
                                                                                                  flat=True)]
    assert client_for(w.tokens["b"]).get("/api/v1/events/").json()["results"] == []
    typed = staff.get("/api/v1/events/", {"type": "application.approved"}).json()["results"]
    assert {e["type"] for e in typed} == {"application.approved"}
    error_of(staff.get("/api/v1/events/", {"after": "abc"}), 400, "invalid")


# --- ETags, errors, throttling ------------------------------------------------------------------

def test_detail_reads_carry_an_etag_and_answer_304():
    w = build_world()
    client = client_for(w.tokens["a"])
    url = f"/api/v1/applications/{w.draft_a.public_id}/"
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"')
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    client.patch(url, {"contact_title": "总经理"}, format="json")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    member = client_for().get(f"/api/v1/members/{w.member_number}/")
    assert client_for().get(f"/api/v1/members/{w.member_number}/",
                            HTTP_IF_NONE_MATCH=member["ETag"]).status_code == 304


def test_every_4xx_has_the_one_error_format(applicant):
    _k, token = key_for(applicant)
    client = client_for(token)
    error_of(client_for().get("/api/v1/applications/"), 401, "not_authenticated")
    error_of(client.get("/api/v1/applications/999999/"), 404, "not_found")
    error_of(client.put("/api/v1/applications/1/", {}, format="json"), 405, "method_not_allowed")
    error_of(client.post("/api/v1/applications/", "<xml/>", content_type="application/xml"), 415,
             "unsupported_media_type")
    body = error_of(client_for("rk_bad_bad").get("/api/v1/partner-types/", HTTP_ACCEPT_LANGUAGE="en"), 401,
                    "invalid_key")
    assert body["message"] == "The API key is not valid, or it was revoked."


def test_throttling_per_key_and_per_anonymous_ip(applicant, other_applicant, settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "key": "4/min", "anon": "3/min"}
    settings.REST_FRAMEWORK = rest
    anon = client_for()
    statuses = [anon.get("/api/v1/partner-types/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    error_of(anon.get("/api/v1/partner-types/"), 429, "throttled")
    other_ip = anon.get("/api/v1/partner-types/", REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200
    _k, token_a = key_for(applicant)
    _k, token_b = key_for(other_applicant)
    a = client_for(token_a)
    assert [a.get("/api/v1/members/").status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    assert client_for(token_b).get("/api/v1/members/").status_code == 200
    assert "Retry-After" in a.get("/api/v1/members/")


def test_decisions_are_for_reviewing_staff_not_service_officers(service_officer, administrator):
    _k, token = key_for(service_officer)
    error_of(client_for(token).get("/api/v1/decisions/"), 403, "forbidden")


def test_application_partner_scenarios_are_replaced_as_a_list(applicant):
    _k, token = key_for(applicant)
    client = client_for(token)
    app_id = client.post("/api/v1/applications/", {"partner_types": ["application"], "profiles": {
        "application": {"summary": "开放场景", "industry": "health", "scenarios": [
            {"title": "导诊", "description": "门诊智能导诊", "budget_min_10k": 50, "budget_max_10k": 100},
            {"title": "病历", "description": "病历质控"}]}}}, format="json").json()["id"]
    body = client.get(f"/api/v1/applications/{app_id}/").json()
    assert [s["title"] for s in body["profiles"]["application"]["scenarios"]] == ["导诊", "病历"]
    client.patch(f"/api/v1/applications/{app_id}/", {"profiles": {"application": {"scenarios": [
        {"title": "影像", "description": "影像辅助诊断"}]}}}, format="json")
    body = client.get(f"/api/v1/applications/{app_id}/").json()
    assert [s["title"] for s in body["profiles"]["application"]["scenarios"]] == ["影像"]
    refused = client.patch(f"/api/v1/applications/{app_id}/", {"profiles": {"application": {"scenarios": [
        {"title": "x", "description": "y", "budget_min_10k": 9, "budget_max_10k": 1}]}}}, format="json")
    assert refused.status_code == 400
    assert "profiles.application.scenarios.0.budget_max_10k" in refused.json()["fields"]


def test_a_nul_character_in_an_id_is_refused():
    # No id holds a NUL; the input-hygiene layer refuses it before any lookup (tests/test_input_hygiene.py).
    for url in ("/api/v1/members/BJAI%00/", "/api/v1/districts/11%0001/", "/api/v1/industries/%00/"):
        error_of(client_for().get(url), 400, "bad_characters")
