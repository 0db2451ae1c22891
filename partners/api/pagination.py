"""Cursor pagination: no COUNT(*) per page, so list cost stays flat as tables grow.

A page starts after a position: the values of every ordering field of the row that ended the previous page
(keyset pagination). The ordering always ends in the primary key, so positions are unique and no row is
skipped or repeated between pages; nulls always sort last, so rows without a date (a draft's
`submitted_at`) are paged like any other. Cursors are signed (django.core.signing): a client can only hand
back a cursor the API made, for the ordering it was made for; anything else is a 400 in the API's shape.
"""

import datetime
import decimal
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

from ..hygiene import has_bad_characters

CURSOR_SALT = "partners.api.cursor"
MAX_CURSOR_LENGTH = 2000


@dataclass(frozen=True)
class Position:
    values: tuple
    reverse: bool = False  # True: the page before the position (the "previous" link)
    inclusive: bool = False  # True: the row at the position belongs to the page (a page that came back empty)


@dataclass(frozen=True)
class Key:
    """One ordering field: its name, its model field, and the direction the client asked for."""

    name: str
    field: object
    descending: bool

    @property
    def nullable(self) -> bool:
        return bool(getattr(self.field, "null", False))

    def order(self, reverse: bool):
        descending = self.descending != reverse
        expression = F(self.name)
        if not self.nullable:
            return expression.desc() if descending else expression.asc()
        # Nulls last in the page order; a reversed query reads the same order backwards, so nulls first.
        nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        return expression.desc(**nulls) if descending else expression.asc(**nulls)

    def equal(self, value) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})

    def beyond(self, value, reverse: bool):
        """Rows past `value` in the direction of reading, or None when nothing can be past it."""
        descending = self.descending != reverse
        nulls_after = not reverse  # nulls come last in the page order
        if value is None:
            return None if nulls_after else Q(**{f"{self.name}__isnull": False})
        past = Q(**{f"{self.name}__lt" if descending else f"{self.name}__gt": value})
        if self.nullable and nulls_after:
            past |= Q(**{f"{self.name}__isnull": True})
        return past


def invalid_cursor(message=None):
    from .errors import ApiError  # here: DRF imports the paginator while the API modules are still loading

    message = message or _g("The cursor is not valid. Start again from the first page without it.")
    return ApiError(message, code="invalid_cursor", fields={"cursor": [message]})


def _dump(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()  # full precision: a millisecond cut would repeat rows
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


class RegistryCursorPagination(CursorPagination):
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = "-id"
    invalid_cursor_message = _("The cursor is not valid. Start again from the first page without it.")

    # --- the ordering -------------------------------------------------------------------------

    def keys(self, queryset, ordering) -> list[Key]:
        """The ordering as keys, ending at the first unique field (the primary key is added if none is)."""
        meta = queryset.model._meta
        keys = []
        for term in ordering:
            name = term.lstrip("-")
            try:
                field = meta.pk if name == "pk" else meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.is_relation:
                name = field.attname
            keys.append(Key(name, field, term.startswith("-")))
            if field.primary_key or field.unique and not field.null:
                return keys
        return [*keys, Key(meta.pk.attname, meta.pk, keys[0].descending if keys else True)]

    # --- paging -------------------------------------------------------------------------------

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.key_list = self.keys(queryset, self.ordering)
        self.cursor = self.decode_cursor(request)
        cursor = self.cursor
        reverse = bool(cursor and cursor.reverse)
        queryset = queryset.order_by(*[key.order(reverse) for key in self.key_list])
        if cursor is not None:
            queryset = self.after(queryset, cursor)
        rows = list(queryset[:self.page_size + 1])
        more = len(rows) > self.page_size
        page = rows[:self.page_size]
        if reverse:
            page.reverse()
        self.page = page
        self.has_next = (cursor is not None) if reverse else more
        self.has_previous = more if reverse else cursor is not None
        self.display_page_controls = self.has_next or self.has_previous
        return self.page

    def after(self, queryset, cursor: Position):
        """Rows strictly past the cursor's position in its direction (and the row at it, when inclusive)."""
        condition, equal_so_far = None, Q()
        for key, value in zip(self.key_list, cursor.values, strict=True):
            past = key.beyond(value, cursor.reverse)
            if past is not None:
                term = equal_so_far & past
                condition = term if condition is None else condition | term
            equal_so_far &= key.equal(value)
        if cursor.inclusive:
            condition = equal_so_far if condition is None else condition | equal_so_far
        return queryset.none() if condition is None else queryset.filter(condition)

    def position_of(self, instance) -> tuple:
        values = []
        for key in self.key_list:
            value = instance[key.name] if isinstance(instance, dict) else getattr(instance, key.name)
            values.append(value)
        return tuple(values)

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.page:
            return self.encode_cursor(Position(self.position_of(self.page[-1])))
        # An empty page read backwards: the next page starts at the cursor's own row.
        return self.encode_cursor(Position(self.cursor.values, inclusive=not self.cursor.inclusive))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.page:
            return self.encode_cursor(Position(self.position_of(self.page[0]), reverse=True))
        # An empty page after the last row: the previous page ends at the cursor's own row.
        return self.encode_cursor(Position(self.cursor.values, reverse=True, inclusive=not self.cursor.inclusive))

    # --- cursors ------------------------------------------------------------------------------

    def ordering_names(self) -> list[str]:
        return [("-" if key.descending else "") + key.name for key in self.key_list]

    def encode_cursor(self, position: Position):
        payload = {"o": self.ordering_names(), "v": [_dump(v) for v in position.values]}
        if position.reverse:
            payload["r"] = 1
        if position.inclusive:
            payload["i"] = 1
        token = signing.dumps(payload, salt=CURSOR_SALT, compress=True)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def decode_cursor(self, request):
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        if not token or len(token) > MAX_CURSOR_LENGTH or has_bad_characters(token):
            raise invalid_cursor()
        try:
            payload = signing.loads(token, salt=CURSOR_SALT)
        except (signing.BadSignature, ValueError, UnicodeDecodeError):
            raise invalid_cursor() from None
        if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
            raise invalid_cursor()
        if payload.get("o") != self.ordering_names():
            raise invalid_cursor(_g("The cursor belongs to another ordering or list. Start again from the first "
                                    "page without it."))
        values = payload["v"]
        if len(values) != len(self.key_list):
            raise invalid_cursor()
        return Position(tuple(self.typed(key, raw) for key, raw in zip(self.key_list, values, strict=True)),
                        reverse=payload.get("r") == 1, inclusive=payload.get("i") == 1)

    def typed(self, key: Key, raw):
        """The cursor value as the field's Python type; signed cursors hold good ones, this makes sure."""
        if raw is None:
            if not key.nullable:
                raise invalid_cursor()
            return None
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool) or has_bad_characters(raw):
            raise invalid_cursor()
        try:
            value = key.field.to_python(raw)
        except (ValidationError, TypeError, ValueError, OverflowError):
            raise invalid_cursor() from None
        if value is None:
            raise invalid_cursor()
        return value

