"""Webhooks never reach the inside: every address form refused, rebinding defeated, generic errors, secret rotation."""

import json
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from partners.enums import NotificationChannel, NotificationState
from partners.models import Notification, SecurityEvent, WebhookSubscription
from partners.services import egress, webhooks
from partners.services.delivery import deliver
from tests.api_helpers import WebhookReceiver, _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import submitted_application

pytestmark = pytest.mark.django_db

PUBLIC_V4 = "93.184.215.14"


@pytest.fixture
def no_internal(settings):
    """The production default: no internal network is allowed."""
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    settings.WEBHOOK_REQUIRE_HTTPS = True


@pytest.fixture
def dns(monkeypatch):
    """A resolver the test controls: name → list of answers, one answer list per lookup (the last repeats)."""
    answers, lookups = {}, []

    def resolve(host, port):
        lookups.append(host)
        queue = answers.get(host)
        if not queue:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return queue.pop(0) if len(queue) > 1 else queue[0]

    monkeypatch.setattr(egress, "resolve", resolve)
    resolve.answers, resolve.lookups = answers, lookups
    return resolve


def webhook_rows():
    return Notification.objects.filter(channel=NotificationChannel.WEBHOOK).order_by("id")


INSIDE = [
    "http://127.0.0.1:5432/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://[2002:7f00:1::1]/",  # 6to4 wrapping 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 wrapping 169.254.169.254
    "http://[::ffff:a9fe:a9fe]/",
    "http://localhost:8000/",
]


@pytest.mark.parametrize("url", INSIDE)
def test_subscribing_an_inside_address_is_refused(applicant, no_internal, url):
    _key, token = key_for(applicant)
    response = client_for(token).post("/api/v1/webhooks/", {"url": url, "event_types": ["*"]}, format="json")
    assert response.status_code == 400, response.content
    assert "url" in response.json()["fields"]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", INSIDE + [
    "http://2130706433/",  # decimal
    "http://0x7f000001/",  # hexadecimal
    "http://0177.0.0.1/",  # octal
    "http://127.1/",  # short
    "http://10.1/",
    "http://0/",
])
def test_every_form_of_an_inside_address_is_refused_by_the_check(no_internal, url):
    # The forms URL validation already rejects are checked here too, through the system resolver, which
    # reads them as the inside addresses they are.
    with pytest.raises(egress.Refused):
        egress.check(url)


def test_names_are_judged_by_what_they_resolve_to(applicant, no_internal, dns):
    dns.answers["metadata.google.internal"] = [["169.254.169.254"]]
    dns.answers["mixed.example.com"] = [[PUBLIC_V4, "10.0.0.7"]]
    dns.answers["hooks.example.com"] = [[PUBLIC_V4, "2606:4700::1111"]]
    _key, token = key_for(applicant)
    client = client_for(token)
    for url in ("https://metadata.google.internal/", "https://mixed.example.com/",
                "https://nowhere.example.com/"):
        response = client.post("/api/v1/webhooks/", {"url": url, "event_types": ["*"]}, format="json")
        assert response.status_code == 400 and "url" in response.json()["fields"], url
    ok = client.post("/api/v1/webhooks/", {"url": "https://hooks.example.com/in", "event_types": ["*"]},
                     format="json")
    assert ok.status_code == 201, ok.content


