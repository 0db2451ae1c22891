"""The login form: after a failed attempt it tells the person how many attempts remain before the lockout."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from django.utils.translation import ngettext

from ..services import security


class LoginForm(AllauthLoginForm):
    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            self.add_lockout_warning()
            raise

    def add_lockout_warning(self):
        login = (self.cleaned_data.get("login") or "").strip().lower()
        if not login or self.request is None or not getattr(settings, "AXES_ENABLED", True):
            return
        limit = settings.AXES_FAILURE_LIMIT
        failures = security.login_failures(self.request, login)
        left = limit - failures
        if left <= 0:
            message = _g("Too many failed attempts: the account is locked for %(minutes)d minutes.") % {
                "minutes": security.lockout_minutes()}
        else:
            message = ngettext(
                "Warning: %(left)d attempt left before the account is locked for %(minutes)d minutes.",
                "Warning: %(left)d attempts left before the account is locked for %(minutes)d minutes.",
                left,
            ) % {"left": left, "minutes": security.lockout_minutes()}
        self.add_error(None, message)
