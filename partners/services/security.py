"""Account controls of graded protection: security settings, password expiry and history, lockout, sessions, MFA."""

import contextvars
import ipaddress
import secrets
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from registry.redis_cache import shared_cache as cache

from ..enums import StaffRole
from ..models import PasswordHistory, SecuritySetting, StaffSession, User
from ..models.compliance import SECURITY_SETTING_BOUNDS
from .audit import log_security

STAFF_GROUPS = frozenset(StaffRole.values)
MIN_SECURITY_LOG_RETENTION_DAYS = 180  # 网络安全法 art. 21: network logs are kept at least six months

# The person and address behind the current request, so signal receivers (role changes made through any
# interface) can name the actor; set by ComplianceMiddleware and by services acting for someone.
_current = contextvars.ContextVar("registry_security_actor", default=(None, None))


def client_ip(request) -> str | None:
    """The address the request came from, or None when it is not a valid IP."""
    if request is None:
        return None
    value = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


_request = contextvars.ContextVar("registry_security_request", default=None)


@contextmanager
def acting_as(user, ip=None):
    token = _current.set((user, ip))
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def serving(request):
    """Make the request's user and address known to receivers while the request is handled."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def current_actor():
    """(user, ip) of whoever is acting now: a service's explicit actor, else the request's user."""
    actor, ip = _current.get()
    request = _request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if ip is None and request is not None:
        ip = client_ip(request)
    return actor, ip


def audit(action, *, request=None, user=None, object_ref="", result="success", data=None, label=""):
    """Write a security event; the actor and address default to those of the current request."""
    actor, ip = current_actor()
    if request is not None:
        ip = client_ip(request)
        if user is None and getattr(request, "user", None) is not None and request.user.is_authenticated:
            user = request.user
    return log_security(action, user=user if user is not None else actor, ip=ip, object_ref=object_ref,
                        result=result, data=data, label=label)


def audit_refusal(action, *, user=None, object_ref="", data=None):
    """Record a refused attempt, also when the refusal rolls back the transaction it was made in.

    The row is written at once; should the transaction it was written in roll back (the admin wraps each
    change in one, commands and tasks their own), the connection writes it again (services/refusals.py).
    """
    actor, ip = current_actor()
    user = user if user is not None else actor
    return log_security(action, user=user, ip=ip, object_ref=object_ref, result="refused", data=data)


def refuse(action, exc, *, actor=None, ip=None, object_ref="", data=None):
    """Audit a refusal of this actor (as `result=refused`, with the reason) and raise it."""
    reason = str(exc.args[0] if exc.args else exc)
    with acting_as(actor, ip) if actor is not None else _nothing():
        audit_refusal(action, object_ref=object_ref, data={**(data or {}), "reason": reason})
    raise exc


@contextmanager
def _nothing():
    yield


# --- Settings an administrator can change at run time ---------------------------------------------------

SETTING_DEFAULTS = {
    SecuritySetting.Key.PASSWORD_EXPIRY_DAYS: "STAFF_PASSWORD_EXPIRY_DAYS",
    SecuritySetting.Key.PASSWORD_HISTORY: "STAFF_PASSWORD_HISTORY",
    SecuritySetting.Key.IDLE_MINUTES_STAFF: "SESSION_IDLE_MINUTES_STAFF",
    SecuritySetting.Key.IDLE_MINUTES: "SESSION_IDLE_MINUTES",
    SecuritySetting.Key.SECURITY_LOG_RETENTION_DAYS: "SECURITY_LOG_RETENTION_DAYS",
    SecuritySetting.Key.ATTACHMENT_RETENTION_DAYS: "ATTACHMENT_RETENTION_DAYS",
}
FALLBACKS = {"STAFF_PASSWORD_EXPIRY_DAYS": 90, "STAFF_PASSWORD_HISTORY": 5, "SESSION_IDLE_MINUTES_STAFF": 30,
             "SESSION_IDLE_MINUTES": 120, "SECURITY_LOG_RETENTION_DAYS": 180, "ATTACHMENT_RETENTION_DAYS": 3 * 365}
# The same bounds as the database's check constraint on security settings.
MINIMUMS = {key: low for key, (low, _high) in SECURITY_SETTING_BOUNDS.items()}
MAXIMUMS = {key: high for key, (_low, high) in SECURITY_SETTING_BOUNDS.items() if high is not None}


SETTING_CACHE_SECONDS = 60  # gates read settings on every request; overrides are cached, not the defaults


def _setting_cache_key(key) -> str:
    return f"registry:security_setting:{key}"


def _override(key):
    cached = cache.get(_setting_cache_key(key))
    if cached is None:
        row = SecuritySetting.objects.filter(key=key).values_list("value", flat=True).first()
        cached = -1 if row is None else row
        cache.set(_setting_cache_key(key), cached, SETTING_CACHE_SECONDS)
    return None if cached == -1 else cached


def setting_value(key) -> int:
    """The value in force: the administrator's override, else the deployment setting."""
    row = _override(key)
    name = SETTING_DEFAULTS[key]
    value = row if row is not None else getattr(settings, name, FALLBACKS[name])
    value = max(value, MINIMUMS.get(key, 0))
    return min(value, MAXIMUMS[key]) if key in MAXIMUMS else value