def test_credentials_in_the_url_and_plain_http_are_refused(applicant, no_internal, dns):
    dns.answers["hooks.example.com"] = [[PUBLIC_V4]]
    _key, token = key_for(applicant)
    client = client_for(token)
    with_password = client.post("/api/v1/webhooks/", {"url": "https://user:pw@hooks.example.com/",
                                                      "event_types": ["*"]}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert with_password.status_code == 400
    assert "user name or password" in json.dumps(with_password.json())
    plain = client.post("/api/v1/webhooks/", {"url": "http://hooks.example.com/", "event_types": ["*"]},
                        format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert plain.status_code == 400 and "https" in json.dumps(plain.json())
    assert client.post("/api/v1/webhooks/", {"url": f"https://{PUBLIC_V4}/", "event_types": ["*"]},
                       format="json").status_code == 201


def test_refusals_are_translated(applicant, no_internal):
    _key, token = key_for(applicant)
    response = client_for(token).post("/api/v1/webhooks/", {"url": "http://10.0.0.1/", "event_types": ["*"]},
                                      format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "私有" in json.dumps(response.json(), ensure_ascii=False)


def test_production_allows_no_internal_network_and_wants_https(tmp_path):
    assert probe_settings(tmp_path) == {"networks": [], "https": True, "proxies": {}}


def probe_settings(tmp_path):
    from tests import test_settings

    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({'networks': s.WEBHOOK_ALLOWED_NETWORKS, 'https': s.WEBHOOK_REQUIRE_HTTPS, "
            "'proxies': s.WEBHOOK_PROXIES}))")
    result = test_settings.run(["-c", code], **test_settings.production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_subscription_that_now_resolves_inside_is_not_delivered(applicant, no_internal, dns):
    """DNS rebinding: public when subscribed, loopback at delivery time; the delivery is refused unsent."""
    dns.answers["rebind.example.com"] = [[PUBLIC_V4], ["127.0.0.1"]]
    key, token = key_for(applicant)
    with WebhookReceiver() as receiver:
        port = receiver.server.server_address[1]
        sub, _secret = webhooks.subscribe(key, url=f"https://rebind.example.com:{port}/hook",
                                          event_types=["application.submitted"])
        submitted_application(applicant)
        row = webhook_rows().get()
        assert deliver(row.pk) == NotificationState.FAILED  # refused for good: no retry can make it allowed
        assert receiver.received == []
    log = client_for(token).get(f"/api/v1/webhooks/{sub.public_id}/deliveries/").json()["results"]
    assert log[0]["last_error"] == webhooks.REFUSED_ERROR


def test_delivery_connects_to_the_address_that_was_checked(applicant, settings, dns):
    """One lookup per delivery, and the socket goes to its answer: a second answer never gets used."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    dns.answers["receiver.test"] = [["127.0.0.1"]]
    key, _token = key_for(applicant)
    with WebhookReceiver() as receiver:
        port = receiver.server.server_address[1]
        webhooks.subscribe(key, url=f"http://receiver.test:{port}/hook?x=1", event_types=["application.submitted"])
        dns.answers["receiver.test"] = [["127.0.0.1"], ["10.9.9.9"]]
        dns.lookups.clear()
        submitted_application(applicant)
        assert deliver(webhook_rows().get().pk) == NotificationState.SENT
        hit = receiver.received[0]
    assert dns.lookups == ["receiver.test"]
    assert hit["path"] == "/hook?x=1"
    assert hit["headers"]["Host"] == f"receiver.test:{port}"


def test_the_setting_lets_an_installation_reach_its_internal_receivers(applicant, no_internal):
    key, _token = key_for(applicant)
    with WebhookReceiver() as receiver:
        with pytest.raises(webhooks.ServiceError):
            webhooks.subscribe(key, url=receiver.url, event_types=["application.submitted"])
        from django.conf import settings

        settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
        sub, _ = webhooks.subscribe(key, url=receiver.url, event_types=["application.submitted"])
        settings.WEBHOOK_ALLOWED_NETWORKS = []  # taken away again: the next delivery is refused
        submitted_application(applicant)
        assert deliver(webhook_rows().get().pk) == NotificationState.FAILED
        assert receiver.received == []
        assert sub.pk


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback on this host")
def test_ipv6_receiver_in_an_allowed_network(applicant, settings):
    import http.server

    class V6Receiver(WebhookReceiver):
        def __init__(self):
            super().__init__()
            self.server.server_close()
            handler = self.server.RequestHandlerClass

            class V6Server(http.server.ThreadingHTTPServer):
                address_family = socket.AF_INET6

            self.server = V6Server(("::1", 0), handler)
            self.url = f"http://[::1]:{self.server.server_address[1]}/hook6"
            import threading

            self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    key, _token = key_for(applicant)
    with V6Receiver() as receiver:
        with pytest.raises(webhooks.ServiceError):  # IPv4 loopback allowed is not IPv6 loopback allowed
            webhooks.subscribe(key, url=receiver.url, event_types=["application.submitted"])
        settings.WEBHOOK_ALLOWED_NETWORKS = ["::1/128"]
        webhooks.subscribe(key, url=receiver.url, event_types=["application.submitted"])
        submitted_application(applicant)
        assert deliver(webhook_rows().get().pk) == NotificationState.SENT
        assert receiver.received[0]["path"] == "/hook6"


def test_the_deliveries_list_tells_no_socket_errors(applicant, settings):
    """A closed port and an answering server must not be told apart beyond the HTTP status."""
    settings.OUTBOX_MAX_ATTEMPTS = 1
    key, token = key_for(applicant)
    closed, _ = webhooks.subscribe(key, url="http://127.0.0.1:9/closed", event_types=["application.submitted"])
    with WebhookReceiver(answers=[418]) as receiver:
        teapot, _ = webhooks.subscribe(key, url=receiver.url, event_types=["application.submitted"])
        submitted_application(applicant)
        for row in webhook_rows():
            deliver(row.pk)
    client = client_for(token)
    closed_log = client.get(f"/api/v1/webhooks/{closed.public_id}/deliveries/").json()["results"]
    teapot_log = client.get(f"/api/v1/webhooks/{teapot.public_id}/deliveries/").json()["results"]
    assert closed_log[0]["last_error"] == "the receiver could not be reached"
    assert teapot_log[0]["last_error"] == "the receiver answered HTTP 418"
    # Rows written before the rule, with a socket error in them, are shown generically too.
    Notification.objects.filter(public_id=closed_log[0]["id"]).update(
        last_error="URLError: <urlopen error [Errno 111] Connection refused>")
    again = client.get(f"/api/v1/webhooks/{closed.public_id}/deliveries/").json()["results"]
    assert again[0]["last_error"] == "the receiver could not be reached"


def test_proxy_remains_an_option(applicant, settings):
    """With WEBHOOK_PROXIES the request goes to the proxy, which is given the full URL to fetch."""
    key, _token = key_for(applicant)
    with WebhookReceiver() as proxy:
        settings.WEBHOOK_PROXIES = {"http": proxy.url.rsplit("/", 1)[0], "https": proxy.url.rsplit("/", 1)[0]}
        webhooks.subscribe(key, url="http://127.0.0.1:9/via-proxy", event_types=["application.submitted"])
        submitted_application(applicant)
        assert deliver(webhook_rows().get().pk) == NotificationState.SENT
        assert proxy.received[0]["path"] == "http://127.0.0.1:9/via-proxy"


def test_ending_a_subscription_needs_no_address_check(applicant, settings):
    key, token = key_for(applicant)
    sub, _ = webhooks.subscribe(key, url="http://127.0.0.1:9/x", event_types=["*"])
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    assert client_for(token).delete(f"/api/v1/webhooks/{sub.public_id}/").status_code == 204
    refused = client_for(token).patch(f"/api/v1/webhooks/{sub.public_id}/", {"active": True}, format="json")
    assert refused.status_code == 400


# --- Rotating the signing secret ----------------------------------------------------------------

def test_secret_rotation_shows_a_new_secret_once_and_both_sign_during_the_grace_period(applicant):
    key, token = key_for(applicant)
    client = client_for(token)
    with WebhookReceiver() as receiver:
        created = client.post("/api/v1/webhooks/", {"url": receiver.url, "event_types": ["application.submitted"]},
                              format="json").json()
        rotated = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret/")
        assert rotated.status_code == 200, rotated.content
        old, new = created["secret"], rotated.json()["secret"]
        assert len(new) == 64 and new != old
        assert "secret" not in client.get(f"/api/v1/webhooks/{created['id']}/").json()
        submitted_application(applicant)
        assert deliver(webhook_rows().get().pk) == NotificationState.SENT
        hit = receiver.received[0]
    ts, sig = hit["headers"]["X-Registry-Timestamp"], hit["headers"]["X-Registry-Signature"]
    assert webhooks.verify(new, ts, hit["body"], sig) and webhooks.verify(old, ts, hit["body"], sig)
    assert not webhooks.verify("f" * 64, ts, hit["body"], sig)
    sub = WebhookSubscription.objects.get(public_id=created["id"])
    # The security log is internal: it names the subscription by its row.
    assert SecurityEvent.objects.filter(action="webhook.secret_rotated", object_ref=f"webhook:{sub.pk}").exists()

    # After the grace period only the new secret signs.
    sub.previous_secret_until = timezone.now() - timedelta(seconds=1)
    header = webhooks.signature_header(sub, "1", b"{}")
    assert webhooks.verify(new, "1", b"{}", header) and not webhooks.verify(old, "1", b"{}", header)


def test_only_the_owner_key_rotates(applicant, other_applicant):
    key, _ = key_for(applicant)
    sub, _ = webhooks.subscribe(key, url="http://127.0.0.1:9/x", event_types=["*"])
    _other, other_token = key_for(other_applicant)
    assert client_for(other_token).post(f"/api/v1/webhooks/{sub.public_id}/rotate-secret/").status_code == 404


def test_a_name_that_stops_resolving_is_retried_not_failed(applicant, no_internal, dns):
    dns.answers["flaky.example.com"] = [[PUBLIC_V4]]
    key, _token = key_for(applicant)
    webhooks.subscribe(key, url="https://flaky.example.com/hook", event_types=["application.submitted"])
    dns.answers["flaky.example.com"] = []
    submitted_application(applicant)
    row = webhook_rows().get()
    assert deliver(row.pk) == NotificationState.PENDING
    row.refresh_from_db()
    assert row.last_error.endswith(webhooks.UNREACHABLE_ERROR)
