"""Every decision path through the staff screens: 初审 pass, request changes, reject; 复审 approve, reject, return."""

import pytest
from django.urls import reverse

from partners import workflow
from partners.enums import ApplicationState, PartnerType
from partners.models import Decision, InternalNote, ReviewMessage
from tests.factories import advance, submitted_application


def act(client, application, action, expected_state=None, **fields):
    data = {"action": action, f"{action}-action": action,
            f"{action}-expected_state": expected_state or application.state}
    for key, value in fields.items():
        data[f"{action}-{key}"] = value
    return client.post(reverse("review:act", args=[application.pk]), data)


@pytest.fixture
def two_types(applicant):
    return submitted_application(applicant, types=(PartnerType.DATA, PartnerType.MODEL))


def test_detail_shows_exactly_the_allowed_actions(client, submitted, reviewer, approver):
    client.force_login(reviewer)
    response = client.get(reverse("review:detail", args=[submitted.pk]))
    assert response.status_code == 200
    actions = [a["transition"].action for a in response.context["actions"]]
    assert actions == ["start_review"]
    client.force_login(approver)
    response = client.get(reverse("review:detail", args=[submitted.pk]))
    assert response.context["actions"] == []


def test_first_review_pass_with_per_type_recommendation(client, two_types, reviewer):
    client.force_login(reviewer)
    assert act(client, two_types, "start_review").status_code == 302
    two_types.refresh_from_db()
    assert two_types.state == ApplicationState.IN_REVIEW
    assert two_types.assigned_reviewer == reviewer
    response = act(client, two_types, "pass_to_final", rec_data="grant", rec_model="decline", message="数据资质齐全")
    assert response.status_code == 302, response.content
    two_types.refresh_from_db()
    assert two_types.state == ApplicationState.FINAL_REVIEW
    assert two_types.first_reviewed_by == reviewer
    recs = dict(two_types.requested_types.values_list("partner_type", "recommendation"))
    assert recs == {"data": "grant", "model": "decline"}
    assert Decision.objects.get(application=two_types, action="pass_to_final").per_type == recs
    assert InternalNote.objects.filter(application=two_types, body="数据资质齐全").exists()


def test_pass_needs_a_recommendation_for_every_type(client, two_types, reviewer):
    client.force_login(reviewer)
    act(client, two_types, "start_review")
    two_types.refresh_from_db()
    response = act(client, two_types, "pass_to_final", rec_data="grant")
    assert response.status_code == 400
    two_types.refresh_from_db()
    assert two_types.state == ApplicationState.IN_REVIEW


def test_request_changes_needs_message_and_points(client, submitted, reviewer):
    client.force_login(reviewer)
    act(client, submitted, "start_review")
    submitted.refresh_from_db()
    assert act(client, submitted, "request_changes", message="请补充", points="  \n ").status_code == 400
    assert act(client, submitted, "request_changes", message="", points="营业执照").status_code == 400
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.IN_REVIEW
    response = act(client, submitted, "request_changes", message="请补充材料", points="营业执照模糊\n补充算力规模")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.CHANGES_REQUESTED
    message = ReviewMessage.objects.get(application=submitted)
    assert message.points == ["营业执照模糊", "补充算力规模"]
    decision = Decision.objects.get(application=submitted, action="request_changes")
    assert "营业执照模糊" in decision.letter_body


def test_first_review_reject_needs_reason_and_keeps_letter(client, submitted, reviewer):
    client.force_login(reviewer)
    act(client, submitted, "start_review")
    submitted.refresh_from_db()
    assert act(client, submitted, "reject", message="   ").status_code == 400
    assert act(client, submitted, "reject", message="不符合条件").status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.REJECTED
    decision = Decision.objects.get(application=submitted, action="reject")
    assert decision.level == "first"
    assert "不符合条件" in decision.letter_body
    assert not submitted.requested_types.filter(is_open=True).exists()


def test_final_approve_grants_a_subset(client, two_types, reviewer, approver):
    application = advance(two_types, ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    client.force_login(approver)
    response = act(client, application, "approve", granted_types=["data"])
    assert response.status_code == 302, response.content
    application.refresh_from_db()
    assert application.state == ApplicationState.PUBLICITY
    assert application.publicity_ends_at is not None
    assert dict(application.requested_types.values_list("partner_type", "granted")) == {"data": True, "model": False}
    decision = Decision.objects.get(application=application, action="approve")
    assert decision.per_type == {"data": "granted", "model": "declined"}
    assert application.organization.name in decision.letter_body


def test_approve_refuses_a_type_not_requested(client, submitted, reviewer, approver):
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    client.force_login(approver)
    assert act(client, application, "approve", granted_types=["compute"]).status_code == 400
    with pytest.raises(workflow.MissingInput):
        workflow.fire(application.pk, "approve", workflow.Actor(user=approver), granted_types=["compute"])
    application.refresh_from_db()
    assert application.state == ApplicationState.FINAL_REVIEW


def test_final_reject(client, submitted, reviewer, approver):
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    client.force_login(approver)
    assert act(client, application, "reject", message="复审未通过").status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.REJECTED
    assert application.final_decided_by == approver
    assert Decision.objects.get(application=application, action="reject").level == "final"


def test_return_to_first_review(client, submitted, reviewer, approver):
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    client.force_login(approver)
    assert act(client, application, "return_to_review", message="").status_code == 400
    assert act(client, application, "return_to_review", message="请核实数据规模").status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    assert InternalNote.objects.filter(application=application, body="请核实数据规模").exists()


def test_stale_expected_state_reports_who_decided(client, submitted, reviewer, reviewer2):
    client.force_login(reviewer)
    act(client, submitted, "start_review")
    client.force_login(reviewer2)
    response = act(client, submitted, "start_review", expected_state=ApplicationState.SUBMITTED)
    assert response.status_code == 409
    text = response.content.decode()
    assert "reviewer@example.com" in text


def test_applicant_cannot_post_staff_actions(client, submitted, applicant):
    client.force_login(applicant)
    assert act(client, submitted, "start_review").status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED
