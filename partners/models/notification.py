"""The outbox: every message to send is a row written in the transaction of the change that caused it."""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import AttemptOutcome, NotificationChannel, NotificationState


def new_message_id() -> str:
    """A Message-ID of its own for each notification, the same on every try at sending it."""
    domain = urlsplit(settings.SITE_URL).hostname or "partner-plan.registry"
    return f"<{uuid.uuid4().hex}@{domain}>"


class Notification(models.Model):
    # What the API calls this row (`id` there); the integer key stays internal.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    email = models.EmailField(blank=True, help_text=_("for recipients without an account"),
                              verbose_name=_("e-mail address"))
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices,
                               default=NotificationChannel.EMAIL, verbose_name=_("channel"))
    template_key = models.CharField(_("kind"), max_length=60)
    context = models.JSONField(default=dict, blank=True, verbose_name=_("context"))
    language = models.CharField(max_length=10, default="zh-hans", verbose_name=_("language"))
    dedupe_key = models.CharField(max_length=200, unique=True, verbose_name=_("de-duplication key"))
    # Sending is at least once: a crash after the mail server accepted a message sends it again, under this
    # same id, so mail servers and clients can tell the copy for what it is.
    message_id = models.CharField(_("Message-ID"), max_length=200, default=new_message_id, editable=False)
    # Notifications about one application's decision share a supersede key; a newer one cancels older pending ones.
    supersede_key = models.CharField(max_length=120, blank=True, db_index=True,
                                     verbose_name=_("supersede key"))
    application = models.ForeignKey("partners.Application", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="notifications", verbose_name=_("application"))
    state = models.CharField(_("state"), max_length=10, choices=NotificationState.choices,
                             default=NotificationState.PENDING)
    essential = models.BooleanField(default=False, help_text=_("decisions and action-required messages"),
                                    verbose_name=_("essential"))
    # Held for the recipient's daily digest instead of being e-mailed one by one.
    for_digest = models.BooleanField(default=False, verbose_name=_("for the digest"))
    digest = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="items",
                               help_text=_("the digest e-mail that carried this notification"),
                                           verbose_name=_("digest"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    # When the row is next due: set at creation, after each failed try (backoff), and by the sweep.
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    # A worker is sending it until then; past it, the worker is presumed dead and the row is tried again.
    claimed_until = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed until"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="notification_state_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx",
                         condition=Q(recipient__isnull=False)),
            models.Index(fields=["next_attempt_at"], name="notification_due_idx",
                         condition=Q(state="pending", for_digest=False)),
            models.Index(fields=["recipient", "created_at"], name="notification_digest_idx",
                         condition=Q(state="pending", for_digest=True)),
        ]

    def __str__(self):
        return f"{self.template_key} → {self.recipient or self.email} ({self.state})"


class NotificationAttempt(models.Model):
    """One try at sending a row, written before the mail server is contacted, so a try cut short by a crash
    stays on record (as interrupted) and explains a copy that arrived twice."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempt_log",
                                     verbose_name=_("notification"))
    number = models.PositiveSmallIntegerField(help_text=_("the row's try count when it was made"),
                                              verbose_name=_("number"))
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    outcome = models.CharField(max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.SENDING,
                               verbose_name=_("outcome"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    worker = models.CharField(max_length=200, blank=True, help_text=_("host and process that made the try"),
                              verbose_name=_("worker"))

    class Meta:
        verbose_name = _("sending attempt")
        verbose_name_plural = _("sending attempts")
        ordering = ["notification", "id"]

    def __str__(self):
        return f"{self.notification_id} #{self.number}: {self.outcome}"


class NotificationPreference(models.Model):
    """One person's choice for one non-essential kind: e-mail each time, in the daily digest, or not at all."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_prefs", verbose_name=_("person"))
    kind = models.CharField(max_length=60, verbose_name=_("kind"))
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    digest = models.BooleanField(default=False, verbose_name=_("digest"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_once")]

    def __str__(self):
        return f"{self.user} {self.kind}: {self.enabled}"