def change_setting(actor, key, value, *, ip=None) -> SecuritySetting:
    """The system administrator changes a security setting; the change is audited with old and new values."""
    if not has_admin_role(actor, StaffRole.SYSTEM_ADMIN):
        audit("settings.changed", user=actor, object_ref=str(key), result="refused", data={"value": value})
        raise PermissionDenied(_g("Only the system administrator can change settings."))
    if key not in SETTING_DEFAULTS:
        raise ValidationError(_g("Unknown setting."))
    refusal = None
    if value < MINIMUMS.get(key, 0):
        refusal = ValidationError(_g("The value must be at least %(n)d.") % {"n": MINIMUMS[key]})
    elif key in MAXIMUMS and value > MAXIMUMS[key]:
        refusal = ValidationError(_g("The value must be at most %(n)d.") % {"n": MAXIMUMS[key]})
    if refusal is not None:  # an attempt to weaken a control past its floor is audited like any refusal
        with acting_as(actor, ip):
            audit_refusal("settings.changed", object_ref=str(key),
                          data={"value": value, "reason": refusal.messages[0]})
        raise refusal
    with transaction.atomic():
        old = setting_value(key)
        row, _created = SecuritySetting.objects.select_for_update().update_or_create(
            key=key, defaults={"value": value, "changed_by": actor})
        with acting_as(actor, ip):
            audit("settings.changed", user=actor, object_ref=str(key), data={"old": old, "new": value})
        transaction.on_commit(lambda: cache.delete(_setting_cache_key(key)))
    cache.delete(_setting_cache_key(key))
    return row


# --- Who counts as staff --------------------------------------------------------------------------------

def role_names(user) -> set[str]:
    if not user or not getattr(user, "pk", None):
        return set()
    return set(user.groups.values_list("name", flat=True))


def is_staff_account(user) -> bool:
    """Any account with staff powers: the Django flags or one of the staff role groups."""
    if not user or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(user.has_role(r) for r in STAFF_GROUPS)


def has_admin_role(user, role) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_role(role))


# --- Passwords ------------------------------------------------------------------------------------------

def password_expired(user, now=None) -> bool:
    """Staff passwords expire after the configured days."""
    if not getattr(settings, "PASSWORD_EXPIRY_ENFORCED", True) or not is_staff_account(user):
        return False
    if not user.has_usable_password():
        return False
    days = setting_value(SecuritySetting.Key.PASSWORD_EXPIRY_DAYS)  # at least 1: expiry cannot be switched off
    return user.password_changed_at <= (now or timezone.now()) - timedelta(days=days)


