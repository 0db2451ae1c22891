"""Serving the members: officers (city and district), bulk assignment, the contact log with follow-ups, reminders
sent once each, and key-enterprise flags."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.enums import ContactKind
from partners.models import AuditEvent, MemberService, Membership, Notification, OfficerScope
from partners.services import member_service
from partners.services.applications import ServiceError
from tests.factories import english_client, make_staff
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def officers(db):
    city = make_staff("service_officer", email="city-officer@example.com", display_name="City Officer")
    haidian = make_staff("service_officer", email="haidian-officer@example.com", display_name="Haidian Officer")
    OfficerScope.objects.create(user=haidian, district_id="110108")
    chaoyang = make_staff("service_officer", email="chaoyang-officer@example.com")
    OfficerScope.objects.create(user=chaoyang, district_id="110105")
    return {"city": city, "haidian": haidian, "chaoyang": chaoyang}


@pytest.fixture
def members(db):
    return {"haidian": make_member("北京海淀智算有限公司", district="110108"),
            "chaoyang": make_member("北京朝阳数据有限公司", district="110105", types=("data",))}


def test_district_officers_see_only_their_members(officers, members):
    client = english_client(officers["haidian"])
    page = client.get(reverse("review:members"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "北京海淀智算有限公司" in text and "北京朝阳数据有限公司" not in text
    assert client.get(reverse("review:member", args=[members["chaoyang"].pk])).status_code == 404
    assert client.get(reverse("review:member", args=[members["haidian"].pk])).status_code == 200
    # The city officer sees both.
    text = english_client(officers["city"]).get(reverse("review:members")).content.decode()
    assert "北京海淀智算有限公司" in text and "北京朝阳数据有限公司" in text
    # Nor can a district officer log a contact with another district's member.
    with pytest.raises(ServiceError):
        member_service.log_contact(officers["haidian"], members["chaoyang"], kind=ContactKind.CALL,
                                   contacted_on=timezone.localdate(), topics="通话")


def test_bulk_assignment_over_filtered_members(officers, members):
    extra = make_member("北京海淀模型有限公司", district="110108", types=("model",))
    changed = member_service.assign_officers(officers["city"], Membership.objects.filter(
        organization__district_id="110108"), city_officer=officers["city"], district_officer=officers["haidian"])
    assert changed == 2
    for membership in (members["haidian"], extra):
        service = MemberService.objects.get(membership=membership)
        assert (service.city_officer, service.district_officer) == (officers["city"], officers["haidian"])
    assert not MemberService.objects.filter(membership=members["chaoyang"]).exists()
    assert AuditEvent.objects.filter(action="member.officers_assigned").count() == 2
    # Assigning again changes nothing; a district officer is not given to another district's member.
    assert member_service.assign_officers(officers["city"], Membership.objects.all(),
                                          district_officer=officers["haidian"]) == 0
    # District staff assign only within their district, whatever the filter says.
    assert member_service.assign_officers(officers["chaoyang"], Membership.objects.all(),
                                          district_officer=officers["chaoyang"]) == 1
    assert MemberService.objects.get(membership=members["chaoyang"]).district_officer == officers["chaoyang"]
    with pytest.raises(ServiceError):
        member_service.assign_officers(officers["city"], Membership.objects.all(), city_officer=officers["haidian"])


def test_bulk_assignment_page_follows_the_filter(officers, members):
    client = english_client(officers["city"])
    response = client.post(reverse("review:members_assign") + "?partner_type=data",
                           {"city_officer": officers["city"].pk})
    assert response.status_code == 302
    assert MemberService.objects.get(membership=members["chaoyang"]).city_officer == officers["city"]
    assert not MemberService.objects.filter(membership=members["haidian"], city_officer__isnull=False).exists()
    bad = client.post(reverse("review:members_assign"), {"city_officer": "not-a-number"})
    assert bad.status_code == 400


def test_contact_log_with_follow_ups(officers, members):
    membership = members["haidian"]
    today = timezone.localdate()
    contact = member_service.log_contact(
        officers["haidian"], membership, kind=ContactKind.VISIT, contacted_on=today - timedelta(days=2),
        topics="算力需求与数据集对接", participants="张三、李四",
        follow_ups=[("提供算力券政策说明", today + timedelta(days=5))])
    assert contact.follow_ups.get().owner == officers["haidian"]
    assert MemberService.objects.get(membership=membership).last_contact_on == today - timedelta(days=2)
    event = AuditEvent.objects.get(action="member.contact_logged")
    assert event.data["contact"] == contact.pk and event.organization_id == membership.organization_id
    with pytest.raises(ServiceError):
        member_service.log_contact(officers["haidian"], membership, kind="fax", contacted_on=today, topics="x")
    with pytest.raises(ServiceError):
        member_service.log_contact(officers["haidian"], membership, kind=ContactKind.CALL,
                                   contacted_on=today + timedelta(days=1), topics="x")
    with pytest.raises(ServiceError):
        member_service.log_contact(officers["haidian"], membership, kind=ContactKind.CALL, contacted_on=today,
                                   topics="x", follow_ups=[("later", today - timedelta(days=1))])


def test_follow_up_reminder_sent_once(officers, members, django_capture_on_commit_callbacks):
    membership = members["haidian"]
    today = timezone.localdate()
    member_service.log_contact(officers["haidian"], membership, kind=ContactKind.CALL, contacted_on=today,
                               topics="电话回访", follow_ups=[("寄送材料", today + timedelta(days=3))])
    assert member_service.send_member_reminders()["member.followup_due"] == 0  # not due yet
    later = timezone.now() + timedelta(days=3)
    assert member_service.send_member_reminders(now=later)["member.followup_due"] == 1
    assert member_service.send_member_reminders(now=later)["member.followup_due"] == 0
    assert member_service.send_member_reminders(now=later + timedelta(days=1))["member.followup_due"] == 0
    rows = Notification.objects.filter(template_key="member.followup_due")
    assert [r.recipient for r in rows] == [officers["haidian"]]
    assert rows.get().context["action"] == "寄送材料"
    # Done follow-ups are never announced.
    member_service.log_contact(officers["haidian"], membership, kind=ContactKind.CALL, contacted_on=today,
                               topics="再次回访", follow_ups=[("已办", today)])
    follow_up = membership.follow_ups.get(action="已办")
    member_service.complete_follow_up(officers["haidian"], follow_up)
    assert member_service.send_member_reminders(now=later)["member.followup_due"] == 0


def test_uncontacted_member_reminder_sent_once_per_quiet_stretch(officers, members, settings):
    settings.MEMBER_CONTACT_INTERVAL_DAYS = 90
    membership = members["haidian"]
    Membership.objects.filter(pk=membership.pk).update(admitted_at=timezone.now() - timedelta(days=200))
    member_service.assign_officers(officers["city"], Membership.objects.filter(pk=membership.pk),
                                   city_officer=officers["city"], district_officer=officers["haidian"])
    assert member_service.send_member_reminders()["member.uncontacted"] == 2  # both officers
    assert member_service.send_member_reminders()["member.uncontacted"] == 0
    assert member_service.send_member_reminders(now=timezone.now() + timedelta(days=30))["member.uncontacted"] == 0
    assert set(Notification.objects.filter(template_key="member.uncontacted").values_list("recipient", flat=True)) \
        == {officers["city"].pk, officers["haidian"].pk}
    # A contact starts a new stretch: quiet until the interval passes again, then one more reminder each.
    member_service.log_contact(officers["haidian"], membership, kind=ContactKind.MEETING,
                               contacted_on=timezone.localdate(), topics="季度座谈")
    assert member_service.send_member_reminders(now=timezone.now() + timedelta(days=89))["member.uncontacted"] == 0
    assert member_service.send_member_reminders(now=timezone.now() + timedelta(days=91))["member.uncontacted"] == 2
    assert member_service.send_member_reminders(now=timezone.now() + timedelta(days=92))["member.uncontacted"] == 0
    # Members without an officer, and recent members, are not announced.
    assert not Notification.objects.filter(template_key="member.uncontacted",
                                           context__membership_id=members["chaoyang"].pk).exists()


def test_key_enterprise_flags(officers, members):
    membership = members["haidian"]
    today = timezone.localdate()
    service = member_service.set_key_enterprise(officers["city"], membership, level="city", flagged=True,
                                                since=today, reference="京经信发〔2026〕12号")
    assert service.key_city and service.key_city_on == today and service.key_city_reference.startswith("京经信")
    with pytest.raises(ServiceError):  # district staff may not set the city's flag
        member_service.set_key_enterprise(officers["haidian"], membership, level="city", flagged=True,
                                          since=today, reference="x")
    with pytest.raises(ServiceError):  # a flag needs its decision
        member_service.set_key_enterprise(officers["haidian"], membership, level="district", flagged=True)
    service = member_service.set_key_enterprise(officers["haidian"], membership, level="district", flagged=True,
                                                since=today, reference="海科信〔2026〕3号")
    assert service.key_district
    assert AuditEvent.objects.filter(action="member.key_enterprise_set").count() == 2
