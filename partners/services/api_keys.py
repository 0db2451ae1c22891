"""API keys: create one (the token is shown once), look one up by its token, revoke one."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..models import ApiKey
from ..models.api import APPLICANT_SCOPES, ApiScope
from ..permissions import can, is_staff_member
from .applications import ServiceError, require
from .audit import log_security
from .security import client_ip, is_staff_account, login_locked, password_expired

TOKEN_PREFIX = "rk"
# last_used_at is a hint, not a log: writing it on every request would turn reads into writes.
LAST_USED_PRECISION = timedelta(minutes=1)
STAFF_KEY_DAYS_CEILING = 90  # 等保: credentials of privileged accounts are renewed; never longer than this


def staff_key_max_days() -> int:
    """The longest life of a staff key: the setting, which may only lower the ceiling."""
    return max(1, min(int(getattr(settings, "STAFF_API_KEY_MAX_DAYS", STAFF_KEY_DAYS_CEILING)),
                      STAFF_KEY_DAYS_CEILING))


class KeyRefused(Exception):
    """The token names a real key that may not be used now; `message` says why, for its holder."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.message, self.reason = message, reason


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str):
    """`rk_<prefix>_<secret>` → (prefix, secret), or None when the token is malformed."""
    parts = (token or "").strip().split("_")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def allowed_scopes(user) -> list[str]:
    return list(ApiScope.values) if is_staff_member(user) else [str(s) for s in APPLICANT_SCOPES]


def create_key(actor, *, owner, name, scopes, ip=None, days=None):
    """Create a key acting for `owner`; returns (key, token). Administrators create keys for staff;
    anyone creates personal tokens for themselves. Staff keys live at most `staff_key_max_days()`."""
    if owner.pk != actor.pk or is_staff_member(owner):
        require(can(actor, "api_key.manage"))
    if not owner.is_active:
        raise ServiceError(_g("This account is disabled."), field="owner")
    name = (name or "").strip()
    if not name:
        raise ServiceError(_g("Give the key a name, so you recognise it later."), field="name")
    wanted = list(dict.fromkeys(scopes or []))
    if not wanted:
        raise ServiceError(_g("Choose at least one scope."), field="scopes")
    unknown = [s for s in wanted if s not in ApiScope.values]
    if unknown:
        raise ServiceError(_g("Unknown scope: %(s)s.") % {"s": ", ".join(unknown)}, field="scopes")
    refused = [s for s in wanted if s not in allowed_scopes(owner)]
    if refused:
        raise ServiceError(_g("A key acting for this person cannot have: %(s)s.") % {"s": ", ".join(refused)},
                           code="forbidden", field="scopes")
    if days is not None and (not isinstance(days, int) or days < 1):
        raise ServiceError(_g("A key must be valid for at least one day."), field="days")
    if is_staff_account(owner):
        ceiling = staff_key_max_days()
        if days is not None and days > ceiling:
            raise ServiceError(_g("A staff key can be valid for at most %(n)d days.") % {"n": ceiling},
                               field="days")
        days = days or ceiling
    expires_at = timezone.now() + timedelta(days=days) if days else None
    secret = secrets.token_urlsafe(32).replace("_", "-")
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(name=name[:100], prefix=prefix, secret_hash=hash_secret(secret),
                                            scopes=wanted, user=owner, created_by=actor, expires_at=expires_at)
                log_security("api_key.created", user=actor, ip=ip, object_ref=f"api-key:{prefix}",
                             data={"owner": f"user:{owner.pk}", "scopes": wanted,
                                   "expires_at": expires_at.isoformat() if expires_at else None})
            return key, f"{TOKEN_PREFIX}_{prefix}_{secret}"
        except IntegrityError:
            continue  # a prefix collision: draw again
    raise ServiceError(_g("Could not create a key; please try again."), code="conflict")


def authenticate_token(token: str, request=None):
    """The usable key for this token, or None for no key at all. Compares hashes in constant time.

    Raises KeyRefused for a real key that may not act now: expired, or its staff owner locked out,
    deactivated or with an expired password. Staff keys' use goes to the security log (once a minute).
    """
    parts = split_token(token)
    if parts is None:
        return None
    prefix, secret = parts
    key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
        return None
    if not key.user.is_active:
        return None
    staff = is_staff_account(key.user)
    now = timezone.now()
    refusal = _refusal(key, staff, now)
    if refusal is not None:
        log_security("api_key.refused", user=key.user, ip=client_ip(request), object_ref=f"api-key:{prefix}",
                     result="refused", data={"reason": refusal.reason})
        raise refusal
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
        if staff:
            log_security("api_key.used", user=key.user, ip=client_ip(request), object_ref=f"api-key:{prefix}",
                         data={"method": getattr(request, "method", ""),
                               "path": (getattr(request, "path", "") or "")[:200]})
    return key


def _refusal(key, staff, now):
    expires = [key.expires_at] if key.expires_at else []
    if staff:
        # Also keys made before the rule, or before the setting was lowered.
        expires.append(key.created_at + timedelta(days=staff_key_max_days()))
    if any(e <= now for e in expires):
        return KeyRefused(_g("This API key has expired; ask for a new one."), "expired")
    if staff and password_expired(key.user, now):
        return KeyRefused(_g("The password of this key's account has expired; the key works again once "
                             "it is renewed."), "password_expired")
    if staff and login_locked(key.user):
        return KeyRefused(_g("The account of this key is locked; the key works again when the lock ends."),
                          "locked")
    return None


def revoke_key(actor, key, ip=None):
    """The key stops working at once; its webhook subscriptions stop with it."""
    if key.user_id != actor.pk:
        require(can(actor, "api_key.manage"))
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is not None:
            return key
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        key.webhooks.update(active=False)
        log_security("api_key.revoked", user=actor, ip=ip, object_ref=f"api-key:{key.prefix}")
    return key


def keys_visible_to(user):
    """Administrators see every key; others only their own."""
    if can(user, "api_key.manage"):
        return ApiKey.objects.select_related("user", "created_by")
    return ApiKey.objects.filter(user=user).select_related("user", "created_by")
