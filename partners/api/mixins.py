"""ETags on detail reads (If-None-Match → 304), Idempotency-Key on POST (a repeat replays the first answer), and
the scopes a workflow process's viewset asks of a key."""

import hashlib
import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ..models import IdempotencyRecord
from ..models.api import ApiScope
from .errors import ApiError

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
# Printable ASCII without spaces, as HTTP header tokens are; control characters never reach the database.
KEY_RE = re.compile(rf"[!-~]{{1,{MAX_KEY_LENGTH}}}")
# Keys are remembered for a day (API_IDEMPOTENCY_HOURS); every hundredth new record clears older ones.
PURGE_EVERY = 100


def purge_old_records(now=None):
    hours = getattr(settings, "API_IDEMPOTENCY_HOURS", 24)
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff, response_status__gt=0).delete()[0]


# Answers that show one resource: reads, and writes that answer with the resource as it now is.
ETAG_ACTIONS = {"retrieve", "create", "partial_update", "update", "fire_action"}


class ETagMixin:
    """Detail reads and writes carry a strong ETag of their JSON body; a matching If-None-Match answers 304.

    Writes that must not overwrite what the client did not see send If-Match (see `require_if_match`)."""

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(self, "action", None) in ETAG_ACTIONS and response.status_code in (200, 201):
            response = with_etag(request, response)
        return super().finalize_response(request, response, *args, **kwargs)


