"""Member requests (诉求) on the workflow engine: raised → referred → resolved → confirmed, reopened, SLA escalation
by the periodic job through fire(), the pages of both sides, and the monthly report."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import workflow
from partners.enums import MemberRequestState as R
from partners.models import AuditEvent, MemberRequest, Membership, Notification, OfficerScope
from partners.services import member_requests as request_services
from partners.services import member_service
from partners.services.applications import ServiceError
from partners.workflow import engine
from tests.factories import english_client, make_staff
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    officer = make_staff("service_officer", email="officer@example.com", display_name="Officer Wang")
    admin = make_staff("administrator", email="admin@example.com")
    membership = make_member("北京诉求科技有限公司", district="110108")
    member_service.assign_officers(officer, Membership.objects.filter(pk=membership.pk), city_officer=officer)
    person = membership.organization.owner
    return {"officer": officer, "admin": admin, "membership": membership, "person": person}


def _raise(world, **kwargs):
    return request_services.raise_request(world["person"], world["membership"], kind=kwargs.get("kind", "compute"),
                                          title=kwargs.get("title", "需要训练算力"),
                                          description="希望对接算力伙伴,约200卡时")


def test_the_process_is_registered_with_the_engine():
    process = engine.get_process("member_request")
    assert process is workflow.MEMBER_REQUEST
    assert {"refer", "resolve", "confirm", "reopen", "escalate"} == set(process.actions)
    assert "member_request --> " not in engine.mermaid("member_request")  # states, not the process name
    assert "raised --> referred: refer" in engine.mermaid("member_request")


def test_raised_referred_resolved_confirmed(world):
    member_request = _raise(world)
    assert member_request.state == R.RAISED and member_request.officer == world["officer"]
    assert Notification.objects.filter(template_key="staff.member_request.raised", recipient=world["officer"]).exists()
    assert Notification.objects.filter(template_key="member_request.received", recipient=world["person"]).exists()
    # The member cannot refer; the officer can, and must say to whom and by when.
    with pytest.raises(engine.TransitionError):
        request_services.fire(world["person"], member_request, "refer", department="市经信局",
                              due_on=timezone.localdate() + timedelta(days=5))
    with pytest.raises(engine.MissingInput):
        request_services.fire(world["officer"], member_request, "refer", department="市经信局")
    due_on = timezone.localdate() + timedelta(days=7)
    member_request = request_services.fire(world["officer"], member_request, "refer", department="市经信局",
                                           due_on=due_on)
    assert member_request.state == R.REFERRED and member_request.referral_due_on == due_on
    assert timezone.localtime(member_request.due_at).date() == due_on
    member_request = request_services.fire(world["officer"], member_request, "resolve",
                                           resolution="已对接某算力伙伴,提供算力券")
    assert member_request.state == R.RESOLVED
    assert Notification.objects.filter(template_key="member_request.resolved", recipient=world["person"]).exists()
    # Only the member confirms.
    with pytest.raises(engine.TransitionError):
        request_services.fire(world["officer"], member_request, "confirm")
    member_request = request_services.fire(world["person"], member_request, "confirm")
    assert member_request.state == R.CONFIRMED and member_request.closed_at is not None
    codes = list(AuditEvent.objects.filter(action__startswith="member_request.").order_by("id")
                 .values_list("action", "from_state", "to_state"))
    assert codes == [("member_request.raised", "", "raised"), ("member_request.refer", "raised", "referred"),
                     ("member_request.resolve", "referred", "resolved"),
                     ("member_request.confirm", "resolved", "confirmed")]


def test_reopened_then_resolved_again(world):
    member_request = _raise(world)
    member_request = request_services.fire(world["officer"], member_request, "resolve", resolution="已答复政策问题")
    with pytest.raises(engine.MissingInput):
        request_services.fire(world["person"], member_request, "reopen")
    member_request = request_services.fire(world["person"], member_request, "reopen", reason="答复没有解决问题")
    assert member_request.state == R.REOPENED and member_request.resolved_at is None
    assert Notification.objects.filter(template_key="staff.member_request.reopened",
                                       recipient=world["officer"]).exists()
    member_request = request_services.fire(world["officer"], member_request, "resolve", resolution="再次答复")
    member_request = request_services.fire(world["person"], member_request, "confirm")
    assert member_request.state == R.CONFIRMED


def test_sla_escalation_runs_once_per_deadline_through_fire(world, settings):
    settings.MEMBER_REQUEST_SLA_DAYS = 10
    member_request = _raise(world)
    assert request_services.escalate_overdue_requests() == 0
    assert request_services.escalate_overdue_requests(now=timezone.now() + timedelta(days=9)) == 0
    later = timezone.now() + timedelta(days=11)
    assert request_services.escalate_overdue_requests(now=later) == 1
    assert request_services.escalate_overdue_requests(now=later) == 0
    assert request_services.escalate_overdue_requests(now=later + timedelta(days=5)) == 0
    member_request.refresh_from_db()
    assert member_request.state == R.RAISED and member_request.escalated_at is not None
    event = AuditEvent.objects.get(action="member_request.escalate")
    assert event.actor_label == "system" and event.data["request"] == member_request.pk
    escalated = Notification.objects.filter(template_key="staff.member_request.escalated")
    assert set(escalated.values_list("recipient", flat=True)) == {world["officer"].pk, world["admin"].pk}
    # Nobody fires the escalation by hand.
    with pytest.raises(engine.TransitionError):
        engine.fire("member_request", member_request.pk, "escalate", engine.Actor(user=world["admin"]))
    # A referral sets a new deadline, which may be escalated again once it passes.
    member_request = request_services.fire(world["officer"], member_request, "refer", department="区科委",
                                           due_on=timezone.localdate())
    assert member_request.escalated_at is None
    assert request_services.escalate_overdue_requests(now=timezone.now() + timedelta(days=2)) == 1
    assert AuditEvent.objects.filter(action="member_request.escalate").count() == 2


def test_district_officer_handles_only_their_districts_requests(world):
    other = make_staff("service_officer", email="chaoyang@example.com")
    OfficerScope.objects.create(user=other, district_id="110105")
    member_request = _raise(world)
    with pytest.raises(engine.TransitionError):
        request_services.fire(other, member_request, "resolve", resolution="x")
    client = english_client(other)
    assert client.get(reverse("review:member_request", args=[member_request.pk])).status_code == 404
    assert "需要训练算力" not in client.get(reverse("review:member_requests")).content.decode()


def test_bad_input_is_refused_with_a_message(world):
    with pytest.raises(ServiceError):
        request_services.raise_request(world["person"], world["membership"], kind="bribe", title="x",
                                       description="y")
    with pytest.raises(ServiceError):
        request_services.raise_request(world["person"], world["membership"], kind="data", title="x" * 201,
                                       description="y")
    member_request = _raise(world)
    with pytest.raises(ServiceError):
        request_services.fire(world["officer"], member_request, "refer", department="x", due_on="2020-01-01")
    with pytest.raises(ServiceError):
        request_services.fire(world["officer"], member_request, "refer", department="x", due_on="soon")


def test_member_raises_and_confirms_in_the_portal(world):
    client = english_client(world["person"])
    url = reverse("portal:member_requests", args=[world["membership"].organization_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"kind": "nonsense", "title": "", "description": ""}).status_code == 400
    response = client.post(url, {"kind": "data", "title": "需要医疗数据集", "description": "用于模型微调"})
    assert response.status_code == 302
    member_request = MemberRequest.objects.get(title="需要医疗数据集")
    assert not member_request.recorded_by_officer
    # Strangers see nothing of it.
    stranger = english_client(make_member("北京别家有限公司").organization.owner)
    assert stranger.get(reverse("portal:member_request", args=[member_request.pk])).status_code == 404
    assert stranger.get(url).status_code == 404
    # The officer resolves on the staff page; the member confirms in the portal.
    staff = english_client(world["officer"])
    page = staff.get(reverse("review:member_request", args=[member_request.pk]))
    assert page.status_code == 200 and 'data-action="resolve"' in page.content.decode()
    assert staff.post(reverse("review:member_request_act", args=[member_request.pk, "resolve"]),
                      {"resolution": ""}).status_code == 400
    assert staff.post(reverse("review:member_request_act", args=[member_request.pk, "resolve"]),
                      {"resolution": "已推荐数据伙伴"}).status_code == 302
    assert staff.post(reverse("review:member_request_act", args=[member_request.pk, "resolve"]),
                      {"resolution": "again"}).status_code == 409
    page = client.get(reverse("portal:member_request", args=[member_request.pk])).content.decode()
    assert 'data-action="confirm"' in page and 'data-action="reopen"' in page
    assert client.post(reverse("portal:member_request_act", args=[member_request.pk, "confirm"])).status_code == 302
    member_request.refresh_from_db()
    assert member_request.state == R.CONFIRMED


def test_officer_records_a_request_for_the_member(world):
    client = english_client(world["officer"])
    response = client.post(reverse("review:member_request_new", args=[world["membership"].pk]),
                           {"request-kind": "site", "request-title": "需要办公场地", "request-description": "约500平米"})
    assert response.status_code == 302
    member_request = MemberRequest.objects.get(title="需要办公场地")
    assert member_request.recorded_by_officer and member_request.officer == world["officer"]


def test_monthly_report_per_officer_district_and_kind(world):
    first = _raise(world, kind="compute")
    second = _raise(world, kind="compute", title="第二个")
    third = _raise(world, kind="policy", title="政策咨询")
    request_services.fire(world["officer"], third, "resolve", resolution="已答复")
    request_services.fire(world["person"], third, "confirm")
    MemberRequest.objects.filter(pk=first.pk).update(due_at=timezone.now() - timedelta(hours=1))
    today = timezone.localdate()
    rows = request_services.monthly_report(world["admin"], today.year, today.month)
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["compute"]["officer"] == "Officer Wang" and by_kind["compute"]["district"] == "Haidian"
    assert (by_kind["compute"]["open"], by_kind["compute"]["overdue"], by_kind["compute"]["closed"]) == (2, 1, 0)
    assert (by_kind["policy"]["open"], by_kind["policy"]["closed"]) == (0, 1)
    assert second.pk
    client = english_client(world["admin"])
    page = client.get(reverse("review:member_request_report"), {"month": f"{today.year}-{today.month:02d}"})
    assert page.status_code == 200 and "Officer Wang" in page.content.decode()
    csv_text = client.get(reverse("review:member_request_report"),
                          {"month": f"{today.year}-{today.month:02d}", "format": "csv"}).content.decode("utf-8-sig")
    assert "Officer Wang,Haidian,Compute,2,1,0" in csv_text
    assert client.get(reverse("review:member_request_report"), {"month": "2026-13"}).status_code == 400
    last_year = request_services.monthly_report(world["admin"], today.year - 1, today.month)
    assert last_year == []


def test_the_api_lists_requests_and_fires_their_actions(world):
    from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401

    member_request = _raise(world)
    _key, officer_token = key_for(world["officer"])
    officer = client_for(officer_token)
    listed = officer.get("/api/v1/member-requests/")
    assert listed.status_code == 200
    row = listed.json()["results"][0]
    assert row["id"] == str(member_request.public_id) and row["state"] == "raised"
    assert {a["action"] for a in row["available_actions"]} == {"refer", "resolve"}
    url = f"/api/v1/member-requests/{member_request.public_id}/actions/"
    missing = officer.post(url + "refer/", {"department": "市经信局"}, format="json")
    assert missing.status_code == 400
    answer = officer.post(url + "resolve/", {"resolution": "已对接"}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "resolved"
    event = AuditEvent.objects.get(action="member_request.resolve")
    assert event.actor_label.startswith("api-key:")
    _key, member_token = key_for(world["person"])
    member = client_for(member_token)
    assert member.post(url + "resolve/", {"resolution": "x"}, format="json").status_code == 403
    confirmed = member.post(url + "confirm/", {}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert member.post(url + "confirm/", {}, format="json").status_code == 409
    assert officer.post(url + "bribe/", {}, format="json").status_code == 404
    # Another member's people see nothing of it.
    _key, stranger_token = key_for(make_member("北京别家接口有限公司").organization.owner)
    stranger = client_for(stranger_token)
    assert stranger.get("/api/v1/member-requests/").json()["results"] == []
    assert stranger.get(f"/api/v1/member-requests/{member_request.public_id}/").status_code == 404
