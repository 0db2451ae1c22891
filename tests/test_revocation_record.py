"""Revocation in the public record: a revoked membership is listed publicly, with its date and reason, for
REVOCATION_PUBLIC_DAYS and then no longer; a suspension never is; the staff history shows every state change."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partners.enums import MembershipState
from partners.models import Membership
from partners.services import directory
from partners.services import membership as membership_services
from tests.factories import english_client
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


def revoked_list():
    return Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:revoked"))


def test_a_revocation_is_listed_with_its_date_reason_and_types(approver, settings):
    settings.REVOCATION_PUBLIC_DAYS = 365
    member = make_member("北京撤销示例科技有限公司", types=("compute", "model"))
    staff = english_client(approver)
    form = staff.get(reverse("review:member", args=[member.pk])).content.decode()
    assert "list of revoked memberships shows it for 365" in form  # staff are told the reason goes public
    response = staff.post(reverse("review:member_change", args=[member.pk]),
                          {"action": "revoke", "revoke-action": "revoke", "revoke-reason": "提供虚假材料"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.state == MembershipState.REVOKED and member.revoked_at is not None
    page = revoked_list()
    assert page.status_code == 200
    body = page.content.decode()
    assert "北京撤销示例科技有限公司" in body and member.number in body and "提供虚假材料" in body
    assert timezone.localtime(member.revoked_at).strftime("%Y-%m-%d") in body
    assert "Compute partner" in body and "Model partner" in body
    # The directory leads there; the member itself is no longer in the directory.
    directory_page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:directory")).content.decode()
    assert reverse("public:revoked") in directory_page and member.number not in directory_page


def test_a_revocation_leaves_the_list_after_the_configured_period(approver, settings):
    settings.REVOCATION_PUBLIC_DAYS = 30
    recent = make_member("北京近期撤销有限公司")
    old = make_member("北京早已撤销有限公司")
    for member in (recent, old):
        membership_services.revoke(approver, member, "违规")
    now = timezone.now()
    Membership.objects.filter(pk=recent.pk).update(revoked_at=now - timedelta(days=29))
    Membership.objects.filter(pk=old.pk).update(revoked_at=now - timedelta(days=31))
    assert list(directory.revoked_members()) == [recent]
    body = revoked_list().content.decode()
    assert "北京近期撤销有限公司" in body and "北京早已撤销有限公司" not in body
    # A longer period brings it back: the record is kept, only its publication ends.
    settings.REVOCATION_PUBLIC_DAYS = 365
    assert "北京早已撤销有限公司" in revoked_list().content.decode()


def test_a_suspension_is_not_listed_publicly(approver):
    member = make_member("北京暂停示例有限公司")
    membership_services.suspend(approver, member, "未报送年度更新")
    body = revoked_list().content.decode()
    assert "北京暂停示例有限公司" not in body and "未报送年度更新" not in body
    assert list(directory.revoked_members()) == []


def test_a_member_admitted_again_leaves_the_list(approver):
    member = make_member("北京重新入库有限公司")
    membership_services.revoke(approver, member, "违规")
    assert list(directory.revoked_members()) == [member]
    Membership.objects.filter(pk=member.pk).update(state=MembershipState.ACTIVE)
    assert list(directory.revoked_members()) == []


def test_the_staff_history_shows_suspension_reinstatement_and_revocation(approver):
    member = make_member("北京历史示例有限公司")
    membership_services.suspend(approver, member, "暂停原因")
    membership_services.reinstate(approver, member, "恢复原因")
    membership_services.revoke(approver, member, "撤销原因")
    page = english_client(approver).get(reverse("review:member", args=[member.pk])).content.decode()
    for code, reason in (("member.suspended", "暂停原因"), ("member.reinstated", "恢复原因"),
                         ("member.revoked", "撤销原因")):
        assert f'data-event="{code}"' in page and reason in page
    assert page.index('data-event="member.suspended"') < page.index('data-event="member.reinstated"') \
        < page.index('data-event="member.revoked"')
