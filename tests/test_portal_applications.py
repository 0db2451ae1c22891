"""My applications: list, timeline, staff messages, actions allowed now, withdraw, changes then resubmit."""

import pytest
from django.urls import reverse

from partners import workflow
from partners.enums import ApplicationState, OrgRole
from partners.models import AuditEvent, InternalNote, OrganizationMember
from tests.factories import UserFactory, advance
from tests.portal_helpers import org_data, step_url, submit

pytestmark = pytest.mark.django_db


def detail(client, application):
    return client.get(reverse("portal:application", args=[application.pk]))


def test_my_applications_lists_each_with_its_state(client, applicant, submitted, draft):
    client.force_login(applicant)
    page = client.get(reverse("portal:home")).content.decode()
    for application in (submitted, draft):
        assert reverse("portal:application", args=[application.pk]) in page
    assert "state-submitted" in page and "state-draft" in page


def test_colleagues_see_the_organisations_applications(client, submitted):
    colleague = UserFactory()
    OrganizationMember.objects.create(organization=submitted.organization, user=colleague, role=OrgRole.COLLEAGUE)
    client.force_login(colleague)
    assert detail(client, submitted).status_code == 200


def test_timeline_shows_only_what_the_applicant_may_see(client, applicant, submitted, reviewer, approver):
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=reviewer, approver=approver)
    workflow.fire(application.pk, "return_to_review", workflow.Actor(user=approver), message="内部：再核实算力数据")
    InternalNote.objects.create(application=application, author=reviewer, body="内部备注：疑似重复")
    client.force_login(applicant)
    response = detail(client, application)
    page = response.content.decode()
    timeline = response.context["timeline"]
    visible = set(AuditEvent.objects.filter(application=application, visible_to_applicant=True)
                  .values_list("id", flat=True))
    assert len(timeline) == len(visible)
    assert "内部：再核实算力数据" not in page and "内部备注" not in page
    assert reviewer.email not in page and approver.email not in page  # staff are the plan office
    assert [t.action for t in response.context["actions"]] == ["withdraw"]


