"""Accounts speak as the registry: the Sites record follows the settings, account mail uses the registry's
own bilingual templates and greets people by name, sign-up asks for the name, first consent reads "please read"."""

import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from partners.models import Consent, Notification, PrivacyNotice, User
from partners.services import privacy
from partners.services.notifications import ACCOUNT_MAIL
from partners.sites import sync_site
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def sign_up(client, language="zh-hans", **overrides):
    data = {"email": "wang.fang@example.com", "password1": PASSWORD, "password2": PASSWORD, "consent": "on",
            "display_name": "王芳", **overrides}
    return client.post(reverse("account_signup"), data, HTTP_ACCEPT_LANGUAGE=language)


def account_mail(email="wang.fang@example.com"):
    return Notification.objects.filter(template_key=ACCOUNT_MAIL, email=email).order_by("-id").first()


def test_migrations_left_no_example_com():
    site = Site.objects.get_current()
    assert site.domain != "example.com" and site.name != "example.com"


def test_site_follows_site_url_and_name(settings):
    settings.SITE_URL = "https://partners.example.gov.cn"
    settings.SITE_NAME = "北京AI伙伴计划"
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    sync_site()
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("partners.example.gov.cn", "北京AI伙伴计划")


def test_sign_up_asks_for_the_name_and_keeps_it(client):
    assert "display_name" in client.get(reverse("account_signup")).context["form"].fields
    refused = sign_up(client, display_name="  ")
    assert refused.status_code == 200 and not User.objects.filter(email="wang.fang@example.com").exists()
    assert "请填写您的姓名" in refused.content.decode()
    assert sign_up(client).status_code == 302
    assert User.objects.get(email="wang.fang@example.com").display_name == "王芳"


def test_confirmation_mail_is_the_registrys_own_in_chinese(client, settings):
    sign_up(client)
    row = account_mail()
    text, subject = row.context["text"], row.context["subject"]
    assert "example.com的" not in text and "Hello from" not in text and "来自" not in text
    assert text.startswith("王芳，您好")
    assert "北京市通用人工智能产业创新伙伴计划" in text and settings.SITE_URL in text
    assert "请确认您的邮箱地址" in subject


def test_confirmation_mail_in_english(client):
    sign_up(client, language="en", email="li.lei@example.com", display_name="Li Lei")
    row = account_mail("li.lei@example.com")
    assert row.context["text"].startswith("Dear Li Lei,")
    assert "Please confirm your e-mail address" in row.context["subject"]
    assert "Hello from" not in row.context["text"]


def test_password_reset_mail_uses_the_registry_template(client):
    person = UserFactory(email="reset.me@example.com", display_name="张伟")
    client.post(reverse("account_reset_password"), {"email": person.email}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    row = account_mail(person.email)
    assert row.context["text"].startswith("张伟，您好")
    assert "设置新密码" in row.context["subject"] and "/accounts/password/reset/key/" in row.context["text"]


def test_portal_greets_people_by_name(client, applicant):
    applicant.display_name = "赵敏"
    applicant.save()
    client.force_login(applicant)
    assert "赵敏，欢迎您" in client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def _gate_message(client, user):
    client.force_login(user)
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    return " ".join(str(m) for m in response.context["messages"]), response.content.decode()


def test_first_consent_says_please_read_and_a_change_says_changed(client, settings, in_english):
    settings.PRIVACY_CONSENT_REQUIRED = True
    newcomer = UserFactory(email="first.time@example.com")
    assert not Consent.objects.filter(user=newcomer).exists()
    message, page = _gate_message(client, newcomer)
    assert "Please read the privacy notice" in message and "changed" not in message
    assert "Please read the privacy notice below" in page
    client.logout()

    returning = UserFactory(email="returning@example.com")
    privacy.record_consent(returning, privacy.current_notice())
    PrivacyNotice.objects.create(version=99, title_zh="声明99", title_en="Notice 99", text_zh="正文",
                                 text_en="Text", published_at=timezone.now())
    cache.clear()
    message, page = _gate_message(client, returning)
    assert "has changed" in message and "has changed since you last agreed" in page
