"""The page where the plan office sets each year's targets: approvers and administrators only, validated input,
an audit event, and the dashboard's progress counted against what was set."""

import pytest

from partners.models import AuditEvent, YearTarget
from partners.services import cases
from tests.catalogue_helpers import case, published
from tests.factories import english_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    settings.AXES_ENABLED = False


def test_staff_set_the_2027_targets_and_the_dashboard_counts_against_them(approver, reviewer):
    item = published(case(year=2027, kind="application"), reviewer)
    cases.designate(approver, item)
    web = english_client(approver)
    dashboard = web.get("/staff/plan/").content.decode()
    assert "/staff/plan/targets/" in dashboard
    assert "2027 Benchmark application (标杆应用) (1/10)" in dashboard  # the plan's default until one is set

    form = web.get("/staff/plan/targets/", {"year": "2027"}).content.decode()
    assert 'name="year" value="2027"' in form and 'name="applications" value="10"' in form
    response = web.post("/staff/plan/targets/", {"year": "2027", "applications": "3", "solutions": "12"})
    assert response.status_code == 302 and response["Location"] == "/staff/plan/"
    target = YearTarget.objects.get(year=2027)
    assert (target.applications, target.solutions) == (3, 12)
    event = AuditEvent.objects.get(action="target.changed")
    assert event.actor == approver and event.data["year"] == 2027 and event.data["applications"] == 3
    assert event.data["previous"] is None

    dashboard = web.get("/staff/plan/").content.decode()
    assert "2027 Benchmark application (标杆应用) (1/3)" in dashboard
    assert "2027 Industry solution (行业标杆解决方案) (0/12)" in dashboard
    assert "(1/3)" in english_client().get("/plan/").content.decode()
    progress = {(p.year, p.kind): (p.count, p.target) for p in cases.target_progress([2027])}
    assert progress == {(2027, "application"): (1, 3), (2027, "solution"): (0, 12)}

    web.post("/staff/plan/targets/", {"year": "2027", "applications": "4", "solutions": "12"})
    assert YearTarget.objects.get(year=2027).applications == 4
    assert AuditEvent.objects.filter(action="target.changed").latest("id").data["previous"] == {
        "applications": 3, "solutions": 12}


def test_staff_without_the_role_get_403(reviewer, service_officer, applicant):
    for person in (reviewer, service_officer, applicant):
        web = english_client(person)
        assert web.get("/staff/plan/targets/").status_code == 403
        assert web.post("/staff/plan/targets/", {"year": "2027", "applications": "3",
                                                 "solutions": "3"}).status_code == 403
    assert "/staff/plan/targets/" not in english_client(reviewer).get("/staff/plan/").content.decode()
    assert english_client().get("/staff/plan/targets/").status_code == 302
    assert not YearTarget.objects.exists()


@pytest.mark.parametrize("bad", [
    {"year": "1999", "applications": "10", "solutions": "10"},
    {"year": "20x7", "applications": "10", "solutions": "10"},
    {"year": "2027", "applications": "0", "solutions": "10"},
    {"year": "2027", "applications": "-4", "solutions": "10"},
    {"year": "2027", "applications": "10", "solutions": "1001"},
    {"year": "2027", "applications": "2.5", "solutions": "10"},
    {"year": "2027", "applications": "99999999999999999999", "solutions": "10"},
    {"year": "2027", "applications": "", "solutions": ""},
    {},
], ids=["year-too-early", "year-not-a-number", "zero", "negative", "too-many", "fraction", "huge", "empty", "nothing"])
def test_bad_input_is_a_form_error(administrator, bad):
    response = english_client(administrator).post("/staff/plan/targets/", bad)
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not YearTarget.objects.exists() and not AuditEvent.objects.filter(action="target.changed").exists()


def test_the_service_bounds_the_targets_whatever_calls_it(administrator):
    from partners.services.applications import ServiceError

    for kwargs in ({"applications": 0, "solutions": 10}, {"applications": 10, "solutions": 5000},
                   {"applications": "10", "solutions": 10}, {"applications": True, "solutions": 10}):
        with pytest.raises(ServiceError):
            cases.set_target(administrator, 2027, **kwargs)
    with pytest.raises(ServiceError):
        cases.set_target(administrator, 2101, applications=10, solutions=10)
    assert not YearTarget.objects.exists()
