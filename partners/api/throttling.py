"""Throttling per API key (authenticated integrations and people); anonymous clients are throttled per IP
by DRF's AnonRateThrottle (see REST_FRAMEWORK in the settings)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRate(SimpleRateThrottle):
    # Read the rate when asked, not at import, so a changed setting (or a test) takes effect.
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class KeyRateThrottle(_SettingsRate):
    scope = "key"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        auth = request.auth
        ident = getattr(auth, "prefix", None) or f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

