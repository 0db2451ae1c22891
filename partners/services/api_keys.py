"""API keys: create one (the token is shown once), look one up by its token, revoke one."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..models import ApiKey
from ..models.api import APPLICANT_SCOPES, ApiScope
from ..permissions import can, is_staff_member
from .applications import ServiceError, require
from .audit import log_security

TOKEN_PREFIX = "rk"
# last_used_at is a hint, not a log: writing it on every request would turn reads into writes.
LAST_USED_PRECISION = timedelta(minutes=1)


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


def create_key(actor, *, owner, name, scopes, ip=None):
    """Create a key acting for `owner`; returns (key, token). Administrators create keys for staff;
    anyone creates personal tokens for themselves."""
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
    secret = secrets.token_urlsafe(32).replace("_", "-")
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(name=name[:100], prefix=prefix, secret_hash=hash_secret(secret),
                                            scopes=wanted, user=owner, created_by=actor)
                log_security("api_key.created", user=actor, ip=ip, object_ref=f"api-key:{prefix}",
                             data={"owner": f"user:{owner.pk}", "scopes": wanted})
            return key, f"{TOKEN_PREFIX}_{prefix}_{secret}"
        except IntegrityError:
            continue  # a prefix collision: draw again
    raise ServiceError(_g("Could not create a key; please try again."), code="conflict")


def authenticate_token(token: str):
    """The active key for this token, or None. Compares hashes in constant time."""
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
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


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
