"""Admin of people and organisations: users, organisations with their people, join requests, reference data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    District,
    Industry,
    JoinRequest,
    Organization,
    OrganizationInvitation,
    OrganizationMember,
    User,
)
from .base import AuditFieldsMixin, ReadOnlyAdmin, ReadOnlyInline, RegistryAdmin


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditFieldsMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "display_name", "staff_roles", "is_active", "is_staff", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups", "language"]
    search_fields = ["email", "display_name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["display_name", "phone", "language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "password_changed_at", "anonymised_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "usable_password", "password1",
                                                 "password2"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def staff_roles(self, obj):
        # 三员分立: the admin shows which roles each person holds.
        return ", ".join(sorted(g.name for g in obj.groups.all())) or "—"


class PeopleInline(ReadOnlyInline):
    model = OrganizationMember
    fields = ["user", "role", "title", "joined_at"]
    readonly_fields = fields


@admin.register(Organization)
class OrganizationAdmin(AuditFieldsMixin, SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "org_type", "district", "province", "in_etown", "scale", "created_at"]
    list_filter = ["org_type", "district", "in_etown", "scale", "ownership", "specialized_level", "capital_currency"]
    search_fields = ["name", "name_en", "credit_code"]
    date_hierarchy = "created_at"
    inlines = [PeopleInline]
    show_full_result_count = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # applications and memberships hang on the organisation; it is never deleted here


@admin.register(OrganizationMember)
class OrganizationMemberAdmin(ReadOnlyAdmin):
    # Owners hand over and remove colleagues in the portal, through the services; here one only looks.
    list_display = ["organization", "user", "role", "title", "joined_at"]
    list_filter = ["role"]
    search_fields = ["organization__name", "organization__credit_code", "user__email", "user__display_name"]


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ["organization", "user", "state", "created_at", "decided_by", "decided_at"]
    list_filter = ["state"]
    search_fields = ["organization__name", "organization__credit_code", "user__email"]


@admin.register(OrganizationInvitation)
class OrganizationInvitationAdmin(ReadOnlyAdmin):
    # Owners invite and the invited person answers in the portal (consent); here one only looks.
    list_display = ["organization", "email", "state", "invited_by", "created_at", "expires_at", "answered_at"]
    list_filter = ["state"]
    search_fields = ["organization__name", "organization__credit_code", "email"]


class ReferenceAdmin(RegistryAdmin):
    list_display = ["code", "name_zh", "name_en", "position", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name_zh", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the stable key stored everywhere; it is fixed once the row exists.
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # rows leave the files by being marked inactive, never deleted


admin.site.register(District, ReferenceAdmin)
admin.site.register(Industry, ReferenceAdmin)
