"""Organisation claim by credit code, join requests decided by the owner, colleagues and hand-over."""

import pytest
from django.urls import reverse

from partners.enums import JoinRequestState, OrgRole
from partners.models import AuditEvent, JoinRequest, Notification, Organization, OrganizationMember
from partners.validators import build_credit_code
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_CODE = build_credit_code("9", "1", "110108", "MA01X2Y3")


def role_of(user, organization):
    link = OrganizationMember.objects.filter(user=user, organization=organization).first()
    return link.role if link else None


def test_a_new_code_creates_the_organisation_with_its_owner(client):
    person = UserFactory()
    client.force_login(person)
    spaced = " ".join([NEW_CODE[:6], NEW_CODE[6:12].lower(), NEW_CODE[12:]])
    response = client.post(reverse("portal:claim"), {"credit_code": spaced, "name": "北京示例智能科技有限公司"})
    organization = Organization.objects.get(credit_code=NEW_CODE)  # normalised
    assert response.status_code == 302
    # The new owner is sent on to prove the organisation (tests/test_verification.py).
    case = organization.verification_cases.get(claimant=person)
    assert response["Location"] == reverse("portal:verification", args=[case.pk])
    assert role_of(person, organization) == OrgRole.OWNER
    assert AuditEvent.objects.filter(organization=organization, action="organization.created").exists()
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_new_code_needs_a_name(client):
    client.force_login(UserFactory())
    response = client.post(reverse("portal:claim"), {"credit_code": NEW_CODE, "name": ""})
    assert response.status_code == 400
    assert not Organization.objects.filter(credit_code=NEW_CODE).exists()


@pytest.mark.parametrize("code", ["91350100M000100Y4Z", "123", "91350100M000100YI3", "9135010@M000100Y43"])
def test_an_invalid_code_is_refused_with_a_message(client, code):
    client.force_login(UserFactory())
    response = client.post(reverse("portal:claim"), {"credit_code": code, "name": "某公司"})
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert Organization.objects.count() == 0


def test_an_existing_code_asks_the_owner_who_approves(client, applicant, organization):
    newcomer = UserFactory(email="newcomer@example.com")
    client.force_login(newcomer)
    response = client.post(reverse("portal:claim"), {"credit_code": organization.credit_code.lower(),
                                                     "message": "我是新来的法务"})
    assert response.status_code == 302
    join_request = JoinRequest.objects.get(user=newcomer)
    assert join_request.state == JoinRequestState.PENDING
    assert role_of(newcomer, organization) is None
    assert Notification.objects.filter(recipient=applicant, template_key="account.join_request").exists()
    # The newcomer waits; asking twice is refused clearly.
    assert "alert-info" in client.get(reverse("portal:home")).content.decode()
    again = client.post(reverse("portal:claim"), {"credit_code": organization.credit_code})
    assert again.status_code == 400
    assert JoinRequest.objects.filter(user=newcomer).count() == 1
    # Another person cannot learn of the request nor decide it.
    stranger = OrganizationFactory().owner
    client.force_login(stranger)
    assert client.post(reverse("portal:join_request_decide", args=[join_request.pk, "approve"])).status_code == 404
    # The owner sees it in the portal and approves.
    client.force_login(applicant)
    page = client.get(reverse("portal:organization", args=[organization.pk])).content.decode()
    assert "newcomer@example.com" in page and "我是新来的法务" in page
    response = client.post(reverse("portal:join_request_decide", args=[join_request.pk, "approve"]))
    assert response.status_code == 302
    assert role_of(newcomer, organization) == OrgRole.COLLEAGUE
    assert AuditEvent.objects.filter(organization=organization, action="organization.join_approved").exists()
    assert Notification.objects.filter(recipient=newcomer, template_key="account.join_decided").exists()
    # A second decision on the same request is refused.
    again = client.post(reverse("portal:join_request_decide", args=[join_request.pk, "decline"]))
    assert again.status_code == 409


def test_the_owner_declines(client, applicant, organization):
    newcomer = UserFactory()
    join_request = JoinRequest.objects.create(organization=organization, user=newcomer)
    client.force_login(applicant)
    client.post(reverse("portal:join_request_decide", args=[join_request.pk, "decline"]))
    join_request.refresh_from_db()
    assert join_request.state == JoinRequestState.DECLINED
    assert role_of(newcomer, organization) is None


