"""The staff screens in Chromium, in both languages: the approve form's checkboxes have room (not a column one
character wide beside a floated legend), the diff and the application page stay within the window at phone
width. With UPDATE_SCREENSHOTS=1 the screenshots in docs/screenshots/ (shown in README.md) are regenerated:

    UPDATE_SCREENSHOTS=1 pytest tests/browser/test_staff_screens_browser.py
"""

import hashlib
from datetime import date

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from playwright.sync_api import expect

from partners import workflow
from partners.enums import PartnerType
from partners.models import Attachment
from partners.services import applications as app_services
from tests.factories import TINY_PDF, ApplicationFactory, add_licence, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LANGUAGES = {"zh": "zh-CN,zh;q=0.9", "en": "en"}


def _application_in_final_review(applicant, reviewer):
    """Two partner types, changes requested once and answered: the diff has labels, words and a new file."""
    org = applicant.organizations.get()
    org.name_en = "Beijing Lingshu Large Model Technology Co., Ltd."
    org.founded_on = date(2016, 3, 8)
    org.high_tech_certificate = "GR202311001234"
    org.specialized_level = "municipal"
    org.website = "https://www.lingshu.example.cn"
    org.description = "专注行业大模型研发与落地，服务金融、政务与制造业客户，已累计交付超过一百个项目。"
    org.save()
    application = ApplicationFactory(organization=org, created_by=applicant, contact_title="市场总监")
    app_services.set_partner_types(applicant, application, [PartnerType.DATA, PartnerType.MODEL])
    for t in (PartnerType.DATA, PartnerType.MODEL):
        profile = app_services.profile_of(application, t)
        profile.summary = "提供高质量中文语料与标注服务。" if t == PartnerType.DATA else "灵枢行业大模型（70B）"
        profile.save()
    application.channel = "self"
    application.declaration_accepted = True
    application.save()
    add_licence(application, applicant)
    application = app_services.submit(applicant, application)
    actor = workflow.Actor(user=reviewer)
    workflow.fire(application.pk, "start_review", actor)
    workflow.fire(application.pk, "request_changes", actor, message="请更新营业执照并补充交付情况。",
                  points=["营业执照已过期", "补充交付项目数量"])
    org.description = org.description.replace("已累计交付超过一百个项目", "已累计交付一百二十个项目，其中政务项目三十个")
    org.website = "https://www.lingshu.example.cn/about"
    org.save()
    application.attachments.filter(kind=Attachment.Kind.BUSINESS_LICENCE).delete()
    content = TINY_PDF + b"%renewed"
    Attachment.objects.create(application=application, kind=Attachment.Kind.BUSINESS_LICENCE,
                              file=ContentFile(content, name="licence.pdf"), original_name="营业执照（2026年换发）.pdf",
                              content_type="application/pdf", size=len(content),
                              sha256=hashlib.sha256(content).hexdigest(), uploaded_by=applicant)
    workflow.fire(application.pk, "resubmit", workflow.Actor(user=applicant))
    workflow.fire(application.pk, "pass_to_final", actor, recommendations={"data": "grant", "model": "grant"},
                  message="资料齐全。")
    return application


def _logged_in_context(browser, user, live_server, language, width):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  extra_http_headers={"Accept-Language": LANGUAGES[language]})
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "domain": host, "path": "/",
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return context


def test_staff_screens_in_both_languages(live_server, browser, shoot, applicant, settings):
    settings.AXES_ENABLED = False
    reviewer = make_staff("reviewer", email="reviewer@plan.example.cn", display_name="初审员 林审")
    approver = make_staff("approver", email="approver@plan.example.cn", display_name="复审员 周决")
    application = _application_in_final_review(applicant, reviewer)
    url = f"{live_server.url}/staff/applications/{application.pk}/"
    for language in LANGUAGES:
        for width in (1366, 390):
            context = _logged_in_context(browser, approver, live_server, language, width)
            page = context.new_page()
            page.goto(url)
            approve = page.locator("form[data-action=approve]")
            boxes = approve.locator("input[type=checkbox]")
            expect(boxes).to_have_count(2)
            # Each checkbox's label sits beside it with room for its text (one line, two at most on a phone).
            for label in approve.locator(".form-check-label").all():
                box = label.bounding_box()
                assert box["width"] > 100 and box["height"] < 80, (language, width, box)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (language, width)
            # The recommendations are shown beside the types; the diff names its fields.
            diff = page.locator("#diff")
            expect(diff).to_contain_text("营业执照（2026年换发）.pdf")
            expect(diff.locator("ins").first).to_be_visible()
            if width == 1366:
                shoot(page.locator("#actions"), f"staff-approve-form.{language}", full_page=None)
                shoot(page.locator("#diff").locator("xpath=.."), f"staff-diff.{language}", full_page=None)
                shoot(page, f"staff-application.{language}")
            else:
                shoot(page.locator("#actions"), f"staff-approve-form.{language}.390", full_page=None)
            context.close()
