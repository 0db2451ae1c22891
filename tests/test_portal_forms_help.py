"""Forms that help: required marks on every step, the submit checklist, landlines, model sizes in B or 亿,
one partner-type order everywhere, and adding a scenario without saving (with or without JavaScript)."""

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from partners.enums import PartnerType, in_type_order
from partners.models import Application, Scenario
from partners.phones import normalize_phone, validate_phone
from partners.services.applications import completeness_errors
from partners.services.checklist import submit_checklist
from partners.services.export import stream_xlsx
from partners.units import parse_parameters
from tests.factories import complete_draft, submitted_application
from tests.portal_helpers import fill_everything, org_data, scenario_management, step_url

pytestmark = pytest.mark.django_db

MARK = 'class="asteriskField"'


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def draft_app(logged_in, organization):
    logged_in.post(reverse("portal:application_new"), {"organization": organization.pk})
    return Application.objects.filter(organization=organization).latest("pk")


def _marked_fields(html):
    """Names of inputs whose label carries the required mark."""
    return set(re.findall(r'name="([\w-]+)"[^>]*aria-required="true"', html)) | set(
        re.findall(r'aria-required="true"[^>]*name="([\w-]+)"', html))


def test_every_step_marks_what_submit_requires(logged_in, draft_app):
    logged_in.post(step_url(draft_app, "types"), {"partner_types": ["application"], "save": ""})
    expected = {
        "organization": {"org-name", "org-legal_representative", "org-registered_address", "org-district",
                         "contact-contact_name", "contact-contact_phone", "contact-contact_email"},
        "types": {"partner_types"},
        "profiles": {"application-summary", "scenarios-0-title", "scenarios-0-description"},
        "channel": {"channel"},
        "review": {"declaration"},
    }
    for step, names in expected.items():
        html = logged_in.get(step_url(draft_app, step)).content.decode()
        assert names <= _marked_fields(html), (step, names - _marked_fields(html))
        assert MARK in html and "required-legend" in html
    # Optional fields carry no mark.
    html = logged_in.get(step_url(draft_app, "organization")).content.decode()
    assert "org-website" not in _marked_fields(html)


def test_review_step_lists_every_requirement_before_submit(logged_in, draft_app):
    response = logged_in.get(step_url(draft_app, "review"))
    checklist = response.context["checklist"]
    assert len(checklist) >= 6 and not any(item.ok for item in checklist if item.step in ("types", "attachments"))
    assert "submit-checklist" in response.content.decode()
    fill_everything(logged_in, draft_app)
    response = logged_in.get(step_url(draft_app, "review"))
    done = {item.step: item.ok for item in response.context["checklist"]}
    assert done["organization"] and done["types"] and done["attachments"] and not done["review"]


def test_checklist_is_all_ticked_exactly_when_submit_would_pass(applicant, organization):
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(organization=organization, created_by=applicant)
    assert not all(i.ok for i in submit_checklist(application)) and completeness_errors(application)
    complete_draft(application, (PartnerType.APPLICATION,))
    application.refresh_from_db()
    assert all(i.ok for i in submit_checklist(application)) == (not completeness_errors(application))


@pytest.mark.parametrize("raw, stored", [
    ("010-65529988", "010-65529988"), ("(010) 6552 9988", "010-65529988"), ("+86 10 6552 9988", "010-65529988"),
    ("0755-8888 9999", "0755-88889999"), ("138 0013 8000", "13800138000"), ("010-65529988 转 123", "010-65529988-123"),
])
def test_landlines_and_mobiles_are_accepted(raw, stored):
    validate_phone(raw)
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize("raw", ["12345", "010-1234", "65529988", "phone"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        validate_phone(raw)


def test_contact_landline_through_the_wizard(logged_in, draft_app):
    data = {**org_data(draft_app.organization, **{"contact-contact_phone": "010-6552 9988"}), "save": ""}
    assert logged_in.post(step_url(draft_app, "organization"), data).status_code == 302
    draft_app.refresh_from_db()
    assert draft_app.contact_phone == "010-65529988"


@pytest.mark.parametrize("raw, billions", [("70", "70.0"), ("70B", "70.0"), ("700亿", "70.0"), ("7b", "7.0"),
                                           ("1.5T", "1500.0"), ("1.5万亿", "1500.0"), ("", None)])
def test_model_sizes_in_b_or_yi(raw, billions):
    assert parse_parameters(raw) == (Decimal(billions) if billions else None)


def test_model_size_form_takes_yi_and_shows_no_shi_yi(logged_in, draft_app):
    logged_in.post(step_url(draft_app, "types"), {"partner_types": ["model"], "save": ""})
    page = logged_in.get(step_url(draft_app, "profiles"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "十亿" not in page and "700亿" in page
    response = logged_in.post(step_url(draft_app, "profiles"),
                              {"model-summary": "大模型", "model-parameter_scale_billion": "700亿", "save": ""})
    assert response.status_code == 302
    from partners.models import ModelProfile

    assert ModelProfile.objects.get(application=draft_app).parameter_scale_billion == Decimal("70.0")
    refused = logged_in.post(step_url(draft_app, "profiles"),
                             {"model-summary": "大模型", "model-parameter_scale_billion": "很多", "save": ""})
    assert refused.status_code == 400


def test_partner_types_follow_the_enum_order_everywhere(applicant, reviewer, in_english):
    chosen = (PartnerType.INVESTMENT, PartnerType.MODEL, PartnerType.COMPUTE)
    application = submitted_application(applicant, types=chosen)
    order = in_type_order(chosen)
    assert order == ["compute", "model", "investment"]
    assert application.partner_types == order
    assert list(application.requested_types.values_list("partner_type", flat=True)) == order
    sheet = load_workbook(io.BytesIO(b"".join(stream_xlsx(Application.objects.filter(pk=application.pk))))).active
    labels = [str(PartnerType(t).label) for t in order]
    assert sheet.cell(row=2, column=5).value == ", ".join(labels)


def test_add_a_scenario_without_javascript_keeps_what_was_typed(logged_in, draft_app):
    logged_in.post(step_url(draft_app, "types"), {"partner_types": ["application"], "save": ""})
    data = {"application-summary": "我们开放场景。", **scenario_management(total=1),
            "scenarios-0-title": "智慧园区巡检", "scenarios-0-description": "开放园区巡检场景。", "add_scenario": "1"}
    response = logged_in.post(step_url(draft_app, "profiles"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "智慧园区巡检" in html and "我们开放场景。" in html
    assert 'name="scenarios-1-title"' in html and 'name="scenarios-TOTAL_FORMS" value="2"' in html
    assert not Scenario.objects.exists()  # nothing was saved


def test_add_a_scenario_in_the_page(logged_in, draft_app):
    logged_in.post(step_url(draft_app, "types"), {"partner_types": ["application"], "save": ""})
    html = logged_in.get(step_url(draft_app, "profiles")).content.decode()
    assert 'id="scenarios-template"' in html and "scenarios-__prefix__-title" in html
    assert 'data-formset-add="scenarios"' in html and "js/scenarios.js" in html
    assert "cdn" not in html.lower()
