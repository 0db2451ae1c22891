"""The whole journey in a real browser, in Chinese: sign up, confirm the e-mail, claim the organisation and
prove it (licence, authorisation letter), fill the application while staff verify the organisation (four
eyes), submit it with its licence, first review, final review, end of the public notice,
and the new member in the directory; then the key pages again in English."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from partners.enums import ApplicationState
from partners.models import Application
from partners.services.membership import admit_due_applications
from tests.factories import PASSWORD, TINY_PDF, make_staff, unique_credit_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ORG_NAME = "北京灵枢大模型科技有限公司"
ORG_NAME_EN = "Beijing Lingshu Large Model Technology Co., Ltd."
APPLICANT = "founder@lingshu.example.cn"
CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^\s\"'<>]+")


UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby') && !el.title)
  .map(el => el.name || el.id)"""


def assert_fields_labelled(page):
    """Every visible form field has an accessible name (a label, aria-label or title)."""
    assert page.evaluate(UNLABELLED_FIELDS) == [], page.url


def log_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)


def log_out(page):
    page.locator("form[action$='/accounts/logout/'] button").click()
    if page.url.rstrip("/").endswith("/accounts/logout"):
        page.locator("main form button[type=submit]").click()  # allauth's confirmation page
    expect(page.get_by_role("link", name=re.compile("登录|Log in")).first).to_be_visible()


def save_and_continue(page):
    assert_fields_labelled(page)
    page.locator("main button[name=next]").click()


def sign_up_and_confirm(page, base):
    page.goto(base + "/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert_fields_labelled(page)
    page.locator("#id_email").fill(APPLICANT)
    page.locator("#id_display_name").fill("王芳")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    consent = page.locator("#id_consent")
    if consent.count():
        consent.check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("邮件")
    message = next(m for m in reversed(mail.outbox) if APPLICANT in m.to)
    bodies = [message.body] + [alt[0] for alt in getattr(message, "alternatives", [])]
    link = next(match.group(0) for body in bodies for match in [CONFIRM_LINK.search(body)] if match)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    if not page.locator("form[action$='/accounts/logout/']").count():
        log_in(page, base, APPLICANT)


def claim_and_prove(page, base, shoot):
    """Register the organisation by its credit code, then prove the right to act for it: names, the business
    licence and the sealed authorisation letter (its template offered as a PDF), sent to the plan office."""
    page.goto(base + "/portal/")
    if "/organisation/claim/" not in page.url:
        page.goto(base + "/portal/organisation/claim/")
    page.locator("#id_credit_code").fill(unique_credit_code())
    page.locator("#id_name").fill(ORG_NAME)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("case-state")).to_have_text("准备中")
    letter = page.request.get(base + page.locator("a[href$='/letter.pdf']").get_attribute("href"))
    assert letter.ok and letter.headers["content-type"] == "application/pdf" and letter.body().startswith(b"%PDF")
    assert_fields_labelled(page)
    page.locator("#id_legal_representative").fill("陈立")
    page.locator("#id_position").fill("行政总监")
    page.locator("main form:not([enctype]) button[type=submit]").first.click()
    for kind, name in (("licence", "营业执照.pdf"), ("authorisation", "授权委托书.pdf")):
        page.locator("#id_kind").select_option(kind)
        page.locator("#id_file").set_input_files(files=[{"name": name, "mimeType": "application/pdf",
                                                         "buffer": TINY_PDF}])
        page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
        expect(page.locator("main")).to_contain_text(name)
    shoot(page, "verification-claim")
    page.locator("form[action$='/action/submit/'] button").click()
    expect(page.get_by_test_id("case-state")).to_have_text("等待计划办公室处理")


