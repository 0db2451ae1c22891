"""One error format for every 4xx: {"code", "message", "fields"}, with the message translated."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _g
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_handler

from ..services.applications import ServiceError
from ..workflow import TransitionError


class ApiError(exceptions.APIException):
    """A refusal raised by the API layer itself, with its own status, code and field errors."""

    def __init__(self, message, *, code="invalid", status_code=status.HTTP_400_BAD_REQUEST, fields=None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields or {}


# Service and workflow codes → HTTP status. Anything not listed is a 400 (bad input).
STATUS_OF_CODE = {
    "forbidden": status.HTTP_403_FORBIDDEN,
    "four_eyes": status.HTTP_403_FORBIDDEN,
    "suspended": status.HTTP_403_FORBIDDEN,
    "conflict": status.HTTP_409_CONFLICT,
    "duplicate": status.HTTP_409_CONFLICT,
    "closed": status.HTTP_409_CONFLICT,
    "call_closed": status.HTTP_409_CONFLICT,
    "invalid_transition": status.HTTP_409_CONFLICT,
    "objection_open": status.HTTP_409_CONFLICT,
    "refused": status.HTTP_409_CONFLICT,
    "over_budget": status.HTTP_409_CONFLICT,
    "no_budget": status.HTTP_409_CONFLICT,
    "cap_reached": status.HTTP_409_CONFLICT,
    "quota_reached": status.HTTP_409_CONFLICT,
}


def from_service(err) -> ApiError:
    """Translate a ServiceError or TransitionError into the API's error."""
    fields = {}
    if isinstance(err, TransitionError):
        if getattr(err, "field", None):
            fields[err.field] = [str(err.message)]
        for step, messages in (getattr(err, "errors", None) or {}).items():
            fields[step] = [str(m) for m in messages]
    elif isinstance(err, ServiceError) and err.field:
        fields[err.field] = [str(err.message)]
    return ApiError(str(err.message), code=err.code,
                    status_code=STATUS_OF_CODE.get(err.code, status.HTTP_400_BAD_REQUEST), fields=fields)


def _flatten(detail, prefix="") -> dict:
    """DRF's nested error detail → {"field" or "field.sub": ["message", ...]}."""
    out = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            out[prefix or "non_field_errors"] = [str(v) for v in detail]
        else:
            for i, value in enumerate(detail):
                out.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _first_code(codes):
    while isinstance(codes, (dict, list)) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else None


def error_body(exc) -> dict:
    if isinstance(exc, ApiError):
        return {"code": exc.error_code, "message": str(exc.detail), "fields": exc.fields}
    if isinstance(exc, exceptions.ValidationError):
        return {"code": "invalid", "message": _g("The request has errors; see the fields."),
                "fields": _flatten(exc.detail)}
    if isinstance(exc, exceptions.Throttled):
        return {"code": "throttled", "message": str(exc.detail), "fields": {}}
    code = _first_code(exc.get_codes()) if isinstance(exc, exceptions.APIException) else None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(detail, (dict, list)):
        flat = _flatten(detail)
        message = next(iter(flat.values()))[0] if flat else _g("The request was refused.")
    else:
        message = str(detail)
    return {"code": code or getattr(exc, "default_code", "error"), "message": message, "fields": {}}


def exception_handler(exc, context):
    if isinstance(exc, (ServiceError, TransitionError)):
        exc = from_service(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_g("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None or response.status_code >= 500:
        return response
    response.data = error_body(exc)
    return response
