"""Input hygiene: requests carrying a NUL or a lone surrogate are refused with a 400 before any view runs.

PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded as UTF-8: either one reaching a
query or a template is a 500. No field of the registry holds such characters, so the outermost middleware
refuses them wherever they appear (path, query string, cookies, headers, form bodies); the API's JSON
parser (partners/api/parsers.py) does the same for JSON bodies. The same middleware makes every 4xx under
/api/ answer in the API's error shape, so a client never has to parse an HTML error page.
"""

import re

from django.core.exceptions import SuspiciousOperation
from django.db import DataError
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _g

API_PREFIX = "/api/"
# Any surrogate code point in a Python string is a lone one: JSON's escaped pairs decode to one character.
BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded",)


def has_bad_characters(value) -> bool:
    return isinstance(value, str) and BAD_CHARACTERS.search(value) is not None


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_characters_message() -> str:
    return _g("The request contains a NUL character or an unpaired surrogate, which no field accepts. "
              "Please remove it and try again.")


def error_response(request, status, code, message, fields=None):
    """A refusal in the API's documented shape under /api/, a short page elsewhere."""
    if is_api(request):
        return JsonResponse({"code": code, "message": message, "fields": fields or {}}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    body = f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{escape(message)}</p>"
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def where_bad(request) -> str | None:
    """The name of the first part of the request that carries a bad character, or None."""
    if has_bad_characters(request.path_info) or has_bad_characters(request.path):
        return "path"
    for key, values in request.GET.lists():
        if has_bad_characters(key) or any(has_bad_characters(v) for v in values):
            return f"query.{key}" if not has_bad_characters(key) else "query"
    for key, value in request.COOKIES.items():
        if has_bad_characters(key) or has_bad_characters(value):
            return "cookie"
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key == "CONTENT_TYPE") and has_bad_characters(value):
            return "header." + key.removeprefix("HTTP_").replace("_", "-").lower()
    # Only form bodies are read here (CSRF reads them anyway); multipart bodies are left to the views, which
    # may install upload handlers first, and JSON to the API's parser.
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.content_type in FORM_TYPES:
        for key, values in request.POST.lists():
            if has_bad_characters(key) or any(has_bad_characters(v) for v in values):
                return f"body.{key}" if not has_bad_characters(key) else "body"
    return None


def _is_bad_character_error(exc) -> bool:
    if isinstance(exc, DataError):
        return "NUL" in str(exc) or "0x00" in str(exc)
    return isinstance(exc, UnicodeEncodeError) and "surrogate" in str(exc)


class InputHygieneMiddleware:
    """Outermost: refuse NUL and lone surrogates with a 400; keep /api/ errors in the API's JSON shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            where = where_bad(request)
        except SuspiciousOperation:
            # Too many fields or too large a form body: Django's own 400, in the API's shape under /api/.
            return error_response(request, 400, "invalid", _g("The request could not be understood."))
        if where is not None:
            with translation.override(translation.get_language_from_request(request)):
                message = bad_characters_message()
                response = error_response(request, 400, "bad_characters", message, {where: [message]})
            return response
        response = self.get_response(request)
        if is_api(request) and 400 <= response.status_code < 500 and not self.is_json(response):
            response = self.as_api_error(request, response)
        return response

    def process_exception(self, request, exception):
        # A multipart field with a NUL reaches the database only through a view that did not check it
        # (a choice looked up by its code): the input is at fault, not the server.
        if _is_bad_character_error(exception):
            message = bad_characters_message()
            return error_response(request, 400, "bad_characters", message, {"body": [message]})
        return None

    @staticmethod
    def is_json(response) -> bool:
        return response.get("Content-Type", "").startswith("application/json")

    @staticmethod
    def as_api_error(request, response):
        """A plain Django 4xx under /api/ (an unknown path, a method a view does not allow) in the API's shape."""
        if response.status_code == 404:
            code, message = "not_found", _g("Not found.")
        elif response.status_code == 405:
            code, message = "method_not_allowed", _g("This method is not allowed here.")
        elif response.status_code == 403:
            code, message = "permission_denied", _g("You do not have permission to perform this action.")
        elif response.status_code == 413:
            code, message = "too_large", _g("The request is too large.")
        else:
            code, message = "invalid", _g("The request could not be understood.")
        fresh = JsonResponse({"code": code, "message": message, "fields": {}}, status=response.status_code,
                             json_dumps_params={"ensure_ascii": False})
        for header in ("Allow", "Retry-After", "Vary", "Content-Language"):
            if header in response:
                fresh[header] = response[header]
        return fresh

