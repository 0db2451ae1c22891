"""The outbox: sending once, retries chosen by the SMTP reply, the sweep, resend, reminders, screens, beat."""

import smtplib
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from partners.enums import ApplicationState, NotificationState
from partners.models import AuditEvent, Notification
from partners.services import notifications as notify
from partners.services.delivery import deliver, sweep
from partners.services.reminders import send_reminders
from tests.factories import ApplicationFactory, advance, submitted_application

pytestmark = pytest.mark.django_db


class FlakyBackend(LocmemBackend):
    """Fails with the SMTP reply in `FlakyBackend.replies` (one per call) before it succeeds."""

    replies: list = []

    def send_messages(self, messages):
        if FlakyBackend.replies:
            code = FlakyBackend.replies.pop(0)
            if code == "down":
                raise ConnectionRefusedError("connection refused")
            raise smtplib.SMTPDataError(code, b"refused")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.test_outbox.FlakyBackend"
    settings.OUTBOX_RETRY_SCHEDULE = [10, 20, 40]
    FlakyBackend.replies = []
    yield FlakyBackend
    FlakyBackend.replies = []


def pending_row(person, key="k1", kind="application.withdrawn"):
    return notify.record(kind, recipient=person, context={"organization": "测试单位"}, dedupe_key=key)


def test_a_task_run_twice_sends_once(applicant):
    row = pending_row(applicant)
    assert deliver(row.pk) == NotificationState.SENT
    assert len(mail.outbox) == 1
    assert deliver(row.pk) is None  # a second run finds it sent
    assert deliver(row.pk) is None
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.state == NotificationState.SENT and row.attempts == 1


def test_a_transient_failure_is_retried_on_the_schedule(applicant, flaky,
                                                                 django_capture_on_commit_callbacks):
    flaky.replies = [451, "down"]
    with django_capture_on_commit_callbacks(execute=True):
        row = pending_row(applicant)
    row.refresh_from_db()
    assert row.state == NotificationState.PENDING and row.attempts == 1 and "451" in row.last_error
    first_wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=8) < first_wait <= timedelta(seconds=10)
    assert deliver(row.pk) is None  # too early: the backoff holds
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert deliver(row.pk) == NotificationState.PENDING  # connection refused: transient too
    row.refresh_from_db()
    assert timedelta(seconds=18) < row.next_attempt_at - timezone.now() <= timedelta(seconds=20)
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert deliver(row.pk) == NotificationState.SENT
    assert len(mail.outbox) == 1


def test_a_permanent_5xx_fails_fast(applicant, flaky, django_capture_on_commit_callbacks):
    flaky.replies = [550]
    with django_capture_on_commit_callbacks(execute=True):
        row = pending_row(applicant)
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED and row.attempts == 1
    assert mail.outbox == []


def test_transient_failures_end_as_failed_after_the_schedule(applicant, flaky, settings):
    settings.OUTBOX_RETRY_SCHEDULE = [10, 20]
    flaky.replies = [421, 421, 421, 421]
    row = pending_row(applicant)
    for _ in range(3):
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        deliver(row.pk)
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED and row.attempts == 3


def test_the_sweep_requeues_only_overdue_rows(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        old = pending_row(applicant, "old")
        new = pending_row(applicant, "new")
    Notification.objects.filter(pk=old.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=10))
    assert sweep() == 1  # in-process: the swept row is sent at once
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.state == NotificationState.SENT
    assert new.state == NotificationState.PENDING
    assert sweep() == 0  # the new row is not overdue yet


def test_a_failing_mail_server_never_breaks_the_web_request(applicant, client, flaky,
                                                             django_capture_on_commit_callbacks):
    flaky.replies = ["down"] * 10
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted_application(applicant)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert Notification.objects.get(recipient=applicant).state == NotificationState.PENDING


