"""A request id on every answer (`X-Request-ID`), taken from the caller when it sends a sane one, and on
every log line written while the request is served, so an integrator's report finds its trace."""

import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

HEADER = "X-Request-ID"
# Callers (a proxy, an integrator) may bring their own id: printable header-token characters, bounded.
ACCEPTED = re.compile(r"[A-Za-z0-9._:\-]{8,128}")

current = contextvars.ContextVar("request_id", default="-")


ENVIRON_KEY = "registry.request_id"


def request_id_of(meta) -> str:
    given = meta.get("HTTP_X_REQUEST_ID", "")
    return given if ACCEPTED.fullmatch(given) else uuid.uuid4().hex


@receiver(request_started)
def _begin(sender, environ=None, **kwargs):
    # From the first moment of the request to its very end: Django logs a 4xx or 5xx after the middleware
    # has returned, and that line must carry the id too.
    if environ is not None:
        environ[ENVIRON_KEY] = request_id_of(environ)
        current.set(environ[ENVIRON_KEY])


@receiver(request_finished)
def _end(sender, **kwargs):
    current.set("-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.META.get(ENVIRON_KEY) or request_id_of(request.META)
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives each log record `request_id` ("-" outside a request), for the formatter to print."""

    def filter(self, record):
        record.request_id = current.get()
        return True