def etag_of_body(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_of_data(data) -> str:
    return etag_of_body(JSONRenderer().render(data))


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def listed_tags(header: str) -> list[str]:
    """The entity tags of an If-Match / If-None-Match header (RFC 9110 §8.8.3), kept with their W/ flag."""
    return re.findall(r'\*|(?:W/)?"[^"]*"', header or "")


def none_match(header: str, etag: str) -> bool:
    """If-None-Match compares weakly: W/"x" matches "x" (RFC 9110 §13.1.2)."""
    return any(tag == "*" or _opaque(tag) == _opaque(etag) for tag in listed_tags(header))


def strong_match(header: str, etag: str) -> bool:
    """If-Match compares strongly: a weak tag never matches (RFC 9110 §13.1.1)."""
    return any(tag == "*" or (not tag.startswith("W/") and tag == etag) for tag in listed_tags(header))


def with_etag(request, response):
    body = getattr(response, "prerendered", None) or JSONRenderer().render(response.data)
    etag = etag_of_body(body)
    if request.method in ("GET", "HEAD") and none_match(request.headers.get("If-None-Match", ""), etag):
        not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
        not_modified["ETag"] = etag
        return not_modified
    response["ETag"] = etag
    return response


def require_if_match(request, current_data):
    """Refuse a write (412) whose If-Match names another version than `current_data`, the resource as the
    client would read it now; call it with the row locked, so no change slips between check and write."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    if not strong_match(header, etag_of_data(current_data)):
        raise ApiError(_g("The resource has changed since you read it; read it again and repeat your change."),
                       code="precondition_failed", status_code=status.HTTP_412_PRECONDITION_FAILED)


class _Replay(Exception):
    def __init__(self, response):
        self.response = response


def _principal(request):
    key = getattr(request.auth, "prefix", None)
    if key:
        return f"key:{key}"
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def request_fingerprint(request) -> str:
    """A hash of what was asked: method, path and the parsed body (files by their content hash), so the
    same upload sent again with a new multipart boundary still counts as the same request."""
    data = request.data
    if hasattr(data, "lists"):
        plain = {k: sorted(map(str, v)) for k, v in data.lists()}
    else:
        plain = data
    files = {}
    for name, uploaded in getattr(request, "FILES", {}).items():
        digest = hashlib.sha256()
        for chunk in uploaded.chunks():
            digest.update(chunk)
        uploaded.seek(0)
        files[name] = [uploaded.name, digest.hexdigest()]
    raw = json.dumps({"m": request.method, "p": request.path, "d": plain, "f": files}, sort_keys=True,
                     default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def replayable(status_code: int) -> bool:
    """Stripe's rule: an answer is kept for replay unless the request was refused as it stood (4xx), since
    its retry will be corrected; a conflict (409) and a throttled request (429) are kept as answered."""
    return not (400 <= status_code < 500) or status_code in (409, 429)


class IdempotencyMixin:
    """A POST with an Idempotency-Key runs in one transaction with its record: a repeat with the same key and
    body replays the stored answer and creates nothing; the same key with another body is refused (422).

    The record is inserted first, so a concurrent repeat waits on the unique index and then replays."""

    def dispatch(self, request, *args, **kwargs):
        self._idempotency = None
        if request.method != "POST" or not request.headers.get(IDEMPOTENCY_HEADER):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            record = self._idempotency
            if record is not None:
                if response.status_code >= 500 or transaction.get_rollback():
                    transaction.set_rollback(True)  # a crash is not an answer worth replaying
                elif not replayable(response.status_code):
                    record.delete()  # a refused request changed nothing: the corrected retry may use the key
                else:
                    record.response_status = response.status_code
                    record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
                    record.save(update_fields=["response_status", "response_body"])
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method != "POST" or not key:
            return
        key = key.strip()
        if not KEY_RE.fullmatch(key):
            message = _g("An Idempotency-Key has 1 to %(n)d characters.") % {"n": MAX_KEY_LENGTH}
            raise ApiError(message, code="invalid_idempotency_key", fields={IDEMPOTENCY_HEADER: [message]})
        principal = _principal(request)
        fingerprint = request_fingerprint(request)
        try:
            with transaction.atomic():
                self._idempotency = IdempotencyRecord.objects.create(
                    principal=principal, key=key, method=request.method, path=request.path[:300],
                    request_hash=fingerprint)
            if self._idempotency.pk % PURGE_EVERY == 0:
                purge_old_records()
            return
        except IntegrityError:
            pass
        earlier = IdempotencyRecord.objects.get(principal=principal, key=key)
        if earlier.request_hash != fingerprint:
            raise ApiError(_g("This Idempotency-Key was already used for a different request."),
                           code="idempotency_key_reused", status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
        if not earlier.response_status:
            raise ApiError(_g("The first request with this Idempotency-Key is still being processed."),
                           code="idempotency_in_progress", status_code=status.HTTP_409_CONFLICT)
        replay = Response(earlier.response_body, status=earlier.response_status)
        replay["Idempotent-Replayed"] = "true"
        raise _Replay(replay)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)


class ProcessScopeMixin:
    """The scopes of a process's viewset (see ScopePermission): reads need `read_scope`; firing one of
    `own_actions`, the actions of the process's own party (applicant, claimant, member), needs `write_scope`,
    and firing any other action, a staff decision, needs `review_scope`.

    Writes through the view's `write_actions` (a create, an upload) need `write_scope`; `write_actions = None`
    asks it of every write. A write the view does not answer asks only `read_scope`, so the key hears 405."""

    read_scope = ApiScope.APPLICATIONS_READ
    write_scope = ApiScope.APPLICATIONS_WRITE
    review_scope = ApiScope.REVIEW_WRITE
    own_actions = frozenset()
    write_actions = frozenset()

    def required_scope(self, request):
        if self.action == "fire_action":
            name = self.kwargs.get("action_name", "")
            return self.write_scope if name in self.own_actions else self.review_scope
        if request.method in SAFE_METHODS:
            return self.read_scope
        if self.write_actions is None or self.action in self.write_actions:
            return self.write_scope
        return self.read_scope


class UploadSizeLimitMixin:
    """Stops storing an oversized upload at the limit (services/uploads.py) rather than after it reached the
    disk; the view reads `request._request.upload_too_large` to say why the file is missing."""

    def initialize_request(self, request, *args, **kwargs):
        from ..services import uploads

        request.upload_handlers.insert(0, uploads.SizeLimitUploadHandler(request))
        return super().initialize_request(request, *args, **kwargs)
