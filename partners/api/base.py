"""What every API v1 view shares: scope checks, ETags, idempotent POSTs, and who is acting."""

from rest_framework import viewsets
from rest_framework.exceptions import NotFound

from .. import workflow
from ..replica_middleware import note_authenticated
from .mixins import ETagMixin, IdempotencyMixin
from .permissions import ScopePermission, api_key_of
from .throttling import rate_limit_headers


def actor_of(request) -> workflow.Actor:
    """The workflow's actor: the person, and the key they act through (shown in the audit trail)."""
    return workflow.Actor(user=request.user, api_key=api_key_of(request), ip=request.META.get("REMOTE_ADDR"))


class ApiViewSet(IdempotencyMixin, ETagMixin, viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    read_scope = None
    write_scope = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return rate_limit_headers(request, response)

    def initial(self, request, *args, **kwargs):
        # No object is named with a NUL character, and PostgreSQL refuses to even compare one.
        if any("\x00" in str(value) for value in kwargs.values()):
            raise NotFound()
        super().initial(request, *args, **kwargs)
        # An API key is authenticated here, not by the middleware: its person may be staff or a recent writer.
        note_authenticated(request.user)
