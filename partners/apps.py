"""App configuration of the partner-plan registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner plan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks
        from django.db.backends.signals import connection_created

        from . import signals  # noqa: F401
        from .third_party_labels import label_third_party_fields

        label_third_party_fields()
        from .crypto import check_field_encryption_key

        checks.register(check_field_encryption_key, checks.Tags.security, deploy=True)
        from .services import cache, register_workflow

        cache.connect()
        from .services import refusals

        # Refusals (of the services, the guards and the database) outlive the rollback of what they refused.
        connection_created.connect(refusals.on_connection_created, dispatch_uid="registry_refusals")
        register_workflow()
