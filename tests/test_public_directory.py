"""The member directory: filters, search, keyset pagination, public facts only, flat query counts."""

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from partners.enums import MembershipState
from partners.models import Membership, Organization
from partners.services import directory
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


def names(response):
    return [m["name"] for m in response.context["page"].items]


def test_filters_by_partner_type_district_and_industry(client):
    make_member("北京智算云科技有限公司", types=("compute",), district="110108")
    make_member("北京数据交易服务有限公司", types=("data",), district="110105")
    make_member("北京金融大模型有限公司", types=("model",), district="110105", industries=("finance",))
    make_member("北京协和智慧医院", types=("application",), district="110101", app_industry="health")
    url = reverse("public:directory")
    assert names(client.get(url, {"type": "data"})) == ["北京数据交易服务有限公司"]
    assert sorted(names(client.get(url, {"district": "110105"}))) == ["北京数据交易服务有限公司", "北京金融大模型有限公司"]
    assert names(client.get(url, {"industry": "finance"})) == ["北京金融大模型有限公司"]
    assert names(client.get(url, {"industry": "health"})) == ["北京协和智慧医院"]
    assert names(client.get(url, {"type": "model", "district": "110108"})) == []


def test_chinese_substring_search_and_english_name(client):
    make_member("北京智算云科技有限公司", name_en="Beijing Smart Compute Cloud")
    make_member("北京数据交易服务有限公司", name_en="Beijing Data Exchange Services")
    url = reverse("public:directory")
    assert names(client.get(url, {"q": "智算"})) == ["北京智算云科技有限公司"]
    assert names(client.get(url, {"q": "交易服务"})) == ["北京数据交易服务有限公司"]
    assert names(client.get(url, {"q": "exchange"})) == ["北京数据交易服务有限公司"]
    assert names(client.get(url, {"q": "不存在的名字"})) == []


def test_only_active_members_are_listed_or_shown(client):
    make_member("北京在册科技有限公司")
    suspended = make_member("北京暂停科技有限公司", state=MembershipState.SUSPENDED)
    revoked = make_member("北京撤销科技有限公司", state=MembershipState.REVOKED)
    assert names(client.get(reverse("public:directory"))) == ["北京在册科技有限公司"]
    for m in (suspended, revoked):
        assert client.get(reverse("public:member", args=[m.number])).status_code == 404


def test_member_page_shows_public_facts_and_never_contact_data(client):
    member = make_member("北京智算云科技有限公司", types=("compute", "model"), industries=("finance", "health"),
                         website="https://compute.example.cn", description="提供普惠算力。")
    owner = member.organization.owner
    application = member.grants.first().application
    response = client.get(reverse("public:member", args=[member.number]))
    html = response.content.decode()
    assert response.status_code == 200
    for fact in ("北京智算云科技有限公司", member.number, "海淀区", "算力伙伴", "模型伙伴", "金融", "医疗",
                 "https://compute.example.cn", "提供普惠算力。"):
        assert fact in html
    for secret in (owner.email, owner.phone, owner.display_name, application.contact_name,
                   application.contact_phone, application.contact_email, member.organization.credit_code,
                   member.organization.legal_representative):
        assert secret not in html


def test_unknown_member_number_is_404(client):
    assert client.get(reverse("public:member", args=["BJAI-2099-99999"])).status_code == 404


def test_keyset_pagination_walks_every_member_once_forward_and_back(client):
    for i in range(45):
        make_member(f"北京成员{i:02d}科技有限公司")
    url = reverse("public:directory")
    seen, pages, params = [], [], {}
    while True:
        response = client.get(url, params)
        page = response.context["page"]
        pages.append(page)
        seen += [m["number"] for m in page.items]
        if not page.next_cursor:
            break
        params = {"after": page.next_cursor}
    assert len(seen) == len(set(seen)) == 45
    assert [len(p.items) for p in pages] == [20, 20, 5]
    # Back from the last page returns exactly the second page.
    back = client.get(url, {"before": pages[2].prev_cursor}).context["page"]
    assert [m["number"] for m in back.items] == [m["number"] for m in pages[1].items]
    first = client.get(url, {"before": back.prev_cursor}).context["page"]
    assert [m["number"] for m in first.items] == [m["number"] for m in pages[0].items]
    assert first.is_first


def test_bad_cursor_and_unknown_filters_do_not_fail(client):
    make_member()
    url = reverse("public:directory")
    for params in ({"after": "not-a-cursor"}, {"before": "%%%"}, {"after": "x" * 5000}, {"type": "nonsense"},
                   {"district": "nowhere"}, {"industry": "<script>"}, {"q": "'; DROP TABLE x; --" * 20}):
        assert client.get(url, params).status_code == 200


