"""The expert panel: rubrics per call and type, balanced assignment, conflicts of interest before anything is seen,
scores from draft to submitted, the others' scores only after one's own, the aggregate for staff, reminders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import workflow
from partners.enums import ExpertAssignmentState as E
from partners.models import (
    Application,
    AuditEvent,
    Call,
    ExpertAssignment,
    Notification,
    OrganizationMember,
    PanelExpert,
)
from partners.services import calls as call_services
from partners.services import panel as panel_services
from tests.factories import OrganizationFactory, english_client, make_staff, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def expert(n):
    return make_staff("expert", email=f"expert{n}@example.com", display_name=f"专家{n}")


@pytest.fixture
def call(administrator):
    call = call_services.continuous_call()
    panel_services.save_rubric(administrator, call, "data", [
        {"name": "数据质量", "name_en": "Data quality", "weight": "3",
         "score_guidance": {"1": {"zh": "很差", "en": "poor"}, "5": {"zh": "优秀", "en": "excellent"}}},
        {"name": "合规", "name_en": "Compliance", "weight": "1"},
    ])
    return call


@pytest.fixture
def panel(call, administrator):
    experts = [expert(n) for n in range(1, 5)]
    for person in experts:
        panel_services.invite_expert(administrator, call, person)
    return experts


def applications(n):
    return [submitted_application(OrganizationFactory().owner) for _ in range(n)]


def assigned(application, person):
    return ExpertAssignment.objects.get(application=application, expert=person)


def score(person, assignment, values, comment="", submit=True):
    criteria = list(panel_services.rubrics_of(assignment.application)[0].criteria.all())
    panel_services.fire(person, assignment, "declare_none")
    panel_services.save_scores(person, assignment, {c.pk: v for c, v in zip(criteria, values, strict=True)},
                               comment)
    if submit:
        panel_services.fire(person, assignment, "submit_scores")
    return ExpertAssignment.objects.get(pk=assignment.pk)


def test_n_experts_per_application_balanced_over_all_results(call, panel, reviewer):
    apps = applications(6)
    created, short = panel_services.assign_panel(reviewer, call, Application.objects.filter(
        pk__in=[a.pk for a in apps]), per_application=2)
    assert created == 12 and short == []
    loads = [ExpertAssignment.objects.filter(expert=p).count() for p in panel]
    assert loads == [3, 3, 3, 3]
    for application in apps:
        assert ExpertAssignment.objects.filter(application=application).count() == 2
    # Running it again adds nobody: every application has its experts.
    assert panel_services.assign_panel(reviewer, call, Application.objects.filter(
        pk__in=[a.pk for a in apps]), per_application=2) == (0, [])


def test_a_visible_relation_blocks_the_assignment(call, panel, reviewer):
    application = applications(1)[0]
    # Expert 1 acts for the applicant; expert 2 for an organisation with the same credit-code root;
    # expert 3 is the application's contact.
    OrganizationMember.objects.create(organization=application.organization, user=panel[0], role="colleague")
    code = application.organization.credit_code
    sibling = OrganizationFactory(credit_code=code[:2] + ("110105" if code[2:8] != "110105" else "110108")
                                  + code[8:])
    OrganizationMember.objects.create(organization=sibling, user=panel[1], role="colleague")
    Application.objects.filter(pk=application.pk).update(contact_email=panel[2].email)
    assert "acts for this organisation" in panel_services.visible_relation(panel[0], application)
    assert "credit code root" in panel_services.visible_relation(panel[1], application)
    application.refresh_from_db()
    assert "contact person" in panel_services.visible_relation(panel[2], application)
    created, short = panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 2)
    assert created == 1 and short == [application.pk]
    assert list(ExpertAssignment.objects.filter(application=application).values_list("expert", flat=True)) == [
        panel[3].pk]


def test_an_expert_sees_nothing_of_the_application_before_declaring(call, panel, reviewer):
    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 1)
    assignment = ExpertAssignment.objects.get(application=application)
    client = english_client(assignment.expert)
    page = client.get(reverse("panel:assignment", args=[assignment.pk])).content.decode()
    assert "Conflict of interest" in page
    assert "提供高质量中文语料与标注服务。" not in page
    assert client.get(reverse("panel:application_pdf", args=[assignment.pk])).status_code == 404


def test_an_expert_with_a_declared_conflict_cannot_open_the_application(call, panel, reviewer):
    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 1)
    assignment = ExpertAssignment.objects.get(application=application)
    client = english_client(assignment.expert)
    response = client.post(reverse("panel:declare", args=[assignment.pk]),
                           {"declaration": "conflict", "reason": "曾任该公司顾问", "expected_state": "assigned"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == E.CONFLICT and assignment.conflict_reason == "曾任该公司顾问"
    # The assignment is gone from the expert's list; the application stays closed to them.
    assert assignment not in panel_services.my_assignments(assignment.expert)
    assert "提供高质量中文语料与标注服务。" not in client.get(
        reverse("panel:assignment", args=[assignment.pk])).content.decode()
    assert client.get(reverse("panel:application_pdf", args=[assignment.pk])).status_code == 404
    with pytest.raises(panel_services.ServiceError):
        panel_services.save_scores(assignment.expert, assignment, {})
    # Staff see the declared conflict; a new assignment picks another expert.
    detail = english_client(reviewer).get(reverse("review:detail", args=[application.pk])).content.decode()
    assert "曾任该公司顾问" in detail
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 1)
    fresh = ExpertAssignment.objects.get(application=application, state=E.ASSIGNED)
    assert fresh.expert != assignment.expert
    assert AuditEvent.objects.filter(application=application, action="panel.declare_conflict").exists()


def test_a_relation_found_after_assignment_blocks_the_declaration(call, panel, reviewer):
    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 1)
    assignment = ExpertAssignment.objects.get(application=application)
    OrganizationMember.objects.create(organization=application.organization, user=assignment.expert,
                                      role="colleague")
    with pytest.raises(workflow.TransitionError) as refused:
        panel_services.fire(assignment.expert, assignment, "declare_none")
    assert refused.value.code == "conflict_of_interest"
    assignment.refresh_from_db()
    assert assignment.state == E.ASSIGNED


def test_another_expert_or_an_applicant_cannot_open_an_assignment(call, panel, reviewer, applicant):
    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 1)
    assignment = ExpertAssignment.objects.get(application=application)
    other = next(p for p in panel if p != assignment.expert)
    assert english_client(other).get(reverse("panel:assignment", args=[assignment.pk])).status_code == 404
    assert english_client(applicant).get(reverse("panel:assignment", args=[assignment.pk])).status_code == 403
    with pytest.raises(workflow.TransitionError):
        panel_services.fire(other, assignment, "declare_none")


def test_scores_go_from_draft_to_submitted_and_others_are_seen_only_after(call, panel, reviewer, approver):
    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 3)
    first, second, third = ExpertAssignment.objects.filter(application=application).order_by("pk")
    score(first.expert, first, [5, 1], comment="数据规模大，合规材料不足")
    draft = score(second.expert, second, [3, 3], submit=False)
    assert draft.state == E.SCORING
    page = english_client(second.expert).get(reverse("panel:assignment", args=[second.pk])).content.decode()
    assert "数据规模大" not in page and "panel-mean" not in page  # not before their own scores are in
    with pytest.raises(workflow.TransitionError):
        panel_services.fire(third.expert, third, "submit_scores")  # must declare first
    panel_services.fire(second.expert, second, "submit_scores")
    page = english_client(second.expert).get(reverse("panel:assignment", args=[second.pk])).content.decode()
    assert "数据规模大" in page and "3.50" in page
    with pytest.raises(panel_services.ServiceError):
        panel_services.save_scores(second.expert, second, {})  # submitted scores stay as they are
    # The reviewer and the approver see the aggregate, the comments and the spread flag.
    [block] = panel_services.aggregate(application)
    assert block["experts"] == 2 and block["mean"] == Decimal("3.50") and block["large_spread"]
    for person in (reviewer, approver):
        detail = english_client(person).get(reverse("review:detail", args=[application.pk])).content.decode()
        assert "3.50" in detail and "panel-large-spread" in detail and "数据规模大" in detail


def test_a_score_outside_the_scale_is_refused(call, panel, reviewer):
    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 1)
    assignment = ExpertAssignment.objects.get(application=application)
    panel_services.fire(assignment.expert, assignment, "declare_none")
    criterion = panel_services.rubrics_of(application)[0].criteria.first()
    client = english_client(assignment.expert)
    response = client.post(reverse("panel:scores", args=[assignment.pk]), {f"score-{criterion.pk}": "9"})
    assert response.status_code == 400 and "run from 1 to 5" in response.content.decode()
    response = client.post(reverse("panel:scores", args=[assignment.pk]), {f"score-{criterion.pk}": "x"})
    assert response.status_code == 400
    response = client.post(reverse("panel:scores", args=[assignment.pk]), {f"score-{criterion.pk}": "4",
                                                                           "submit": ""})
    assert response.status_code == 400 and "Score every criterion" in response.content.decode()


def test_rubrics_are_copied_to_the_next_call(call, administrator):
    new = call_services.save_call(administrator, None, title="2027年第一批", opens_at=timezone.now(),
                                  closes_at=timezone.now() + timedelta(days=30))
    [rubric] = new.rubrics.all()
    assert rubric.partner_type == "data"
    assert [(c.name, c.weight) for c in rubric.criteria.all()] == [("数据质量", Decimal("3.00")),
                                                                   ("合规", Decimal("1.00"))]
    assert rubric.criteria.first().score_guidance["5"]["zh"] == "优秀"


def test_experts_are_reminded_once_before_the_panel_deadline(call, panel, reviewer):
    application = applications(1)[0]
    Call.objects.filter(pk=call.pk).update(panel_deadline=timezone.now() + timedelta(days=1))
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 2)
    first = ExpertAssignment.objects.filter(application=application).first()
    score(first.expert, first, [4, 4])
    assert panel_services.remind_experts() == 1  # only the expert whose scores are not in
    assert panel_services.remind_experts() == 0
    [note] = Notification.objects.filter(template_key="panel.reminder")
    assert note.recipient != first.expert


def test_an_expert_account_is_a_staff_account_needing_a_second_factor(settings):
    from partners.services.security import mfa_required

    settings.MFA_REQUIRED_FOR_STAFF = True
    assert mfa_required(expert(9))


def test_only_experts_of_the_panel_are_invited(call, administrator, applicant):
    with pytest.raises(panel_services.ServiceError):
        panel_services.invite_expert(administrator, call, applicant)
    assert not PanelExpert.objects.filter(expert=applicant).exists()


def test_an_expert_finds_the_panel_pages_from_every_page(panel):
    page = english_client(panel[0]).get(reverse("panel:home")).content.decode()
    assert reverse("panel:home") in page and "My expert reviews" in page
    assert reverse("privacy:account") in page  # where the second factor is set up


def test_the_reviewer_takes_an_expert_off_before_the_scores_are_in(call, panel, reviewer, approver):
    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 2)
    first, second = ExpertAssignment.objects.filter(application=application).order_by("pk")
    score(second.expert, second, [3, 3])
    assert english_client(approver).post(reverse("review:panel_remove", args=[first.pk])).status_code == 403
    client = english_client(reviewer)
    response = client.post(reverse("review:panel_remove", args=[first.pk]), {"expected_state": "assigned"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == E.REMOVED
    assert first not in panel_services.my_assignments(first.expert)
    client.post(reverse("review:panel_remove", args=[second.pk]), {"expected_state": "submitted"})
    second.refresh_from_db()
    assert second.state == E.SUBMITTED  # submitted scores stay
    assert AuditEvent.objects.filter(application=application, action="panel.remove").count() == 1


def test_the_first_level_recommendation_may_cite_the_panel_once_scores_are_in(call, panel, reviewer, approver):
    from partners.models import Decision
    from tests.test_review_decisions import act

    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 3)
    first, second, third = ExpertAssignment.objects.filter(application=application).order_by("pk")
    application = workflow.fire(application.pk, "start_review", workflow.Actor(user=reviewer))
    client = english_client(reviewer)
    page = client.get(reverse("review:detail", args=[application.pk])).content.decode()
    assert "Cite the expert panel" not in page  # nothing to cite before an expert has submitted scores
    with pytest.raises(workflow.MissingInput):
        workflow.fire(application.pk, "pass_to_final", workflow.Actor(user=reviewer),
                      recommendations={"data": "grant"}, cite_panel=True)
    score(first.expert, first, [5, 1], comment="数据规模大，合规材料不足")
    score(second.expert, second, [3, 3])
    page = client.get(reverse("review:detail", args=[application.pk])).content.decode()
    assert "Cite the expert panel" in page
    response = act(client, application, "pass_to_final", rec_data="grant", cite_panel="on")
    assert response.status_code == 302, response.content
    decision = Decision.objects.get(application=application, action="pass_to_final")
    [cited] = decision.panel["types"]
    assert cited["partner_type"] == "data" and cited["experts"] == 2
    assert (cited["mean"], cited["spread"]) == ("3.50", "1.00")  # weighted totals 4.00 and 3.00
    assert [(c["name_en"], c["mean"], c["spread"]) for c in cited["criteria"]] == [
        ("Data quality", "4.00", "2"), ("Compliance", "2.00", "2")]
    # What was cited stays as cited when a later expert submits.
    score(third.expert, third, [1, 1])
    decision.refresh_from_db()
    assert decision.panel["types"][0]["experts"] == 2
    page = english_client(approver).get(reverse("review:detail", args=[application.pk])).content.decode()
    assert "The recommendation cites the expert panel" in page
    assert '<strong class="panel-cited-mean">3.50</strong>' in page


def test_a_recommendation_without_citing_keeps_no_panel(call, panel, reviewer):
    from partners.models import Decision

    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 1)
    assignment = ExpertAssignment.objects.get(application=application)
    score(assignment.expert, assignment, [4, 4])
    workflow.fire(application.pk, "start_review", workflow.Actor(user=reviewer))
    workflow.fire(application.pk, "pass_to_final", workflow.Actor(user=reviewer), recommendations={"data": "grant"})
    assert Decision.objects.get(application=application, action="pass_to_final").panel == {}


def test_the_api_cites_the_panel_with_the_recommendation(call, panel, reviewer):
    from partners.models import Decision
    from tests.api_helpers import client_for, key_for

    application = applications(1)[0]
    panel_services.assign_panel(reviewer, call, Application.objects.filter(pk=application.pk), 1)
    workflow.fire(application.pk, "start_review", workflow.Actor(user=reviewer))
    _key, token = key_for(reviewer)
    api = client_for(token)
    url = f"/api/v1/applications/{application.public_id}/actions/pass_to_final/"
    refused = api.post(url, {"recommendations": {"data": "grant"}, "cite_panel": True}, format="json")
    assert refused.status_code == 400, refused.content  # no expert has submitted scores yet
    assignment = ExpertAssignment.objects.get(application=application)
    score(assignment.expert, assignment, [4, 2])
    response = api.post(url, {"recommendations": {"data": "grant"}, "cite_panel": True}, format="json")
    assert response.status_code == 200, response.content
    cited = Decision.objects.get(application=application, action="pass_to_final").panel["types"][0]
    assert (cited["experts"], cited["mean"]) == (1, "3.50")
