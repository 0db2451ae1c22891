"""Staff API keys: they expire (at most 90 days), stop with a locked, disabled or password-expired account, and
their use is in the security log."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partners.models import ApiKey, SecurityEvent
from partners.services import api_keys
from partners.services.applications import ServiceError
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/members/"


def used(key):
    return SecurityEvent.objects.filter(action="api_key.used", object_ref=f"api-key:{key.prefix}")


def refused(key, reason):
    return SecurityEvent.objects.filter(action="api_key.refused", object_ref=f"api-key:{key.prefix}",
                                        data__reason=reason)


def test_staff_keys_expire_within_the_configured_days(settings, reviewer, applicant):
    key, _ = key_for(reviewer)
    assert timedelta(days=89, hours=23) < key.expires_at - timezone.now() <= timedelta(days=90)
    settings.STAFF_API_KEY_MAX_DAYS = 30
    key, _ = key_for(reviewer, name="shorter")
    assert key.expires_at - timezone.now() <= timedelta(days=30)
    settings.STAFF_API_KEY_MAX_DAYS = 400  # the setting can only lower the ceiling
    assert api_keys.staff_key_max_days() == 90
    admin = make_staff("administrator", email="keys-admin@example.com")
    with pytest.raises(ServiceError, match="90"):
        api_keys.create_key(admin, owner=reviewer, name="too long", scopes=["members:read"], days=91)
    with pytest.raises(ServiceError):
        api_keys.create_key(admin, owner=reviewer, name="none", scopes=["members:read"], days=0)
    personal, _ = api_keys.create_key(applicant, owner=applicant, name="mine", scopes=["members:read"])
    assert personal.expires_at is None  # personal tokens expire only when their owner asks


def test_an_expired_staff_key_is_refused_with_a_clear_message(reviewer):
    key, token = key_for(reviewer)
    client = client_for(token)
    assert client.get(URL).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and "expired" in response.json()["message"]
    assert refused(key, "expired").exists()


def test_keys_from_before_the_rule_expire_by_their_age(settings, reviewer):
    key, token = key_for(reviewer)
    ApiKey.objects.filter(pk=key.pk).update(expires_at=None, created_at=timezone.now() - timedelta(days=91))
    assert client_for(token).get(URL).status_code == 401
    ApiKey.objects.filter(pk=key.pk).update(created_at=timezone.now() - timedelta(days=20))
    assert client_for(token).get(URL).status_code == 200
    settings.STAFF_API_KEY_MAX_DAYS = 14  # lowered: existing keys follow
    assert client_for(token).get(URL).status_code == 401


def test_a_locked_out_account_s_key_stops_until_unlocked(settings, reviewer):
    from partners.services.security import unlock_account

    cache.clear()
    settings.AXES_FAILURE_LIMIT = 2
    _key, token = key_for(reviewer)
    client = client_for(token)
    assert client.get(URL).status_code == 200
    browser = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(2):
        browser.post(reverse("account_login"), {"login": reviewer.email, "password": f"Wrong-{n}"})
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and "locked" in response.json()["message"]
    unlock_account(make_staff("security_admin"), reviewer)
    assert client.get(URL).status_code == 200


def test_a_deactivated_account_s_key_stops(reviewer):
    _key, token = key_for(reviewer)
    reviewer.is_active = False
    reviewer.save()
    assert client_for(token).get(URL).status_code == 401


def test_an_expired_password_stops_the_key(settings, reviewer):
    settings.PASSWORD_EXPIRY_ENFORCED = True
    key, token = key_for(reviewer)
    reviewer.password_changed_at = timezone.now() - timedelta(days=91)
    reviewer.save(update_fields=["password_changed_at"])
    response = client_for(token).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and "password" in response.json()["message"]
    assert refused(key, "password_expired").exists()


def test_staff_key_use_is_in_the_security_log(reviewer, applicant):
    key, token = key_for(reviewer)
    client = client_for(token)
    client.get(URL, REMOTE_ADDR="198.51.100.7")
    client.get(URL, REMOTE_ADDR="198.51.100.7")  # within the minute: one record is enough
    event = used(key).get()
    assert event.actor_id == reviewer.pk and event.source_ip == "198.51.100.7"
    assert event.data["path"] == URL and event.data["method"] == "GET"
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get(URL)
    assert used(key).count() == 2
    personal, personal_token = key_for(applicant)
    client_for(personal_token).get(URL)
    assert not used(personal).exists()


def test_the_refusal_is_translated(reviewer):
    key, token = key_for(reviewer)
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_for(token).get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 401 and "过期" in response.json()["message"]
