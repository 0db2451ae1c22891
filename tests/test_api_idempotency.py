"""Idempotency-Key on POST: a repeat replays the first answer and creates nothing; another body is a 422."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.models import Application, Attachment, AuditEvent, IdempotencyRecord
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import TINY_PDF, ApplicationFactory, complete_draft

pytestmark = pytest.mark.django_db


def test_repeat_with_the_same_key_creates_once(applicant):
    _key, token = key_for(applicant)
    client = client_for(token)
    body = {"partner_types": ["data"], "contact_title": "经理"}
    first = client.post("/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    second = client.post("/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.created").count() == 1


def test_same_key_with_another_body_is_refused(applicant):
    _key, token = key_for(applicant)
    client = client_for(token)
    client.post("/api/v1/applications/", {"partner_types": ["data"]}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client.post("/api/v1/applications/", {"partner_types": ["model"]}, format="json",
                           HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_keys_are_per_caller(applicant):
    _k1, token1 = key_for(applicant, name="one")
    _k2, token2 = key_for(applicant, name="two")
    for token in (token1, token2):
        response = client_for(token).post("/api/v1/applications/", {}, format="json", HTTP_IDEMPOTENCY_KEY="same")
        assert response.status_code == 201
    assert Application.objects.count() == 2


def test_without_a_key_every_post_counts(applicant):
    _key, token = key_for(applicant)
    for _ in range(2):
        client_for(token).post("/api/v1/applications/", {}, format="json")
    assert Application.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_repeated_action_replays_instead_of_conflicting(applicant):
    application = complete_draft(ApplicationFactory(organization=applicant.organizations.get(),
                                                    created_by=applicant))
    _key, token = key_for(applicant)
    client = client_for(token)
    url = f"/api/v1/applications/{application.public_id}/actions/submit/"
    first = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    again = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    assert first.status_code == again.status_code == 200
    assert again.json()["state"] == "submitted"
    assert AuditEvent.objects.filter(action="application.submitted").count() == 1
    # Without the key the same request is a real second attempt, and the workflow refuses it.
    assert client.post(url, {}, format="json").status_code == 409


def test_repeated_upload_stores_one_file_even_with_a_new_multipart_boundary(applicant):
    application = ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)
    _key, token = key_for(applicant)
    client = client_for(token)
    url = f"/api/v1/applications/{application.public_id}/attachments/"
    for _ in range(2):
        upload = SimpleUploadedFile("licence.pdf", TINY_PDF)
        response = client.post(url, {"file": upload, "kind": "licence"}, format="multipart",
                               HTTP_IDEMPOTENCY_KEY="upload-1")
        assert response.status_code == 201
    assert Attachment.objects.filter(application=application).count() == 1
    other = SimpleUploadedFile("licence.pdf", TINY_PDF + b"%changed")
    assert client.post(url, {"file": other, "kind": "licence"}, format="multipart",
                       HTTP_IDEMPOTENCY_KEY="upload-1").status_code == 422


def test_a_refusal_is_replayed_too(applicant):
    _key, token = key_for(applicant)
    client = client_for(token)
    first = client.post("/api/v1/applications/", {"partner_types": ["nonsense"]}, format="json",
                        HTTP_IDEMPOTENCY_KEY="bad")
    again = client.post("/api/v1/applications/", {"partner_types": ["nonsense"]}, format="json",
                        HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == again.status_code == 400
    assert first.json() == again.json()


def test_records_older_than_a_day_are_purged(applicant):
    from django.utils import timezone

    from partners.api.mixins import purge_old_records

    _key, token = key_for(applicant)
    client_for(token).post("/api/v1/applications/", {}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert purge_old_records() == 0
    assert purge_old_records(now=timezone.now() + timezone.timedelta(hours=25)) == 1
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize(("bad", "code"), [("x" * 201, "invalid_idempotency_key"),
                                           ("with space", "invalid_idempotency_key"),
                                           ("中文键", "invalid_idempotency_key"),
                                           ("nul\x00byte", "bad_characters")])  # refused by the input-hygiene layer
def test_malformed_keys_are_refused_before_anything_is_stored(applicant, bad, code):
    _key, token = key_for(applicant)
    response = client_for(token).post("/api/v1/applications/", {}, format="json", HTTP_IDEMPOTENCY_KEY=bad)
    assert response.status_code == 400 and response.json()["code"] == code
    assert not IdempotencyRecord.objects.exists() and not Application.objects.exists()