def test_search_input_is_escaped(client):
    response = client.get(reverse("public:directory"), {"q": "<script>alert(1)</script>"})
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_directory_query_count_does_not_grow_with_page_size(client, django_assert_max_num_queries):
    for i in range(3):
        make_member(f"北京少量{i}科技有限公司", industries=("finance",))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("public:directory"))
    for i in range(30):
        make_member(f"北京大量{i}科技有限公司", types=("data", "model"), industries=("finance",))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("public:directory"), {"industry": "finance"})
    assert len(response.context["page"].items) == directory.PAGE_SIZE


def test_directory_runs_no_count(client, django_assert_max_num_queries):
    make_member()
    with django_assert_max_num_queries(8) as captured:
        client.get(reverse("public:directory"))
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


def test_member_page_query_count_is_flat(client, django_assert_max_num_queries):
    member = make_member(types=("compute", "data", "model", "application"), industries=("finance", "health", "media"))
    with django_assert_max_num_queries(6):
        client.get(reverse("public:member", args=[member.number]))


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="the name indexes exist on PostgreSQL only")
@pytest.mark.parametrize("term", ["人工智能", "智能", "compute"])
def test_name_search_uses_a_name_index(term):
    for i in range(50):
        make_member(f"北京测试{i}号人工智能有限公司", name_en=f"Test {i} Compute")
    qs = Organization.objects.filter(directory.name_matches(term)).values("pk")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_organization")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Bigrams serve any term of two characters and more (search_sql.py); trigrams serve three and more.
    for column in ("name", "name_en"):
        assert f"organization_{column}_bigrams" in plan or f"organization_{column}_trgm" in plan, plan
    assert len(directory.search(directory.DirectoryFilters(q=term))) == 50


@pytest.mark.parametrize("number", ["BJAI-2026-00001", "北京-0001", "a b&c?d#e%f", "x:y@z~!$'()*+,;=", "0"],
                         ids=["plain", "chinese", "reserved", "sub-delimiters", "placeholder"])
def test_a_rows_link_is_the_path_reverse_gives(number):
    from django.urls import set_script_prefix

    from partners.services import public_rows

    assert public_rows.member_path(number) == reverse("public:member", args=[number])
    set_script_prefix("/registry/")
    try:
        assert public_rows.member_path(number) == reverse("public:member", args=[number])
        assert public_rows.member_path(number).startswith("/registry/members/")
    finally:
        set_script_prefix("/")


def test_a_member_page_and_a_directory_row_show_the_types_in_type_order(client):
    """Grants read unordered are put in PartnerType order (compute, data, model, application, investment)."""
    member = make_member("北京三型科技有限公司", types=("investment", "model", "compute", "data"),
                         industries=("government",), app_industry=None)
    client.cookies["django_language"] = "en"
    badges = ('<span class="badge text-bg-primary me-1">Compute partner</span>'
              '<span class="badge text-bg-primary me-1">Data partner</span>'
              '<span class="badge text-bg-primary me-1">Model partner</span>'
              '<span class="badge text-bg-primary me-1">Investment partner</span>')
    assert badges in client.get(reverse("public:member", args=[member.number])).content.decode()
    assert badges in client.get(reverse("public:directory")).content.decode()
    assert directory.grant_codes(directory.member_detail(member.number)) == ["compute", "data", "model", "investment"]


def test_a_directory_page_builds_no_model_instance_and_resolves_one_member_link(client, monkeypatch):
    """Its rows are values: 30 members give a full page without a Membership, Organization, District or grant
    instance, and every member's link comes from one reverse() a page."""
    from django.db.models.signals import post_init

    from partners.models import District, MembershipGrant
    from partners.services import public_rows

    for i in range(30):
        make_member(f"北京行值科技有限公司{i:02d}", types=("model", "data"))
    client.get(reverse("public:directory"))  # the first request of a process loads what every request shares
    built, reversed_paths = [], []
    real_reverse = public_rows.reverse
    monkeypatch.setattr(public_rows, "reverse", lambda *a, **k: reversed_paths.append(a) or real_reverse(*a, **k))

    def count(sender, **kwargs):
        built.append(sender)

    watched = (Membership, Organization, District, MembershipGrant)
    for model in watched:
        post_init.connect(count, sender=model)
    try:
        response = client.get(reverse("public:directory"))
    finally:
        for model in watched:
            post_init.disconnect(count, sender=model)
    assert len(response.context["page"].items) == directory.PAGE_SIZE
    assert built == [] and len(reversed_paths) == 1
