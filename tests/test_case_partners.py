"""The partners involved in a pilot case: chosen on the member's case form among active members only, checked on
the server, kept when the case is returned for changes, and linked to their member pages once published."""

import pytest
from django.test import Client

from partners.enums import CaseState, MembershipState
from partners.models import Case
from partners.services import cases
from partners.services.applications import ServiceError
from tests.catalogue_helpers import case as make_case
from tests.factories import OrganizationFactory, english_client
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    settings.AXES_ENABLED = False


def case_fields(organization, **extra):
    return {"organization": organization.pk, "kind": "application", "title": "智慧园区标杆", "scenario": "园区巡检",
            "results": "巡检效率提升50%", "industry": "health", "year": "2025", **extra}


def test_a_member_names_two_partner_members_shown_on_the_public_case_page(reviewer):
    owner = OrganizationFactory().owner
    org = owner.organizations.get()
    first, second = make_member("北京甲方算力有限公司"), make_member("北京乙方模型有限公司", types=("model",))
    web = english_client(owner)
    response = web.post("/portal/cases/new/", case_fields(org, partners=[first.organization.pk,
                                                                          second.organization.pk]))
    assert response.status_code == 302
    item = Case.objects.get()
    assert set(item.partners.all()) == {first.organization, second.organization}

    cases.fire(owner, item, "submit")
    cases.fire(reviewer, item, "start_review")
    cases.fire(reviewer, item, "publish")
    page = english_client().get(f"/showcase/{item.public_id}/").content.decode()
    assert f'<a href="/members/{first.number}/">北京甲方算力有限公司</a>' in page
    assert f'<a href="/members/{second.number}/">北京乙方模型有限公司</a>' in page
    # A partner whose membership was suspended since is named, no longer linked.
    type(first).objects.filter(pk=first.pk).update(state=MembershipState.SUSPENDED)
    page = english_client().get(f"/showcase/{item.public_id}/").content.decode()
    assert f"/members/{first.number}/" not in page and "北京甲方算力有限公司" in page


def test_the_member_search_lists_active_members_only():
    owner = OrganizationFactory().owner
    org = owner.organizations.get()
    member = make_member("北京星河智算有限公司")
    OrganizationFactory(name="北京星河非会员有限公司")
    make_member("北京星河暂停有限公司", state=MembershipState.SUSPENDED)
    web = english_client(owner)
    page = web.post("/portal/cases/new/", case_fields(org, title="", partner_q="星河", find_partners="1"))
    text = page.content.decode()
    assert page.status_code == 200 and not Case.objects.exists()
    assert f'value="{member.organization.pk}"' in text and "北京星河智算有限公司" in text
    assert "北京星河非会员有限公司" not in text and "北京星河暂停有限公司" not in text
    assert "This field is required" not in text  # a search is not a submission
    by_number = web.post("/portal/cases/new/", case_fields(org, partner_q=member.number, find_partners="1"))
    assert f'value="{member.organization.pk}"' in by_number.content.decode()


@pytest.mark.parametrize("tampered", ["not-a-member", "abc", "-3", "99999999999999999999999"])
def test_a_non_member_or_tampered_partner_is_refused_with_a_translated_error(tampered):
    owner = OrganizationFactory().owner
    org = owner.organizations.get()
    member = make_member("北京甲方算力有限公司")
    value = str(OrganizationFactory(name="北京非会员有限公司").pk) if tampered == "not-a-member" else tampered
    web = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    web.force_login(owner)
    response = web.post("/portal/cases/new/", case_fields(org, partners=[member.organization.pk, value]))
    assert response.status_code == 200 and not Case.objects.exists()
    text = response.content.decode()
    assert 'data-testid="partners-error"' in text
    assert "伙伴" in text.split('data-testid="partners-error">', 1)[1].split("</div>", 1)[0]
    assert "北京非会员有限公司" not in text  # never offered back as a box to tick


