"""Throttling per API key (authenticated integrations) and per anonymous IP."""

from rest_framework.throttling import SimpleRateThrottle


class KeyRateThrottle(SimpleRateThrottle):
    scope = "key"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        auth = request.auth
        ident = getattr(auth, "prefix", None) or f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
