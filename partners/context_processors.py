"""Template context every page needs: the unread count and the user's staff roles."""

from django.conf import settings

from .enums import StaffRole

ADMINISTRATOR_ROLES = (StaffRole.SYSTEM_ADMIN, StaffRole.SECURITY_ADMIN, StaffRole.AUDIT_ADMIN)


def registry(request):
    user = getattr(request, "user", None)
    ctx = {"SHOW_MESSAGES_ON_SCREEN": settings.SHOW_MESSAGES_ON_SCREEN}
    if user is not None and user.is_authenticated:
        from .permissions import staff_roles
        from .services.notifications import unread_count

        ctx["unread_count"] = unread_count(user)
        ctx["staff_roles"] = staff_roles(user)
        ctx["is_staff_member"] = bool(ctx["staff_roles"]) or user.is_superuser
        ctx["is_expert"] = user.has_role(StaffRole.EXPERT)  # from the same cached role set: no query
        # The administrators' links check model permissions, which only the three administrator roles carry
        # (partners/signals.py); everybody else is spared the two permission queries on every page.
        ctx["may_administer"] = user.is_superuser or any(user.has_role(r) for r in ADMINISTRATOR_ROLES)
    return ctx
