"""Admin of the trails and the outbox: audit and security events only to read; failed mail can be resent."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..enums import NotificationState
from ..models import AuditEvent, Notification, NotificationPreference, SecurityEvent
from ..services import delivery
from ..services.notifications import ACCOUNT_MAIL
from .base import ReadOnlyAdmin, RegistryAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "who", "application", "organization", "from_state", "to_state"]
    list_filter = ["action", "visible_to_applicant"]
    search_fields = ["action", "actor_label", "organization__name", "organization__credit_code"]
    date_hierarchy = "created_at"
    list_select_related = ["application__organization", "organization", "actor"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "who", "source_ip", "object_ref", "result"]
    list_filter = ["action", "result"]
    search_fields = ["action", "actor_label", "source_ip", "object_ref"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "template_key", "recipient", "email", "channel", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel", "template_key", "essential"]
    search_fields = ["email", "template_key", "recipient__email"]
    date_hierarchy = "created_at"
    actions = ["resend_failed"]

    def get_exclude(self, request, obj=None):
        # An account mail's body holds a one-time link (verification, password reset): for its recipient only.
        if obj is not None and obj.template_key == ACCOUNT_MAIL:
            return ["context"]
        return super().get_exclude(request, obj)

    @admin.action(description=_("Resend the selected failed messages"))
    def resend_failed(self, request, queryset):
        failed = list(queryset.filter(state=NotificationState.FAILED))
        for row in failed:
            delivery.resend(request.user, row)
        self.message_user(request, ngettext("%(n)d message queued again.", "%(n)d messages queued again.",
                                            len(failed)) % {"n": len(failed)}, messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(RegistryAdmin):
    list_display = ["user", "kind", "enabled", "digest"]
    list_filter = ["kind", "enabled", "digest"]
    search_fields = ["user__email", "kind"]
    raw_id_fields = ["user"]