def test_a_colleague_cannot_decide_join_requests(client, applicant, organization):
    colleague = UserFactory()
    OrganizationMember.objects.create(organization=organization, user=colleague, role=OrgRole.COLLEAGUE)
    join_request = JoinRequest.objects.create(organization=organization, user=UserFactory())
    client.force_login(colleague)
    response = client.post(reverse("portal:join_request_decide", args=[join_request.pk, "approve"]))
    assert response.status_code == 403
    join_request.refresh_from_db()
    assert join_request.state == JoinRequestState.PENDING


def test_owner_invites_and_removes_a_colleague(client, applicant, organization):
    colleague = UserFactory(email="colleague@example.com")
    client.force_login(applicant)
    response = client.post(reverse("portal:colleague_add", args=[organization.pk]),
                           {"email": "Colleague@Example.com", "title": "经理"})
    assert response.status_code == 302
    assert role_of(colleague, organization) is None  # invited; a colleague once they accept
    from partners.services.invitations import accept_invitation

    accept_invitation(colleague, organization.invitations.get())
    assert role_of(colleague, organization) == OrgRole.COLLEAGUE
    response = client.post(reverse("portal:colleague_remove", args=[organization.pk, colleague.pk]))
    assert response.status_code == 302
    assert role_of(colleague, organization) is None
    assert AuditEvent.objects.filter(organization=organization, action="organization.colleague_removed").exists()


def test_a_colleague_cannot_manage_people_but_can_leave(client, applicant, organization):
    colleague, other = UserFactory(), UserFactory()
    for person in (colleague, other):
        OrganizationMember.objects.create(organization=organization, user=person, role=OrgRole.COLLEAGUE)
    client.force_login(colleague)
    assert client.post(reverse("portal:colleague_remove", args=[organization.pk, other.pk])).status_code == 403
    assert client.post(reverse("portal:colleague_remove", args=[organization.pk, applicant.pk])).status_code == 403
    assert client.post(reverse("portal:colleague_add", args=[organization.pk]),
                       {"email": UserFactory().email}).status_code == 403
    assert role_of(other, organization) == OrgRole.COLLEAGUE
    assert client.post(reverse("portal:colleague_remove", args=[organization.pk, colleague.pk])).status_code == 302
    assert role_of(colleague, organization) is None


def test_the_owner_cannot_be_removed(client, applicant, organization):
    client.force_login(applicant)
    response = client.post(reverse("portal:colleague_remove", args=[organization.pk, applicant.pk]))
    assert response.status_code == 400
    assert role_of(applicant, organization) == OrgRole.OWNER


def test_hand_over_ownership_so_the_organisation_survives_turnover(client, applicant, organization):
    successor = UserFactory()
    OrganizationMember.objects.create(organization=organization, user=successor, role=OrgRole.COLLEAGUE)
    client.force_login(applicant)
    response = client.post(reverse("portal:hand_over", args=[organization.pk]), {"new_owner": successor.pk})
    assert response.status_code == 302
    assert role_of(successor, organization) == OrgRole.OWNER
    assert role_of(applicant, organization) == OrgRole.COLLEAGUE
    assert AuditEvent.objects.filter(organization=organization,
                                     action="organization.ownership_handed_over").exists()
    # The former owner can now leave; the new owner manages the people.
    assert client.post(reverse("portal:colleague_remove", args=[organization.pk, applicant.pk])).status_code == 302
    client.force_login(successor)
    assert client.get(reverse("portal:organization", args=[organization.pk])).status_code == 200


def test_hand_over_to_an_outsider_is_refused(client, applicant, organization):
    outsider = OrganizationFactory().owner
    client.force_login(applicant)
    response = client.post(reverse("portal:hand_over", args=[organization.pk]), {"new_owner": outsider.pk})
    assert response.status_code == 400
    assert role_of(applicant, organization) == OrgRole.OWNER


def test_another_organisation_is_not_found(client, applicant, other_applicant):
    other_org = other_applicant.organizations.get()
    client.force_login(applicant)
    for url in (reverse("portal:organization", args=[other_org.pk]),
                reverse("portal:organization_edit", args=[other_org.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("portal:colleague_add", args=[other_org.pk]),
                       {"email": applicant.email}).status_code == 404
    assert role_of(applicant, other_org) is None


def test_editing_the_profile_is_audited(client, applicant, organization):
    from tests.portal_helpers import org_data

    client.force_login(applicant)
    data = {k.removeprefix("org-"): v for k, v in org_data(organization).items() if k.startswith("org-")}
    data["description"] = "专注行业大模型"
    response = client.post(reverse("portal:organization_edit", args=[organization.pk]), data)
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.description == "专注行业大模型"
    event = AuditEvent.objects.get(organization=organization, action="organization.updated")
    assert event.data["fields"] == ["description"]
