"""Append-only trails: the business audit (who did what to which application) and the security audit."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit records are append-only.")

    def delete(self):
        raise PermissionError("Audit records are append-only.")


PSEUDONYM_PREFIX = "psn-"


class ActorPseudonym(models.Model):
    """The one link from the pseudonym that audit rows carry to the person; deleted with the person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("person"))
    pseudonym = models.CharField(max_length=40, unique=True, verbose_name=_("pseudonym"))

    class Meta:
        verbose_name = _("audit pseudonym")
        verbose_name_plural = _("audit pseudonyms")

    def __str__(self):
        return self.pseudonym


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("Audit records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit records are append-only.")

    @property
    def who(self) -> str:
        """Whom to show: the account's e-mail while the pseudonym still leads to it, else the label as stored.

        Lists select_related("actor") so this asks nothing more of the database.
        """
        if self.actor_label.startswith(PSEUDONYM_PREFIX) and self.actor_id:
            try:
                actor = self.actor
            except models.ObjectDoesNotExist:
                actor = None
            if actor is not None and not actor.anonymised_at:
                return actor.email
        return self.actor_label

    who.fget.short_description = _("done by")  # the admin's column header


class AuditEvent(AppendOnly):
    """A named action, e.g. `application.submitted`, with its actor and data (secrets masked)."""

    # What the API calls this row (`id` there); the integer key stays internal.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier"))
    action = models.CharField(_("action"), max_length=60, db_index=True)
    # DO_NOTHING: no column of an audit row changes after insert; a person is named by a pseudonym
    # (ActorPseudonym), and deleting the person deletes the link instead of rewriting the rows.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              related_name="+", db_constraint=False, verbose_name=_("actor"))
    actor_label = models.CharField(max_length=120, blank=True, help_text=_("user, API key or system"),
                                   verbose_name=_("actor as recorded"))
    application = models.ForeignKey("partners.Application", null=True, blank=True, on_delete=models.DO_NOTHING,
                                    related_name="events", db_constraint=False, verbose_name=_("application"))
    organization = models.ForeignKey("partners.Organization", null=True, blank=True, on_delete=models.DO_NOTHING,
                                     related_name="events", db_constraint=False,
                                     verbose_name=_("organisation"))
    from_state = models.CharField(max_length=20, blank=True, verbose_name=_("state before"))
    to_state = models.CharField(max_length=20, blank=True, verbose_name=_("state after"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("details"))
    visible_to_applicant = models.BooleanField(default=False, verbose_name=_("visible to the applicant"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    # The writing transaction's id, set on PostgreSQL by an insert trigger (pg_current_xact_id()) and read
    # back on insert. Ids are taken inside transactions that commit out of order; transaction ids older than
    # every running transaction cannot be overtaken any more, so the events feed orders by (txid, id) and
    # serves only those (services/feed.py). 0 on SQLite, whose writers commit one at a time in id order.
    txid = models.BigIntegerField(db_default=0, editable=False, verbose_name=_("transaction number"))

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [models.Index(fields=["txid", "id"], name="auditevent_feed_position")]

    def __str__(self):
        from ..labels import event_label

        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {event_label(self.action)}"


class SecurityEvent(AppendOnly):
    """The security audit log (等保 安全审计): time, actor, source IP, action, object, result."""

    action = models.CharField(_("action"), max_length=60, db_index=True)
    # DO_NOTHING: no column of an audit row changes after insert; a person is named by a pseudonym
    # (ActorPseudonym), and deleting the person deletes the link instead of rewriting the rows.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              related_name="+", db_constraint=False, verbose_name=_("actor"))
    actor_label = models.CharField(max_length=254, blank=True, verbose_name=_("actor as recorded"))
    source_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("source IP address"))
    object_ref = models.CharField(_("object"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=20, default="success")
    data = models.JSONField(default=dict, blank=True, verbose_name=_("details"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-id"]

    def __str__(self):
        from ..labels import event_label, result_label

        return (f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {event_label(self.action)} "
                f"{result_label(self.result)}")
