"""Pairings (结对): one side proposes, the other accepts, the plan office confirms and records the scenario
application or pilot case formed; every step is fired through the workflow engine, audited and notified."""

from datetime import date

import pytest
from django.urls import reverse

from partners import workflow
from partners.enums import PairingState
from partners.models import AuditEvent, Notification, PairingMilestone
from partners.services import pairings
from partners.services.applications import ServiceError
from tests.factories import UserFactory, english_client
from tests.public_fixtures import make_member
from tests.subsidy_helpers import model_team, staff_team, standing_pairing, user_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def staff(db):
    return staff_team()


def propose(application, model, *, by="application"):
    organization, partner = (application, model) if by == "application" else (model, application)
    return pairings.propose(organization.owner, organization, side=by, partner=partner, scenario="智能客服",
                            model_title="客服大模型", starts_on=date(2024, 5, 1))


def test_either_side_proposes_the_other_accepts_and_staff_confirm(staff):
    application, model = user_unit(), model_team()
    pairing = propose(application, model, by="model")
    assert pairing.state == PairingState.PROPOSED and pairing.counterpart == application
    # The proposer cannot accept its own proposal; the other side can.
    with pytest.raises(workflow.TransitionError):
        pairings.fire(model.owner, pairing, "accept")
    assert [t.action for t in workflow.available_actions(pairing, application.owner)] == ["accept", "decline"]
    assert [t.action for t in workflow.available_actions(pairing, model.owner)] == ["withdraw"]
    pairing = pairings.fire(application.owner, pairing, "accept")
    assert pairing.state == PairingState.ACCEPTED
    # Members cannot confirm; staff can.
    with pytest.raises(workflow.TransitionError):
        pairings.fire(application.owner, pairing, "confirm")
    pairing = pairings.fire(staff["reviewer"], pairing, "confirm")
    assert pairing.state == PairingState.CONFIRMED and pairing.confirmed_at
    with pytest.raises(workflow.MissingInput):
        pairings.fire(staff["reviewer"], pairing, "mark_formed", outcome="pilot_case")
    with pytest.raises(workflow.MissingInput):
        pairings.fire(staff["reviewer"], pairing, "mark_formed", outcome="anything", evidence="x")
    pairing = pairings.fire(staff["reviewer"], pairing, "mark_formed", outcome="scenario_application",
                            evidence="应用场景清单第12项")
    assert pairing.state == PairingState.FORMED and pairing.outcome == "scenario_application"
    codes = list(AuditEvent.objects.filter(data__pairing=pairing.pk).order_by("id").values_list("action", flat=True))
    assert codes == ["pairing.proposed", "pairing.accept", "pairing.confirm", "pairing.mark_formed"]
    # The other side was asked to act; both sides heard of the confirmation.
    assert Notification.objects.filter(template_key="pairing.proposed", recipient=application.owner).exists()
    confirmed = Notification.objects.filter(template_key="pairing.decided", context__action="confirm")
    assert set(confirmed.values_list("recipient", flat=True)) == {application.owner.pk, model.owner.pk}
    assert Notification.objects.filter(template_key="staff.pairing.accepted", recipient=staff["reviewer"]).exists()


def test_only_members_of_the_right_partner_types_pair():
    application, model = user_unit(), model_team()
    stranger = make_member("北京某数据公司", types=("data",)).organization
    with pytest.raises(ServiceError) as refused:
        propose(application, stranger)
    assert "model partner" in refused.value.message.lower()
    with pytest.raises(ServiceError):
        pairings.propose(UserFactory(), application, side="application", partner=model, scenario="x",
                         model_title="y", starts_on=date(2024, 1, 1))
    propose(application, model)
    with pytest.raises(ServiceError) as twice:
        propose(application, model)
    assert twice.value.code == "duplicate"


def test_staff_who_act_for_a_side_cannot_confirm(staff):
    application, model = user_unit(), model_team()
    pairing = propose(application, model)
    pairings.fire(model.owner, pairing, "accept")
    from partners.models import OrganizationMember

    OrganizationMember.objects.create(organization=model, user=staff["approver"], role="colleague")
    verdict = workflow.PAIRING.permission(staff["approver"], workflow.PAIRING.get_transition("accepted", "confirm"),
                                          pairing)
    assert not verdict.allowed and verdict.code == "four_eyes"


