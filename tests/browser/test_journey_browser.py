"""The whole journey in a real browser, in Chinese: sign up, confirm the e-mail, claim the organisation and
prove it (licence, authorisation letter), fill the application while staff verify the organisation (four
eyes), submit it with its licence (a receipt number on screen), an expert's scores, first review, final
review, end of the public notice, and the new member in the directory; then the key pages again in English; last,
the new model team pairs with a user unit (proposed, accepted, confirmed, formed) and claims the compute subsidy
(claim, review, approve, pay)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from partners.enums import ApplicationState
from partners.models import Application
from partners.services import panel as panel_services
from partners.services.membership import admit_due_applications
from tests.factories import PASSWORD, TINY_PDF, make_staff, unique_credit_code
from tests.subsidy_helpers import PROVIDER_CODE, budget, rules, user_unit

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
    # The receipt number (受理编号) is on the screen right away.
    assert re.fullmatch(r"BJAI-SQ-\d{4}-\d{6}", application.receipt_number)
    expect(page.locator("main")).to_contain_text(application.receipt_number)
    return application


def expert_scores(page, base, application, reviewer, expert, shoot):
    """The reviewer gives the call's applications to the panel; the expert declares no conflict of interest,
    scores against the rubric and submits; the reviewer then sees the panel's aggregate."""
    call = application.call
    administrator = make_staff("administrator", email="admin@plan.example.cn")
    panel_services.save_rubric(administrator, call, "model", [
        {"name": "行业模型能力", "name_en": "Industry model capability", "weight": "2"},
        {"name": "落地应用成效", "name_en": "Results in use", "weight": "1"}])
    panel_services.invite_expert(administrator, call, expert)
    log_in(page, base, reviewer.email)
    page.goto(base + f"/staff/calls/{call.pk}/")
    page.locator("#per-application").fill("1")
    page.locator("form[action$='/assign-panel/'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("已完成 1 项专家分配")
    log_out(page)

    log_in(page, base, expert.email)
    page.goto(base + "/panel/")
    page.get_by_role("link", name=re.compile(ORG_NAME)).click()
    expect(page.locator("main")).not_to_contain_text("面向政务和金融行业")  # nothing before the declaration
    page.locator("#decl-none").check()
    page.locator("form[action$='/declare/'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("面向政务和金融行业")
    assert_fields_labelled(page)
    selects = page.locator("select[name^=score-]")
    expect(selects).to_have_count(2)
    selects.nth(0).select_option("4")
    page.locator("#comment").fill("行业场景清晰，落地数据尚少。")
    page.locator("button[name=save]").click()
    expect(page.locator("#comment")).to_have_value("行业场景清晰，落地数据尚少。")
    page.locator("select[name^=score-]").nth(1).select_option("5")
    shoot(page, "expert-scoring")
    page.locator("button[name=submit]").click()
    expect(page.locator(".panel-mean")).to_have_text("4.33")  # (4·2 + 5) / 3
    log_out(page)

    log_in(page, base, reviewer.email)
    page.goto(base + f"/staff/applications/{application.pk}/")
    expect(page.locator(".panel-aggregate")).to_contain_text("4.33")
    expect(page.locator(".panel-aggregate")).to_contain_text("行业场景清晰")
    log_out(page)




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


def pair_and_claim(page, base, organization, reviewer, approver, shoot):
    """The model team proposes a pairing to a user unit, which accepts; staff confirm it and record the pilot case;
    the team claims the subsidy for a compute contract; a reviewer reviews, another person approves and pays."""
    rules()
    budget()
    unit = user_unit("北京市某区人民医院")
    log_in(page, base, APPLICANT)
    page.goto(base + "/portal/")
    page.get_by_test_id("pairings-link").click()
    page.locator("#id_organization").select_option(str(organization.pk))
    page.locator("#id_side").select_option("model")
    page.locator("#id_partner").select_option(str(unit.pk))
    page.locator("#id_scenario").fill("辅助诊断")
    page.locator("#id_model_title").fill("灵枢医疗大模型")
    page.locator("#id_starts_on").fill("2024-03-01")
    assert_fields_labelled(page)
    page.get_by_test_id("propose").click()
    expect(page.get_by_test_id("pairing-state")).to_contain_text("已发起")
    pairing_url = page.url
    log_out(page)

    log_in(page, base, unit.owner.email)
    page.goto(pairing_url)
    page.get_by_test_id("pairing-accept").click()
    expect(page.get_by_test_id("pairing-state")).to_contain_text("对方已接受")
    log_out(page)

    log_in(page, base, reviewer.email)
    pairing_id = pairing_url.rstrip("/").rsplit("/", 1)[-1]
    page.goto(base + f"/staff/pairings/{pairing_id}/")
    page.get_by_test_id("pairing-confirm").click()
    expect(page.get_by_test_id("pairing-state")).to_contain_text("已确认")
    page.locator("#id_outcome").select_option("pilot_case")
    page.locator("#id_evidence").fill("区卫健委试点案例通报 2024 年第 5 期")
    assert_fields_labelled(page)
    shoot(page, "staff-pairing")
    page.get_by_test_id("pairing-mark_formed").click()
    expect(page.get_by_test_id("pairing-state")).to_contain_text("试点案例")
    log_out(page)

    log_in(page, base, APPLICANT)
    page.goto(pairing_url)
    for field, value in (("provider_title", "北京某智算中心有限公司"), ("provider_credit_code", PROVIDER_CODE),
                         ("contract_number", "LS-2024-001"), ("contract_signed_on", "2024-04-01"),
                         ("service_starts_on", "2024-04-01"), ("service_ends_on", "2024-12-31"),
                         ("contract_amount", "2000000.00"), ("invoiced_amount", "1500000.00"),
                         ("compute_delivered", "A800 训练算力 300 卡·月")):
        page.locator(f"#id_{field}").fill(value)
    page.get_by_test_id("claim-new").click()
    expect(page.get_by_test_id("claim-preview")).to_contain_text("150000.00")
    for kind in ("contract", "invoice", "delivery"):
        page.locator("#id_kind").select_option(kind)
        page.locator("#id_file").set_input_files(
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}])
        page.get_by_test_id("claim-upload").click()
    assert_fields_labelled(page)
    shoot(page, "subsidy-claim")
    page.get_by_test_id("claim-submit").click()
    expect(page.get_by_test_id("claim-amount")).to_have_text("150000.00")
    claim_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    log_out(page)

    log_in(page, base, reviewer.email)
    page.goto(base + "/staff/subsidy/")
    expect(page.locator("main")).to_contain_text("LS-2024-001")
    page.goto(base + f"/staff/subsidy/{claim_id}/")
    page.get_by_test_id("claim-start_review").click()
    expect(page.get_by_test_id("claim-state")).to_contain_text("初审中")
    expect(page.get_by_test_id("claim-approve")).to_have_count(0)  # four eyes: the reviewer cannot approve
    log_out(page)

    log_in(page, base, approver.email)
    page.goto(base + f"/staff/subsidy/{claim_id}/")
    page.locator("#id_approved_amount").fill("120000.00")
    page.get_by_test_id("claim-approve").click()
    expect(page.get_by_test_id("claim-approved")).to_contain_text("120000.00")
    expect(page.get_by_test_id("budget")).to_contain_text("9880000.00")
    page.locator("#id_payment_reference").fill("ZF-2024-0815")
    page.locator("#id_paid_on").fill(timezone.localdate().isoformat())
    assert_fields_labelled(page)
    page.get_by_test_id("claim-pay").click()
    expect(page.get_by_test_id("claim-state")).to_contain_text("已拨付")
    log_out(page)

    # The standing pairing is on the model team's public member page.
    page.goto(base + f"/members/{organization.membership.number}/")
    expect(page.get_by_test_id("member-pairings")).to_contain_text(unit.name)

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
    expert_scores(page, base, application, reviewer, make_staff("expert", email="expert@plan.example.cn"), shoot)
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

    # Back in Chinese: the new model team pairs with a user unit and claims the compute subsidy to payment.
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    pair_and_claim(page, base, application.organization, reviewer, approver, shoot)
    context.close()


