"""The catalogue, showcase and dashboard pages: a data set and a demand published through the forms, moderated,
matched and introduced; a case submitted, reviewed and published; the dashboard, its export and the summary."""

import pytest

from partners.enums import CaseState, Moderation
from partners.models import Case, DataDemand, DataSet, Introduction
from tests.factories import OrganizationFactory, english_client

pytestmark = pytest.mark.django_db


def test_the_catalogue_journey_through_the_pages(reviewer, approver, settings):
    settings.AXES_ENABLED = False
    supplier, buyer = OrganizationFactory().owner, OrganizationFactory().owner
    web_supplier, web_buyer, staff = english_client(supplier), english_client(buyer), english_client(reviewer)
    response = web_supplier.post("/portal/catalogue/new/dataset/", {
        "organization": supplier.organizations.get().pk, "name": "中文医疗问诊文本", "description": "脱敏对话",
        "modality": "text", "industry": "health", "size_value": "2000000", "size_unit": "tokens",
        "languages": ["zh"], "licence": "commercial", "access_terms": "open", "update_frequency": "once"})
    assert response.status_code == 302
    supply = DataSet.objects.get()
    assert supply.moderation == Moderation.PENDING
    assert english_client().get(f"/data/sets/{supply.public_id}/").status_code == 404
    web_buyer.post("/portal/catalogue/new/demand/", {
        "organization": buyer.organizations.get().pk, "title": "医疗微调数据", "modality": "text",
        "industry": "health", "size_value": "1000000", "size_unit": "tokens", "languages": ["zh"],
        "stage": "finetuning", "needs_commercial_use": "on"})
    need = DataDemand.objects.get()
    assert staff.get("/staff/catalogue/").status_code == 200
    for kind, entry in (("dataset", supply), ("demand", need)):
        assert staff.post(f"/staff/catalogue/{kind}/{entry.public_id}/", {"decision": "accept"}).status_code == 302
    assert english_client().get("/data/", {"q": "问诊"}).content.decode().count("中文医疗问诊文本") == 1

    page = web_buyer.get(f"/data/demands/{need.public_id}/").content.decode()
    assert "中文医疗问诊文本" in page and "Score 100/100" in page and "Same modality: Text (+30/30)" in page
    web_buyer.post(f"/data/demand/{need.public_id}/introduce/", {"other": str(supply.public_id), "message": "你好"})
    intro = Introduction.objects.get()
    assert supplier.email not in web_buyer.get("/portal/catalogue/").content.decode()
    web_supplier.post(f"/data/introductions/{intro.public_id}/answer/", {"decision": "accept"})
    assert supplier.email in web_buyer.get("/portal/catalogue/").content.decode()

    web_supplier.post("/portal/cases/new/", {
        "organization": supplier.organizations.get().pk, "kind": "application", "title": "智慧问诊标杆",
        "scenario": "预问诊", "results": "效率提升30%", "industry": "health", "year": "2025"})
    case = Case.objects.get()
    web_supplier.post(f"/showcase/{case.public_id}/actions/submit/")
    staff.post(f"/showcase/{case.public_id}/actions/start_review/")
    staff.post(f"/showcase/{case.public_id}/actions/publish/")
    case.refresh_from_db()
    assert case.state == CaseState.PUBLISHED
    assert "智慧问诊标杆" in english_client().get("/showcase/", {"industry": "health", "year": "2025"}).content.decode()
    assert "智慧问诊标杆" not in english_client().get("/showcase/", {"year": "2024"}).content.decode()
    assert english_client().get("/showcase/", {"year": "abc"}).status_code == 200
    english_client(approver).post(f"/staff/cases/{case.public_id}/designate/", {"counts": "1"})
    assert english_client(approver).get("/staff/plan/").status_code == 200
    export = english_client(approver).get("/staff/plan/export.csv").content.decode()
    assert "target_progress,2025-application" in export and "data_matched,accepted" in export
    summary = english_client().get("/plan/").content.decode()
    assert "<svg" in summary and "智慧问诊标杆" in summary
    assert "applications_by_state" not in summary
