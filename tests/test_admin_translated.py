"""The Django admin speaks Chinese throughout: every column header and field label of every registered admin,
and it is titled for the registry, not "Django 管理"."""

import html
import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from partners.enums import ApplicationState
from partners.models import User
from partners.services.membership import admit_due_applications
from tests.factories import PASSWORD, advance, submitted_application

# Latin words allowed in Chinese admin chrome: abbreviations and names people use as they are.
ALLOWED = {"ID", "IP", "API", "URL", "PDF", "JSON", "TOTP", "SHA", "Webhook", "UUID", "HTTP", "PFLOPS", "FP",
           "TB", "AI", "WebAuthn", "MFA", "PII", "TXID", "AMQP", "Message"}  # Message-ID: a mail header
LATIN = re.compile(r"[A-Za-z]{2,}")
TAG = re.compile(r"<[^>]+>")
HEADERS = re.compile(r"<thead>(.*?)</thead>", re.S)
LABELS = re.compile(r"<label[^>]*>(.*?)</label>", re.S)
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def english_words(text):
    """The texts (cells, labels) of this piece of HTML that hold an English word outside the whitelist."""
    texts = [" ".join(html.unescape(t).split()) for t in re.split(r"<(?:th|td|label|div|span|a|p)\b[^>]*>", text)]
    return sorted({TAG.sub("", t).strip() for t in texts if set(LATIN.findall(TAG.sub(" ", t))) - ALLOWED})


@pytest.fixture
def zh_admin(client, db, settings, applicant, other_applicant, reviewer, approver):
    settings.AXES_ENABLED = False
    root = User.objects.create_superuser("root@example.com", PASSWORD, display_name="Root")
    application = advance(submitted_application(applicant), ApplicationState.PUBLICITY, reviewer=reviewer,
                          approver=approver)
    admit_due_applications(now=application.publicity_ends_at)
    submitted_application(other_applicant)
    client.force_login(root)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_admin_is_titled_for_the_registry(zh_admin):
    page = zh_admin.get(reverse("admin:index")).content.decode()
    assert "Django" not in TITLE.search(page).group(1)
    assert "Django 管理" not in page and "Django administration" not in page
    assert "北京通用人工智能伙伴计划" in page
    # Every app and model name on the index is translated too.
    rows = re.findall(r'<(?:th scope="row"|caption)[^>]*>(.*?)</(?:th|caption)>', page, re.S)
    assert rows and not [w for row in rows for w in english_words(row)], [w for r in rows for w in english_words(r)]
    with translation.override("en"):
        assert str(admin.site.site_header) != "Django administration"


def test_every_admin_column_and_field_label_is_translated(zh_admin):
    untranslated = {}
    for model in admin.site._registry:
        name = f"{model._meta.app_label}.{model._meta.model_name}"
        changelist = zh_admin.get(_url(model, "changelist"))
        assert changelist.status_code == 200, name
        text = changelist.content.decode()
        found = set()
        for header in HEADERS.findall(text):
            found.update(english_words(header))
        found.update(english_words(TITLE.search(text).group(1)))
        obj = model._default_manager.first()
        if obj is not None:
            change = zh_admin.get(_url(model, "change", obj.pk))
            assert change.status_code == 200, name
            body = change.content.decode()
            for label in LABELS.findall(body):
                found.update(english_words(label))
            for header in HEADERS.findall(body):  # inlines
                found.update(english_words(header))
        if found:
            untranslated[name] = sorted(found)
    assert not untranslated, "\n".join(f"{k}: {v}" for k, v in sorted(untranslated.items()))
