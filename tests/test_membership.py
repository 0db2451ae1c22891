"""Admission creates or extends the membership; staff suspend, reinstate and revoke with a reason, audited."""

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.enums import ApplicationState, MembershipState, PartnerType
from partners.models import AuditEvent, Decision, MemberNumberCounter
from partners.services import membership as membership_services
from partners.services.applications import ServiceError
from tests.factories import advance, submitted_application


def later(days=8):
    return timezone.now() + timezone.timedelta(days=days)


@pytest.fixture
def member(applicant, reviewer, approver):
    application = advance(submitted_application(applicant), ApplicationState.PUBLICITY, reviewer=reviewer,
                          approver=approver)
    membership_services.admit_due_applications(now=later())
    application.refresh_from_db()
    return application.organization.membership


def test_member_numbers_follow_the_year_counter(db):
    year = timezone.localdate().year
    first = membership_services.allocate_member_number()
    second = membership_services.allocate_member_number()
    assert first == f"BJAI-{year}-00001" and second == f"BJAI-{year}-00002"
    assert MemberNumberCounter.objects.get(year=year).last == 2
    assert membership_services.allocate_member_number(2030) == "BJAI-2030-00001"


def test_admission_creates_membership_with_dated_grants_and_letter(member):
    grant = member.grants.get()
    assert grant.partner_type == "data" and grant.granted_on == timezone.localdate() and grant.ends_on is None
    assert member.state == MembershipState.ACTIVE
    decision = Decision.objects.get(application=grant.application, action="admit")
    assert member.number in decision.letter_body


def test_second_admission_extends_the_same_membership(member, applicant, reviewer, approver):
    application = advance(submitted_application(applicant, types=(PartnerType.COMPUTE,)), ApplicationState.PUBLICITY,
                          reviewer=reviewer, approver=approver)
    membership_services.admit_due_applications(now=later())
    application.refresh_from_db()
    assert application.state == ApplicationState.ADMITTED
    member.refresh_from_db()
    assert sorted(member.grants.values_list("partner_type", flat=True)) == ["compute", "data"]
    assert MemberNumberCounter.objects.get().last == 1  # no second number


@pytest.mark.parametrize("who", ["reviewer", "service_officer"])
def test_only_approvers_and_administrators_change_members(member, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(ServiceError):
        membership_services.suspend(user, member, "违规")


def test_suspend_reinstate_revoke_need_reasons_and_are_audited(member, approver):
    with pytest.raises(ServiceError):
        membership_services.suspend(approver, member, "  ")
    membership_services.suspend(approver, member, "未按期报送材料")
    with pytest.raises(ServiceError):
        membership_services.suspend(approver, member, "again")  # already suspended
    membership_services.reinstate(approver, member, "已补报")
    membership_services.revoke(approver, member, "严重违规")
    member.refresh_from_db()
    assert member.state == MembershipState.REVOKED and member.state_reason == "严重违规"
    assert member.grants.get().ends_on == timezone.localdate()
    with pytest.raises(ServiceError):
        membership_services.reinstate(approver, member, "no")
    actions = list(membership_services.member_history(member).values_list("action", flat=True))
    assert actions == ["application.admitted", "member.suspended", "member.reinstated", "member.revoked"]
    event = AuditEvent.objects.get(action="member.revoked")
    assert event.actor == approver and event.data["reason"] == "严重违规"


def test_revoked_member_admitted_again_keeps_its_number(member, applicant, approver, reviewer):
    number = member.number
    membership_services.revoke(approver, member, "严重违规")
    advance(submitted_application(applicant), ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    membership_services.admit_due_applications(now=later())
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE and member.number == number
    assert member.grants.get().ends_on is None


def test_member_screens(client, member, approver, service_officer):
    client.force_login(service_officer)
    listing = client.get(reverse("review:members"), {"q": member.number})
    assert listing.status_code == 200 and member.number in listing.content.decode()
    detail = client.get(reverse("review:member", args=[member.pk]))
    assert detail.status_code == 200 and detail.context["change_forms"] == []
    assert client.post(reverse("review:member_change", args=[member.pk]),
                       {"action": "suspend", "suspend-action": "suspend", "suspend-reason": "x"}).status_code == 403

    client.force_login(approver)
    detail = client.get(reverse("review:member", args=[member.pk]))
    assert [f["code"] for f in detail.context["change_forms"]] == ["suspend", "revoke"]
    empty = client.post(reverse("review:member_change", args=[member.pk]),
                        {"action": "suspend", "suspend-action": "suspend", "suspend-reason": ""})
    assert empty.status_code == 400
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE
    done = client.post(reverse("review:member_change", args=[member.pk]),
                       {"action": "suspend", "suspend-action": "suspend", "suspend-reason": "年度考核不合格"})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.state == MembershipState.SUSPENDED
    history = client.get(reverse("review:member", args=[member.pk]))
    assert "年度考核不合格" in history.content.decode()


def test_member_list_queries_do_not_grow_with_page_size(client, approver, reviewer, django_assert_max_num_queries):
    from tests.factories import OrganizationFactory

    for _ in range(12):
        owner = OrganizationFactory().owner
        advance(submitted_application(owner), ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    membership_services.admit_due_applications(now=later())
    client.force_login(approver)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("review:members"), {"per_page": 10})
    assert len(response.context["page"]) == 10
    with django_assert_max_num_queries(20):
        response = client.get(reverse("review:members"), {"per_page": 100})
    assert len(response.context["page"]) == 12
