"""Home, statistics and the roster export: content, both languages, accessibility basics, query budgets."""

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partners import charts
from partners.enums import ApplicationState, MembershipState
from partners.services import statistics
from tests.factories import advance, submitted_application
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db

PUBLIC_URLS = ["public:home", "public:directory", "public:statistics"]


def test_home_shows_plan_types_how_to_join_figures_and_public_notice(client, applicant, reviewer, approver):
    make_member("北京智算云科技有限公司", types=("compute",))
    application = advance(submitted_application(applicant), ApplicationState.PUBLICITY,
                          reviewer=reviewer, approver=approver)
    html = client.get("/").content.decode()
    for text in ("北京市通用人工智能产业创新伙伴计划", "算力伙伴", "数据伙伴", "模型伙伴", "应用伙伴", "投资伙伴",
                 "降低中小企业和个人开发者的算力使用门槛", "如何加入", "公示", application.organization.name):
        assert text in html, text
    assert 'data-testid="figure-members">1<' in html
    from django.utils import translation

    with translation.override("zh-hans"):  # the notice's row names the types applied for, in type order
        assert f"<td>{application.get_partner_types_display()}</td>" in html


def test_home_in_english(client):
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    for text in ("Compute partner", "Investment partner", "How to join", "Public notice", "Key figures"):
        assert text in html
    assert "算力伙伴" not in html


@pytest.mark.parametrize("name", PUBLIC_URLS)
def test_every_public_page_has_landmarks_language_switch_and_labels(client, name):
    make_member()
    html = client.get(reverse(name)).content.decode()
    assert '<main id="main"' in html and "<header>" in html and "<footer" in html and "<nav" in html
    assert 'class="skip-link" href="#main"' in html
    assert 'name="language" value="en"' in html  # the switch to the other language
    assert html.count("<h1") == 1


def test_language_switch_changes_the_page_language(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/members/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/members/"
    assert 'lang="en"' in response.content.decode()
    assert "Member directory" in response.content.decode()
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"}, follow=True)
    assert "成员名录" in response.content.decode()


def test_directory_form_fields_are_labelled(client):
    html = client.get(reverse("public:directory")).content.decode()
    for field_id in ("f-q", "f-type", "f-district", "f-industry"):
        assert f'for="{field_id}"' in html and f'id="{field_id}"' in html


def test_statistics_counts_each_series(client):
    make_member("甲", types=("compute", "data"), district="110108", industries=("finance",),
                admitted_at=timezone.make_aware(datetime(2026, 10, 31, 23, 30)))  # local time: still October
    make_member("乙", types=("data",), district="110105", app_industry="finance")
    make_member("丙", types=("model",), district="110105", industries=("health", "finance"))
    make_member("丁", types=("data",), district="110105", state=MembershipState.SUSPENDED)
    per_type = {code: n for code, _, n in statistics.members_per_partner_type().rows}
    assert per_type == {"compute": 1, "data": 2, "model": 1, "application": 0, "investment": 0}
    assert {code: n for code, _, n in statistics.members_per_district().rows} == {"110108": 1, "110105": 2}
    assert {code: n for code, _, n in statistics.members_per_industry().rows} == {"finance": 3, "health": 1}
    months = dict((code, n) for code, _, n in statistics.admissions_per_month(today=timezone.localdate()).rows)
    assert months.get("2026-10", 0) == 1 or timezone.localdate() > datetime(2027, 9, 1).date()


def test_statistics_page_has_a_chart_and_a_table_for_each_series(client):
    make_member(types=("compute",), industries=("finance",))
    html = client.get(reverse("public:statistics")).content.decode()
    for key in ("types", "districts", "industries", "months"):
        assert f'data-testid="stat-{key}"' in html
    assert html.count("<svg") == 4
    assert html.count("<table") == 4
    assert html.count("<caption>") == 4
    assert "cdn" not in html.lower()


def test_chart_escapes_labels_and_scales_bars():
    series = statistics.Series([("a", "<b>甲</b>", 10), ("b", "乙", 5)])
    svg = charts.bar_chart(series, "t<")
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "<title>t&lt;</title>" in svg
    widths = [float(part.split('"')[0]) for part in svg.split('class="chart-bar"')[1:] for part in
              [part.split('width="')[1]]]
    assert widths[0] == 2 * widths[1]


def test_roster_csv_has_public_columns_only(client):
    member = make_member("北京智算云科技有限公司", types=("compute", "model"), website="https://a.example.cn")
    make_member("=HYPERLINK(\"http://evil\")", types=("data",))
    response = client.get(reverse("public:roster_csv"))
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["成员编号", "名称（中文）", "名称（英文）", "所在区", "伙伴类型", "入库日期", "网站"]
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[member.number][1] == "北京智算云科技有限公司"
    assert by_number[member.number][4] == "算力伙伴、模型伙伴"
    assert any(row[1].startswith("'=") for row in rows[1:])  # no formula runs in a spreadsheet
    owner = member.organization.owner
    assert owner.email not in text and owner.phone not in text and member.organization.credit_code not in text


def test_roster_excel_follows_filters(client):
    make_member("北京智算云科技有限公司", types=("compute",))
    make_member("北京数据交易服务有限公司", types=("data",))
    response = client.get(reverse("public:roster_xlsx"), {"type": "data"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "北京数据交易服务有限公司"


def test_roster_export_query_count_is_flat(client, django_assert_max_num_queries):
    for i in range(3):
        make_member(f"北京{i}科技有限公司")
    with django_assert_max_num_queries(6) as few:
        b"".join(client.get(reverse("public:roster_csv")).streaming_content)
    for i in range(25):
        make_member(f"北京多{i}科技有限公司", types=("data", "model"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        b"".join(client.get(reverse("public:roster_csv")).streaming_content)


@pytest.mark.parametrize("name", ["public:home", "public:statistics"])
def test_home_and_statistics_query_counts_are_flat(client, django_assert_max_num_queries, name):
    make_member(industries=("finance",))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse(name))
    for i in range(20):
        make_member(f"北京多{i}科技有限公司", types=("data", "model"), industries=("finance", "health"),
                    district="110105" if i % 2 else "110108")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(name))


def test_public_pages_refuse_post(client):
    for name in PUBLIC_URLS:
        assert client.post(reverse(name)).status_code == 405
