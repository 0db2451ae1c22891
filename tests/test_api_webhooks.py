"""Webhooks: subscriptions per key, outbox rows per subscribed event, HMAC signatures, retries, the log."""

import json

import pytest
from django.utils import timezone

from partners.enums import NotificationChannel, NotificationState
from partners.models import Notification
from partners.services import api_keys, webhooks
from partners.services.delivery import deliver
from tests.api_helpers import WebhookReceiver, _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import advance, submitted_application

pytestmark = pytest.mark.django_db


def webhook_rows():
    return Notification.objects.filter(channel=NotificationChannel.WEBHOOK).order_by("id")


def test_subscribe_shows_the_secret_once(applicant):
    _key, token = key_for(applicant)
    client = client_for(token)
    created = client.post("/api/v1/webhooks/", {"url": "https://93.184.215.14/hook",
                                                "event_types": ["application.submitted", "member.admitted"]},
                          format="json")
    assert created.status_code == 201, created.content
    assert len(created.json()["secret"]) == 64
    listed = client.get("/api/v1/webhooks/").json()["results"]
    assert "secret" not in listed[0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{created.json()['id']}/").json()


@pytest.mark.parametrize("body,field", [
    ({"url": "ftp://example.com/x", "event_types": ["application.submitted"]}, "url"),
    ({"url": "https://example.com/x", "event_types": ["application.exploded"]}, "event_types.0"),
    ({"url": "https://example.com/x", "event_types": []}, "event_types"),
])
def test_bad_subscriptions_are_refused(applicant, body, field):
    _key, token = key_for(applicant)
    response = client_for(token).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_events_become_outbox_rows_only_for_those_who_may_see_them(applicant, other_applicant, reviewer):
    key_a, _ = key_for(applicant)
    key_b, _ = key_for(other_applicant)
    staff_key, _ = key_for(reviewer)
    sub_a, _ = webhooks.subscribe(key_a, url="http://127.0.0.1:9/a", event_types=["*"])
    sub_b, _ = webhooks.subscribe(key_b, url="http://127.0.0.1:9/b", event_types=["application.submitted"])
    sub_staff, _ = webhooks.subscribe(staff_key, url="http://127.0.0.1:9/s",
                                      event_types=["application.submitted", "application.assigned"])
    application = submitted_application(applicant)
    from partners.services.review import assign

    assign(reviewer, [application.pk], reviewer)  # an internal event: staff only
    rows = list(webhook_rows())
    by_sub = {}
    for row in rows:
        by_sub.setdefault(row.context["subscription"], []).append(row.context["event_type"])
    assert "application.submitted" in by_sub[sub_a.pk]
    assert "application.assigned" not in by_sub[sub_a.pk]
    assert sub_b.pk not in by_sub  # another organisation's application
    assert sorted(by_sub[sub_staff.pk]) == ["application.assigned", "application.submitted"]
    payload = next(r for r in rows if r.context["subscription"] == sub_a.pk
                   and r.context["event_type"] == "application.submitted").context["payload"]
    assert payload["application"] == str(application.public_id) and payload["to_state"] == "submitted"


def test_delivery_is_signed_and_verifiable(applicant, django_capture_on_commit_callbacks):
    key, _ = key_for(applicant)
    with WebhookReceiver() as receiver:
        sub, secret = webhooks.subscribe(key, url=receiver.url, event_types=["application.submitted"])
        with django_capture_on_commit_callbacks(execute=True):
            application = submitted_application(applicant)
        assert len(receiver.received) == 1
        hit = receiver.received[0]
    headers = {k.lower(): v for k, v in hit["headers"].items()}
    assert headers["x-registry-event"] == "application.submitted"
    assert headers["content-type"].startswith("application/json")
    assert webhooks.verify(secret, headers["x-registry-timestamp"], hit["body"], headers["x-registry-signature"])
    assert not webhooks.verify("wrong", headers["x-registry-timestamp"], hit["body"],
                               headers["x-registry-signature"])
    body = json.loads(hit["body"])
    assert body["type"] == "application.submitted" and body["application"] == str(application.public_id)
    row = webhook_rows().get()
    assert row.state == NotificationState.SENT and headers["x-registry-delivery"] == str(row.public_id)


def test_failed_delivery_is_retried_with_backoff_then_succeeds(applicant, django_capture_on_commit_callbacks):
    key, token = key_for(applicant)
    with WebhookReceiver(answers=[500]) as receiver:
        sub, secret = webhooks.subscribe(key, url=receiver.url, event_types=["application.submitted"])
        with django_capture_on_commit_callbacks(execute=True):
            submitted_application(applicant)
        row = webhook_rows().get()
        assert row.state == NotificationState.PENDING and row.attempts == 1
        assert "500" in row.last_error and row.next_attempt_at > timezone.now()
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert deliver(row.pk) == NotificationState.SENT
        assert [r["status"] for r in receiver.received] == [500, 200]
        assert receiver.received[0]["body"] == receiver.received[1]["body"]
    log = client_for(token).get(f"/api/v1/webhooks/{sub.public_id}/deliveries/").json()["results"]
    assert log[0]["state"] == "sent" and log[0]["attempts"] == 2 and log[0]["event_type"] == "application.submitted"


def test_unreachable_receiver_fails_after_the_last_attempt(applicant, settings):
    settings.OUTBOX_RETRY_SCHEDULE = [60]  # two tries
    key, _ = key_for(applicant)
    webhooks.subscribe(key, url="http://127.0.0.1:9/nobody-listens", event_types=["application.submitted"])
    submitted_application(applicant)
    row = webhook_rows().get()
    assert deliver(row.pk) == NotificationState.PENDING
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert deliver(row.pk) == NotificationState.FAILED


def test_revoked_key_gets_no_more_deliveries(applicant):
    key, _ = key_for(applicant)
    with WebhookReceiver() as receiver:
        webhooks.subscribe(key, url=receiver.url, event_types=["application.submitted"])
        submitted_application(applicant)  # recorded; not yet sent (the commit never happens in this test)
        api_keys.revoke_key(applicant, key)
        row = webhook_rows().get()
        assert deliver(row.pk) == NotificationState.FAILED
        assert receiver.received == []
    assert "ended" in Notification.objects.get(pk=row.pk).last_error


def test_unsubscribe_cancels_pending_deliveries(applicant):
    key, token = key_for(applicant)
    sub, _ = webhooks.subscribe(key, url="http://127.0.0.1:9/x", event_types=["application.submitted"])
    submitted_application(applicant)
    assert client_for(token).delete(f"/api/v1/webhooks/{sub.public_id}/").status_code == 204
    assert webhook_rows().get().state == NotificationState.CANCELLED
    assert client_for(token).get(f"/api/v1/webhooks/{sub.public_id}/").json()["active"] is False


def test_admission_is_also_announced_as_member_admitted(applicant, reviewer, approver):
    from partners.enums import ApplicationState
    from partners.services.membership import admit_due_applications

    key, _ = key_for(applicant)
    webhooks.subscribe(key, url="http://127.0.0.1:9/x", event_types=["member.admitted"])
    advance(submitted_application(applicant), ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    admit_due_applications(now=timezone.now() + timezone.timedelta(days=30))
    row = webhook_rows().get()
    assert row.context["event_type"] == "member.admitted"
    assert row.context["payload"]["data"]["member_number"] == applicant.organizations.get().membership.number
