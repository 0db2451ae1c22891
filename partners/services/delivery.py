"""Sending outbox rows at least once: claim, render, send, settle; retry on the schedule; sweep the stuck."""

import logging
import os
import smtplib
import socket
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..enums import AttemptOutcome, NotificationChannel, NotificationState
from ..models import Notification, NotificationAttempt

log = logging.getLogger(__name__)

LAYOUTS = {"subject": "emails/layout/subject.txt", "text": "emails/layout/body.txt",
           "html": "emails/layout/body.html"}


class PermanentFailure(Exception):
    """A failure that another try cannot fix (the mail server refused the address or the message)."""


def _kind_template(template_key):
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    name = f"emails/{template_key}.txt"
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return "emails/generic.txt"
    return name


def render(notification):
    """Subject, text and HTML of an e-mail, in the recipient's language.

    Each kind has one template (`emails/<kind>.txt`) with the blocks `subject` and `body`; it extends the
    layout given in the context, so the same words give the subject, the text part and the HTML part.
    """
    from .notifications import ACCOUNT_MAIL, target_path

    if notification.template_key == ACCOUNT_MAIL:  # rendered by allauth when it was recorded
        data = notification.context or {}
        return data.get("subject", ""), data.get("text", ""), data.get("html", "")
    template = _kind_template(notification.template_key)
    data = notification.context or {}
    site = settings.SITE_URL.rstrip("/")
    with translation.override(notification.language):
        ctx = {"n": notification, "ctx": data, "site_url": site, "recipient": notification.recipient,
               "link": site + target_path(notification), "LANGUAGE_CODE": notification.language,
               "partner_types": _type_labels(data.get("partner_types")),
               "granted": _type_labels(data.get("granted_types")),
               "state_label": _state_label(data.get("state")),
               "publicity_ends": _datetime(data.get("publicity_ends_at")),
               "items": _digest_items(data.get("items"))}
        parts = {}
        for part, layout in LAYOUTS.items():
            parts[part] = render_to_string(template, {**ctx, "layout": layout})
    return " ".join(parts["subject"].split()), parts["text"].strip() + "\n", parts["html"]


def _state_label(code):
    from ..enums import ApplicationState

    return str(ApplicationState(code).label) if code in ApplicationState.values else (code or "")


def _datetime(value):
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(value) if isinstance(value, str) else None
    return timezone.localtime(parsed) if parsed else None


def _digest_items(items):
    from .notifications import KINDS

    if not isinstance(items, list):
        return []
    return [{"label": str(KINDS[i["kind"]].label) if i.get("kind") in KINDS else i.get("kind", ""),
             "organization": i.get("organization", "")} for i in items if isinstance(i, dict)]


def _type_labels(codes):
    from ..enums import PartnerType

    if not isinstance(codes, list):
        return ""
    labels = dict(PartnerType.choices)
    sep = "、" if translation.get_language() == "zh-hans" else ", "
    from ..enums import in_type_order

    return sep.join(str(labels.get(c, c)) for c in in_type_order(codes))


_open_connection = {}


def _connection():
    """One mail-server connection per worker process, kept open between messages (a new one per message
    costs a handshake each time); it is dropped on any error and opened afresh."""
    if not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        return get_connection()  # files, memory, console: nothing to keep open
    key = (settings.EMAIL_BACKEND, getattr(settings, "EMAIL_HOST", ""), getattr(settings, "EMAIL_PORT", ""))
    conn = _open_connection.get(key)
    if conn is None:
        _open_connection.clear()
        conn = get_connection()
        conn.open()
        _open_connection[key] = conn
    return conn


def _drop_connection():
    for conn in _open_connection.values():
        try:
            conn.close()
        except Exception:  # noqa: BLE001, S110 - it is being thrown away
            pass
    _open_connection.clear()


def send_email(notification):
    subject, text, html = render(notification)
    # The Message-ID is the row's own: a copy sent again after a crash carries the same one.
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [notification.email],
                                     headers={"Message-ID": notification.message_id,
                                              "X-Registry-Notification": str(notification.pk)})
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.connection = _connection()
        message.send()
    except smtplib.SMTPServerDisconnected:
        # The kept connection went stale (the server closed it while idle): one fresh try at once.
        _drop_connection()
        message.connection = _connection()
        try:
            message.send()
        except Exception:
            _drop_connection()
            raise
    except Exception:
        _drop_connection()
        raise


