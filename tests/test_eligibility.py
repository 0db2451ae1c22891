"""Eligibility by the credit code's region: Beijing codes fill the district, codes from elsewhere apply only as
the plan's setting allows, a disagreement between code and location is flagged with an explanation, and codes
typed with full-width characters or O/I for 0/1 are normalised."""

import pytest
from django.urls import reverse

from partners import workflow
from partners.enums import ApplicationState
from partners.services import applications as app_services
from partners.services import organizations as org_services
from partners.services.eligibility import eligibility_problem, location_check, location_from_code, region_of
from partners.validators import build_credit_code, credit_code_errors, normalize_credit_code
from tests.factories import (
    ApplicationFactory,
    OrganizationFactory,
    UserFactory,
    complete_draft,
    english_client,
)

pytestmark = pytest.mark.django_db

JD = "91110302562134916R"  # 京东世纪贸易有限公司, registered by the E-Town branch (110302)


def code(region, body="00000001"):
    return build_credit_code("9", "1", region, body)


@pytest.mark.parametrize(("region", "district", "etown"), [
    ("110108", "110108", False),  # 海淀区
    ("110105", "110105", False),  # 朝阳区
    ("110103", "110101", False),  # 崇文区 → 东城区
    ("110104", "110102", False),  # 宣武区 → 西城区
    ("110228", "110118", False),  # 密云县 → 密云区
    ("110302", "110115", True),  # E-Town, in 大兴区
])
def test_a_beijing_region_fills_the_district(region, district, etown):
    assert location_from_code(code(region)) == {"district_id": district, "in_etown": etown}


def test_the_real_example_of_e_town_is_valid_and_fills_daxing():
    assert credit_code_errors(JD) == []
    assert region_of(JD).in_etown and location_from_code(JD)["district_id"] == "110115"


def test_a_code_from_elsewhere_fills_outside_beijing_with_its_province():
    assert location_from_code(code("440300")) == {"district_id": "outside", "province": "广东省"}
    assert not region_of(code("310115")).in_beijing
    assert region_of(code("110000")).in_beijing and region_of(code("110000")).district is None


def test_a_new_organisation_gets_its_location_from_the_code():
    organization = org_services.create_organization(UserFactory(), code("110105", "10000001"), "北京朝阳某公司")
    assert organization.district_id == "110105"
    outside = org_services.create_organization(UserFactory(), code("440300", "10000002"), "深圳某公司")
    assert outside.district_id == "outside" and outside.province == "广东省"


@pytest.mark.parametrize(("raw", "expected"), [
    ("９１１１０３０２５６２１３４９１６Ｒ", JD),  # full-width digits and letter
    ("91110302 5621 3491 6r", JD),  # spaces and lower case
    ("9111O3O2562134916R", JD),  # the letter O typed for 0
    ("91I10302562134916R", JD),  # the letter I typed for 1
    ("\u300091110302562134916R\u3000", JD),  # ideographic spaces
])
def test_codes_are_normalised(raw, expected):
    assert normalize_credit_code(raw) == expected
    assert credit_code_errors(normalize_credit_code(raw)) == []


def test_the_claim_form_accepts_a_full_width_code(client):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("portal:claim"), {"credit_code": "９１１１０３０２５６２１３４９１６Ｒ", "name": "京东世纪贸易有限公司"})
    organization = person.organizations.get()
    assert organization.credit_code == JD and organization.in_etown and organization.district_id == "110115"


def test_letters_that_never_occur_are_explained():
    errors = credit_code_errors(normalize_credit_code("91110302562134916Z"))
    assert errors and "Z" in errors[0]


