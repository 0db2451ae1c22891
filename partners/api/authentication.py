"""API-key authentication: `Authorization: Bearer rk_…` (or `X-Api-Key: rk_…`) acts for the key's owner."""

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from ..services.api_keys import KeyRefused, authenticate_token

KEYWORD = "Bearer"


def token_from(request):
    header = get_authorization_header(request).decode("latin-1", errors="replace").split()
    if header and header[0].lower() == KEYWORD.lower():
        if len(header) != 2:
            raise AuthenticationFailed(_("Send the key as “Authorization: Bearer <key>”."), code="invalid_key")
        return header[1]
    return request.META.get("HTTP_X_API_KEY") or None


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        token = token_from(request)
        if token is None:
            return None
        try:
            key = authenticate_token(token, request)
        except KeyRefused as refused:
            raise AuthenticationFailed(refused.message, code=f"key_{refused.reason}") from None
        if key is None:
            raise AuthenticationFailed(_("The API key is not valid, or it was revoked."), code="invalid_key")
        return key.user, key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing.
        return f'{KEYWORD} realm="api"'