def is_permanent(exc) -> bool:
    """Choose by the SMTP reply: a 5xx code will not change on a retry; 4xx and network errors may."""
    if isinstance(exc, PermanentFailure):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    code = getattr(exc, "smtp_code", None)
    if isinstance(code, int):
        return 500 <= code < 600
    return False


def retry_delay(attempts: int):
    """Seconds to wait after the given number of failed tries, or None when the schedule is used up."""
    schedule = settings.OUTBOX_RETRY_SCHEDULE
    return schedule[attempts - 1] if attempts <= len(schedule) else None


# Longer waits are left to the sweep: a worker holds every countdown task in memory, and a Redis broker
# hands an unacknowledged task out again after its visibility timeout (an hour by default).
COUNTDOWN_LIMIT_SECONDS = 600


def deliver(notification_id, task=None):
    """Send a row at least once, and record every try.

    The row is claimed in one short transaction (its try count and an attempt record are committed before
    the mail server is contacted), sent with no transaction open, and settled in a second transaction. A
    second run while the claim holds (a retried or duplicated task, another worker) does nothing. A worker
    that dies between the server's accept and the settling leaves its attempt open: once the claim runs out
    the sweep sends the row again, under the same Message-ID, and the open attempt is marked interrupted.

    Returns the state the row ends in (or None when there was nothing to do).
    """
    claimed = _claim(notification_id)
    if claimed is None:
        return None
    row, attempt = claimed
    failure = None
    try:
        if row.channel == NotificationChannel.WEBHOOK:
            from .webhooks import deliver_webhook

            deliver_webhook(row)
        elif row.email:
            send_email(row)
        # A recipient without an address still has the message in the in-app inbox.
    except Exception as exc:  # noqa: BLE001 - every failure is classified: retried, or failed for good
        failure = exc
    state, retry_in = _settle(notification_id, attempt, failure)
    if retry_in is not None and retry_in <= COUNTDOWN_LIMIT_SECONDS and task is not None \
            and not task.request.is_eager:
        _schedule_retry(notification_id, retry_in, row.channel)
    return state


def _worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _claim(notification_id):
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if row is None or row.state != NotificationState.PENDING or row.for_digest:
            return None
        now = timezone.now()
        if row.next_attempt_at and row.next_attempt_at > now + timedelta(seconds=1):
            return None  # waiting for its retry, or another worker holds the claim
        # Tries that never reached their end: the worker died (perhaps after the server accepted the mail).
        NotificationAttempt.objects.filter(notification=row, outcome=AttemptOutcome.SENDING).update(
            outcome=AttemptOutcome.INTERRUPTED)
        row.attempts += 1
        row.claimed_until = row.next_attempt_at = now + timedelta(seconds=settings.OUTBOX_SEND_LEASE_SECONDS)
        row.save(update_fields=["attempts", "claimed_until", "next_attempt_at"])
        attempt = NotificationAttempt.objects.create(notification=row, number=row.attempts, worker=_worker_name())
    return row, attempt


def _settle(notification_id, attempt, failure):
    """Record how the try ended; returns the row's state and the seconds until its next try (or None)."""
    retry_in = None
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=notification_id)
        now = timezone.now()
        latest = row.attempt_log.order_by("-id").values_list("pk", flat=True).first() == attempt.pk
        attempt.finished_at = now
        if failure is None:
            attempt.outcome = AttemptOutcome.SENT
            if row.state == NotificationState.PENDING:
                row.state = NotificationState.SENT
                row.sent_at = now
                row.last_error = ""
                row.next_attempt_at = row.claimed_until = None
                _forget_one_time_links(row)
        else:
            attempt.error = f"{type(failure).__name__}: {failure}"[:2000]
            retry_in = None if is_permanent(failure) else retry_delay(row.attempts)
            attempt.outcome = AttemptOutcome.FAILED if retry_in is None else AttemptOutcome.RETRY
            if row.state == NotificationState.PENDING and latest:
                row.last_error = attempt.error
                row.claimed_until = None
                if retry_in is None:
                    row.state = NotificationState.FAILED
                    row.next_attempt_at = None
                    log.warning("Notification %s failed for good: %s", row.pk, row.last_error)
                    alert_staff(row)
                else:
                    row.next_attempt_at = now + timedelta(seconds=retry_in)
            else:
                retry_in = None  # a later try owns the row now
        attempt.save(update_fields=["finished_at", "outcome", "error"])
        row.save(update_fields=["state", "sent_at", "last_error", "next_attempt_at", "claimed_until", "context"])
    return row.state, retry_in


