"""Members change the facts of their partner types that hold several values: an application partner's scenarios
(added, changed, removed), the industries a model partner serves, ticked choices (stages, modalities, …); the
whole new list is validated as the application form validates it, checked by staff who read labels, and shown on
the public page and in the directory's filters once accepted."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from partners.enums import ProfileChangeState
from partners.models import (
    ApplicationProfile,
    AuditEvent,
    InvestmentProfile,
    ModelProfile,
    ProfileChange,
    Scenario,
)
from partners.services import profile_changes as change_services
from partners.services.applications import ServiceError
from tests.factories import english_client, make_staff
from tests.public_fixtures import make_member
from tests.test_member_profile_facts import _english_and_cached  # noqa: F401  (English, the public cache on)
from tests.test_response_cache import settled

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return make_staff("service_officer", email="list-facts-officer@example.com")


@pytest.fixture
def user_org(db):
    """An application partner with two scenarios on record."""
    membership = make_member("北京智慧交通集团有限公司", types=("application",), app_industry="transport")
    profile = ApplicationProfile.objects.get(application=membership.grants.first().application)
    Scenario.objects.create(profile=profile, title="路口信号配时", description="全市路口信号优化")
    Scenario.objects.create(profile=profile, title="公交客流预测", description="线路客流预测", budget_min_10k=50,
                            budget_max_10k=200)
    return membership


@pytest.fixture
def model_team(db):
    return make_member("北京行业模型科技有限公司", types=("model", "investment"), industries=("health",))


def list_url(membership, key):
    return reverse("portal:public_fact_list", args=[membership.organization_id, key])


def scenario_post(rows, initial):
    data = {"scenarios-TOTAL_FORMS": str(len(rows)), "scenarios-INITIAL_FORMS": str(initial),
            "scenarios-MIN_NUM_FORMS": "0", "scenarios-MAX_NUM_FORMS": "10"}
    for i, row in enumerate(rows):
        data.update({f"scenarios-{i}-{name}": value for name, value in row.items()})
    return data


def test_a_member_adds_changes_and_removes_scenarios_which_show_once_staff_accept(
        user_org, officer, django_capture_on_commit_callbacks):
    portal = english_client(user_org.organization.owner)
    facts = portal.get(reverse("portal:public_facts", args=[user_org.organization_id])).content.decode()
    assert list_url(user_org, "application.scenarios") in facts
    page = portal.get(list_url(user_org, "application.scenarios")).content.decode()
    assert 'value="路口信号配时"' in page and 'value="公交客流预测"' in page
    public_url = reverse("public:member", args=[user_org.number])
    settled()
    assert "路口信号配时" in Client().get(public_url).content.decode()  # now cached
    rows = [{"title": "路口信号配时（二期）", "description": "全市路口信号优化"},  # changed
            {"title": "公交客流预测", "description": "线路客流预测", "DELETE": "on"},  # removed
            {"title": "地铁站台客流疏导", "description": "高峰客流疏导", "data_available": "闸机刷卡数据",
             "budget_min_10k": "100", "budget_max_10k": "300"}]  # added
    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(list_url(user_org, "application.scenarios"), scenario_post(rows, 2))
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ProfileChange.objects.get(profile_type="application", field="scenarios")
    assert change.state == ProfileChangeState.PENDING
    assert "地铁站台客流疏导" not in Client().get(public_url).content.decode()
    # Staff read the scenarios as lines, not as stored JSON.
    listing = english_client(officer).get(reverse("review:profile_changes")).content.decode()
    assert "Application partner: scenarios" in listing
    assert "地铁站台客流疏导: 高峰客流疏导 (data: 闸机刷卡数据; budget 100–300 (10,000 CNY))" in listing
    assert '"title"' not in listing and "&quot;title&quot;" not in listing
    with django_capture_on_commit_callbacks(execute=True):
        assert english_client(officer).post(reverse("review:profile_change_check", args=[change.pk, "accept"])
                                            ).status_code == 302
    titles = list(Scenario.objects.filter(profile__application__organization=user_org.organization)
                  .order_by("pk").values_list("title", flat=True))
    assert titles == ["路口信号配时（二期）", "地铁站台客流疏导"]
    assert AuditEvent.objects.filter(action="profile.change_accepted", data__field="application.scenarios",
                                     actor=officer).exists()
    page = Client().get(public_url).content.decode()  # the cached page was renewed by the scenarios' rows
    assert "地铁站台客流疏导" in page and "路口信号配时（二期）" in page and "公交客流预测" not in page


def test_an_invalid_scenario_is_refused_with_a_translated_message(user_org):
    person = user_org.organization.owner
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(person)
    too_long = [{"title": "长" * 101, "description": "说明"}]
    response = client.post(list_url(user_org, "application.scenarios"), scenario_post(too_long, 0))
    assert response.status_code == 400
    page = response.content.decode()
    assert "场景 1：" in page and "100" in page and "Ensure" not in page
    no_name = [{"title": "", "description": "只有说明"}]
    response = client.post(list_url(user_org, "application.scenarios"), scenario_post(no_name, 0))
    assert response.status_code == 400 and "每个应用场景都需要填写标题和说明。" in response.content.decode()
    with pytest.raises(ServiceError):  # removing every scenario: the plan wants at least one
        change_services.propose_change(person, user_org.organization, "application.scenarios", [])
    with pytest.raises(ServiceError):  # more than the application form takes
        change_services.propose_change(person, user_org.organization, "application.scenarios",
                                       [{"title": f"场景{i}", "description": "说明"} for i in range(11)])
    with pytest.raises(ServiceError):  # not a list of scenarios
        change_services.propose_change(person, user_org.organization, "application.scenarios", '{"title": 1}')
    assert not ProfileChange.objects.exists()
    assert Scenario.objects.count() == 2


def test_an_unknown_industry_code_is_a_form_error(model_team):
    person = model_team.organization.owner
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(person)
    response = client.post(list_url(model_team, "model.industries"), {"values": ["finance", "astrology"]})
    assert response.status_code == 400
    assert "astrology" in response.content.decode() and "有效" in response.content.decode()
    with pytest.raises(ServiceError) as refused:
        change_services.propose_change(person, model_team.organization, "model.industries", "finance, astrology")
    assert refused.value.field == "value"
    with pytest.raises(ServiceError):  # a code of another list
        change_services.propose_change(person, model_team.organization, "investment.stages", ["vc"])
    assert english_client(person).get(list_url(model_team, "application.scenarios")).status_code == 404
    assert not ProfileChange.objects.exists()


def test_accepted_industries_show_on_the_public_page_and_in_the_directory_filter(
        model_team, officer, django_capture_on_commit_callbacks):
    directory = reverse("public:directory")
    public_url = reverse("public:member", args=[model_team.number])
    settled()
    assert model_team.organization.name not in Client().get(directory, {"industry": "finance"}).content.decode()
    assert "Finance" not in english_client().get(public_url).content.decode()
    portal = english_client(model_team.organization.owner)
    page = portal.get(list_url(model_team, "model.industries")).content.decode()
    assert re.search(r'<input[^>]*value="health"[^>]*checked', page)  # the industries on record are ticked
    assert not re.search(r'<input[^>]*value="finance"[^>]*checked', page)
    with django_capture_on_commit_callbacks(execute=True):
        assert portal.post(list_url(model_team, "model.industries"), {"values": ["finance", "transport"]}
                           ).status_code == 302
    change = ProfileChange.objects.get(profile_type="model", field="industries")
    assert change.new_value == '["transport", "finance"]'  # in the reference data's order
    with django_capture_on_commit_callbacks(execute=True):
        change_services.check_change(officer, change, accept=True)
    profile = ModelProfile.objects.get(application=model_team.grants.first().application)
    assert set(profile.industries.values_list("code", flat=True)) == {"finance", "transport"}
    # Both cached reads were renewed: the member's page and the list filtered by the new industry.
    page = english_client().get(public_url).content.decode()
    assert "Finance" in page and "Transport" in page
    assert model_team.organization.name in Client().get(directory, {"industry": "finance"}).content.decode()
    assert model_team.organization.name not in Client().get(directory, {"industry": "health"}).content.decode()


def test_the_check_screen_shows_labels_not_codes(model_team, officer):
    person = model_team.organization.owner
    InvestmentProfile.objects.create(application=model_team.grants.first().application, fund_type="pe")
    change_services.propose_change(person, model_team.organization, "investment.fund_type", "vc")
    change_services.propose_change(person, model_team.organization, "investment.stages", ["growth", "seed"])
    change_services.propose_change(person, model_team.organization, "model.industries", ["finance"])
    listing = english_client(officer).get(reverse("review:profile_changes")).content.decode()
    assert "Venture capital" in listing and "Private equity" in listing
    assert "Seed, Growth" in listing
    assert "Health" in listing and "Finance" in listing
    assert "[&quot;" not in listing and ">vc<" not in listing
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(officer)
    listing = chinese.get(reverse("review:profile_changes")).content.decode()
    assert "金融" in listing and "医疗" in listing
