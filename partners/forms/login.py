"""The login forms: slowed-down names are refused first; after a failure the person learns what remains."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from django.utils.translation import ngettext

from ..services import login_delay, security


class LoginForm(AllauthLoginForm):
    def clean(self):
        # Before the password is tried: a name under a delay is not even checked, so guessing gains nothing.
        login_delay.check(self.cleaned_data.get("login") or "")
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
            message = _g("Too many failed attempts: logins to this account from your address are locked for "
                         "%(minutes)d minutes.") % {"minutes": security.lockout_minutes()}
        else:
            message = ngettext(
                "Warning: %(left)d attempt left before logins to this account from your address are locked "
                "for %(minutes)d minutes.",
                "Warning: %(left)d attempts left before logins to this account from your address are locked "
                "for %(minutes)d minutes.",
                left,
            ) % {"left": left, "minutes": security.lockout_minutes()}
        self.add_error(None, message)
        try:
            login_delay.check(login)
        except ValidationError as delayed:
            self.add_error(None, delayed)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login, with the same slowdown per account name as the site's."""

    def __init__(self, request, *args, **kwargs):
        # Only ever built for a request: the lockout and the delays are per request and address.
        super().__init__(request, *args, **kwargs)

    def clean(self):
        login_delay.check(self.cleaned_data.get("username") or "")
        return super().clean()
