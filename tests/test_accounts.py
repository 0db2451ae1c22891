"""Accounts: sign-up by e-mail with mandatory verification, login, password reset, rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from partners.models import Notification, SecurityEvent, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Blue-Lantern-42-river"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def link_in(message):
    match = re.search(r"https?://[^\s]+", message.body)
    assert match, message.body
    return match.group(0).replace("http://testserver", "").replace("https://testserver", "")


def sign_up(client, email="new.person@example.com"):
    return client.post(reverse("account_signup"), {
        "email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on", "display_name": "王芳",
    })


def test_pages_render_in_the_site_layout(client):
    for name in ("account_login", "account_signup", "account_reset_password", "account_email_verification_sent"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert 'class="navbar' in page and "<label" in page or name == "account_email_verification_sent"


def test_sign_up_needs_a_verified_address_before_login(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]

    # Not verified yet: logging in sends the person back to the verification page.
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new.person@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    confirm_url = link_in(mail.outbox[-1])
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert "new.person@example.com" in page.content.decode()
    client.post(confirm_url)
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    response = client.post(reverse("account_login"), {"login": "new.person@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    # A person without an organisation is sent to claim or create it.
    home = client.get(reverse("portal:home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("portal:claim")


def test_sign_up_refuses_a_weak_password_and_a_taken_address(client):
    UserFactory(email="taken@example.com")
    response = client.post(reverse("account_signup"), {"email": "weak@example.com", "password1": "12345678",
                                                       "password2": "12345678", "consent": "on", "display_name": "王芳"})
    assert response.status_code == 200
    assert not User.objects.filter(email="weak@example.com").exists()
    sign_up(client, "taken@example.com")
    assert User.objects.filter(email="taken@example.com").count() == 1


def test_password_reset_by_mail(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgetful@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    reset_url = link_in(mail.outbox[-1])
    page = client.get(reset_url, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else reset_url
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Both the reset and the change it makes are in the security log (docs/COMPLIANCE.md, password change).
    for action in ("auth.password_reset", "auth.password_changed"):
        assert SecurityEvent.objects.filter(action=action, object_ref=f"user:{user.pk}").exists(), action


def test_password_reset_is_rate_limited(client):
    UserFactory(email="target@example.com")
    statuses = [client.post(reverse("account_reset_password"), {"email": "target@example.com"}).status_code
                for _ in range(7)]
    assert statuses[0] == 302
    assert statuses[-1] == 429
    assert 1 <= Notification.objects.filter(email="target@example.com", template_key="account.mail").count() <= 5


def test_failed_logins_are_rate_limited(client, settings):
    settings.AXES_ENABLED = False  # isolate the per-name delay from the per-address lockout
    settings.LANGUAGE_CODE = "en"
    UserFactory(email="victim@example.com")
    for _ in range(settings.LOGIN_DELAY_FREE_FAILURES + 1):
        response = client.post(reverse("account_login"), {"login": "victim@example.com", "password": "wrong-Pass-1"})
        assert "Too many failed login attempts" not in response.content.decode()
    # The delay holds even against the right password.
    response = client.post(reverse("account_login"), {"login": "victim@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts for this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_account_pages_use_the_site_layout(client):
    user = UserFactory()
    client.force_login(user)
    for name in ("account_email", "account_change_password", "mfa_index"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert 'class="navbar' in response.content.decode(), name
