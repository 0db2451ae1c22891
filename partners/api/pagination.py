"""Cursor pagination: no COUNT(*) per page, so list cost stays flat as tables grow."""

from rest_framework.pagination import CursorPagination


class RegistryCursorPagination(CursorPagination):
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = "-id"

