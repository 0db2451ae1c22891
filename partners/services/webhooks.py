"""Webhooks: subscriptions per API key, outbox rows for each subscribed audit event, signed delivery."""

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from .. import workflow
from ..enums import NotificationChannel, NotificationState
from ..event_types import ALIASES
from ..models import Notification, OrganizationMember, WebhookSubscription
from ..models.api import ApiScope
from ..permissions import is_staff_member
from . import egress, feed
from .applications import ServiceError
from .audit import log_security

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Registry-Timestamp"
SIGNATURE_HEADER = "X-Registry-Signature"
EVENT_HEADER = "X-Registry-Event"
DELIVERY_HEADER = "X-Registry-Delivery"
TIMEOUT_SECONDS = 10


EVENT_TYPES = sorted(
    {t.code for t in workflow.TRANSITIONS}
    | {"application.created", "application.assigned", "objection.filed", "objection.upheld", "objection.dismissed",
       "member.admitted", "member.suspended", "member.reinstated", "member.revoked"}
)
ALL_EVENTS = "*"

# What an applicant's key may read of an event's data (staff keys read all of it; secrets are masked anyway).
APPLICANT_DATA_KEYS = {"action", "revision", "granted_types", "member_number", "new_member", "publicity_ends_at",
                       "points", "reason", "letter_subject"}
# Keys of audit data that name internal rows by their integer key (people as `user:<id>` too). They are no
# resource of the API, whose ids are public ids (UUIDs), so the feed and webhooks leave them out; the staff
# screens show them.
INTERNAL_REFERENCE_KEYS = {"attachment", "invitation", "join_request", "note", "notification", "objection",
                           "reviewer", "previous", "person", "from", "to", "owner",
                           "case", "document", "assignee", "previous_owner"}


# --- What an event looks like to the outside -------------------------------------------------

def _public_id_of(event, relation: str):
    """The public id of the application or organisation an event names, or None.

    The feed select_related()s both; the audit row outlives a deleted row (no constraint), which reads as None.
    """
    if getattr(event, f"{relation}_id") is None:
        return None
    try:
        related = getattr(event, relation)
    except ObjectDoesNotExist:
        return None
    return str(related.public_id) if related is not None else None


def event_payload(event, *, for_staff: bool, event_type: str | None = None) -> dict:
    """The JSON an integrator receives for an audit event, in the feed and in webhooks alike.

    Every id in it is a public id (UUID); `position` is the feed's opaque cursor, not an id.
    """
    data = {k: v for k, v in (event.data or {}).items() if k not in INTERNAL_REFERENCE_KEYS}
    if not for_staff:
        data = {k: v for k, v in data.items() if k in APPLICANT_DATA_KEYS}
    return {
        "id": str(event.public_id),
        "position": str(feed.position_of(event)),
        "type": event_type or event.action,
        "occurred_at": feed.iso_utc(event.created_at),
        "application": _public_id_of(event, "application"),
        "organization": _public_id_of(event, "organization"),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "data": data,
    }


def may_see(user, event) -> bool:
    """Staff see every event; people acting for an organisation see its applicant-visible events."""
    if is_staff_member(user):
        return True
    if not event.visible_to_applicant or event.organization_id is None:
        return False
    return OrganizationMember.objects.filter(user=user, organization_id=event.organization_id).exists()


# --- Subscriptions -----------------------------------------------------------------------------

def _clean(url, event_types, *, check_address=True):
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ServiceError(_g("Enter a valid http or https URL."), field="url") from None
    try:
        if check_address:
            egress.check(url)
    except egress.Refused as exc:
        raise ServiceError(exc.message, field="url") from None
    wanted = list(dict.fromkeys(event_types or []))
    if not wanted:
        raise ServiceError(_g("Choose at least one event type."), field="event_types")
    unknown = [t for t in wanted if t != ALL_EVENTS and t not in EVENT_TYPES]
    if unknown:
        raise ServiceError(_g("Unknown event type: %(t)s.") % {"t": ", ".join(map(str, unknown))},
                           field="event_types")
    return url, wanted


def _require_manage(api_key):
    if api_key is None or not api_key.is_active:
        raise ServiceError(_g("Webhook subscriptions belong to an API key; authenticate with one."),
                           code="forbidden")
    if not api_key.has_scope(ApiScope.WEBHOOKS_MANAGE):
        raise ServiceError(_g("This API key lacks the scope “%(s)s”.") % {"s": ApiScope.WEBHOOKS_MANAGE},
                           code="forbidden")


def subscribe(api_key, *, url, event_types):
    """Returns (subscription, secret); the secret signs every delivery and is shown only now."""
    _require_manage(api_key)
    url, wanted = _clean(url, event_types)
    with transaction.atomic():
        sub = WebhookSubscription.objects.create(api_key=api_key, url=url, event_types=wanted,
                                                 secret=secrets.token_hex(32))
        log_security("webhook.subscribed", user=api_key.user, object_ref=f"webhook:{sub.pk}",
                     data={"url": url, "event_types": wanted}, label=f"api-key:{api_key.prefix}")
    return sub, sub.secret


def change_subscription(api_key, subscription, *, url=None, event_types=None, active=None):
    _require_manage(api_key)
    with transaction.atomic():
        sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk, api_key=api_key)
        # Ending a subscription always works; a new URL, or a subscription switched back on, is checked again.
        reactivating = bool(active) and not sub.active
        new_url, new_types = _clean(sub.url if url is None else url,
                                    sub.event_types if event_types is None else event_types,
                                    check_address=url is not None or reactivating)
        sub.url, sub.event_types = new_url, new_types
        if active is not None:
            sub.active = bool(active)
        sub.save()
        if not sub.active:
            _cancel_pending(sub)
        log_security("webhook.changed", user=api_key.user, object_ref=f"webhook:{sub.pk}",
                     data={"url": sub.url, "event_types": sub.event_types, "active": sub.active},
                     label=f"api-key:{api_key.prefix}")
    return sub


