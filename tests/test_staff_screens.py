"""The staff application page: every answer the wizard asks for, a readable diff, recommendations chosen per
type, and the reason a person may not decide shown before they try."""

import hashlib
import re
from datetime import date

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse

from partners import workflow
from partners.enums import ApplicationState, PartnerType
from partners.forms.application import ChannelForm, ContactForm, TypesForm
from partners.forms.organization import OrganizationForm
from partners.forms.profiles import PROFILE_FORMS, ScenarioForm
from partners.models import Attachment, Industry, Scenario
from partners.services import applications as app_services
from partners.views.review_answers import NOT_ANSWERS
from tests.factories import (
    TINY_PDF,
    ApplicationFactory,
    add_licence,
    advance,
    make_staff,
    submitted_application,
)

ALL_TYPES = [PartnerType.COMPUTE, PartnerType.DATA, PartnerType.MODEL, PartnerType.APPLICATION,
             PartnerType.INVESTMENT]


def wizard_fields():
    """Every answer field of the wizard's forms, keyed as the staff page marks them (prefix-name)."""
    forms_by_prefix = [("org", OrganizationForm()), ("contact", ContactForm()), ("types", TypesForm()),
                       ("channel", ChannelForm()), ("scenario", ScenarioForm())]
    forms_by_prefix += [(f"profile-{t}", PROFILE_FORMS[t]()) for t in ALL_TYPES]
    return {f"{prefix}-{name}" for prefix, form in forms_by_prefix for name, field in form.fields.items()
            if name not in NOT_ANSWERS and not isinstance(field.widget, forms.HiddenInput)}


def rendered_fields(html):
    return set(re.findall(r'data-field="([^"]+)"', html))


@pytest.fixture
def full_application(applicant):
    """An application with every partner type, every organisation fact and a scenario with its data on offer."""
    org = applicant.organizations.get()
    org.founded_on = date(2016, 3, 8)
    org.high_tech_certificate = "GR202311001234"
    org.specialized_level = "municipal"
    org.website = "https://www.lingshu.example.cn"
    org.description = "专注行业大模型研发与落地。"
    org.save()
    application = ApplicationFactory(organization=org, created_by=applicant, contact_title="市场总监")
    app_services.set_partner_types(applicant, application, [t.value for t in ALL_TYPES])
    for t in ALL_TYPES:
        profile = app_services.profile_of(application, t)
        profile.summary = f"{PartnerType(t).label}：提供的能力"
        if t == PartnerType.APPLICATION:
            profile.industry = Industry.objects.filter(active=True).first()
        profile.save()
        if t == PartnerType.APPLICATION:
            Scenario.objects.create(profile=profile, title="智能客服", description="银行客服场景",
                                    data_available="脱敏后的客服对话记录五十万条", budget_min_10k=50,
                                    budget_max_10k=200)
    application.channel = "self"
    application.declaration_accepted = True
    application.save()
    add_licence(application, applicant)
    return app_services.submit(applicant, application)


def test_staff_page_shows_every_field_of_the_wizard(client, reviewer, full_application):
    client.force_login(reviewer)
    html = client.get(reverse("review:detail", args=[full_application.pk])).content.decode()
    missing = wizard_fields() - rendered_fields(html)
    assert not missing, f"wizard fields missing on the staff page: {sorted(missing)}"
    for shown in ("13912345678", "2016-03-08", "GR202311001234", "北京市专精特新中小企业", "https://www.lingshu.example.cn",
                  "专注行业大模型研发与落地。", "脱敏后的客服对话记录五十万条", "市场总监"):
        assert shown in html, shown
    # Grouped as the wizard groups them.
    positions = [html.index(f'id="answers-{key}"') for key in ("organization", "types", "profiles", "channel")]
    assert positions == sorted(positions)