def test_withdraw_with_a_reason(client, applicant, submitted):
    client.force_login(applicant)
    response = client.post(reverse("portal:application_action", args=[submitted.pk, "withdraw"]),
                           {"reason": "公司战略调整", "expected_state": "submitted"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.WITHDRAWN
    event = AuditEvent.objects.get(application=submitted, action="application.withdrawn")
    assert event.data["reason"] == "公司战略调整"
    assert "公司战略调整" in detail(client, submitted).content.decode()
    # The partner type is free again for a new application.
    assert not submitted.requested_types.filter(is_open=True).exists()


def test_withdraw_twice_gives_a_clear_message(client, applicant, submitted):
    client.force_login(applicant)
    url = reverse("portal:application_action", args=[submitted.pk, "withdraw"])
    client.post(url, {"expected_state": "submitted"})
    second = client.post(url, {"expected_state": "submitted"})
    assert second.status_code == 409
    assert "alert-danger" in second.content.decode()
    assert AuditEvent.objects.filter(application=submitted, action="application.withdrawn").count() == 1


def test_no_withdrawal_after_a_decision(client, applicant, submitted, reviewer, approver):
    application = advance(submitted, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    client.force_login(applicant)
    assert not detail(client, application).context["can_withdraw"]
    response = client.post(reverse("portal:application_action", args=[application.pk, "withdraw"]),
                           {"expected_state": "publicity"})
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.state == ApplicationState.PUBLICITY


def test_changes_requested_then_resubmitted(client, applicant, submitted, reviewer):
    application = advance(submitted, ApplicationState.IN_REVIEW, reviewer=reviewer)
    workflow.fire(application.pk, "request_changes", workflow.Actor(user=reviewer),
                  message="请补充法定代表人信息。", points=["法定代表人姓名", "注册地址与执照一致"])
    client.force_login(applicant)
    page = detail(client, application).content.decode()
    assert "请补充法定代表人信息。" in page and "注册地址与执照一致" in page
    assert step_url(application, "organization") in page

    org = application.organization
    response = client.post(step_url(application, "organization"),
                           {**org_data(org, **{"org-legal_representative": "钱伟"}), "next": ""})
    assert response.status_code == 302
    # The partner types are fixed after submission.
    locked = client.post(step_url(application, "types"), {"partner_types": ["compute"], "save": ""})
    assert locked.status_code == 409
    assert application.partner_types == ["data"]

    response = submit(client, application, expected_state="changes_requested")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    revisions = list(application.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].snapshot["organization"]["legal_representative"] == "李明"
    assert revisions[1].snapshot["organization"]["legal_representative"] == "钱伟"
    assert AuditEvent.objects.filter(application=application, action="application.resubmitted").exists()


def test_steps_cannot_be_edited_after_submission(client, applicant, submitted):
    client.force_login(applicant)
    org = submitted.organization
    response = client.get(step_url(submitted, "organization"))
    assert response.status_code == 302
    forged = client.post(step_url(submitted, "organization"),
                         {**org_data(org, **{"org-legal_representative": "伪造"}), "save": ""})
    assert forged.status_code == 409
    org.refresh_from_db()
    assert org.legal_representative == "李明"


def test_a_second_open_application_for_the_same_type_is_refused(client, applicant, organization, submitted):
    client.force_login(applicant)
    client.post(reverse("portal:application_new"), {"organization": organization.pk})
    second = organization.applications.latest("pk")
    response = client.post(step_url(second, "types"), {"partner_types": ["data", "compute"], "save": ""})
    assert response.status_code == 400
    assert second.requested_types.count() == 0
    ok = client.post(step_url(second, "types"), {"partner_types": ["compute"], "save": ""})
    assert ok.status_code == 302
    assert second.partner_types == ["compute"]


def test_user_b_can_neither_see_nor_act_on_user_as_application(client, submitted, other_applicant, draft):
    client.force_login(other_applicant)
    attachment = submitted.attachments.first()
    for url in (reverse("portal:application", args=[submitted.pk]), step_url(draft, "organization"),
                step_url(draft, "review"), reverse("portal:attachment_download", args=[attachment.pk])):
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("portal:application_action", args=[submitted.pk, "withdraw"]), {"expected_state": "submitted"}),
        (step_url(draft, "types"), {"partner_types": ["model"], "save": ""}),
        (step_url(draft, "review"), {"declaration": "on", "expected_state": "draft", "submit": ""}),
        (reverse("portal:attachment_delete", args=[submitted.pk, attachment.pk]), {}),
        (reverse("portal:application_new"), {"organization": submitted.organization_id}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED and draft.state == ApplicationState.DRAFT
    assert draft.requested_types.count() == 0
    assert submitted.attachments.count() == 1
    # B's own page lists none of A's applications.
    page = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:application", args=[submitted.pk]) not in page


def test_a_nonexistent_id_looks_the_same_as_a_foreign_one(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("portal:application", args=[999999])).status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, submitted):
    response = client.get(reverse("portal:application", args=[submitted.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_forged_staff_actions_are_refused(client, applicant, submitted, reviewer):
    client.force_login(applicant)
    for action, state in (("start_review", "submitted"), ("approve", "submitted"), ("admit", "submitted")):
        response = client.post(reverse("portal:application_action", args=[submitted.pk, action]),
                               {"expected_state": state})
        assert response.status_code in (403, 409), action
        assert "alert-danger" in response.content.decode()
    assert client.post(reverse("portal:application_action", args=[submitted.pk, "explode"]),
                       {"expected_state": "submitted"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED


def test_submitting_someone_elses_state_is_refused(client, applicant, draft):
    client.force_login(applicant)
    response = client.post(reverse("portal:application_action", args=[draft.pk, "submit"]),
                           {"expected_state": "in_review"})
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT


def test_staff_without_an_organisation_are_sent_to_their_screens(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("review:dashboard")