def fill_application(page, base, shoot):
    """Fill the six steps while the organisation waits for verification: the draft cannot be submitted yet."""
    page.goto(base + "/portal/")
    shoot(page, "portal")
    page.locator("form[action$='/portal/applications/new/'] button").first.click()
    expect(page.get_by_test_id("standing-notice").first).to_contain_text("计划办公室")

    # Step 1: organisation facts and the contact person.
    expect(page.locator("#id_org-name")).to_have_value(ORG_NAME)
    page.locator("#id_org-name_en").fill(ORG_NAME_EN)
    page.locator("#id_org-legal_representative").fill("陈立")
    page.locator("#id_org-registered_address").fill("北京市海淀区中关村大街27号")
    page.locator("#id_org-district").select_option("110108")
    website = page.locator("#id_org-website")
    if website.count():
        website.fill("https://lingshu.example.cn")
    page.locator("#id_contact-contact_name").fill("王芳")
    page.locator("#id_contact-contact_phone").fill("13912345678")
    page.locator("#id_contact-contact_email").fill("wangfang@lingshu.example.cn")
    shoot(page, "application-form")
    save_and_continue(page)

    # Step 2: partner types.
    page.locator("input[name=partner_types][value=model]").check()
    save_and_continue(page)

    # Step 3: what the organisation offers as a model partner.
    page.locator("#id_model-summary").fill("面向政务和金融行业提供行业大模型解决方案。")
    page.locator("input[name=model-industries][value=finance]").check()
    save_and_continue(page)

    # Step 4: channel.
    page.locator("input[name=channel][value=self]").check()
    save_and_continue(page)

    # Step 5: the business licence.
    page.locator("#id_kind").select_option("licence")
    page.locator("#id_file").set_input_files(files=[{"name": "营业执照.pdf", "mimeType": "application/pdf",
                                                     "buffer": TINY_PDF}])
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("营业执照.pdf")
    page.get_by_role("link", name="继续").click()

    # Step 6: review; the declaration is ticked, but submission waits for the verification.
    assert_fields_labelled(page)
    page.locator("#id_declaration").check()
    page.locator("main button[name=submit]").click()
    application = Application.objects.get(organization__name=ORG_NAME)
    assert application.state == ApplicationState.DRAFT
    expect(page.locator("main")).to_contain_text("通过核验后即可提交")
    return application


def staff_verify(page, base, reviewer, approver, shoot):
    """Four eyes: a reviewer checks the documents, an approver verifies the organisation."""
    log_in(page, base, reviewer.email)
    page.goto(base + "/staff/verification/")
    expect(page.locator("main")).to_contain_text(ORG_NAME)
    page.get_by_role("link", name=ORG_NAME).click()
    expect(page.locator("main")).to_contain_text("授权委托书.pdf")
    shoot(page, "verification-staff")
    page.locator("form[action$='/act/recommend/'] button").click()
    expect(page.get_by_test_id("case-state")).to_have_text("已初核，待复核")
    expect(page.locator("form[action$='/act/verify/']")).to_have_count(0)  # the one who checked does not decide
    log_out(page)
    log_in(page, base, approver.email)
    page.goto(base + "/staff/verification/")
    page.get_by_role("link", name=ORG_NAME).click()
    page.locator("form[action$='/act/verify/'] button").click()
    expect(page.get_by_test_id("case-state")).to_have_text("已核验")
    log_out(page)


def submit_verified(page, base, application):
    log_in(page, base, APPLICANT)
    page.goto(base + f"/portal/applications/{application.pk}/step/review/")
    expect(page.get_by_test_id("standing-notice")).to_have_count(0)
    page.locator("#id_declaration").check()
    page.locator("main button[name=submit]").click()
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    return application




def staff_decides(page, base, application, reviewer, approver, shoot):
    log_in(page, base, reviewer.email)
    page.goto(base + "/staff/queue/")
    expect(page.locator("main")).to_contain_text(ORG_NAME)
    assert_fields_labelled(page)
    shoot(page, "staff-queue")
    page.goto(base + f"/staff/applications/{application.pk}/")
    page.locator("form[data-action=start_review] button[type=submit]").click()
    expect(page.locator("form[data-action=pass_to_final]")).to_have_count(1)
    assert_fields_labelled(page)
    shoot(page, "application-detail")
    # Nothing is preselected: the reviewer chooses a recommendation for each type.
    page.locator("form[data-action=pass_to_final] input[type=radio][value=grant]").check()
    page.locator("form[data-action=pass_to_final] button[type=submit]").click()
    expect(page.locator("form[data-action=pass_to_final]")).to_have_count(0)
    log_out(page)

    log_in(page, base, approver.email)
    page.goto(base + f"/staff/applications/{application.pk}/")
    approve = page.locator("form[data-action=approve]")
    expect(approve.locator("input[type=checkbox][value=model]")).to_be_checked()
    approve.locator("button[type=submit]").click()
    expect(page.locator("form[data-action=approve]")).to_have_count(0)
    log_out(page)
    application.refresh_from_db()
    assert application.state == ApplicationState.PUBLICITY


