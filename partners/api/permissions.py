"""Scopes: each view declares the scope reading and writing need; a key must carry it.

Requests with the site's session act with the person's own rights (the services still check them);
scopes limit what an integration's key may do on that person's behalf.
"""

from django.utils.translation import gettext as _g
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..models import ApiKey
from ..permissions import can, is_staff_member


def api_key_of(request):
    return request.auth if isinstance(request.auth, ApiKey) else None


class ScopePermission(BasePermission):
    """Views set `read_scope`, `write_scope`, optionally `public_read`, `staff_only` and `permission_rule`
    (a rule of partners.permissions), or override `required_scope(request)`."""

    def has_permission(self, request, view):
        safe = request.method in SAFE_METHODS
        if safe and getattr(view, "public_read", False) and not request.user.is_authenticated:
            return True
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if getattr(view, "staff_only", False) and not is_staff_member(request.user):
            raise exceptions.PermissionDenied(_g("Only staff may use this resource."), code="staff_only")
        rule = getattr(view, "permission_rule", None)
        if rule:
            verdict = can(request.user, rule)
            if not verdict:
                raise exceptions.PermissionDenied(verdict.reason, code="forbidden")
        getter = getattr(view, "required_scope", None)
        scope = getter(request) if getter else (view.read_scope if safe else view.write_scope)
        key = api_key_of(request)
        if scope and key is not None and not key.has_scope(scope):
            raise exceptions.PermissionDenied(_g("This API key lacks the scope “%(s)s”.") % {"s": scope},
                                              code="insufficient_scope")
        return True
