"""Readiness (`/health/`) fails when the site cannot serve a page; the probes answer an orchestrator over plain HTTP
on the container's own address even with production security on.

The bug this guards: with the static manifest missing every HTML page answered 500 while `/health/` answered
200, so an orchestrator kept the broken container.
"""

import pytest
from django.test import Client

from tests.integration.outbox_env import free_port

pytestmark = pytest.mark.django_db


def _health(client=None):
    response = (client or Client()).get("/health/")
    return response.status_code, response.json()


def test_ready_when_every_dependency_answers():
    status, body = _health()
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "not configured",
                                               "static": "ok"}}


def test_probes_answer_on_the_containers_address_over_plain_http(settings):
    """The compose healthcheck asks http://127.0.0.1:8000/health/: no public host name, no HTTPS."""
    settings.ALLOWED_HOSTS = ["registry.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client(HTTP_HOST="127.0.0.1:8000")
    assert client.get("/health/").status_code == 200
    live = client.get("/health/live/")
    assert live.status_code == 200 and live.content == b"ok"
    assert client.get("/").status_code == 400  # every other path still checks the host
    assert Client(HTTP_HOST="registry.example.gov.cn").get("/").status_code == 301  # and sends HTTP to HTTPS


def test_not_ready_without_the_static_manifest(settings, tmp_path):
    """DEBUG off and the manifest storage, but collectstatic never wrote a manifest: pages would answer 500."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    status, body = _health()
    assert status == 503
    assert body["status"] == "unavailable" and body["checks"]["static"] == "failed"
    assert body["checks"]["database"] == "ok"


def test_not_ready_when_a_manifest_entry_has_no_file(settings, tmp_path):
    import json

    root = tmp_path / "static"
    root.mkdir()
    (root / "staticfiles.json").write_text(json.dumps({
        "version": "1.1", "paths": {"vendor/bootstrap/bootstrap.min.css": "vendor/bootstrap/bootstrap.min.0123456789ab.css"}}))
    settings.STATIC_ROOT = root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    assert _health() == (503, {"status": "unavailable", "checks": {
        "database": "ok", "cache": "ok", "broker": "not configured", "static": "failed"}})


def test_not_ready_when_the_broker_is_unreachable(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    status, body = _health()
    assert status == 503 and body["checks"]["broker"] == "failed"


def test_not_ready_when_the_shared_cache_is_unreachable(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    status, body = _health()
    assert status == 503 and body["checks"]["cache"] == "failed"


def test_a_hung_dependency_fails_the_probe_within_its_deadline(settings):
    """A server that accepts the connection and never answers: the probe gives up after its timeout."""
    import socket
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    settings.HEALTH_TIMEOUT_SECONDS = 0.5
    settings.REDIS_URL = settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    try:
        started = time.monotonic()
        status, body = _health()
        elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert status == 503 and body["checks"]["cache"] == body["checks"]["broker"] == "failed"
    assert elapsed < 5


def test_the_answer_names_failed_checks_but_not_their_errors(settings):
    settings.CELERY_BROKER_URL = f"redis://user:s3cret@127.0.0.1:{free_port()}/0"
    response = Client().get("/health/")
    assert b"s3cret" not in response.content and b"Error" not in response.content
    assert response["Cache-Control"] == "no-store"
