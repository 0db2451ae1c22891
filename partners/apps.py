"""App configuration of the partner-plan registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner plan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks

        from . import signals  # noqa: F401
        from .crypto import check_field_encryption_key

        checks.register(check_field_encryption_key, checks.Tags.security, deploy=True)
        from .services import cache, register_workflow

        cache.connect()
        register_workflow()