def _replace_licence(application, name, content):
    application.attachments.filter(kind=Attachment.Kind.BUSINESS_LICENCE).delete()
    Attachment.objects.create(
        application=application, kind=Attachment.Kind.BUSINESS_LICENCE, file=ContentFile(content, name="l.pdf"),
        original_name=name, content_type="application/pdf", size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), uploaded_by=application.created_by)


def test_diff_is_readable(client, reviewer, applicant, submitted):
    org = submitted.organization
    org.description = "专注行业大模型研发与落地，服务金融、政务与制造业客户，已累计交付超过一百个项目，覆盖北京全部区县。"
    org.save()
    workflow.fire(submitted.pk, "start_review", workflow.Actor(user=reviewer))
    # The first revision was frozen at submission, before the description above: freeze a fresh one by
    # requesting changes and resubmitting twice, changing the data in between.
    workflow.fire(submitted.pk, "request_changes", workflow.Actor(user=reviewer), message="请补充", points=["执照"])
    workflow.fire(submitted.pk, "resubmit", workflow.Actor(user=applicant))
    workflow.fire(submitted.pk, "request_changes", workflow.Actor(user=reviewer), message="请补充", points=["执照"])
    org.description = org.description.replace("已累计交付超过一百个项目", "已累计交付一百二十个项目")
    org.website = "https://www.example.cn/" + "a" * 150
    org.save()
    _replace_licence(submitted, "营业执照（2026年换发）.pdf", TINY_PDF + b"%new")
    workflow.fire(submitted.pk, "resubmit", workflow.Actor(user=applicant))

    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[submitted.pk]))
    html = page.content.decode()
    diff = html[html.index("<table class=\"table table-sm diff-table\""):html.index("</table>", html.index('id="diff"'))]
    for raw in ("[{", "sha256", "attachments", "organization.", "description", "'kind'"):
        assert raw not in diff, raw
    assert "简介" in diff and "网站" in diff
    # The long description as a word diff: only what changed is marked.
    assert re.search(r"<del>[^<]*超过[^<]*</del>", diff) and re.search(r"<ins>[^<]*二十[^<]*</ins>", diff)
    assert "服务金融、政务与制造业客户" in diff
    assert "替换" in diff and "营业执照（2026年换发）.pdf" in diff and "营业执照.pdf" in diff
    # Long values wrap inside a fixed-layout table rather than widening the page.
    assert "diff-table" in diff


def test_recommendations_start_unselected_and_are_required_per_type(client, reviewer, applicant):
    application = submitted_application(applicant, types=(PartnerType.DATA, PartnerType.MODEL))
    workflow.fire(application.pk, "start_review", workflow.Actor(user=reviewer))
    client.force_login(reviewer)
    html = client.get(reverse("review:detail", args=[application.pk])).content.decode()
    form = html[html.index('data-action="pass_to_final"'):]
    form = form[:form.index("</form>")]
    assert 'type="radio"' in form and "checked" not in form
    response = client.post(reverse("review:act", args=[application.pk]), {
        "action": "pass_to_final", "pass_to_final-action": "pass_to_final",
        "pass_to_final-expected_state": "in_review", "pass_to_final-rec_data": "grant"})
    assert response.status_code == 400
    assert "请为此伙伴类型选择初审意见。" in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW


def test_four_eyes_is_explained_before_the_click(client, submitted, reviewer):
    both = make_staff("reviewer", email="both@example.com")
    both.groups.add(Group.objects.get(name="approver"))
    both.__dict__.pop("_role_cache", None)
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=both)
    client.force_login(both)
    html = client.get(reverse("review:detail", args=[application.pk])).content.decode()
    assert "您参与了该申请的初审，因此须由另一位复审人员作出最终决定（双人复核原则）。" in html
    assert 'data-action="approve"' not in html
    # A reviewer without the approver role is told who decides now.
    client.force_login(reviewer)
    html = client.get(reverse("review:detail", args=[application.pk])).content.decode()
    assert "复审由复审人员作出最终决定；您的角色不负责复审。" in html
