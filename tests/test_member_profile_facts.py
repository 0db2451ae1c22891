"""Members keep the facts of their partner types current (capacity, filing numbers, fund size, …): validated as
the application form validates them, live after a staff check or at once as configured, shown on the public
member page as soon as they are live."""

import pytest
from django.core.cache import cache as django_cache
from django.test import Client
from django.urls import reverse

from partners.enums import MembershipState, ProfileChangeState
from partners.models import AuditEvent, ComputeProfile, ModelProfile, Notification, ProfileChange
from partners.services import profile_changes as change_services
from partners.services.applications import ServiceError
from tests.factories import english_client, make_staff
from tests.public_fixtures import make_member
from tests.test_response_cache import settled

pytestmark = pytest.mark.django_db

FILING = "网信算备110108823483901230031号"


@pytest.fixture(autouse=True)
def _english_and_cached(settings):
    from django.utils import translation

    settings.PROFILE_LIVE_FIELDS = ["website"]
    settings.PUBLIC_RESPONSE_CACHE = True  # the public page is cached: an accepted change must renew it
    settings.PUBLIC_LIST_STALE_SECONDS = 0
    django_cache.clear()
    with translation.override("en"):
        yield
    django_cache.clear()


@pytest.fixture
def member(db):
    membership = make_member("北京算模一体科技有限公司", types=("compute", "model"))
    application = membership.grants.first().application
    ComputeProfile.objects.create(application=application, capacity_pflops_fp16="120.00")
    ModelProfile.objects.create(application=application, base_models="DeepSeek-V3")
    return membership


@pytest.fixture
def officer(db):
    return make_staff("service_officer", email="type-facts-officer@example.com")


def profile_of(model, membership):
    return model.objects.get(application=membership.grants.first().application)


def facts_url(membership):
    return reverse("portal:public_facts", args=[membership.organization_id])


def test_a_member_proposes_capacity_and_filing_changes_that_go_live_when_staff_accept(
        member, officer, django_capture_on_commit_callbacks):
    person = member.organization.owner
    portal = english_client(person)
    page = portal.get(facts_url(member)).content.decode()
    assert 'value="compute.capacity_pflops_fp16"' in page and 'value="model.algorithm_filing"' in page
    assert 'value="data.volume_tb"' not in page  # only the types the member holds
    public_url = reverse("public:member", args=[member.number])
    settled()
    assert "120" in Client().get(public_url).content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        assert portal.post(facts_url(member), {"field": "compute.capacity_pflops_fp16", "value": "350.5"}
                           ).status_code == 302
        assert portal.post(facts_url(member), {"field": "model.algorithm_filing", "value": f" {FILING} "}
                           ).status_code == 302
    capacity = ProfileChange.objects.get(profile_type="compute", field="capacity_pflops_fp16")
    filing = ProfileChange.objects.get(profile_type="model", field="algorithm_filing")
    assert capacity.state == filing.state == ProfileChangeState.PENDING
    assert (capacity.old_value, capacity.new_value) == ("120.00", "350.5")
    assert filing.new_value == FILING  # cleaned as the application form cleans it (stripped)
    assert profile_of(ComputeProfile, member).capacity_pflops_fp16 == 120
    assert Notification.objects.filter(template_key="staff.profile_change", recipient=officer,
                                       context__change=capacity.pk).exists()
    assert "350.5" not in Client().get(public_url).content.decode()
    # The staff check screen lists both, naming the partner type.
    staff = english_client(officer)
    listing = staff.get(reverse("review:profile_changes")).content.decode()
    assert "Compute partner: capacity (PFLOPS at FP16)" in listing and FILING in listing
    with django_capture_on_commit_callbacks(execute=True):
        for change in (capacity, filing):
            assert staff.post(reverse("review:profile_change_check", args=[change.pk, "accept"])).status_code == 302
    assert profile_of(ComputeProfile, member).capacity_pflops_fp16 == 350.5
    assert profile_of(ModelProfile, member).algorithm_filing == FILING
    accepted = AuditEvent.objects.filter(action="profile.change_accepted", organization=member.organization)
    assert {e.data["field"] for e in accepted} == {"compute.capacity_pflops_fp16", "model.algorithm_filing"}
    assert all(e.actor == officer for e in accepted)
    page = Client().get(public_url).content.decode()  # the cached page was renewed by the profile's save
    assert "350.5" in page and FILING in page and "DeepSeek-V3" in page
    assert "350.5" in portal.get(facts_url(member)).content.decode()