def serve_the_new_member(page, base, membership, shoot):
    """The member's service officer logs a visit with a follow-up; the member raises a request in the portal."""
    officer = make_staff("service_officer", email="officer@plan.example.cn", display_name="吴联")
    log_in(page, base, officer.email)
    # The officer takes the new member on: bulk assignment over the filtered list (here one member).
    page.goto(base + "/staff/members/?q=灵枢")
    assign = page.locator("#assign-officers")
    assign.locator("select[name=city_officer]").select_option(label="吴联")
    assign.locator("button[type=submit]").click()
    expect(page.locator("main table")).to_contain_text("吴联")
    page.goto(base + f"/staff/members/{membership.pk}/")
    form = page.locator("#contact-form")
    form.locator("select[name='contact-kind']").select_option("visit")
    form.locator("input[name='contact-contacted_on']").fill(timezone.localdate().isoformat())
    form.locator("input[name='contact-participants']").fill("王芳、吴联")
    form.locator("textarea[name='contact-topics']").fill("走访了解行业模型训练的算力需求")
    form.locator("input[name='contact-follow_up']").fill("寄送算力券申报指引")
    form.locator("input[name='contact-follow_up_due']").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    assert_fields_labelled(page)
    form.locator("button[type=submit]").click()
    expect(page.locator("#contact-log")).to_contain_text("走访了解行业模型训练的算力需求")
    expect(page.locator("#open-follow-ups")).to_contain_text("寄送算力券申报指引")
    shoot(page, "member-contact-log")
    log_out(page)

    log_in(page, base, APPLICANT)
    page.goto(base + f"/portal/organisations/{membership.organization_id}/")
    page.locator("#membership-links a[href$='/requests/']").click()
    form = page.locator("#raise-request")
    form.locator("select[name=kind]").select_option("compute")
    form.locator("input[name=title]").fill("需要千卡规模的训练算力")
    form.locator("textarea[name=description]").fill("行业模型二期训练，约需三个月")
    assert_fields_labelled(page)
    form.locator("button[type=submit]").click()
    expect(page.locator("#request-state")).to_have_attribute("data-state", "raised")
    expect(page.locator("main")).to_contain_text("吴联")  # routed to the member's officer
    shoot(page, "member-request")
    log_out(page)


def test_whole_journey_in_chinese_then_english(live_server, browser, shoot):
    reviewer = make_staff("reviewer", email="reviewer@plan.example.cn")
    approver = make_staff("approver", email="approver@plan.example.cn")
    base = live_server.url
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()

    sign_up_and_confirm(page, base)
    claim_and_prove(page, base, shoot)
    application = fill_application(page, base, shoot)
    log_out(page)
    staff_verify(page, base, reviewer, approver, shoot)
    application = submit_verified(page, base, application)
    log_out(page)
    staff_decides(page, base, application, reviewer, approver, shoot)

    # The application is on public notice on the home page.
    page.goto(base + "/")
    expect(page.locator("main")).to_contain_text(ORG_NAME)

    # The notice period ends; the periodic job admits the application.
    assert admit_due_applications(now=timezone.now() + timedelta(days=30)) == 1
    membership = application.organization.membership

    page.goto(base + "/members/?q=灵枢")
    rows = page.get_by_test_id("directory-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("模型伙伴")
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("member-number")).to_have_text(membership.number)
    expect(page.locator("main")).to_contain_text("金融")
    assert "王芳" not in page.locator("main").inner_text()
    assert "13912345678" not in page.content()

    # In a browser of its own, so the public pages' session and cached forms stay as they were.
    service = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    serve_the_new_member(service.new_page(), base, membership, shoot)
    service.close()

    # The same member in English.
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("Model partner")
    expect(page.locator("main")).to_contain_text("Finance")
    page.goto(base + "/members/?industry=finance&type=model")
    expect(page.get_by_test_id("directory-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("directory-table")).to_contain_text(ORG_NAME_EN)
    page.goto(base + "/statistics/")
    expect(page.get_by_test_id("stat-types").locator("tbody tr").filter(has_text="Model partner")).to_contain_text("1")
    context.close()
