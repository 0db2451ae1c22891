"""Notifications: who hears of each trigger, in which language, with preferences, digests and supersession."""

import pytest
from django.core import mail
from django.utils import timezone

from partners import workflow
from partners.enums import ApplicationState, NotificationState, PartnerType
from partners.models import JoinRequest, Notification
from partners.services import notifications as notify
from partners.services.applications import ServiceError
from partners.services.digest import send_digests
from partners.services.review import assign, file_objection
from tests.factories import UserFactory, advance, submitted_application

pytestmark = pytest.mark.django_db


def kinds(**filters):
    return sorted(Notification.objects.filter(**filters).values_list("template_key", flat=True))


def mail_to(address):
    return [m for m in mail.outbox if address in m.to]


def html_of(message):
    return next(content for content, mime in message.alternatives if mime == "text/html")


def test_submission_sends_receipt_and_tells_the_reviewers_pool(applicant, reviewer, reviewer2,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application = submitted_application(applicant)
    assert callbacks, "sending is queued only after the commit"
    assert kinds(recipient=applicant) == ["application.submitted"]
    assert kinds(recipient=reviewer) == ["staff.application.submitted"]
    assert kinds(recipient=reviewer2) == ["staff.application.submitted"]
    receipt = mail_to(applicant.email)
    assert len(receipt) == 1
    assert application.organization.name in receipt[0].subject
    assert "我们已收到" not in receipt[0].body or applicant.language == "zh-hans"
    assert html_of(receipt[0]).lstrip().startswith("<!doctype html>")
    assert len(mail_to(reviewer.email)) == 1
    assert Notification.objects.filter(state=NotificationState.SENT).count() == 3


def test_nothing_is_queued_before_the_commit(applicant, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submitted_application(applicant)
    assert len(callbacks) == 2
    assert mail.outbox == []
    assert set(Notification.objects.values_list("state", flat=True)) == {NotificationState.PENDING}


def test_email_is_in_the_recipients_language(applicant, reviewer, django_capture_on_commit_callbacks):
    applicant.language = "en"
    applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(applicant)
    english = mail_to(applicant.email)[0]
    assert english.subject.startswith("We received your application")
    assert "Open in the registry" in english.body
    assert '<html lang="en">' in html_of(english)
    chinese = mail_to(reviewer.email)[0]  # reviewers default to zh-hans
    assert '<html lang="zh-hans">' in html_of(chinese)


def test_changes_requested_is_action_required_with_the_points(applicant, reviewer, submitted,
                                                              django_capture_on_commit_callbacks):
    applicant.language = "en"
    applicant.save()
    application = advance(submitted, ApplicationState.IN_REVIEW, reviewer=reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fire(application.pk, "request_changes", workflow.Actor(user=reviewer),
                      message="Please complete the licence.", points=["Upload a clearer licence", "Add the <b>scale</b>"])
    message = mail_to(applicant.email)[0]
    assert message.subject.startswith("Action required")
    assert "• Upload a clearer licence" in message.body
    assert "<b>scale</b>" in message.body  # the text part is plain text
    assert "&lt;b&gt;scale&lt;/b&gt;" in html_of(message)  # the HTML part escapes what people typed
    row = Notification.objects.get(recipient=applicant, template_key="application.changes_requested")
    assert row.essential


def test_approval_and_admission_carry_the_letter_and_the_member_number(applicant, reviewer, approver, submitted,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = advance(submitted, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    approved = [m for m in mail_to(applicant.email) if "审核通过" in m.subject or "Approved" in m.subject]
    assert len(approved) == 1
    assert "公示" in approved[0].body
    assert application.decisions.get(action="approve").letter_body.splitlines()[0] in approved[0].body
    mail.outbox.clear()
    from partners.services.membership import admit_due_applications

    with django_capture_on_commit_callbacks(execute=True):
        admit_due_applications(now=timezone.now() + timezone.timedelta(days=30))
    number = application.organization.membership.number
    admitted = mail_to(applicant.email)
    assert len(admitted) == 1 and number in admitted[0].body


def test_rejection_carries_the_reason_and_the_letter(applicant, reviewer, submitted, django_capture_on_commit_callbacks):
    application = advance(submitted, ApplicationState.IN_REVIEW, reviewer=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fire(application.pk, "reject", workflow.Actor(user=reviewer), message="不符合申报条件")
    message = mail_to(applicant.email)[-1]
    assert "未通过" in message.subject
    assert "不符合申报条件" in message.body
    assert "很遗憾" in message.body


def test_withdrawal_is_confirmed(applicant, submitted, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    from partners.services.applications import withdraw

    with django_capture_on_commit_callbacks(execute=True):
        withdraw(applicant, submitted, reason="改年再报")
    assert kinds(recipient=applicant, template_key="application.withdrawn") == ["application.withdrawn"]
    assert "撤回" in mail_to(applicant.email)[0].subject


def test_final_review_goes_to_approvers_but_not_the_first_reviewer(applicant, reviewer, approver, approver2,
                                                                   submitted, django_capture_on_commit_callbacks):
    from partners.enums import StaffRole
    from tests.factories import make_staff

    both = make_staff(StaffRole.REVIEWER, email="both@example.com")
    both.groups.add(*__import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.filter(name="approver"))
    with django_capture_on_commit_callbacks(execute=True):
        advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=both)
    assert kinds(template_key="staff.application.passed_to_final") == ["staff.application.passed_to_final"] * 2
    assert not Notification.objects.filter(recipient=both, template_key="staff.application.passed_to_final").exists()


def test_assignment_and_objection_tell_staff(applicant, reviewer, approver, administrator, submitted,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assign(administrator, [submitted.pk], reviewer)
    assert kinds(recipient=reviewer, template_key="staff.application.assigned") == ["staff.application.assigned"]
    approver2 = UserFactory(email="a2@example.com")
    application = advance(submitted, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    with django_capture_on_commit_callbacks(execute=True):
        file_objection(application, name="公众", contact="13800000000", reason="材料不实")
    assert kinds(recipient=approver, template_key="staff.objection.filed") == ["staff.objection.filed"]
    assert not Notification.objects.filter(recipient=approver2).exists()


def test_join_request_tells_the_owner(applicant, organization, django_capture_on_commit_callbacks):
    colleague = UserFactory(display_name="李雷")
    join_request = JoinRequest.objects.create(organization=organization, user=colleague, message="我是技术负责人")
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify.notify_join_request(join_request)
        again = notify.notify_join_request(join_request)
    assert [r.recipient for r in rows] == [applicant]
    assert again == [None]  # deduplicated
    message = mail_to(applicant.email)[0]
    assert "李雷" in message.subject and "我是技术负责人" in message.body
    assert rows[0].essential
    from django.urls import reverse

    assert notify.target_path(rows[0]) == reverse("portal:organization", args=[organization.pk])


def test_non_essential_kinds_can_be_turned_off_but_decisions_cannot(applicant, reviewer,
                                                                   django_capture_on_commit_callbacks):
    notify.set_preferences(reviewer, {"staff.application.submitted": notify.OFF})
    notify.set_preferences(applicant, {"application.submitted": notify.OFF})
    with pytest.raises(ServiceError):
        notify.set_preferences(applicant, {"application.rejected": notify.OFF})
    with pytest.raises(ServiceError):
        notify.set_preferences(applicant, {"application.submitted": "sometimes"})
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted_application(applicant)
    assert not Notification.objects.filter(recipient__in=[applicant, reviewer]).exists()
    application = advance(application, ApplicationState.IN_REVIEW, reviewer=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fire(application.pk, "reject", workflow.Actor(user=reviewer), message="no")
    assert kinds(recipient=applicant) == ["application.rejected", "application.review_started"]


def test_daily_digest_replaces_one_mail_per_event(applicant, other_applicant, reviewer,
                                                  django_capture_on_commit_callbacks):
    notify.set_preferences(reviewer, {"staff.application.submitted": notify.DIGEST})
    with django_capture_on_commit_callbacks(execute=True):
        first = submitted_application(applicant)
        second = submitted_application(other_applicant)
    assert mail_to(reviewer.email) == []
    assert notify.unread_count(reviewer) == 2  # the inbox has them at once
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 1
        assert send_digests() == 0
    digest = mail_to(reviewer.email)
    assert len(digest) == 1
    assert first.organization.name in digest[0].body and second.organization.name in digest[0].body
    assert set(Notification.objects.filter(recipient=reviewer, template_key="staff.application.submitted")
               .values_list("state", flat=True)) == {NotificationState.SENT}


def test_a_newer_decision_cancels_superseded_pending_mail(applicant, reviewer, approver, submitted,
                                                          django_capture_on_commit_callbacks):
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    with django_capture_on_commit_callbacks(execute=False):
        workflow.fire(application.pk, "approve", workflow.Actor(user=approver), granted_types=[PartnerType.DATA])
        workflow.fire(application.pk, "uphold_objection", workflow.Actor(user=approver), message="异议成立")
    approved = Notification.objects.get(recipient=applicant, template_key="application.approved")
    upheld = Notification.objects.get(recipient=applicant, template_key="application.objection_upheld")
    assert approved.state == NotificationState.CANCELLED
    assert upheld.state == NotificationState.PENDING
    assert approved not in notify.inbox(applicant)


def test_inactive_people_get_nothing(applicant, reviewer, django_capture_on_commit_callbacks):
    reviewer.is_active = False
    reviewer.save()
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(applicant)
    assert not Notification.objects.filter(recipient=reviewer).exists()


def test_resubmission_goes_to_the_assigned_reviewer_and_a_return_to_the_first_reviewer(
        applicant, reviewer, reviewer2, approver, submitted, django_capture_on_commit_callbacks):
    application = advance(submitted, ApplicationState.IN_REVIEW, reviewer=reviewer)
    workflow.fire(application.pk, "request_changes", workflow.Actor(user=reviewer), message="补充材料",
                  points=["营业执照"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fire(application.pk, "resubmit", workflow.Actor(user=applicant))
    assert kinds(template_key="staff.application.resubmitted") == ["staff.application.resubmitted"]
    assert Notification.objects.get(template_key="staff.application.resubmitted").recipient == reviewer
    assert kinds(recipient=applicant, template_key="application.resubmitted") == ["application.resubmitted"]
    workflow.fire(application.pk, "pass_to_final", workflow.Actor(user=reviewer),
                  recommendations={t: "grant" for t in application.partner_types})
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fire(application.pk, "return_to_review", workflow.Actor(user=approver), message="请核实算力规模")
    returned = Notification.objects.get(template_key="staff.application.returned_to_review")
    assert returned.recipient == reviewer
    assert "请核实算力规模" in mail_to(reviewer.email)[-1].body
    # return_to_review is internal: the applicant hears nothing of it
    assert not Notification.objects.filter(recipient=applicant, template_key="application.returned_to_review").exists()
    assert not Notification.objects.filter(recipient=reviewer2, template_key__contains="returned").exists()
