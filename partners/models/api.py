"""API keys of integrations and people, their webhook subscriptions, and stored idempotent responses."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    MEMBERS_READ = "members:read", _("Read the member directory")
    APPLICATIONS_READ = "applications:read", _("Read applications, organisations and events")
    APPLICATIONS_WRITE = "applications:write", _("Create and edit applications, upload attachments, submit")
    REVIEW_WRITE = "review:write", _("Review and decide applications (staff keys only)")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Manage webhook subscriptions")


# Scopes a key acting for an applicant may carry; review is a staff matter.
APPLICANT_SCOPES = [ApiScope.MEMBERS_READ, ApiScope.APPLICATIONS_READ, ApiScope.APPLICATIONS_WRITE,
                    ApiScope.WEBHOOKS_MANAGE]


class ApiKey(models.Model):
    """A key acts for its owner (staff keys for staff, personal tokens for applicants) within its scopes.

    Only the SHA-256 of the secret is stored; the full token is shown once, at creation.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64, verbose_name=_("secret hash"))
    scopes = models.JSONField(_("scopes"), default=list)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys",
                             verbose_name=_("acts for"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # Staff keys always expire (STAFF_API_KEY_MAX_DAYS, at most 90); personal tokens when their owner asks.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at is not None and self.expires_at <= timezone.now()

    def has_scope(self, scope) -> bool:
        return scope in (self.scopes or [])


class WebhookSubscription(models.Model):
    """An API key's wish to hear of some audit event types at a URL; deliveries are outbox rows."""

    # What the API calls this row (`id` there); the integer key stays internal.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="webhooks",
                                verbose_name=_("API key"))
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    # Kept readable because every delivery is signed with it; shown to the subscriber once.
    secret = models.CharField(max_length=64, verbose_name=_("secret"))
    # After a rotation the old secret signs too, until the receiver has switched (WEBHOOK_SECRET_GRACE_HOURS).
    previous_secret = models.CharField(max_length=64, blank=True, default="",
                                       verbose_name=_("previous secret"))
    previous_secret_until = models.DateTimeField(null=True, blank=True,
                                                 verbose_name=_("previous secret valid until"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["id"]

    def __str__(self):
        return f"{self.url} ({', '.join(self.event_types)})"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed for a repeat of it."""

    principal = models.CharField(max_length=80, help_text=_("the API key or user that sent the request"),
                                 verbose_name=_("principal"))
    key = models.CharField(max_length=200, verbose_name=_("key"))
    method = models.CharField(max_length=10, verbose_name=_("method"))
    path = models.CharField(max_length=300, verbose_name=_("path"))
    request_hash = models.CharField(max_length=64, verbose_name=_("request fingerprint"))
    response_status = models.PositiveSmallIntegerField(default=0, verbose_name=_("response status"))
    response_body = models.JSONField(null=True, blank=True, verbose_name=_("response body"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_once")]

    def __str__(self):
        return f"{self.principal} {self.key} → {self.response_status}"
