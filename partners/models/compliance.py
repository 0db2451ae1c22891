"""Records that graded protection and the personal-information law ask for: notices, consents, requests, sessions."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class PasswordHistory(models.Model):
    """Hashes of a person's recent passwords, so staff cannot reuse the last few."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="password_history", verbose_name=_("person"))
    password = models.CharField(max_length=128, verbose_name=_("password"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("password history entry")
        verbose_name_plural = _("password history")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class PrivacyNoticeQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(published_at__lte=now or timezone.now())


class PrivacyNotice(models.Model):
    """One version of the privacy notice, in Chinese and English; a new version asks everyone again."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    text_zh = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True,
                                        help_text=_("Empty while the version is a draft."))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version}"

    @property
    def title(self):
        return self.title_en if (get_language() or "").startswith("en") else self.title_zh

    @property
    def text(self):
        return self.text_en if (get_language() or "").startswith("en") else self.text_zh


class Consent(models.Model):
    """A person agreed to one version of the privacy notice, at a time, from an address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents",
                             verbose_name=_("person"))
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="consents",
                               verbose_name=_("privacy notice"))
    accepted_at = models.DateTimeField(default=timezone.now, verbose_name=_("accepted at"))
    source_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("source IP address"))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-accepted_at"]
        constraints = [models.UniqueConstraint(fields=["user", "notice"], name="consent_once_per_version")]

    def __str__(self):
        return f"{self.user_id} v{self.notice.version}"


class DeletionRequestState(models.TextChoices):
    COMPLETED = "completed", _("Completed: account anonymised")
    REFUSED = "refused", _("Refused")


class DeletionRequest(models.Model):
    """A person asked to delete their account; the row keeps what was done (the person is anonymised)."""

    State = DeletionRequestState

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="deletion_requests", verbose_name=_("person"))
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    state = models.CharField(_("outcome"), max_length=10, choices=DeletionRequestState.choices)
    outcome = models.TextField(_("what was done"), blank=True)
    requested_at = models.DateTimeField(default=timezone.now, verbose_name=_("requested at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))

    class Meta:
        verbose_name = _("account deletion request")
        verbose_name_plural = _("account deletion requests")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.user_id} {self.state}"


class StaffSession(models.Model):
    """The one active session of a staff account; a new login replaces it and ends the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="staff_session", verbose_name=_("person"))
    session_key = models.CharField(max_length=64, verbose_name=_("session key"))
    source_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("source IP address"))
    started_at = models.DateTimeField(default=timezone.now, verbose_name=_("started at"))

    class Meta:
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")

    def __str__(self):
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"


class SecuritySettingKey(models.TextChoices):
    PASSWORD_EXPIRY_DAYS = "password_expiry_days", _("Staff password expiry (days)")
    PASSWORD_HISTORY = "password_history", _("Staff passwords remembered (cannot be reused)")
    IDLE_MINUTES_STAFF = "idle_minutes_staff", _("Idle timeout for staff (minutes)")
    IDLE_MINUTES = "idle_minutes", _("Idle timeout for applicants (minutes)")
    SECURITY_LOG_RETENTION_DAYS = "security_log_retention_days", _("Security log kept (days, at least 180)")
    ATTACHMENT_RETENTION_DAYS = "attachment_retention_days", _(
        "Attachments of rejected or withdrawn applications kept (days)")


# Floors and ceilings of each setting (the database refuses a row outside them, whatever path writes it):
# a setting of 0 would switch off password expiry, idle logout or the retention of the security log.
SECURITY_SETTING_BOUNDS = {
    SecuritySettingKey.PASSWORD_EXPIRY_DAYS: (1, 365),
    SecuritySettingKey.PASSWORD_HISTORY: (1, None),
    SecuritySettingKey.IDLE_MINUTES_STAFF: (1, 30),
    SecuritySettingKey.IDLE_MINUTES: (1, 24 * 60),
    SecuritySettingKey.SECURITY_LOG_RETENTION_DAYS: (180, None),  # 网络安全法 art. 21: at least six months
    SecuritySettingKey.ATTACHMENT_RETENTION_DAYS: (1, None),
}


def _bounds_condition():
    condition = models.Q()
    for key, (low, high) in SECURITY_SETTING_BOUNDS.items():
        within = models.Q(value__gte=low)
        if high is not None:
            within &= models.Q(value__lte=high)
        condition |= models.Q(key=key.value) & within
    return condition


class SecuritySetting(models.Model):
    """A security setting changed at run time by the system administrator; overrides the deployment default."""

    Key = SecuritySettingKey

    key = models.CharField(_("setting"), max_length=40, choices=SecuritySettingKey.choices, unique=True)
    value = models.PositiveIntegerField(_("value"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(auto_now=True, verbose_name=_("changed at"))

    class Meta:
        verbose_name = _("security setting")
        verbose_name_plural = _("security settings")
        ordering = ["key"]
        constraints = [models.CheckConstraint(condition=_bounds_condition(), name="securitysetting_within_bounds")]

    def __str__(self):
        return f"{self.key}={self.value}"
