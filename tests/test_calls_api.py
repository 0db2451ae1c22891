"""API v1 for staff keys: calls with their rubrics and counts, and the expert panel's aggregate."""

import pytest

from partners.models import Application, ExpertAssignment
from partners.services import calls as call_services
from partners.services import panel as panel_services
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import OrganizationFactory, make_staff, submitted_application

pytestmark = pytest.mark.django_db


def api(user):
    _key, token = key_for(user)
    client = client_for(token)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def scored(administrator, reviewer):
    call = call_services.continuous_call()
    panel_services.save_rubric(administrator, call, "data", [{"name": "数据质量", "weight": "2"},
                                                             {"name": "合规", "weight": "1"}])
    experts = [make_staff("expert", email=f"api-expert{n}@example.com") for n in range(2)]
    for person in experts:
        panel_services.invite_expert(administrator, call, person)
    application = submitted_application(OrganizationFactory().owner)
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 2)
    criteria = list(panel_services.rubrics_of(application)[0].criteria.all())
    for assignment, values in zip(ExpertAssignment.objects.filter(application=application).order_by("pk"),
                                  ([5, 2], [2, 5]), strict=True):
        panel_services.fire(assignment.expert, assignment, "declare_none")
        panel_services.save_scores(assignment.expert, assignment, {c.pk: v for c, v in zip(criteria, values,
                                                                                             strict=True)},
                                   "意见")
        panel_services.fire(assignment.expert, assignment, "submit_scores")
    return call, application


def test_staff_keys_read_calls_with_rubrics_and_counts(scored, reviewer):
    call, application = scored
    response = api(reviewer).get("/api/v1/calls/")
    assert response.status_code == 200, response.content
    [item] = [c for c in response.json()["results"] if c["id"] == str(call.public_id)]
    assert item["always_open"] and item["is_open"]
    assert item["rubrics"][0]["partner_type"] == "data"
    assert [c["name"] for c in item["rubrics"][0]["criteria"]] == ["数据质量", "合规"]
    assert item["counts"]["submitted"]["data"] == 1
    one = api(reviewer).get(f"/api/v1/calls/{call.public_id}/")
    assert one.status_code == 200 and one.json()["title"] == call.title


def test_staff_keys_read_the_panel_aggregate(scored, approver):
    _call, application = scored
    response = api(approver).get(f"/api/v1/applications/{application.public_id}/panel/")
    assert response.status_code == 200, response.content
    [block] = response.json()["rubrics"]
    # Weighted totals (5·2+2)/3 = 4 and (2·2+5)/3 = 3.
    assert block["experts"] == 2 and block["mean"] == "3.50" and block["spread"] == "1.00"
    assert block["large_spread"] is True  # 3 points apart on one criterion of a 1–5 scale
    assert [c["mean"] for c in block["criteria"]] == ["3.50", "3.50"]
    assert response.json()["comments"] == ["意见", "意见"]


def test_applicant_keys_see_neither(scored, applicant):
    _call, application = scored
    client = api(applicant)
    assert client.get("/api/v1/calls/").status_code == 403
    assert client.get(f"/api/v1/applications/{application.public_id}/panel/").status_code == 403
