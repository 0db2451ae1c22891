"""Slowing down guesses at one account name from many addresses: a growing "not before" time, never a sleep."""

import hashlib
import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _g

log = logging.getLogger(__name__)


def _key(login: str) -> str:
    return "registry:login-delay:" + hashlib.sha256(login.strip().lower().encode()).hexdigest()


def _setting(name, default):
    return getattr(settings, name, default)


def delay_after(failures: int) -> int:
    """Seconds to wait after the n-th failure in a row: none for the first few, then doubling up to a cap."""
    free = _setting("LOGIN_DELAY_FREE_FAILURES", 5)
    if failures <= free:
        return 0
    base = _setting("LOGIN_DELAY_BASE_SECONDS", 2)
    return int(min(base * 2 ** (failures - free - 1), _setting("LOGIN_DELAY_MAX_SECONDS", 300)))


def state(login: str) -> dict:
    """{"failures": n, "not_before": epoch seconds} for this name; a fresh name has neither."""
    if not login:
        return {"failures": 0, "not_before": 0}
    try:
        value = cache.get(_key(login))
    except Exception:  # noqa: BLE001 - without the cache the per-address lockout still stands
        log.warning("Login delays are unavailable: the cache did not answer.")
        return {"failures": 0, "not_before": 0}
    return value if isinstance(value, dict) else {"failures": 0, "not_before": 0}


def store(login: str, failures: int, not_before: float) -> None:
    try:
        cache.set(_key(login), {"failures": failures, "not_before": not_before},
                  _setting("LOGIN_DELAY_FORGET_SECONDS", 3600))
    except Exception:  # noqa: BLE001
        log.warning("Login delay of an account not recorded: the cache did not answer.")


def not_before(login: str):
    """When the next attempt for this name is allowed, or None when it is allowed now."""
    when = state(login).get("not_before") or 0
    return datetime.fromtimestamp(when, tz=UTC) if when > time.time() else None


def check(login: str) -> None:
    """Raises a ValidationError telling when to try again while this name is being slowed down."""
    when = not_before((login or "").strip().lower())
    if when is not None:
        at = formats.time_format(timezone.localtime(when), "H:i:s")
        raise ValidationError(
            _g("Too many failed attempts for this account. Try again after %(time)s.") % {"time": at},
            code="login_delayed")


def record_failure(login: str) -> int:
    """Count a failed attempt for this name (from any address) and set the next allowed time."""
    login = (login or "").strip().lower()
    if not login:
        return 0
    failures = int(state(login).get("failures") or 0) + 1
    store(login, failures, time.time() + delay_after(failures))
    return failures


def forget(login: str) -> None:
    """A successful login or an unlock ends the slowdown for this name."""
    if not login:
        return
    try:
        cache.delete(_key(login.strip().lower()))
    except Exception:  # noqa: BLE001
        log.warning("Login delay of an account not cleared: the cache did not answer.")
