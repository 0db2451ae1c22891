"""Resources are addressed by their public id (UUID); integer ids in URLs answer until the sunset date, marked.

Integer keys number rows in insertion order, so they tell how many applications there are and invite
guessing the next one; and they change when data moves between databases. The API therefore shows and takes
only `public_id`, under the name `id`. URLs with the integer ids that API v1 first used keep answering, with
the same answer and three headers: `Deprecation` (RFC 9745, since when), `Sunset` (RFC 8594, until when) and
`Link: <the same URL by UUID>; rel="successor-version"`. Past the sunset date they answer 410.

Same answer rather than a redirect: a redirected PATCH or POST is repeated or dropped differently by each
HTTP client, some drop the Authorization header on the way, and an Idempotency-Key would be spent twice.
"""

import uuid
from datetime import UTC, date, datetime, time

from django.conf import settings
from django.utils.http import http_date
from django.utils.translation import gettext as _g
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404

from .errors import ApiError

MAX_INTEGER_ID = 2**63 - 1  # a bigint; anything larger names no row


def _moment(value) -> datetime:
    """A setting given as a date (or an ISO date string) → that day's start in UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return datetime.combine(value, time.min, tzinfo=UTC)


def deprecated_since() -> datetime:
    return _moment(settings.API_INTEGER_IDS_DEPRECATED_AT)


def sunset_at() -> datetime:
    return _moment(settings.API_INTEGER_IDS_SUNSET)


def parse_identifier(raw: str):
    """("uuid", UUID) or ("integer", int) for a path segment; anything else names no resource (404)."""
    raw = str(raw)
    if raw.isascii() and raw.isdigit() and len(raw) <= 19:
        number = int(raw)
        if 0 < number <= MAX_INTEGER_ID:
            return "integer", number
        raise NotFound(_g("Not found."))
    try:
        return "uuid", uuid.UUID(raw)
    except (ValueError, AttributeError, TypeError):
        raise NotFound(_g("Not found.")) from None


def deprecation_headers(response, request, canonical_path: str | None):
    response["Deprecation"] = f"@{int(deprecated_since().timestamp())}"
    response["Sunset"] = http_date(sunset_at().timestamp())
    if canonical_path:
        query = request.META.get("QUERY_STRING", "")
        url = request.build_absolute_uri(canonical_path + (f"?{query}" if query else ""))
        response["Link"] = f'<{url}>; rel="successor-version"'
    return response


def canonical_path(path: str, raw: str, public_id) -> str:
    """The request's path with the integer id segment replaced by the public id."""
    parts = path.split("/")
    # /api/v1/<resource>/<id>/...: the id is the fifth part ("" api v1 resource id).
    if len(parts) > 4 and parts[4] == raw:
        parts[4] = str(public_id)
    return "/".join(parts)


class PublicIdLookupMixin:
    """Detail routes look rows up by `public_id` (the `{id}` of the path); integer ids answer, deprecated."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"

    def initial(self, request, *args, **kwargs):
        self._integer_lookup = None
        super().initial(request, *args, **kwargs)

    def get_object(self):
        raw = self.kwargs[self.lookup_url_kwarg]
        kind, value = parse_identifier(raw)
        queryset = self.filter_queryset(self.get_queryset())
        if kind == "integer":
            self._integer_lookup = {"raw": raw, "public_id": None}
            if datetime.now(UTC) >= sunset_at():
                raise ApiError(_g("Integer ids are no longer answered; address the resource by its id (a UUID)."),
                               code="integer_id_retired", status_code=status.HTTP_410_GONE)
            obj = get_object_or_404(queryset, pk=value)
            self._integer_lookup["public_id"] = obj.public_id
        else:
            obj = get_object_or_404(queryset, public_id=value)
        self.check_object_permissions(self.request, obj)
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        lookup = getattr(self, "_integer_lookup", None)
        if lookup is not None:
            # The successor URL only with an answer that shows the resource: a 404 must not reveal its UUID.
            target = lookup["public_id"] if response.status_code < 400 else None
            deprecation_headers(response, request,
                                canonical_path(request.path, lookup["raw"], target) if target else None)
        return response
