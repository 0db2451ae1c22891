"""Marks each web request replica-eligible or not, pins a writer to the primary for a while, and answers a read
whose replica failed from the primary (the design is in partners/db_router.py)."""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.db import InterfaceError, OperationalError, connections

from . import db_router
from .permissions import is_staff_member

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PIN_COOKIE = "registry_primary_until"


def _pin_key(user_pk) -> str:
    return f"replica-pin:user:{user_pk}"


def _cookie_pinned(request) -> bool:
    """The browser wrote a moment ago. The value is the client's, so it is parsed and bounded: at most it keeps
    that client on the primary for READ_YOUR_WRITES_SECONDS."""
    raw = request.COOKIES.get(PIN_COOKIE, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return False
    now = time.time()
    return now < int(raw) <= now + settings.READ_YOUR_WRITES_SECONDS + 1


def person_reads_primary(user) -> bool:
    """Staff act on what they read, and a person who wrote a moment ago must see it: both read the primary."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or is_staff_member(user):
        return True
    try:
        return bool(cache.get(_pin_key(user.pk)))
    except Exception:  # noqa: BLE001 - with the cache down, err on the side of fresh reads
        return True


def note_authenticated(user):
    """The API authenticates inside the view (an API key is no session): decide again for the person it found."""
    state = db_router.current()
    if state is not None and state.eligible and person_reads_primary(user):
        db_router.stay_on_primary()


def _pin(request, response):
    seconds = settings.READ_YOUR_WRITES_SECONDS
    response.set_cookie(PIN_COOKIE, str(int(time.time() + seconds) + 1), max_age=int(seconds) + 1, httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    user = getattr(request, "user", None)  # after the view: the API sets the key's person here too
    if user is not None and user.is_authenticated:
        try:
            cache.set(_pin_key(user.pk), 1, timeout=seconds)
        except Exception:  # noqa: BLE001 - the cookie still pins this browser; the cache's own fallback logs
            pass


class ReplicaMiddleware:
    """After AuthenticationMiddleware; installed by settings only when replicas are configured."""

    def __init__(self, get_response):
        if not db_router.replica_aliases():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        safe = request.method in SAFE_METHODS
        eligible = safe and not _cookie_pinned(request) and not person_reads_primary(getattr(request, "user", None))
        token = db_router.begin_request(eligible)
        try:
            response = self.get_response(request)
        finally:
            db_router.end_request(token)
        if not safe and response.status_code < 400:
            _pin(request, response)
        return response

    def process_exception(self, request, exception):
        """A read on a replica failed (the server went down, or a query was cancelled by replay): run the view
        again on the primary. Only for requests that have written nothing, so running again repeats nothing."""
        state = db_router.current()
        if state is None or not state.used or state.wrote or not isinstance(exception, (OperationalError,
                                                                                         InterfaceError)):
            return None
        for alias in state.used:
            if not connections[alias].is_usable():
                db_router.mark_down(alias)
        db_router.stay_on_primary()
        state.used.clear()
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            response = response.render()
        return response
