"""API keys: shown once, stored hashed, scoped, revocable, last-used time; the key screens; the command."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from partners.models import ApiKey, SecurityEvent
from partners.models.api import ApiScope
from partners.services import api_keys
from partners.services.applications import ServiceError
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_its_hash(applicant):
    key, token = key_for(applicant, [ApiScope.APPLICATIONS_READ])
    prefix, secret = api_keys.split_token(token)
    assert prefix == key.prefix
    stored = ApiKey.objects.get(pk=key.pk)
    assert secret not in str(stored.__dict__)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert SecurityEvent.objects.filter(action="api_key.created", object_ref=f"api-key:{key.prefix}").exists()


def test_key_authenticates_and_records_last_use(applicant):
    key, token = key_for(applicant)
    assert key.last_used_at is None
    response = client_for(token).get("/api/v1/organizations/")
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    # The X-Api-Key header works as well.
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/organizations/", HTTP_X_API_KEY=token).status_code == 200


@pytest.mark.parametrize("bad", ["rk_nothing_here", "not-a-token", "rk__", "rk_abc_def_ghi"])
def test_wrong_tokens_are_refused_with_401(applicant, bad):
    key_for(applicant)
    response = client_for(bad).get("/api/v1/organizations/")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_key"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_guessed_secret_for_a_real_prefix_is_refused(applicant):
    key, token = key_for(applicant)
    forged = f"rk_{key.prefix}_{'x' * 43}"
    assert client_for(forged).get("/api/v1/organizations/").status_code == 401


def test_revoked_key_stops_working_at_once(applicant):
    key, token = key_for(applicant)
    assert client_for(token).get("/api/v1/applications/").status_code == 200
    api_keys.revoke_key(applicant, key)
    response = client_for(token).get("/api/v1/applications/")
    assert response.status_code == 401
    assert SecurityEvent.objects.filter(action="api_key.revoked").exists()


def test_key_of_a_disabled_person_is_refused(applicant):
    key, token = key_for(applicant)
    applicant.is_active = False
    applicant.save()
    assert client_for(token).get("/api/v1/applications/").status_code == 401


def test_applicants_cannot_hold_review_scope(applicant):
    with pytest.raises(ServiceError) as err:
        api_keys.create_key(applicant, owner=applicant, name="x", scopes=[ApiScope.REVIEW_WRITE])
    assert err.value.code == "forbidden"


def test_only_administrators_create_keys_for_staff(reviewer, administrator):
    with pytest.raises(ServiceError):
        api_keys.create_key(reviewer, owner=reviewer, name="mine", scopes=[ApiScope.REVIEW_WRITE])
    key, token = api_keys.create_key(administrator, owner=reviewer, name="sync", scopes=[ApiScope.REVIEW_WRITE])
    assert key.user == reviewer and key.created_by == administrator


def test_applicant_cannot_create_a_key_for_someone_else(applicant, other_applicant):
    with pytest.raises(ServiceError):
        api_keys.create_key(applicant, owner=other_applicant, name="x", scopes=[ApiScope.MEMBERS_READ])


def test_unknown_or_missing_scopes_are_refused(applicant):
    for scopes in ([], ["everything"]):
        with pytest.raises(ServiceError) as err:
            api_keys.create_key(applicant, owner=applicant, name="x", scopes=scopes)
        assert err.value.field == "scopes"


def test_last_used_is_not_rewritten_on_every_request(applicant):
    key, token = key_for(applicant)
    client_for(token).get("/api/v1/organizations/")
    key.refresh_from_db()
    first = key.last_used_at
    client_for(token).get("/api/v1/organizations/")
    key.refresh_from_db()
    assert key.last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timezone.timedelta(minutes=5))
    client_for(token).get("/api/v1/organizations/")
    key.refresh_from_db()
    assert key.last_used_at > first


# --- Screens ------------------------------------------------------------------------------------

def test_applicant_creates_a_personal_token_shown_once(client, applicant):
    client.force_login(applicant)
    page = client.get("/keys/")
    assert page.status_code == 200
    assert ApiScope.REVIEW_WRITE.value not in page.content.decode()  # not offered to applicants
    response = client.post("/keys/", {"name": "my sync", "scopes": [ApiScope.APPLICATIONS_READ]})
    assert response.status_code == 200
    token = response.context["token"]
    assert token.startswith("rk_") and token in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    again = client.get("/keys/")
    assert token not in again.content.decode()
    assert client_for(token).get("/api/v1/applications/").status_code == 200


def test_screen_refuses_review_scope_for_applicants(client, applicant):
    client.force_login(applicant)
    response = client.post("/keys/", {"name": "x", "scopes": [ApiScope.REVIEW_WRITE]})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_administrator_creates_staff_key_and_revokes_it(client, administrator, reviewer):
    client.force_login(administrator)
    response = client.post("/keys/", {"name": "review sync", "owner": reviewer.pk,
                                      "scopes": [ApiScope.REVIEW_WRITE, ApiScope.APPLICATIONS_READ]})
    assert response.status_code == 200
    key = ApiKey.objects.get()
    assert key.user == reviewer and key.created_by == administrator
    token = response.context["token"]
    assert client_for(token).get("/api/v1/decisions/").status_code == 200
    assert client.post(f"/keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client_for(token).get("/api/v1/decisions/").status_code == 401


def test_people_cannot_revoke_or_see_others_keys(client, applicant, other_applicant):
    key, _token = key_for(other_applicant)
    client.force_login(applicant)
    assert key.prefix not in client.get("/keys/").content.decode()
    assert client.post(f"/keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_key_screen_needs_login(client):
    assert client.get("/keys/").status_code == 302


def test_create_api_key_command_prints_a_working_token(applicant):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", applicant.email, "--scope", "members:read", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert client_for(token).get("/api/v1/members/").status_code == 200
    assert client_for(token).get("/api/v1/applications/").status_code == 403  # no applications:read