def test_reminders_are_sent_once_a_day_per_item(applicant, reviewer, approver, settings):
    settings.REMINDER_UNASSIGNED_DAYS = 3
    settings.REMINDER_DRAFT_DAYS = 7
    application = submitted_application(applicant)
    draft = ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)
    # Nine in the morning, Beijing time: "an hour later" stays the same day whenever the test runs.
    later = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=8), time(9, 0)))
    counts = send_reminders(now=later)
    assert counts["reminder.unassigned"] == 1 and counts["reminder.draft"] == 1
    assert send_reminders(now=later + timedelta(hours=1))["reminder.unassigned"] == 0  # same day
    assert send_reminders(now=later + timedelta(days=1))["reminder.unassigned"] == 1  # next day
    assert send_reminders(now=later + timedelta(days=1))["reminder.draft"] == 0  # once per idle stretch
    assert Notification.objects.filter(template_key="reminder.draft", application=draft).count() == 1
    assert Notification.objects.filter(template_key="reminder.unassigned", recipient=reviewer,
                                       application=application).count() == 2


def test_undecided_reviews_escalate_to_approvers(applicant, reviewer, approver, settings):
    settings.REMINDER_UNDECIDED_DAYS = 2
    settings.REMINDER_ESCALATE_DAYS = 5
    application = advance(submitted_application(applicant), ApplicationState.IN_REVIEW, reviewer=reviewer)
    counts = send_reminders(now=timezone.now() + timedelta(days=3))
    assert counts["reminder.undecided"] == 1 and counts["reminder.escalated"] == 0
    counts = send_reminders(now=timezone.now() + timedelta(days=6))
    assert counts["reminder.escalated"] == 1
    assert Notification.objects.get(template_key="reminder.escalated").recipient == approver
    assert application.pk == Notification.objects.get(template_key="reminder.escalated").application_id


def test_publicity_ending_tomorrow_is_announced(applicant, reviewer, approver):
    application = advance(submitted_application(applicant), ApplicationState.PUBLICITY, reviewer=reviewer,
                          approver=approver)
    day_before = application.publicity_ends_at - timedelta(days=1)
    counts = send_reminders(now=day_before)
    assert counts["reminder.publicity_ending"] == 2  # the applicant and the approver
    assert send_reminders(now=day_before)["reminder.publicity_ending"] == 0


# --- Screens -------------------------------------------------------------------------------------

def test_inbox_lists_marks_read_and_shows_the_unread_count(client, applicant, other_applicant):
    row = pending_row(applicant)
    theirs = pending_row(other_applicant, "theirs")
    client.force_login(applicant)
    page = client.get(reverse("inbox:list"))
    assert page.status_code == 200
    assert page.context["unread_count"] == 1
    assert client.get(reverse("inbox:open", args=[theirs.pk])).status_code == 404
    response = client.get(reverse("inbox:open", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.read_at is not None
    pending_row(applicant, "second")
    client.post(reverse("inbox:mark_read"), {"all": "1"})
    assert notify.unread_count(applicant) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_page_turns_off_a_kind_and_keeps_decisions_on(client, applicant):
    client.force_login(applicant)
    page = client.get(reverse("inbox:preferences"))
    assert page.status_code == 200
    assert "staff.application.submitted" not in page.content.decode()  # staff kinds only for staff
    response = client.post(reverse("inbox:preferences"), {"kind-application.submitted": "off",
                                                           "kind-application.rejected": "off"})
    assert response.status_code == 302
    assert notify.choices_of(applicant) == {**{code: notify.IMMEDIATE for code in notify.choices_of(applicant)},
                                            "application.submitted": notify.OFF}
    assert not notify.wants(applicant, "application.submitted")
    assert notify.wants(applicant, "application.rejected")
    bad = client.post(reverse("inbox:preferences"), {"kind-application.withdrawn": "<script>"})
    assert bad.status_code == 200 and "&lt;script&gt;" not in bad.content.decode()


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("applicant", 403), ("reviewer", 403),
                                         ("approver", 403), ("administrator", 200)])
def test_only_administrators_see_the_outbox(client, who, status, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("outbox:list")).status_code == status


