"""API-key authentication for integrations (keys are added by the API module)."""

from rest_framework.authentication import BaseAuthentication


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        return None
