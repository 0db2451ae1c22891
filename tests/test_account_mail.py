"""Account mail goes through the outbox: a mail server that is down never fails sign-up nor half-makes an account."""

import re
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import DatabaseError
from django.urls import reverse

from partners.enums import NotificationState
from partners.models import Notification, User
from partners.services import delivery
from partners.services.delivery import deliver
from partners.services.notifications import ACCOUNT_MAIL, inbox
from tests.factories import PASSWORD, UserFactory
from tests.integration.outbox_env import Mailbox, free_port

pytestmark = pytest.mark.django_db
NEW = "new.person@example.com"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def smtp_port(settings):
    """A real SMTP client pointed at a port where, for now, nothing listens."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    yield port
    delivery._drop_connection()


def sign_up(client, email=NEW):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD,
                                                   "consent": "on", "display_name": "王芳"})


def test_sign_up_with_the_mail_server_down_answers_normally_and_the_mail_waits(
        client, smtp_port, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = sign_up(client)
    assert callbacks, "the mail is handed to the worker only after the commit"
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email=NEW)
    assert not EmailAddress.objects.get(user=user).verified
    row = Notification.objects.get(template_key=ACCOUNT_MAIL, email=NEW)
    # The in-process try after the commit met the closed port: a transient failure, retried later.
    assert row.state == NotificationState.PENDING and row.attempts == 1 and row.last_error
    assert row.recipient == user and row.essential

    box = Mailbox()
    server = Controller(box, hostname="127.0.0.1", port=smtp_port)
    server.start()
    try:
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
        assert deliver(row.pk) == NotificationState.SENT
    finally:
        server.stop()
    [message] = box.to(NEW)
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)  # rendered by allauth's templates
    body = message.get_payload()[0].get_payload(decode=True).decode() if message.is_multipart() \
        else message.get_payload(decode=True).decode()
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", body).group(0)
    confirm = link.replace("http://testserver", "")
    client.post(confirm)
    assert EmailAddress.objects.get(user=user).verified
    row.refresh_from_db()
    assert set(row.context) == {"template", "subject"}, "the one-time link is not kept once sent"


def test_a_failure_while_recording_the_mail_leaves_no_account(client, monkeypatch):
    from partners.services import notifications

    def broken(*args, **kwargs):
        raise DatabaseError("the outbox could not be written")

    monkeypatch.setattr(notifications, "record", broken)
    with pytest.raises(DatabaseError):
        sign_up(client)
    assert not User.objects.filter(email=NEW).exists()
    assert not EmailAddress.objects.filter(email=NEW).exists()


def test_password_reset_and_address_change_are_recorded_in_the_outbox(client, django_capture_on_commit_callbacks):
    from django.core import mail

    user = UserFactory(email="forgetful@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("account_reset_password"), {"email": user.email}).status_code == 302
    assert Notification.objects.filter(template_key=ACCOUNT_MAIL, email=user.email).count() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body

    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email"), {"action_add": "", "email": "second@example.com"})
    assert response.status_code == 302
    row = Notification.objects.get(template_key=ACCOUNT_MAIL, email="second@example.com")
    assert row.state == NotificationState.SENT
    assert "second@example.com" in mail.outbox[-1].to
    assert not inbox(user).filter(template_key=ACCOUNT_MAIL).exists(), "account mail is e-mail only"


def test_staff_never_see_the_one_time_link_of_an_account_mail(client, administrator, settings):
    settings.EMAIL_BACKEND = "tests.test_outbox.FlakyBackend"
    from tests.test_outbox import FlakyBackend

    FlakyBackend.replies = [550]
    user = UserFactory(email="forgetful@example.com")
    client.post(reverse("account_reset_password"), {"email": user.email})
    row = Notification.objects.get(template_key=ACCOUNT_MAIL)
    deliver(row.pk)
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED  # kept whole, so it can be sent again
    assert "/accounts/password/reset/key/" in row.context["text"]
    settings.AXES_ENABLED = False
    root = User.objects.create_superuser("root@example.com", PASSWORD, display_name="Root")
    for person, url in ((administrator, reverse("outbox:detail", args=[row.pk])),
                        (root, reverse("admin:partners_notification_change", args=[row.pk]))):
        client.force_login(person)
        page = client.get(url)
        assert page.status_code == 200, url
        assert row.context["subject"] in page.content.decode() or person is root, url
        assert "/password/reset/key/" not in page.content.decode(), url
    FlakyBackend.replies = []
