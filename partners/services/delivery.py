"""Sending outbox rows: lock, skip if done, render, send, mark; retry with backoff; sweep the stuck."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..enums import NotificationChannel, NotificationState
from ..models import Notification

log = logging.getLogger(__name__)


def render(notification):
    """Subject, text and HTML of an e-mail, in the recipient's language."""
    ctx = {"n": notification, "ctx": notification.context, "site_url": settings.SITE_URL,
           "recipient": notification.recipient}
    base = f"emails/{notification.template_key}"
    with translation.override(notification.language):
        try:
            subject = render_to_string(f"{base}.subject.txt", ctx).strip()
            text = render_to_string(f"{base}.txt", ctx)
        except TemplateDoesNotExist:
            subject = render_to_string("emails/generic.subject.txt", ctx).strip()
            text = render_to_string("emails/generic.txt", ctx)
        try:
            html = render_to_string(f"{base}.html", ctx)
        except TemplateDoesNotExist:
            html = render_to_string("emails/generic.html", ctx)
    return " ".join(subject.split()), text, html


def send_email(notification):
    subject, text, html = render(notification)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [notification.email])
    message.attach_alternative(html, "text/html")
    message.send()


def deliver(notification_id, task=None):
    """Send once. The row lock makes a second run (a retried or duplicated task) a no-op."""
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if row is None or row.state != NotificationState.PENDING:
            return
        row.attempts += 1
        try:
            if row.channel == NotificationChannel.EMAIL and row.email:
                send_email(row)
            elif row.channel == NotificationChannel.WEBHOOK:
                from .webhooks import deliver_webhook

                deliver_webhook(row)
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then marked failed
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                row.state = NotificationState.FAILED
                row.save(update_fields=["attempts", "last_error", "state"])
                return
            delay = min(2 ** row.attempts * 10, 3600)
            row.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            if task is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
                transaction.on_commit(lambda: task.retry(countdown=delay, throw=False))
            return
        row.state = NotificationState.SENT
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "state", "sent_at", "last_error"])


def sweep():
    """Re-queue rows left pending (broker down, worker crash) once they are old enough."""
    from .notifications import enqueue

    cutoff = timezone.now() - settings.OUTBOX_SWEEP_AFTER
    ids = list(
        Notification.objects.filter(state=NotificationState.PENDING, created_at__lt=cutoff)
        .exclude(next_attempt_at__gt=timezone.now())
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        enqueue(pk)
    return len(ids)


def resend(notification):
    """Staff resend a failed message: it becomes pending again with fresh attempts."""
    Notification.objects.filter(pk=notification.pk, state=NotificationState.FAILED).update(
        state=NotificationState.PENDING, attempts=0, next_attempt_at=None)
    from .notifications import enqueue

    transaction.on_commit(lambda: enqueue(notification.pk))
