"""Helpers of the API tests: keys for people, clients that send them, and a clean throttle cache."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from partners.models import User
from partners.models.api import ApiScope
from partners.services.api_keys import allowed_scopes, create_key
from tests.factories import make_staff


def key_for(user, scopes=None, name="test key"):
    """(key, token) acting for `user`; staff keys are created by an administrator, as in real life."""
    actor = user
    if allowed_scopes(user) == list(ApiScope.values):
        actor = User.objects.filter(groups__name="administrator").first() or make_staff(
            "administrator", email="key-admin@example.com")
    return create_key(actor, owner=user, name=name, scopes=scopes or allowed_scopes(user))


def client_for(token=None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    # Throttle counters live in the cache; tests must not inherit each other's request counts.
    cache.clear()
    yield
    cache.clear()
