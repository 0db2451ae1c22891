"""Pages of the events feed by position (`?after=<txid>.<id>`), never past an event that could still commit."""

from django.utils.translation import gettext as _g
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from ..services import feed
from .errors import ApiError

DEFAULT_SIZE = 20
MAX_SIZE = 500


class FeedPagination(BasePagination):
    """Keyset pages over (txid, id); `position` in the answer is where to continue, even from an empty page."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            self.position = feed.parse_position(request.query_params.get("after", ""))
        except feed.BadPosition as err:
            raise ApiError(str(err), code="invalid", fields={"after": [str(err)]}) from None
        self.size = self._size(request)
        self.request = request
        self.page = feed.after(queryset, self.position, self.size)
        if self.page:
            self.position = feed.position_of(self.page[-1])
        return self.page

    def _size(self, request):
        raw = request.query_params.get("page_size", "")
        if not raw:
            return DEFAULT_SIZE
        if not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_SIZE:
            message = _g("Ask for 1 to %(max)d events a page.") % {"max": MAX_SIZE}
            raise ApiError(message, code="invalid", fields={"page_size": [message]})
        return int(raw)

    def get_paginated_response(self, data):
        next_url = None
        if len(self.page) == self.size:  # a full page: more may follow at once
            next_url = replace_query_param(self.request.build_absolute_uri(), "after", str(self.position))
        return Response({"position": str(self.position), "next": next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["position", "next", "results"],
            "properties": {
                "position": {"type": "string", "pattern": r"^\d+\.\d+$",
                             "description": "Where to continue: pass it as `after` on the next poll."},
                "next": {"type": "string", "format": "uri", "nullable": True,
                         "description": "The next page when this one is full; null when caught up."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "after", "in": "query", "required": False,
             "description": "The `position` of the last event you processed (`0.0`, or nothing, to start).",
             "schema": {"type": "string", "pattern": r"^\d+(\.\d+)?$"}},
            {"name": "page_size", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE, "default": DEFAULT_SIZE}},
        ]