def test_an_invalid_filing_number_is_refused_with_a_translated_message(member):
    person = member.organization.owner
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(person)
    response = client.post(facts_url(member), {"field": "model.algorithm_filing", "value": "网信算备123号"})
    assert response.status_code == 400
    assert "算法备案编号格式为" in response.content.decode()
    assert english_client(person).post(facts_url(member), {"field": "model.genai_filing", "value": "Beijing"}
                                       ).status_code == 400
    assert english_client(person).post(facts_url(member), {"field": "compute.capacity_pflops_fp16",
                                                           "value": "-3"}).status_code == 400
    with pytest.raises(ServiceError) as refused:
        change_services.propose_change(person, member.organization, "model.algorithm_filing", "ABC")
    assert "网信算备" in refused.value.message
    with pytest.raises(ServiceError):  # a field the application form does not offer members here
        change_services.propose_change(person, member.organization, "model.application", "1")
    with pytest.raises(ServiceError):  # a type the member does not hold
        change_services.propose_change(person, member.organization, "data.volume_tb", "10")
    assert not ProfileChange.objects.exists()


def test_a_refused_change_leaves_the_profile_unchanged(member, officer):
    change = change_services.propose_change(member.organization.owner, member.organization,
                                            "model.genai_filing", "Beijing-YunQue-20230821")
    change_services.check_change(officer, change, accept=False)
    change.refresh_from_db()
    assert change.state == ProfileChangeState.REJECTED
    assert profile_of(ModelProfile, member).genai_filing == ""
    assert AuditEvent.objects.filter(action="profile.change_rejected", data__field="model.genai_filing").exists()
    assert "Beijing-YunQue-20230821" not in Client().get(reverse("public:member", args=[member.number])
                                                         ).content.decode()


def test_a_field_configured_live_applies_at_once(member, settings):
    settings.PROFILE_LIVE_FIELDS = ["website", "compute.capacity_pflops_fp16"]
    change = change_services.propose_change(member.organization.owner, member.organization,
                                            "compute.capacity_pflops_fp16", "500")
    assert change.state == ProfileChangeState.ACCEPTED and change.checked_by is None
    assert profile_of(ComputeProfile, member).capacity_pflops_fp16 == 500
    assert not Notification.objects.filter(template_key="staff.profile_change").exists()
    assert "500" in Client().get(reverse("public:member", args=[member.number])).content.decode()


def test_a_suspended_member_cannot_propose(member):
    from partners.models import Membership

    Membership.objects.filter(pk=member.pk).update(state=MembershipState.SUSPENDED)
    person = member.organization.owner
    with pytest.raises(ServiceError) as refused:
        change_services.propose_change(person, member.organization, "compute.capacity_pflops_fp16", "1")
    assert refused.value.code == "forbidden"
    response = english_client(person).post(facts_url(member), {"field": "compute.capacity_pflops_fp16",
                                                               "value": "1"})
    assert response.status_code == 403 and "Suspended" in response.content.decode()
    assert not ProfileChange.objects.exists()


def test_someone_not_acting_for_the_organisation_cannot_propose(member):
    stranger = make_member("北京他人模型有限公司", types=("model",)).organization.owner
    with pytest.raises(ServiceError) as refused:
        change_services.propose_change(stranger, member.organization, "model.algorithm_filing", FILING)
    assert refused.value.code == "forbidden"
    client = english_client(stranger)
    assert client.get(facts_url(member)).status_code == 404
    assert client.post(facts_url(member), {"field": "model.algorithm_filing", "value": FILING}).status_code == 404
    assert not ProfileChange.objects.exists()
