"""Member upkeep: the annual update asks, reminds, escalates and lists the members that did not answer; members
change public facts, live after a staff check or at once as configured."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.enums import AnnualUpdateState, MembershipState, ProfileChangeState
from partners.models import AnnualUpdate, AuditEvent, Notification, OfficerScope, Organization
from partners.services import annual_update as annual_services
from partners.services import membership as membership_services
from partners.services import profile_changes as change_services
from partners.services.applications import ServiceError
from tests.factories import english_client, make_staff
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def members(db):
    return [make_member("北京年报一有限公司"), make_member("北京年报二有限公司", district="110105"),
            make_member("北京已暂停有限公司", state=MembershipState.SUSPENDED)]


def test_annual_cycle_asks_reminds_escalates_and_lists_non_responders(members, settings):
    settings.ANNUAL_UPDATE_DATE = "03-01"
    settings.ANNUAL_UPDATE_REMIND_DAYS = 14
    settings.ANNUAL_UPDATE_ESCALATE_DAYS = 30
    admin = make_staff("administrator", email="annual-admin@example.com")
    year = timezone.localdate().year
    answering, silent, suspended = members
    # Before the day nothing happens.
    assert annual_services.run_annual_update(now=at(year, 2, 28)) == {"asked": 0, "reminded": 0, "escalated": 0}
    asked_day = at(year, 3, 1)
    assert annual_services.run_annual_update(now=asked_day)["asked"] == 2  # active members only
    assert annual_services.run_annual_update(now=asked_day)["asked"] == 0
    assert not AnnualUpdate.objects.filter(membership=suspended).exists()
    asked = Notification.objects.filter(template_key="annual_update.asked")
    assert set(asked.values_list("recipient", flat=True)) == {answering.organization.owner.pk,
                                                              silent.organization.owner.pk}
    # One member answers in the portal.
    client = english_client(answering.organization.owner)
    url = reverse("portal:annual_update", args=[answering.organization_id])
    assert client.post(url, {"projects": "x", "compute_used": "-3"}).status_code == 400
    assert client.post(url, {"projects": "政务大模型项目", "pilot_cases": "2个试点", "compute_used": "120.5",
                             "facts_confirmed": "on"}).status_code == 302
    update = AnnualUpdate.objects.get(membership=answering)
    assert update.state == AnnualUpdateState.RESPONDED and str(update.compute_used) == "120.50"
    assert AuditEvent.objects.filter(action="annual_update.answered", organization=answering.organization).exists()
    # Reminders after two weeks, once; only to the silent member.
    assert annual_services.run_annual_update(now=at(year, 3, 10))["reminded"] == 0
    assert annual_services.run_annual_update(now=at(year, 3, 16))["reminded"] == 1
    assert annual_services.run_annual_update(now=at(year, 3, 20))["reminded"] == 0
    reminded = Notification.objects.get(template_key="annual_update.reminder")
    assert reminded.recipient == silent.organization.owner
    # Escalation to the staff after a month, once.
    assert annual_services.run_annual_update(now=at(year, 3, 30))["escalated"] == 0
    assert annual_services.run_annual_update(now=at(year, 4, 1))["escalated"] == 1
    assert annual_services.run_annual_update(now=at(year, 4, 2))["escalated"] == 0
    assert Notification.objects.get(template_key="staff.annual_update.overdue").context["count"] == 1
    # The staff list names the non-responders; district staff see only theirs.
    assert list(annual_services.non_responders(admin, year)) == [silent]
    page = english_client(admin).get(reverse("review:annual_non_responders"), {"year": year}).content.decode()
    assert "北京年报二有限公司" in page and "北京年报一有限公司" not in page
    haidian = make_staff("service_officer", email="annual-haidian@example.com")
    OfficerScope.objects.create(user=haidian, district_id="110108")
    assert list(annual_services.non_responders(haidian, year)) == []
    assert english_client(admin).get(reverse("review:annual_non_responders"), {"year": "abc"}).status_code == 400
    # Staff may suspend a non-responder; it then leaves the list.
    approver = make_staff("approver", email="annual-approver@example.com")
    membership_services.suspend(approver, silent, "未报送年度更新")
    assert list(annual_services.non_responders(admin, year)) == []


def test_a_misspelt_annual_day_is_refused(settings):
    settings.ANNUAL_UPDATE_DATE = "13-40"
    with pytest.raises(ValueError):
        annual_services.ask_day(2026)
    settings.ANNUAL_UPDATE_DATE = "02-29"
    assert annual_services.ask_day(2027).isoformat() == "2027-02-28"


def test_public_fact_changes_wait_for_a_staff_check_or_go_live_at_once(members, settings):
    settings.PROFILE_LIVE_FIELDS = ["website"]
    membership = members[0]
    person = membership.organization.owner
    officer = make_staff("service_officer", email="facts-officer@example.com")
    live = change_services.propose_change(person, membership.organization, "website", "https://example.com/ai")
    assert live.state == ProfileChangeState.ACCEPTED
    assert Organization.objects.get(pk=membership.organization_id).website == "https://example.com/ai"
    pending = change_services.propose_change(person, membership.organization, "name_en", "Beijing Annual One Ltd")
    assert pending.state == ProfileChangeState.PENDING
    assert Organization.objects.get(pk=membership.organization_id).name_en != "Beijing Annual One Ltd"
    assert Notification.objects.filter(template_key="staff.profile_change", recipient=officer).exists()
    staff = english_client(officer)
    assert "Beijing Annual One Ltd" in staff.get(reverse("review:profile_changes")).content.decode()
    assert staff.post(reverse("review:profile_change_check", args=[pending.pk, "accept"])).status_code == 302
    assert Organization.objects.get(pk=membership.organization_id).name_en == "Beijing Annual One Ltd"
    with pytest.raises(ServiceError):
        change_services.check_change(officer, pending, accept=False)
    with pytest.raises(ServiceError):
        change_services.propose_change(person, membership.organization, "credit_code", "x")
    with pytest.raises(ServiceError):
        change_services.propose_change(person, membership.organization, "website", "javascript:alert(1)")
    stranger = make_member("北京他人有限公司").organization.owner
    with pytest.raises(ServiceError):
        change_services.propose_change(stranger, membership.organization, "website", "https://evil.example")
    portal = english_client(person)
    url = reverse("portal:public_facts", args=[membership.organization_id])
    assert portal.get(url).status_code == 200
    assert portal.post(url, {"field": "description", "value": "新的介绍"}).status_code == 302
    assert portal.post(url, {"field": "nonsense", "value": "x"}).status_code == 400


def test_member_history_shows_state_changes(members):
    approver = make_staff("approver", email="history-approver@example.com")
    membership = members[0]
    membership_services.suspend(approver, membership, "暂停")
    membership_services.reinstate(approver, membership, "恢复")
    codes = [e.action for e in membership_services.member_history(membership)]
    assert codes == ["member.suspended", "member.reinstated"]
