"""A mail server that refuses for a day: retried on the schedule, failed only after 24 hours, staff alerted."""

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from partners.enums import AttemptOutcome, NotificationState
from partners.models import Notification
from partners.services import delivery
from partners.services import notifications as notify
from partners.services.delivery import deliver
from partners.services.digest import send_digests
from tests.integration.outbox_env import Mailbox, free_port

pytestmark = pytest.mark.django_db
DAY = timedelta(hours=24)


@pytest.fixture
def refusing_smtp(settings):
    """A real SMTP server that answers 451 (try again later) until told otherwise."""
    box = Mailbox()
    box.fail_next = 10**6
    server = Controller(box, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    yield box
    delivery._drop_connection()
    server.stop()


def run_the_outage(row, box, recover_after=None):
    """Try the row at each due time of the schedule; the clock is simulated by the waits it asked for.

    Returns the simulated time of each try from the first, and the state after each.
    """
    elapsed, tries = timedelta(0), []
    while True:
        if recover_after is not None and elapsed >= recover_after:
            with box.lock:
                box.fail_next = 0
        state = deliver(row.pk)
        tries.append((elapsed, state))
        row.refresh_from_db()
        if row.state != NotificationState.PENDING:
            return tries
        elapsed += row.next_attempt_at - timezone.now()
        assert deliver(row.pk) is None, "nothing is tried before the wait is over"
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def test_the_default_schedule_spans_more_than_a_day():
    schedule = django_settings.OUTBOX_RETRY_SCHEDULE
    assert sum(schedule) >= DAY.total_seconds()
    assert list(schedule) == sorted(schedule), "the waits grow"


def test_an_outage_of_a_day_is_retried_for_a_day_then_failed_and_staff_are_alerted(
        applicant, administrator, reviewer, refusing_smtp, client):
    row = notify.record("application.withdrawn", recipient=applicant, context={"organization": "测试单位"},
                        dedupe_key="outage")
    tries = run_the_outage(row, refusing_smtp)
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED and "451" in row.last_error
    assert row.attempts == len(django_settings.OUTBOX_RETRY_SCHEDULE) + 1
    last_try_at, _state = tries[-1]
    assert last_try_at >= DAY, "given up only after the mail server refused for more than 24 hours"
    assert all(state == NotificationState.PENDING for _at, state in tries[:-1])
    # The old limit (5 tries, 7.5 minutes) would have failed it here; now it is still waiting.
    assert tries[4][1] == NotificationState.PENDING and tries[4][0] > timedelta(minutes=7.5)

    alert = Notification.objects.get(template_key=notify.FAILED_ALERT)
    assert alert.recipient == administrator and alert.essential
    assert not Notification.objects.filter(template_key=notify.FAILED_ALERT, recipient=reviewer).exists()
    client.force_login(administrator)
    assert alert in notify.inbox(administrator), "the alert shows in the inbox even while mail is down"
    assert client.get(reverse("inbox:open", args=[alert.pk]))["Location"] == reverse("outbox:list") + "?state=failed"
    listing = client.get(reverse("outbox:list"))  # failed is the outbox's first tab
    assert f"/staff/outbox/{row.pk}/" in listing.content.decode()
    detail = client.get(reverse("outbox:detail", args=[row.pk])).content.decode()
    assert escape(row.message_id) in detail
    assert detail.count("4.3.0 Try again later") == row.attempts + 1, "every try is on record, and the last error"
    assert list(row.attempt_log.values_list("outcome", flat=True)) == [AttemptOutcome.RETRY] * (row.attempts - 1) \
        + [AttemptOutcome.FAILED]

    # A second failure the same day adds no second alert; the digest counts both.
    other = notify.record("application.withdrawn", recipient=applicant, context={"organization": "测试单位"},
                          dedupe_key="outage-2")
    run_the_outage(other, refusing_smtp)
    assert Notification.objects.filter(template_key=notify.FAILED_ALERT).count() == 1
    assert send_digests() == 1
    digest = Notification.objects.get(template_key="staff.digest")
    assert digest.recipient == administrator and digest.context["failed"] == 2
    subject, text, _html = delivery.render(digest)
    assert "2" in subject and "/staff/outbox/?state=failed" in text


def test_a_server_back_after_twenty_hours_gets_the_mail_once(applicant, refusing_smtp):
    row = notify.record("application.withdrawn", recipient=applicant, context={"organization": "测试单位"},
                        dedupe_key="outage-recovers")
    tries = run_the_outage(row, refusing_smtp, recover_after=timedelta(hours=20))
    row.refresh_from_db()
    assert row.state == NotificationState.SENT
    assert tries[-1][0] >= timedelta(hours=20)
    assert len(refusing_smtp.to(applicant.email)) == 1
    assert not Notification.objects.filter(template_key=notify.FAILED_ALERT).exists()


def test_a_digest_reaches_administrators_with_failed_messages_even_with_nothing_held(
        applicant, administrator, settings):
    settings.EMAIL_BACKEND = "tests.test_outbox.FlakyBackend"
    from tests.test_outbox import FlakyBackend

    FlakyBackend.replies = [550]
    row = notify.record("application.withdrawn", recipient=applicant, context={"organization": "测试单位"},
                        dedupe_key="refused")
    deliver(row.pk)
    FlakyBackend.replies = []
    assert send_digests() == 1
    assert send_digests() == 0, "once a day"
    digest = Notification.objects.get(template_key="staff.digest")
    assert deliver(digest.pk) == NotificationState.SENT
    assert mail.outbox[-1].to == [administrator.email]
    assert "/staff/outbox/?state=failed" in mail.outbox[-1].body


def test_once_the_server_is_fixed_the_waiting_rows_can_be_sent_at_once(applicant, refusing_smtp):
    from django.core.management import call_command

    row = notify.record("application.withdrawn", recipient=applicant, context={"organization": "测试单位"},
                        dedupe_key="waiting")
    for _ in range(5):  # refused five times: the next try is an hour away
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        deliver(row.pk)
    row.refresh_from_db()
    assert row.next_attempt_at - timezone.now() > timedelta(minutes=50)
    with refusing_smtp.lock:
        refusing_smtp.fail_next = 0
    call_command("sweep_outbox", "--now")
    assert Notification.objects.get(pk=row.pk).state == NotificationState.PENDING, "--now takes only due rows"
    call_command("sweep_outbox", "--waiting")
    row.refresh_from_db()
    assert row.state == NotificationState.SENT and len(refusing_smtp.to(applicant.email)) == 1
