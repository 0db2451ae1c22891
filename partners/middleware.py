"""Session and account gates of graded protection: idle timeout, one staff session, MFA, expiry, split, consent.

Order of the gates for a logged-in person: a replaced staff session ends; an idle session ends; staff
without a second factor may only set one up; a superuser must split the duties; an expired staff
password must be changed; a new privacy notice must be accepted. Each gate lets through the pages needed
to satisfy it (and logout, static files, language switch). The API answers 403 with a message instead
of redirecting. A browser whose staff session a newer login emptied is told why, once.
"""

import time
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _g

from .services import privacy, security

LAST_SEEN = "_registry_last_seen"
# What the API answers (in its error shape) for each gate, by the page the web would send the person to.
GATE_CODES = {"mfa_activate_totp": "mfa_required", "security:split_duties": "split_duties_required",
              "account_change_password": "password_expired", "privacy:consent": "consent_required"}
TOUCH_EVERY_SECONDS = 60  # write the session at most once a minute for the idle clock


@lru_cache(maxsize=1)
def _always_open() -> tuple[str, ...]:
    prefixes = [settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
                "/i18n/", "/health/", "/ping/"]
    for name in ("account_logout", "privacy:notice"):
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            pass
    return tuple(prefixes)


@lru_cache(maxsize=1)
def _gate_pages() -> dict[str, tuple[str, ...]]:
    def urls(*names):
        found = []
        for name in names:
            try:
                found.append(reverse(name))
            except NoReverseMatch:
                pass
        return tuple(found)

    return {
        "mfa": urls("mfa_index", "account_reauthenticate", "mfa_reauthenticate"),
        "split": urls("security:split_duties"),
        "password": urls("account_change_password", "account_set_password", "account_reauthenticate"),
        "consent": urls("privacy:consent"),
    }


class ComplianceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with security.serving(request):
            response = self.gate(request)
            if response is None:
                response = self.get_response(request)
        return response

    def gate(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            self.tell_replaced(request)
            return None
        path = request.path_info
        staff = security.is_staff_account(user)
        if staff and getattr(settings, "STAFF_SINGLE_SESSION", True) and not security.staff_session_is_current(
                request):
            return self.end(request, "replaced",
                            _g("Your account logged in somewhere else, so this session was ended."))
        if self.idle_expired(request, user):
            return self.end(request, "idle_timeout", _g("You were logged out after a period of inactivity."))
        if path.startswith(_always_open()):
            return None
        pages = _gate_pages()
        if security.mfa_required(user):
            if not security.mfa_enabled(user):
                return self.send(request, path, pages["mfa"], "mfa_activate_totp",
                                 _g("Staff accounts need two-factor authentication. Please set it up to continue."))
            if not security.session_passed_mfa(request, user):
                return self.end(request, "mfa_not_used",
                                _g("Please log in with your password and your second factor."))
        if user.is_superuser and getattr(settings, "SPLIT_DUTIES_REQUIRED", True):
            return self.send(request, path, pages["split"], "security:split_duties",
                             _g("Before staff work starts, hand the system, security and audit administrator "
                                "roles to three different people."))
        if security.password_expired(user):
            return self.send(request, path, pages["password"], "account_change_password",
                             _g("Your password has expired. Please choose a new one."))
        if privacy.consent_required(user, request.session):
            # Someone who never agreed is asked to read it; only a person who agreed before is told it changed.
            message = (_g("The privacy notice has changed. Please read it and agree to continue.")
                       if privacy.consented_before(user) else
                       _g("Please read the privacy notice and agree to it to continue."))
            return self.send(request, path, pages["consent"], "privacy:consent", message)
        return None

    def tell_replaced(self, request):
        """A browser whose staff session a newer login replaced learns why it is signed out, once."""
        session = getattr(request, "session", None)
        if session is None or not session.get(security.REPLACED_SESSION_MARKER):
            return
        session.flush()
        if not request.path_info.startswith("/api/"):
            messages.warning(request, _g("Your account logged in somewhere else, so this session was ended."))

    def idle_expired(self, request, user) -> bool:
        minutes = security.idle_minutes(user)
        if minutes <= 0:
            return False
        now = int(time.time())
        last = request.session.get(LAST_SEEN)
        if last is not None and now - int(last) > minutes * 60:
            return True
        if last is None or now - int(last) >= TOUCH_EVERY_SECONDS:
            request.session[LAST_SEEN] = now
        return False

    def end(self, request, reason, message):
        request._registry_logout_reason = reason
        logout(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": f"session_{reason}", "message": message, "fields": {}}, status=401)
        messages.warning(request, message)
        return redirect(f"{reverse('account_login')}?next={request.path_info}")

    def send(self, request, path, allowed, target, message):
        if path.startswith(allowed):
            return None
        if path.startswith("/api/"):
            return JsonResponse({"code": GATE_CODES.get(target, "gate"), "message": message, "fields": {}},
                                status=403)
        if request.method == "GET":
            messages.info(request, message)
        return redirect(target)
