"""The Django admin of the registry: every model, with changes of state only through the services."""

from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..forms.login import AdminLoginForm
from . import applications, audit, calls, people, review  # noqa: F401  (registers the admins)
from .base import generic_admin
from .third_party import name_untranslated_models, translate_periodic_task_admins

admin.site.login_form = AdminLoginForm
# Titled for the registry: the plan office's administrators, not "Django administration".
admin.site.site_header = _("Partner plan registry: administration")
admin.site.site_title = _("Partner plan registry")
admin.site.index_title = _("Records of the Beijing General AI Partner Plan")


class AuthenticatorAdmin(admin.ModelAdmin):
    """Second factors by person and kind; their secrets (`data`) are never shown, not even encrypted."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def replace_authenticator_admin():
    from allauth.mfa.models import Authenticator

    if admin.site.is_registered(Authenticator):
        admin.site.unregister(Authenticator)
    admin.site.register(Authenticator, AuthenticatorAdmin)


replace_authenticator_admin()
translate_periodic_task_admins()
name_untranslated_models()


def register_remaining():
    """Models without an admin of their own get a read-only one, so the admin covers every model."""
    for model in apps.get_app_config("partners").get_models():
        if model._meta.model_name.startswith("historical") or admin.site.is_registered(model):
            continue
        admin.site.register(model, generic_admin(model))


register_remaining()