def alert_staff(row):
    """Tell the administrators that a message failed for good: in their inbox and by e-mail, at most once
    a day each (the daily digest repeats the count of failed messages until they are dealt with)."""
    from ..enums import StaffRole
    from .notifications import FAILED_ALERT, record, staff_with_role

    if row.template_key == FAILED_ALERT:
        return  # an alert that cannot be mailed still shows in the inbox; never alert about an alert
    today = timezone.localdate().isoformat()
    for person in staff_with_role(StaffRole.ADMINISTRATOR):
        record(FAILED_ALERT, recipient=person, dedupe_key=f"{FAILED_ALERT}:{person.pk}:{today}",
               context={"kind": row.template_key, "notification": row.pk, "error": row.last_error[:300]})


def _forget_one_time_links(row):
    """Once sent, an account mail's body (it holds a verification or password-reset link) is not kept."""
    from .notifications import ACCOUNT_MAIL

    if row.template_key == ACCOUNT_MAIL and row.context:
        row.context = {k: v for k, v in row.context.items() if k in ("template", "subject")}


def _schedule_retry(notification_id, countdown, channel):
    from ..tasks import delivery_task

    try:
        delivery_task(channel).apply_async((notification_id,), countdown=countdown, retry=False)
    except Exception:  # noqa: BLE001 - the sweep re-queues it once it is due
        log.warning("Could not schedule the retry of notification %s; the sweep will.", notification_id)


def sweep(older_than=None, limit=1000, waiting=False):
    """Re-queue rows left pending (broker down, worker crash) once they are overdue by `older_than`; with
    `waiting`, also rows waiting for a later retry (the mail server is fixed: send them now).

    Each swept row's due time moves to now, so the next sweep leaves it alone for another period.
    """
    from .notifications import enqueue

    older_than = settings.OUTBOX_SWEEP_AFTER if older_than is None else older_than
    now = timezone.now()
    cutoff = now - older_than
    due = (Notification.objects.filter(state=NotificationState.PENDING, for_digest=False)
           .filter(Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff))
           .order_by("next_attempt_at"))
    if waiting:  # every pending row but those a worker is sending right now
        due = (Notification.objects.filter(state=NotificationState.PENDING, for_digest=False)
               .exclude(claimed_until__gt=now).order_by("next_attempt_at"))
    with transaction.atomic():
        rows = list(due.select_for_update(skip_locked=True).values_list("pk", "channel")[:limit])
        ids = [pk for pk, _channel in rows]
        Notification.objects.filter(pk__in=ids).update(next_attempt_at=now)
    queued = sum(1 for pk, channel in rows if enqueue(pk, channel))
    if ids:
        log.info("Sweep re-queued %s of %s overdue notifications.", queued, len(ids))
    return len(ids)


def resend(user, notification):
    """Staff resend a failed message: it becomes pending again with fresh attempts, and is audited."""
    from ..permissions import can
    from .applications import ServiceError, require
    from .audit import log_event
    from .notifications import enqueue

    require(can(user, "outbox.view", notification))
    with transaction.atomic():
        changed = Notification.objects.filter(pk=notification.pk, state=NotificationState.FAILED).update(
            state=NotificationState.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error="")
        if not changed:
            from django.utils.translation import gettext as _g

            raise ServiceError(_g("Only a failed message can be sent again."), code="conflict")
        log_event("notification.resent", actor=user, application=notification.application,
                  data={"notification": notification.pk, "kind": notification.template_key})
        transaction.on_commit(lambda: enqueue(notification.pk, notification.channel))
    return notification
