"""Template context every page needs: the unread count and the user's staff roles."""

from django.conf import settings


def registry(request):
    user = getattr(request, "user", None)
    ctx = {"SHOW_MESSAGES_ON_SCREEN": settings.SHOW_MESSAGES_ON_SCREEN}
    if user is not None and user.is_authenticated:
        from .permissions import staff_roles
        from .services.notifications import unread_count

        ctx["unread_count"] = unread_count(user)
        ctx["staff_roles"] = staff_roles(user)
        ctx["is_staff_member"] = bool(ctx["staff_roles"]) or user.is_superuser
    return ctx