def test_catalogue_and_showcase_journey_in_chinese(live_server, browser, shoot):
    """A data member publishes a data set, staff accept it, a model company publishes a demand that matches it
    and asks for an introduction, the data member accepts and both see the contacts; then a case is submitted,
    reviewed and published on the showcase."""
    from partners.models import Case, DataSet, Introduction
    from tests.factories import OrganizationFactory, UserFactory

    reviewer = make_staff("reviewer", email="reviewer@plan.example.cn")
    supplier = UserFactory(email="data@shujv.example.cn", display_name="李数")
    OrganizationFactory(name="北京数聚数据科技有限公司", owner=supplier)
    buyer = UserFactory(email="model@moxing.example.cn", display_name="赵模")
    OrganizationFactory(name="北京模型智能科技有限公司", owner=buyer)
    base = live_server.url
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()

    # The data member publishes a data set; it waits for the plan office.
    log_in(page, base, supplier.email)
    page.goto(base + "/portal/catalogue/new/dataset/")
    assert_fields_labelled(page)
    page.locator("#id_name").fill("中文医疗问诊对话语料")
    page.locator("#id_description").fill("脱敏的在线问诊对话")
    page.select_option("#id_modality", "text")
    page.select_option("#id_industry", "health")
    page.locator("#id_size_value").fill("2000000")
    page.select_option("#id_size_unit", "tokens")
    page.locator("#id_languages_0").check()
    page.select_option("#id_licence", "commercial")
    page.select_option("#id_access_terms", "open")
    shoot(page, "catalogue-new-dataset")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("moderation")).to_contain_text("待审核")
    dataset = DataSet.objects.get()
    log_out(page)

    log_in(page, base, reviewer.email)
    page.goto(base + "/staff/catalogue/")
    assert_fields_labelled(page)
    page.locator(f"form[action$='/{dataset.public_id}/'] button[value=accept]").click()
    expect(page.locator("main")).to_contain_text("已公开的数据集")
    log_out(page)

    # A model company publishes a demand; the data set is its best match, with the reasons.
    log_in(page, base, buyer.email)
    page.goto(base + "/portal/catalogue/new/demand/")
    assert_fields_labelled(page)
    page.locator("#id_title").fill("医疗大模型微调数据")
    page.select_option("#id_modality", "text")
    page.select_option("#id_industry", "health")
    page.locator("#id_size_value").fill("1000000")
    page.select_option("#id_size_unit", "tokens")
    page.locator("#id_languages_0").check()
    page.select_option("#id_stage", "finetuning")
    page.locator("main form button[type=submit]").click()
    log_out(page)
    log_in(page, base, reviewer.email)
    page.goto(base + "/staff/catalogue/")
    page.locator("main form button[value=accept]").first.click()
    expect(page.locator("main")).to_contain_text("已公开的需求")
    log_out(page)

    log_in(page, base, buyer.email)
    page.goto(base + "/data/demands/")
    page.get_by_role("link", name="医疗大模型微调数据").click()
    matches = page.get_by_test_id("matches")
    expect(matches.locator("li.list-group-item").first).to_contain_text("中文医疗问诊对话语料")
    expect(matches).to_contain_text("匹配度 100/100")
    expect(matches).to_contain_text("模态相同")
    shoot(page, "catalogue-demand-matches")
    matches.locator("input[name=message]").first.fill("希望了解授权方式")
    matches.locator("button[type=submit]").first.click()
    expect(page.get_by_test_id("introductions")).to_contain_text("等待答复")
    expect(page.get_by_test_id("contacts")).to_have_count(0)
    assert supplier.email not in page.content()
    log_out(page)

    # The data member accepts; both sides now see the contacts.
    log_in(page, base, supplier.email)
    page.goto(base + "/portal/catalogue/")
    page.get_by_test_id("introductions").locator("button[value=accept]").click()
    expect(page.get_by_test_id("contacts")).to_contain_text(buyer.email)
    assert Introduction.objects.get().state == "accepted"

    # The data member submits a pilot case; staff review and publish it on the showcase.
    page.goto(base + "/portal/cases/new/")
    assert_fields_labelled(page)
    page.select_option("#id_kind", "application")
    page.locator("#id_title").fill("智慧医疗预问诊标杆应用")
    page.locator("#id_scenario").fill("三甲医院门诊预问诊")
    page.locator("#id_results").fill("问诊时间缩短30%")
    page.select_option("#id_industry", "health")
    page.locator("#id_year").fill("2025")
    page.get_by_test_id("case-save").click()
    page.locator("form[action$='/actions/submit/'] button").click()
    expect(page.get_by_test_id("case-state")).to_contain_text("已提交")
    log_out(page)
    log_in(page, base, reviewer.email)
    page.goto(base + "/staff/cases/")
    page.get_by_role("link", name="智慧医疗预问诊标杆应用").click()
    page.locator("form[action$='/actions/start_review/'] button").click()
    page.locator("form[action$='/actions/publish/'] button").click()
    assert Case.objects.get().state == "published"
    log_out(page)
    page.goto(base + "/showcase/?industry=health&year=2025")
    expect(page.locator("main")).to_contain_text("智慧医疗预问诊标杆应用")
    shoot(page, "showcase")
    context.close()