def rotate_secret(api_key, subscription):
    """A new secret, shown only now; the old one keeps signing alongside it for the grace period."""
    _require_manage(api_key)
    grace = timedelta(hours=getattr(settings, "WEBHOOK_SECRET_GRACE_HOURS", 24))
    with transaction.atomic():
        sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk, api_key=api_key)
        sub.previous_secret, sub.previous_secret_until = sub.secret, timezone.now() + grace
        sub.secret = secrets.token_hex(32)
        sub.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
        log_security("webhook.secret_rotated", user=api_key.user, object_ref=f"webhook:{sub.pk}",
                     data={"previous_valid_until": sub.previous_secret_until.isoformat()},
                     label=f"api-key:{api_key.prefix}")
    return sub, sub.secret


def unsubscribe(api_key, subscription):
    """Ends the subscription; its delivery log stays readable."""
    return change_subscription(api_key, subscription, active=False)


def _delivery_prefix(subscription_id):
    return f"webhook:{subscription_id}:"


def _cancel_pending(sub):
    Notification.objects.filter(channel=NotificationChannel.WEBHOOK, state=NotificationState.PENDING,
                                dedupe_key__startswith=_delivery_prefix(sub.pk)).update(
        state=NotificationState.CANCELLED, last_error="subscription ended")


def deliveries_of(subscription):
    return Notification.objects.filter(channel=NotificationChannel.WEBHOOK,
                                       dedupe_key__startswith=_delivery_prefix(subscription.pk)).order_by("-id")


# --- From the audit trail to the outbox -------------------------------------------------------

def record_deliveries(event):
    """One outbox row per (subscription, event type) that wants this event, in the event's transaction."""
    types = [event.action, *ALIASES.get(event.action, [])]
    subs = list(WebhookSubscription.objects.filter(active=True, api_key__revoked_at__isnull=True)
                .select_related("api_key__user"))
    if not subs:
        return 0
    from .notifications import record

    recorded = 0
    for sub in subs:
        key = sub.api_key
        wanted = [t for t in types if t in sub.event_types or ALL_EVENTS in sub.event_types]
        if not wanted or not key.has_scope(ApiScope.WEBHOOKS_MANAGE) or not may_see(key.user, event):
            continue
        staff = is_staff_member(key.user)
        for event_type in wanted:
            row = record(
                "webhook", context={"subscription": sub.pk, "event": event.pk, "event_type": event_type,
                                    "url": sub.url,
                                    "payload": event_payload(event, for_staff=staff, event_type=event_type)},
                application=event.application if event.application_id else None,
                dedupe_key=f"{_delivery_prefix(sub.pk)}{event.pk}:{event_type}",
                channel=NotificationChannel.WEBHOOK,
            )
            recorded += row is not None
    return recorded


# --- Sending ------------------------------------------------------------------------------------

def canonical_body(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>": a receiver checks it and rejects old timestamps."""
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(sub, timestamp: str, body: bytes, now=None) -> str:
    """The current secret's signature; during a rotation's grace period also the previous one's, after a comma."""
    signatures = [sign(sub.secret, timestamp, body)]
    if sub.previous_secret and sub.previous_secret_until and sub.previous_secret_until > (now or timezone.now()):
        signatures.append(sign(sub.previous_secret, timestamp, body))
    return ", ".join(signatures)


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does: accept when one of the header's signatures is the one its secret makes."""
    expected = sign(secret, timestamp, body)
    found = False
    for candidate in (signature or "").split(","):
        found |= hmac.compare_digest(expected, candidate.strip())
    return found


UNREACHABLE_ERROR = "the receiver could not be reached"
REFUSED_ERROR = "the receiver's address is not allowed"


class WebhookFailed(Exception):
    """The receiver did not accept the delivery; the outbox retries with backoff."""


def deliver_webhook(notification):
    """POST the stored payload, signed; raises WebhookFailed (or a network error) for a retry."""
    ctx = notification.context or {}
    sub = WebhookSubscription.objects.select_related("api_key").filter(pk=ctx.get("subscription")).first()
    if sub is None or not sub.active or sub.api_key.revoked_at is not None:
        from .delivery import PermanentFailure

        raise PermanentFailure("the subscription has ended")  # no retry can help
    from .delivery import PermanentFailure

    try:
        # Checked again at every attempt: the name may resolve elsewhere now than when it was subscribed.
        target = egress.check(sub.url)
    except egress.Refused as exc:
        log.warning("Webhook %s to subscription %s refused: %s", notification.pk, sub.pk, exc.reason)
        if exc.reason == "unresolvable":
            raise WebhookFailed(UNREACHABLE_ERROR) from None  # DNS may answer on a later try
        raise PermanentFailure(REFUSED_ERROR) from None
    body = canonical_body(ctx.get("payload", {}))
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "partner-plan-registry-webhooks/1",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature_header(sub, timestamp, body),
        EVENT_HEADER: ctx.get("event_type", ""),
        DELIVERY_HEADER: str(notification.public_id),
    }
    try:
        status = egress.post(sub.url, target, body, headers, TIMEOUT_SECONDS)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # The subscriber learns only that it failed: which socket error it was would map the network.
        log.info("Webhook %s to subscription %s failed: %r", notification.pk, sub.pk, exc)
        raise WebhookFailed(UNREACHABLE_ERROR) from None
    if not 200 <= status < 300:
        raise WebhookFailed(f"the receiver answered HTTP {status}")
    return status
