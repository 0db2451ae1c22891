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


class WebhookReceiver:
    """A real HTTP server on a free loopback port, in a thread, recording what it receives.

    `answers` is a list of status codes to give in turn (then 200 for ever)."""

    def __init__(self, answers=()):
        import http.server
        import threading

        self.received = []
        self.answers = list(answers)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.answers.pop(0) if receiver.answers else 200
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "status": status})
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
