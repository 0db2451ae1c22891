"""The public site in a real browser: directory filters and search, member page, statistics, language
switch, keyboard use and phone width."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.public_fixtures import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MEMBERS = [
    ("北京智算云科技有限公司", "Beijing Smart Compute Cloud Co., Ltd.", ("compute",), "110108", ("research",), None),
    ("北京华章数据交易服务有限公司", "Beijing Huazhang Data Exchange Services", ("data",), "110105", (), None),
    ("北京灵犀金融大模型科技有限公司", "Beijing Lingxi Finance Models", ("model",), "110108", ("finance", "government"), None),
    ("北京协和智慧医疗科技有限公司", "Beijing Xiehe Smart Health", ("application",), "110101", (), "health"),
    ("北京创新引导投资基金管理有限公司", "Beijing Innovation Guidance Fund", ("investment",), "110102", (), None),
    ("北京星河多模态数据科技有限公司", "Beijing Xinghe Multimodal Data", ("data", "model"), "110114", ("media",), None),
    ("北京亦庄智能制造应用有限公司", "Beijing E-Town Smart Manufacturing", ("application",), "110115", (), "industry"),
    ("北京朝阳算力中心有限公司", "Beijing Chaoyang Compute Centre", ("compute",), "110105", (), None),
]


def seed_members():
    now = timezone.now()
    made = []
    for i, (name, name_en, types, district, industries, app_industry) in enumerate(MEMBERS):
        made.append(make_member(name, name_en=name_en, types=types, district=district, industries=industries,
                                app_industry=app_industry, admitted_at=now - timedelta(days=29 * i + 3),
                                website=f"https://m{i}.example.cn", description="面向首都千行百业提供大模型相关服务。"))
    return made


def test_directory_search_filter_member_page_and_english(live_server, zh_page, shoot):
    members = seed_members()
    page = zh_page
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("北京市通用人工智能产业创新伙伴计划")
    expect(page.get_by_test_id("figure-members")).to_have_text(str(len(MEMBERS)))
    shoot(page, "home")

    page.get_by_role("link", name="成员名录").first.click()
    expect(page.get_by_test_id("directory-table").locator("tbody tr")).to_have_count(len(MEMBERS))
    shoot(page, "directory")

    # Search by part of a Chinese name, submitted with the keyboard.
    page.get_by_label("名称").fill("金融")
    page.get_by_label("名称").press("Enter")
    rows = page.get_by_test_id("directory-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("北京灵犀金融大模型科技有限公司")

    # Filter by partner type and district together.
    page.goto(live_server.url + "/members/")
    page.get_by_label("伙伴类型").select_option("compute")
    page.get_by_label("所在区").select_option("110105")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("北京朝阳算力中心有限公司")

    # Industry filter reaches members through their model profile.
    page.goto(live_server.url + "/members/?industry=media")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("北京星河多模态数据科技有限公司")
    expect(page.get_by_test_id("member-number")).to_have_text(members[5].number)
    body = page.locator("main").inner_text()
    owner = members[5].organization.owner
    assert owner.email not in body and owner.phone not in body and "王芳" not in body
    shoot(page, "member")

    # The language switch keeps the visitor on the same page, now in English.
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("北京星河多模态数据科技有限公司")
    expect(page.locator("main")).to_contain_text("Member number")
    expect(page.locator("main")).to_contain_text("Data partner")
    page.get_by_role("link", name="Member directory").first.click()
    expect(page.get_by_label("Partner type")).to_be_visible()
    shoot(page, "directory-en")
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_statistics_charts_have_tables(live_server, zh_page, shoot):
    seed_members()
    page = zh_page
    page.goto(live_server.url + "/statistics/")
    for key in ("types", "districts", "industries", "months"):
        section = page.get_by_test_id(f"stat-{key}")
        expect(section.locator("svg")).to_have_count(1)
        expect(section.locator("table caption")).to_be_visible()
    types = page.get_by_test_id("stat-types").locator("tbody tr")
    expect(types.filter(has_text="数据伙伴")).to_contain_text("2")
    shoot(page, "statistics")


def test_keyboard_focus_is_visible_and_skip_link_works(live_server, zh_page):
    seed_members()
    page = zh_page
    page.goto(live_server.url + "/members/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # Tab onward to the search field: it is reachable and shows a focus ring.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-q":
            break
    field = page.locator("#f-q")
    expect(field).to_be_focused()
    assert field.evaluate("el => getComputedStyle(el).outlineStyle") != "none"


@pytest.mark.parametrize("path", ["/", "/members/", "/statistics/"])
def test_phone_width_has_no_horizontal_scroll(live_server, browser, path, shoot):
    seed_members()
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} is {overflow}px wider than a phone screen"
    if path == "/":
        shoot(page, "home-phone", full_page=False)
    # The collapsed menu opens from its toggle and shows the language switch.
    page.get_by_role("button", name="展开或收起导航").click()
    expect(page.get_by_test_id("language-switch")).to_be_visible()
    context.close()