def test_staff_resend_a_failed_message(client, administrator, applicant, flaky,
                                       django_capture_on_commit_callbacks):
    flaky.replies = [550]
    row = pending_row(applicant)
    deliver(row.pk)
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED
    client.force_login(administrator)
    listing = client.get(reverse("outbox:list") + "?state=failed")
    assert str(row.pk) in listing.content.decode()
    assert client.get(reverse("outbox:detail", args=[row.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outbox:resend", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == NotificationState.SENT and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="notification.resent").exists()
    again = client.post(reverse("outbox:resend", args=[row.pk]), follow=True)
    assert again.status_code == 200  # a clear message, not an error page


def test_the_beat_schedule_is_installed_once(db):
    from django_celery_beat.models import PeriodicTask

    from partners.tasks import PERIODIC_TASKS, install_periodic_tasks

    names = set(PERIODIC_TASKS)
    assert names <= set(PeriodicTask.objects.values_list("name", flat=True))  # by the migration
    install_periodic_tasks()
    install_periodic_tasks()
    assert PeriodicTask.objects.filter(name__in=names).count() == len(names)


def test_a_kept_smtp_connection_that_went_stale_is_reopened(settings, applicant):
    """One connection per worker is kept between messages; when the server dropped it, the next message
    reconnects at once instead of failing an attempt."""
    from aiosmtpd.controller import Controller

    from partners.services import delivery
    from tests.integration.outbox_env import Mailbox, free_port

    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    box = Mailbox()
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    try:
        first, second = pending_row(applicant, "a"), pending_row(applicant, "b")
        assert deliver(first.pk) == NotificationState.SENT
        server.stop()  # the server goes away and comes back: the kept connection is dead
        server = Controller(box, hostname="127.0.0.1", port=port)
        server.start()
        assert deliver(second.pk) == NotificationState.SENT
        second.refresh_from_db()
        assert second.attempts == 1
        assert sorted(box.notification_ids()) == sorted([str(first.pk), str(second.pk)])
    finally:
        delivery._drop_connection()
        server.stop()


def test_final_review_waiting_reminds_approvers_except_the_first_reviewer(applicant, reviewer, approver, settings):
    from django.contrib.auth.models import Group

    settings.REMINDER_UNDECIDED_DAYS = 2
    reviewer.groups.add(Group.objects.get(name="approver"))  # reviewer and approver at once
    advance(submitted_application(applicant), ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    send_reminders(now=timezone.now() + timedelta(days=3))
    reminded = set(Notification.objects.filter(template_key="reminder.undecided").values_list("recipient", flat=True))
    assert reminded == {approver.pk}


def test_submitting_on_the_web_works_while_the_mail_server_is_down(client, applicant, flaky,
                                                                   django_capture_on_commit_callbacks):
    """Without a broker the task runs in-process after the commit; its failure must not reach the request."""
    from tests.factories import complete_draft

    flaky.replies = ["down"] * 10
    draft = complete_draft(ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant))
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("portal:application_action", args=[draft.pk, "submit"]),
                               {"expected_state": "draft"})
    assert callbacks
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:application", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED
    row = Notification.objects.get(recipient=applicant, template_key="application.submitted")
    assert row.state == NotificationState.PENDING and row.attempts == 1 and row.next_attempt_at


def test_a_dedupe_key_recorded_already_records_nothing_and_the_change_goes_on(applicant,
                                                                            django_capture_on_commit_callbacks):
    """The second row of a key is skipped inside the change's transaction (no savepoint), which then carries on and
    commits: one row, handed to the worker once."""
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            first = pending_row(applicant, key="same")
            again = pending_row(applicant, key="same")
            other = pending_row(applicant, key="other")
            AuditEvent.objects.create(action="test.after_a_duplicate", actor_label="test")
    assert first is not None and first.pk and Notification.objects.get(dedupe_key="same").pk == first.pk
    assert again is None
    assert other is not None and other.pk != first.pk
    assert AuditEvent.objects.filter(action="test.after_a_duplicate").exists()
    assert len(callbacks) == 2