def test_decline_needs_a_reason_and_a_race_leaves_one_winner(staff):
    application, model = user_unit(), model_team()
    pairing = propose(application, model)
    with pytest.raises(workflow.MissingInput):
        pairings.fire(model.owner, pairing, "decline")
    pairings.fire(model.owner, pairing, "accept", expected_state="proposed")
    with pytest.raises(workflow.AlreadyChanged):
        pairings.fire(model.owner, pairing, "decline", reason="改变计划", expected_state="proposed")


def test_milestones_are_reported_once_confirmed_by_either_side(staff):
    application, model = user_unit(), model_team()
    pairing = propose(application, model)
    with pytest.raises(ServiceError):
        pairings.report_milestone(application.owner, pairing, reached_on=date(2024, 6, 1), title="完成数据对接")
    pairing = standing_pairing(staff, formed=False, application=user_unit("北京某区政务中心"), model=model)
    pairings.report_milestone(pairing.application_partner.owner, pairing, reached_on=date(2024, 6, 1),
                              title="完成数据对接")
    pairings.report_milestone(model.owner, pairing, reached_on=date(2024, 7, 1), title="模型上线试运行")
    with pytest.raises(ServiceError):
        pairings.report_milestone(UserFactory(), pairing, reached_on=date(2024, 7, 1), title="x")
    assert list(PairingMilestone.objects.filter(pairing=pairing).values_list("title", flat=True)) == [
        "完成数据对接", "模型上线试运行"]
    assert AuditEvent.objects.filter(action="pairing.milestone_reported", data__pairing=pairing.pk).count() == 2


def test_a_standing_pairing_is_on_both_members_public_pages(staff, settings):
    pairing = standing_pairing(staff)
    client = english_client()
    for organization in (pairing.application_partner, pairing.model_partner):
        page = client.get(reverse("public:member", args=[organization.membership.number])).content.decode()
        assert pairing.scenario in page, organization
        assert pairing.application_partner.name in page and pairing.model_partner.name in page
    # A proposal that is not confirmed is not shown.
    other = propose(user_unit("北京某银行"), pairing.model_partner)
    page = client.get(reverse("public:member", args=[pairing.model_partner.membership.number])).content.decode()
    assert other.application_partner.name not in page
    settings.PAIRINGS_PUBLIC = False
    assert pairings.public_of(pairing.model_partner) == []


def test_workflow_diagram_draws_the_pairing_and_claim_processes():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("workflow_diagram", stdout=out)
    text = out.getvalue()
    for name in ("pairing", "subsidy_claim"):
        assert workflow.mermaid(name) in text
        for t in workflow.engine.get_process(name).transitions:
            assert f"{t.source} --> {t.target}: {t.action}" in text
    assert "confirmed --> formed: mark_formed" in text and "approved --> paid: pay" in text


def test_the_readme_shows_the_pairing_and_claim_diagrams():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in ("pairing", "subsidy_claim"):
        assert f"```mermaid\n{workflow.mermaid(name)}\n```" in readme


def test_notifications_lead_to_the_pairing_page(staff):
    from partners.services.notifications import target_path

    pairing = standing_pairing(staff, formed=False)
    asked = Notification.objects.filter(template_key="pairing.proposed").first()
    assert target_path(asked) == reverse("portal:pairing", args=[pairing.pk])
    to_staff = Notification.objects.filter(template_key="staff.pairing.accepted").first()
    assert target_path(to_staff) == reverse("review:pairing", args=[pairing.pk])


def test_a_confirmation_renews_the_cached_member_pages(staff):
    application, model = user_unit("北京某缓存测试医院"), model_team("北京某缓存测试模型公司")
    pairing = propose(application, model)
    pairings.fire(model.owner, pairing, "accept")
    client = english_client()
    url = reverse("public:member", args=[model.membership.number])
    assert "智能客服" not in client.get(url).content.decode()  # read (and cached) before the confirmation
    pairings.fire(staff["reviewer"], pairing, "confirm")
    assert "智能客服" in client.get(url).content.decode()
    assert "智能客服" in client.get(reverse("public:member", args=[application.membership.number])).content.decode()
