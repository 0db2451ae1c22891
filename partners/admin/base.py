"""Building blocks of the registry's admin: read-only audit fields, read-only admins and inlines."""

from django.contrib import admin

# Timestamps and trail fields the admin shows but never lets anyone type.
AUDIT_FIELD_NAMES = {
    "created_at", "updated_at", "joined_at", "uploaded_at", "state_changed_at", "submitted_at", "assigned_at",
    "decided_at", "publicity_ends_at", "resolved_at", "sent_at", "read_at", "admitted_at", "state",
    "first_reviewed_by", "final_decided_by", "resolved_by", "decided_by", "created_by", "uploaded_by",
    "credit_code_confirmed_by", "password_changed_at", "last_login", "date_joined", "anonymised_at",
}


class AuditFieldsMixin:
    """Shows audit fields read-only; fields the model marks non-editable are shown too, never edited."""

    def get_readonly_fields(self, request, obj=None):
        declared = list(super().get_readonly_fields(request, obj))
        for f in self.model._meta.concrete_fields:
            if f.primary_key or f.name in declared:
                continue
            if f.name in AUDIT_FIELD_NAMES or not f.editable:
                declared.append(f.name)
        return declared


class RegistryAdmin(AuditFieldsMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over the whole table on every page is slow at scale


class ReadOnlyAdmin(RegistryAdmin):
    """For records written only by the services (decisions, revisions, trails): look, never touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def is_secret(name: str) -> bool:
    return name in {"password", "secret", "token"} or name.endswith(("_hash", "_secret", "_token"))


def generic_admin(model):
    """A read-only admin for a model that has no admin of its own yet, so every model is reachable.

    Secrets (signing keys, password and key hashes) are never shown, not even to administrators."""
    fields = [f.name for f in model._meta.concrete_fields]
    hidden = [name for name in fields if is_secret(name)]
    shown = [name for name in fields if name not in hidden]
    return type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {"list_display": shown[:6], "exclude": hidden})
