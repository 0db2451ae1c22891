"""Constraints of the data model, checked both by model validation (a message) and by the database itself."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from partners.enums import OrgRole, PartnerType
from partners.models import (
    ApplicationProfile,
    District,
    Organization,
    OrganizationMember,
    RequestedType,
    Scenario,
    User,
)
from tests.factories import ApplicationFactory, OrganizationFactory, UserFactory, unique_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def errors_of(obj):
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return info.value.message_dict


def new_org(**kwargs):
    values = {"name": "北京新申报科技有限公司", "credit_code": unique_credit_code(), "legal_representative": "李四",
              "registered_address": "北京市海淀区", "district": District.objects.get(code="110108")}
    values.update(kwargs)
    return Organization(**values)


def test_credit_code_is_normalised_on_save():
    org = new_org(credit_code=" 91350100m000100y43 ")
    org.save()
    org.refresh_from_db()
    assert org.credit_code == "91350100M000100Y43"


def test_invalid_credit_code_is_refused_by_the_model():
    errors = errors_of(new_org(credit_code="91350100M000100Y44"))
    assert errors["credit_code"] == [
        "The check character is wrong: the 18th character should be 3. Please compare with the licence."]


def test_duplicate_credit_code_gets_the_translated_message(organization):
    duplicate = new_org(credit_code=organization.credit_code.lower()[:9] + " " + organization.credit_code[9:])
    assert errors_of(duplicate)["credit_code"] == ["An organisation with this credit code is already registered."]
    with translation.override("zh-hans"):
        message = errors_of(duplicate)["credit_code"][0]
        assert message == translation.gettext("An organisation with this credit code is already registered.")


def test_duplicate_credit_code_is_refused_by_the_database(organization):
    with pytest.raises(IntegrityError), transaction.atomic():
        new_org(credit_code=organization.credit_code).save()


def test_one_owner_per_organisation(organization):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationMember.objects.create(organization=organization, user=UserFactory(), role=OrgRole.OWNER)
    OrganizationMember.objects.create(organization=organization, user=UserFactory(), role=OrgRole.COLLEAGUE)
    assert organization.memberships_of_people.count() == 2
    assert organization.owner.organizations.get() == organization


def test_a_person_acts_for_an_organisation_once(organization, applicant):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationMember.objects.create(organization=organization, user=applicant, role=OrgRole.COLLEAGUE)


def test_one_open_application_per_partner_type(organization):
    first, second = ApplicationFactory(organization=organization), ApplicationFactory(organization=organization)
    RequestedType.objects.create(application=first, organization=organization, partner_type=PartnerType.DATA)
    duplicate = RequestedType(application=second, organization=organization, partner_type=PartnerType.DATA)
    with pytest.raises(ValidationError) as info:
        duplicate.validate_constraints()
    assert info.value.messages == ["This organisation already has an open application for this partner type."]
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    # Another type is fine, and so is the same type once the first application is closed.
    RequestedType.objects.create(application=second, organization=organization, partner_type=PartnerType.MODEL)
    RequestedType.objects.filter(application=first).update(is_open=False)
    duplicate.save()


def test_other_organisations_may_apply_for_the_same_type(organization):
    other = OrganizationFactory()
    for org in (organization, other):
        RequestedType.objects.create(application=ApplicationFactory(organization=org), organization=org,
                                     partner_type=PartnerType.COMPUTE)
    assert RequestedType.objects.filter(partner_type=PartnerType.COMPUTE, is_open=True).count() == 2


def test_scenario_budget_must_be_ordered(draft):
    profile = ApplicationProfile.objects.create(application=draft)
    scenario = Scenario(profile=profile, title="工单分拨", description="描述", budget_min_10k=500, budget_max_10k=100)
    with pytest.raises(ValidationError) as info:
        scenario.full_clean()
    assert "The budget's lower bound cannot exceed its upper bound." in info.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        scenario.save()
    Scenario.objects.create(profile=profile, title="开放式预算", description="只给下限", budget_min_10k=500)
    Scenario.objects.create(profile=profile, title="相等", description="上下限相同", budget_min_10k=100,
                            budget_max_10k=100)


def test_outside_beijing_needs_a_province():
    org = new_org(district=District.objects.get(code="outside"), province="")
    assert errors_of(org)["province"] == ["An organisation outside Beijing needs its province."]
    with pytest.raises(IntegrityError), transaction.atomic():
        org.save()
    org.province = "上海市"
    org.full_clean()
    org.save()


def test_province_is_cleared_for_a_beijing_district():
    org = new_org(province="上海市")
    org.full_clean()
    assert org.province == ""


def test_user_logs_in_by_email_with_a_validated_mobile():
    user = User(email=" Someone@Example.COM ", phone="138 0013 8000", display_name="张三")
    user.set_password("Correct-Horse-9-Battery")
    user.full_clean()
    assert (user.email, user.phone) == ("someone@example.com", "13800138000")
    assert User.USERNAME_FIELD == "email"
    bad = User(email="x@example.com", phone="12345")
    bad.set_password("Correct-Horse-9-Battery")
    assert "phone" in errors_of(bad)


def test_beijing_has_sixteen_districts_and_the_outside_marker():
    codes = set(District.objects.values_list("code", flat=True))
    assert len(codes - {"outside"}) == 16 and "outside" in codes
    assert {"110103", "110104"}.isdisjoint(codes)  # merged into Dongcheng and Xicheng in 2010