def test_the_service_refuses_non_members_whatever_sends_them():
    item = make_case()
    member = make_member("北京甲方算力有限公司")
    with pytest.raises(ServiceError) as refused:
        cases.set_partners(item, [member.organization_id, OrganizationFactory().pk])
    assert refused.value.field == "partners"
    with pytest.raises(ServiceError):
        cases.set_partners(item, ["1; DROP TABLE"])
    cases.set_partners(item, [member.organization_id, str(member.organization_id), item.organization_id])
    assert list(item.partners.all()) == [member.organization]


def test_the_partners_survive_returning_the_case_for_changes(reviewer):
    owner = OrganizationFactory().owner
    org = owner.organizations.get()
    first, second = make_member("北京甲方算力有限公司"), make_member("北京乙方模型有限公司")
    web = english_client(owner)
    web.post("/portal/cases/new/", case_fields(org, partners=[first.organization.pk, second.organization.pk]))
    item = Case.objects.get()
    web.post(f"/showcase/{item.public_id}/actions/submit/")
    cases.fire(reviewer, item, "start_review")
    cases.fire(reviewer, item, "return", reason="请补充合作方的分工")
    item.refresh_from_db()
    assert item.state == CaseState.RETURNED
    assert set(item.partners.all()) == {first.organization, second.organization}

    form = web.get(f"/portal/cases/{item.public_id}/edit/").content.decode()
    for partner in (first, second):
        box = form.split(f'value="{partner.organization.pk}"', 1)[1].split(">", 1)[0]
        assert "checked" in box  # shown ticked, so saving the form keeps them
    response = web.post(f"/portal/cases/{item.public_id}/edit/", case_fields(
        org, results="巡检效率提升50%，甲方提供算力，乙方提供模型", partners=[first.organization.pk,
                                                                   second.organization.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert "乙方提供模型" in item.results
    assert set(item.partners.all()) == {first.organization, second.organization}
    web.post(f"/showcase/{item.public_id}/actions/resubmit/")
    item.refresh_from_db()
    assert item.state == CaseState.SUBMITTED
    assert item.partners.count() == 2
    # Submitted: no longer the member's to change.
    assert web.get(f"/portal/cases/{item.public_id}/edit/").status_code == 403


def test_a_stranger_cannot_change_a_case():
    item = make_case()
    assert english_client(OrganizationFactory().owner).get(f"/portal/cases/{item.public_id}/edit/").status_code == 404
    assert english_client(item.organization.owner).get(f"/portal/cases/{item.public_id}/edit/").status_code == 200


def test_the_case_form_stays_small_however_many_members_the_plan_has(django_assert_max_num_queries):
    from tests.test_query_budgets import add_members, assert_flat

    owner = OrganizationFactory().owner
    # The form offers no member until one is searched for (or paired with the organisation): its queries
    # and its boxes stay the same from 5 members to 30.
    assert_flat(english_client(owner), "/portal/cases/new/", add_members, 20, django_assert_max_num_queries)
    page = english_client(owner).get("/portal/cases/new/").content.decode()
    assert 'name="partners"' not in page
    found = english_client(owner).post("/portal/cases/new/", {"partner_q": "九章", "find_partners": "1"})
    assert found.content.decode().count('name="partners"') == 20  # a search shows its first 20 matches


def test_members_paired_with_the_organisation_are_offered():
    from django.utils import timezone

    from partners.models import Pairing

    owner = OrganizationFactory().owner
    org = owner.organizations.get()
    paired = make_member("北京结对应用有限公司", types=("application",))
    unpaired = make_member("北京未结对有限公司")
    Pairing.objects.create(application_partner=paired.organization, model_partner=org, proposed_by_side="model",
                           state="confirmed", scenario="场景", model_title="模型", starts_on=timezone.localdate())
    page = english_client(owner).get("/portal/cases/new/").content.decode()
    assert f'value="{paired.organization.pk}"' in page and "北京结对应用有限公司" in page
    assert "北京未结对有限公司" not in page and f'value="{unpaired.organization.pk}"' not in page