@pytest.mark.parametrize(("rule", "region", "entity", "eligible"), [
    ("beijing_entity", "110108", None, True),  # Beijing: always
    ("beijing_only", "110302", None, True),  # E-Town is Beijing
    ("beijing_entity", "440300", None, False),  # elsewhere, no Beijing entity named
    ("beijing_entity", "440300", code("110108", "20000001"), True),  # elsewhere, with its Beijing entity
    ("beijing_entity", "440300", code("310115", "20000002"), False),  # the "Beijing entity" is not in Beijing
    ("beijing_entity", "440300", "91110108000000019X", False),  # the entity's code fails its check
    ("beijing_only", "440300", code("110108", "20000003"), False),  # the plan admits Beijing codes only
    ("anywhere", "440300", None, True),
])
def test_the_eligibility_rule_accepts_and_refuses_the_right_codes(settings, rule, region, entity, eligible):
    settings.PLAN_ELIGIBILITY = rule
    organization = OrganizationFactory(credit_code=code(region, "30000001"),
                                       beijing_entity_name="北京分公司" if entity else "",
                                       beijing_entity_credit_code=entity or "")
    assert (eligibility_problem(organization) == "") is eligible


def test_an_ineligible_organisation_cannot_submit_and_is_told_before_the_steps(settings):
    settings.PLAN_ELIGIBILITY = "beijing_entity"
    organization = OrganizationFactory(credit_code=code("440300", "40000001"), district_id="outside",
                                       province="广东省")
    owner = organization.owner
    application = complete_draft(ApplicationFactory(organization=organization, created_by=owner))
    with pytest.raises(workflow.TransitionError) as refused:
        app_services.submit(owner, application)
    assert "在京运营主体" in str(refused.value.errors["organization"])
    client = english_client(owner)
    assert 'data-testid="eligibility-notice"' in client.get(reverse("portal:home")).content.decode()
    step = client.get(reverse("portal:step", args=[application.pk, "organization"])).content.decode()
    assert "operating entity in Beijing" in step
    # Naming the Beijing entity with its own code makes it eligible.
    organization.beijing_entity_name = "某某（北京）科技有限公司"
    organization.beijing_entity_credit_code = code("110108", "40000002")
    organization.save()
    assert app_services.submit(owner, application).state == ApplicationState.SUBMITTED


def test_the_form_refuses_a_beijing_entity_code_from_elsewhere():
    from partners.forms.organization import OrganizationForm

    organization = OrganizationFactory(credit_code=code("440300", "50000001"))
    form = OrganizationForm({"name": organization.name, "beijing_entity_name": "分公司",
                             "beijing_entity_credit_code": code("310115", "50000002")}, instance=organization)
    assert not form.is_valid() and "beijing_entity_credit_code" in form.errors


@pytest.mark.parametrize(("region", "district", "matches"), [
    ("110108", "110108", True),
    ("110108", "110105", False),  # moved since registration, or a wrong choice
    ("110108", "outside", False),
    ("440300", "110108", False),  # a Guangdong code says it is in Haidian
    ("110302", "110115", True),
    ("110000", "110105", True),  # a city-level authority names no district
])
def test_a_mismatch_of_code_and_location_is_flagged_with_an_explanation(region, district, matches):
    organization = OrganizationFactory(credit_code=code(region, "60000001"), district_id=district,
                                       province="广东省" if district == "outside" else "")
    check = location_check(organization)
    assert check.matches is matches
    assert bool(check.explanation) is not matches
    if not matches:
        assert region in check.explanation


def test_staff_see_the_flag_on_the_application_page():
    from tests.factories import make_staff, submitted_application

    owner = UserFactory()
    OrganizationFactory(owner=owner, credit_code=code("110108", "70000001"), district_id="110105")
    application = submitted_application(owner)
    page = english_client(make_staff("reviewer")).get(reverse("review:detail", args=[application.pk]))
    html = page.content.decode()
    assert 'data-testid="location-flag"' in html and "110108" in html
    assert 'data-testid="verification-mark"' in html


def test_the_form_offers_the_district_of_the_code_and_warns_of_a_mismatch():
    from partners.forms.organization import OrganizationForm

    organization = OrganizationFactory(credit_code=code("110105", "80000001"), district=None)
    assert OrganizationForm(instance=organization).initial["district"] == "110105"
    client = english_client(organization.owner)
    response = client.post(reverse("portal:organization_edit", args=[organization.pk]),
                           {"name": organization.name, "district": "110108", "org_type": "enterprise",
                            "capital_currency": "CNY"}, follow=True)
    assert "110105" in response.content.decode() and "the stated district is another" in response.content.decode()