class PasswordHistoryValidator:
    """Staff cannot reuse one of their last N passwords; every change is remembered for everyone."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None) or not is_staff_account(user):
            return
        keep = setting_value(SecuritySetting.Key.PASSWORD_HISTORY)
        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:keep])
        stored = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if stored and stored not in hashes:
            hashes.insert(0, stored)
        if any(check_password(password, h) for h in hashes[:keep]):
            raise ValidationError(
                _("You used this password recently; choose one you have not used for your last %(n)d passwords."),
                code="password_reused", params={"n": keep},
            )

    def password_changed(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        now = timezone.now()
        first = not PasswordHistory.objects.filter(user=user).exists()
        PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
        keep = max(setting_value(SecuritySetting.Key.PASSWORD_HISTORY), FALLBACKS["STAFF_PASSWORD_HISTORY"])
        old = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now
        # Every path that sets a password passes here (allauth, the admin, commands), so it is audited once.
        actor, _ip = current_actor()
        audit("auth.password_changed", user=actor or user, object_ref=f"user:{user.pk}",
              data={"first_password": first})

    def get_help_text(self):
        return _("Staff cannot reuse one of their last passwords.")


# --- Login failures and lockout -------------------------------------------------------------------------

def login_failures(request, login: str) -> int:
    """How many failed attempts django-axes counts for this login name now."""
    if not getattr(settings, "AXES_ENABLED", True) or not login:
        return 0
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.get_failures(request, credentials={"email": login})


def login_locked(user) -> bool:
    """Is the account's name locked out now, from any address (django-axes)?"""
    if not getattr(settings, "AXES_ENABLED", True) or not getattr(user, "email", ""):
        return False
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(username=user.email.strip().lower(),
                                            failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.exists()


def lockout_minutes() -> int:
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def unlock_account(actor, user, *, ip=None) -> int:
    """The security administrator lifts a lockout before it expires."""
    if not has_admin_role(actor, StaffRole.SECURITY_ADMIN):
        refuse("auth.unlocked", PermissionDenied(_g("Only the security administrator can unlock accounts.")),
               actor=actor, ip=ip, object_ref=f"user:{user.pk}")
    from axes.utils import reset

    with acting_as(actor, ip):
        # Every address's lock on this name, and its delay; the handler writes the unlock to the security log.
        return reset(username=user.email)


# --- Two-factor authentication --------------------------------------------------------------------------

def mfa_required(user) -> bool:
    return bool(getattr(settings, "MFA_REQUIRED_FOR_STAFF", True)) and is_staff_account(user)


def mfa_enabled(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


def session_passed_mfa(request, user) -> bool:
    """Did this session pass the second factor: at login, or by setting one up after logging in?

    Logins that skip allauth's MFA stage (such as the admin's own login form) leave no "mfa" record and
    no record of when they logged in, so they do not pass.
    """
    records = [r for r in request.session.get("account_authentication_methods") or [] if isinstance(r, dict)]
    if any(r.get("method") == "mfa" for r in records):
        return True
    times = [r["at"] for r in records if isinstance(r.get("at"), int | float)]
    if not times:
        return False
    from allauth.mfa.models import Authenticator

    logged_in_at = datetime.fromtimestamp(min(times), tz=UTC)
    return Authenticator.objects.filter(user=user, created_at__gte=logged_in_at).exists()


def account_overview(user, now=None) -> dict:
    """What a person's account page shows: password age and expiry, second factor, recovery codes, session."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    factors = {a.type: a for a in Authenticator.objects.filter(user=user)}
    totp = factors.get(Authenticator.Type.TOTP)
    codes = factors.get(Authenticator.Type.RECOVERY_CODES)
    unused = len(RecoveryCodes(codes).get_unused_codes()) if codes else 0
    days = setting_value(SecuritySetting.Key.PASSWORD_EXPIRY_DAYS)
    expires = None
    if is_staff_account(user) and getattr(settings, "PASSWORD_EXPIRY_ENFORCED", True) and days > 0:
        expires = user.password_changed_at + timedelta(days=days)
    session = StaffSession.objects.filter(user=user).first()
    return {
        "staff": is_staff_account(user),
        "password_changed_at": user.password_changed_at,
        "password_expires_at": expires,
        "password_expired": expires is not None and expires <= (now or timezone.now()),
        "totp": totp,
        "recovery_codes": codes,
        "recovery_codes_unused": unused,
        "recovery_codes_low": codes is not None and unused <= 2,
        "mfa_required": mfa_required(user),
        "session": session,
    }


def reset_mfa(actor, user, *, ip=None) -> int:
    """The security administrator removes a lost second factor; the person must set up a new one."""
    if not has_admin_role(actor, StaffRole.SECURITY_ADMIN):
        refuse("mfa.reset", PermissionDenied(_g("Only the security administrator can reset two-factor "
                                               "authentication.")), actor=actor, ip=ip, object_ref=f"user:{user.pk}")
    if actor.pk == user.pk:
        refuse("mfa.reset", PermissionDenied(_g("No one can reset their own two-factor authentication here.")),
               actor=actor, ip=ip, object_ref=f"user:{user.pk}")
    from allauth.mfa.models import Authenticator

    count, _detail = Authenticator.objects.filter(user=user).delete()
    with acting_as(actor, ip):
        audit("mfa.reset", user=actor, object_ref=f"user:{user.pk}", data={"authenticators_removed": count})
    return count


# --- Sessions -------------------------------------------------------------------------------------------

def idle_minutes(user) -> int:
    key = SecuritySetting.Key.IDLE_MINUTES_STAFF if is_staff_account(user) else SecuritySetting.Key.IDLE_MINUTES
    return setting_value(key)


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


STAFF_SESSION_TOKEN = "_registry_staff_session"
# All that is left of a session a newer login replaced: the browser is told why it was signed out.
REPLACED_SESSION_MARKER = "_registry_replaced_by_new_login"


def _empty_replaced_session(session_key) -> bool:
    """Drop the login and all data of a replaced session, leaving only the marker; False if it is gone."""
    store = _session_store()(session_key=session_key)
    if not store.exists(session_key):
        return False
    store.clear()
    store[REPLACED_SESSION_MARKER] = 1
    try:
        store.save()
    except Exception:  # noqa: BLE001 - it expired in between: nothing is left to end
        return False
    return True


def start_staff_session(request, user):
    """Record the new session of a staff account and end the one before it (one session per account).

    The session carries a random token, because its key changes on a password change (and must not end
    the session then); the stored value is `token:key` so the previous session can also be deleted.
    """
    if not request.session.session_key:
        request.session.save()
    token = secrets.token_hex(8)
    request.session[STAFF_SESSION_TOKEN] = token
    ip = client_ip(request)
    with transaction.atomic():
        previous = StaffSession.objects.select_for_update().filter(user=user).first()
        if previous is not None:
            old_key = previous.session_key.partition(":")[2]
            ended = bool(old_key) and old_key != request.session.session_key and _empty_replaced_session(old_key)
            log_security("session.replaced", user=user, ip=ip, object_ref=f"user:{user.pk}",
                         data={"previous_ip": previous.source_ip,
                               "previous_started_at": previous.started_at.isoformat()})
            if ended:
                # The replaced browser is signed out now, not at its next request (it may never come back).
                log_security("auth.logout", user=user, ip=previous.source_ip, object_ref=f"user:{user.pk}",
                             data={"reason": "replaced"})
        StaffSession.objects.update_or_create(user=user, defaults={
            "session_key": f"{token}:{request.session.session_key}", "source_ip": ip,
            "started_at": timezone.now()})


def staff_session_is_current(request) -> bool:
    """False when a later login of the same staff account replaced this session."""
    current = StaffSession.objects.filter(user=request.user).values_list("session_key", flat=True).first()
    if current is None:
        start_staff_session(request, request.user)  # sessions from before the rule are adopted
        return True
    return current.partition(":")[0] == request.session.get(STAFF_SESSION_TOKEN)


def end_staff_session(request, user):
    token = request.session.get(STAFF_SESSION_TOKEN) if hasattr(request, "session") else None
    if token:
        StaffSession.objects.filter(user=user, session_key__startswith=f"{token}:").delete()


# --- Audit helpers other interfaces call ----------------------------------------------------------------

def log_attachment_view(request, attachment):
    """A staff member opened an application's attachment (等保 安全审计: access to applicants' files)."""
    user = getattr(request, "user", None)
    if not is_staff_account(user):
        return None
    return audit("attachment.viewed", request=request, object_ref=f"attachment:{attachment.pk}",
                 data={"application": attachment.application_id, "name": attachment.original_name})


def log_personal_data_export(request, *, what: str, reason: str, count=None, result="success"):
    """Staff exported personal data; a reason is required and recorded."""
    if not (reason or "").strip():
        audit("personal_data.exported", request=request, object_ref=what, result="refused",
              data={"count": count})
        raise ValidationError(_g("Give the reason for exporting personal data."), code="reason_required")
    return audit("personal_data.exported", request=request, object_ref=what, result=result,
                 data={"reason": reason.strip()[:500], "count": count})
