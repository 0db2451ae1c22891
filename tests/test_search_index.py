"""Name search uses the trigram indexes on PostgreSQL; the directory's newest-first order uses its index, and its
industry filter reads a page from the kept member industries' index of that industry."""

import re

import pytest
from django.db import connection
from django.utils import timezone

from partners.api.members import MemberFilter
from partners.enums import MembershipState
from partners.models import Application, ApplicationProfile, Membership, ModelProfile, Organization
from partners.services import directory
from tests.factories import ApplicationFactory, OrganizationFactory
from tests.public_fixtures import make_member

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="trigram indexes exist on PostgreSQL only; SQLite searches without them"),
]


@pytest.fixture
def members():
    for i in range(5):
        make_member(f"北京九章智算科技有限公司{i}", name_en=f"Jiuzhang Compute {i}")


def plan_of(qs, *settings):
    # A handful of rows is cheaper to scan than to look up; forbidding sequential scans and row-by-row joins
    # shows which index the planner uses once the tables are large (the plans on the benchmark data, 100,000
    # and 1,000,000 organisations, are in bench/RESULTS.md).
    with connection.cursor() as cursor:
        # Statistics left behind by earlier tests (rows written, then rolled back) would mislead the planner.
        cursor.execute("ANALYZE partners_membership, partners_organization, partners_district")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = off")
    return qs.explain()


def name_indexes_used(plan):
    """Both name columns searched through an index: bigrams (any term of two characters and more) or trigrams
    (three and more; the planner picks either)."""
    return all(f"organization_{col}_bigrams" in plan or f"organization_{col}_trgm" in plan
               for col in ("name", "name_en"))


@pytest.mark.parametrize("term", ["九章智算", "jiuzhang compute"])
def test_directory_search_uses_a_name_index(members, term):
    qs = directory.search(directory.DirectoryFilters(q=term)).order_by("-admitted_at", "-pk")[:21]
    assert len(list(qs)) == 5
    # The directory narrows members to the organisations whose name matches: that lookup is the index's.
    names = Organization.objects.filter(directory.name_matches(term)).values("pk")
    plan = plan_of(names)
    assert name_indexes_used(plan), plan


def test_members_api_search_uses_a_name_index(members):
    qs = MemberFilter({"q": "九章智算"}, queryset=directory.public_members()).qs.order_by("-admitted_at", "-id")[:21]
    assert len(list(qs)) == 5
    # With five rows the planner may reach the organisations through another index and filter them, so the
    # plan of the whole query proves little; what matters is that the API searches with the indexed
    # expression, and that this expression, planned alone, is served by the trigram index.
    assert re.search(r'partners_bigrams\(UPPER\((U\d+|"partners_organization")\."name"\)\)', str(qs.query))
    names = Organization.objects.filter(directory.name_matches("九章智算")).values("pk")
    assert name_indexes_used(plan_of(names))


def test_directory_first_page_reads_the_newest_first_index(members):
    assert len(list(directory.search(directory.DirectoryFilters()).order_by("-admitted_at", "-pk")[:21])) == 5
    # The keyset page's core: active members newest first. Without an explicit sort, the order can only come
    # from an index that has it.
    core = Membership.objects.filter(state=MembershipState.ACTIVE).order_by("-admitted_at", "-pk").values("pk")[:21]
    assert "membership_active_newest" in plan_of(core, "enable_sort")


PROFILE_TABLES = ("partners_modelprofile", "partners_modelprofile_industries", "partners_applicationprofile")


@pytest.fixture
def industry_members():
    """Five model and five application partners in government, five members in no industry, one model partner in
    health (a sparse industry), and the government profiles of 6,000 applicants who are not members: more than a
    hashed set of the industry's profiles may hold in the smallest work_mem (see first_page_plan), as at scale no
    set is cheap to build."""
    org = OrganizationFactory()
    applications = Application.objects.bulk_create(
        [ApplicationFactory.build(organization=org, created_by=org.owner) for _ in range(6000)])
    profiles = ModelProfile.objects.bulk_create([ModelProfile(application=a) for a in applications[:3000]])
    ModelProfile.industries.through.objects.bulk_create(
        [ModelProfile.industries.through(modelprofile=p, industry_id="government") for p in profiles])
    ApplicationProfile.objects.bulk_create(
        [ApplicationProfile(application=a, industry_id="government") for a in applications[3000:]])
    for i in range(5):
        make_member(f"北京政务大模型有限公司{i}", types=("model",), industries=("government",))
        make_member(f"北京政务应用有限公司{i}", types=("application",), app_industry="government")
        make_member(f"北京智算科技有限公司{i}", types=("compute",))
    make_member("北京医疗模型有限公司", types=("model",), industries=("health",))  # a sparse industry
    # And 400 newer members in no industry, as at scale most members are outside any one industry: with 16 members
    # a walk over all of them costs the planner about what the industry's index does, and rows earlier tests left
    # dead in the same tables could tip it either way.
    others = Organization.objects.bulk_create([OrganizationFactory.build() for _ in range(400)])
    Membership.objects.bulk_create([Membership(organization=o, number=f"BJAI-2099-{i:05d}", state=MembershipState.ACTIVE,
                                               admitted_at=timezone.now()) for i, o in enumerate(others)])


def first_page_plan(qs):
    # Sequential scans and sorts are forbidden: a handful of rows is cheaper to scan and sort than to look up,
    # and a page's order comes from the newest-first index at any size that matters. Joins and subplans are
    # left to the planner.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_membership, partners_membershipgrant, partners_organization, "
                       "partners_district, partners_application, partners_memberindustry, "
                       + ", ".join(PROFILE_TABLES))
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        # The planner may hash a small subquery instead of probing it per row; at 1,000,000 members the
        # industry's profiles never fit, so the test's few thousand must not either.
        # A hashed subplan may use work_mem × hash_mem_multiplier: 64 kB holds about 2,000 ids.
        cursor.execute("SET LOCAL work_mem = '64kB'")
        cursor.execute("SET LOCAL hash_mem_multiplier = 1")
    return qs.explain()


@pytest.mark.parametrize(("params", "found"), [({"industry": "government"}, 10),
                                               ({"industry": "government", "partner_type": "model"}, 5),
                                               ({"industry": "health"}, 1), ({"industry": "finance"}, 0)])
def test_industry_filter_reads_a_page_from_the_industry_index(industry_members, params, found):
    """A page filtered by industry reads that industry's members from member_industry_newest, already in the page's
    order: no walk over every member hoping for matches (4-6 s for a sparse industry at 1,000,000 members), no sort,
    and no profile table (the member industries are kept by the database)."""
    api = MemberFilter(params, queryset=directory.public_members()).qs.order_by("-admitted_at", "-id")[:21]
    page = directory.search(directory.DirectoryFilters(industry=params["industry"],
                                                       partner_type=params.get("partner_type", "")))
    page = page.order_by("-admitted_at", "-pk")[:21]
    for qs in (api, page):
        assert len(list(qs)) == found
        plan = first_page_plan(qs)
        assert "member_industry_newest" in plan, plan
        assert "Sort" not in plan, plan
        for table in PROFILE_TABLES:
            assert table not in plan, plan


# Two-character searches: pg_trgm cannot use its index below three characters, the bigram index can.
@pytest.mark.parametrize("term", ["九章", "JI"])
def test_two_character_searches_use_the_bigram_indexes(members, term):
    assert len(list(directory.search(directory.DirectoryFilters(q=term)))) == 5
    plan = plan_of(Organization.objects.filter(directory.name_matches(term)).values("pk"))
    assert "organization_name_bigrams" in plan and "organization_name_en_bigrams" in plan, plan
    # The bigrams are compared in the index only, never computed row by row in a filter.
    assert not re.search(r"Filter: .*partners_bigrams", plan), plan


def test_a_one_character_search_still_finds_names(members):
    assert len(list(directory.search(directory.DirectoryFilters(q="九")))) == 5


@pytest.mark.parametrize("term", ["九章", "9111"])
def test_queue_search_finds_organisations_through_their_indexes(members, term):
    from partners.forms.review import QueueFilterForm

    plan = plan_of(QueueFilterForm.matching_organizations(term))
    assert "organization_name_bigrams" in plan, plan
    # Only a term that can start a credit code asks the credit code's pattern index.
    assert ("credit_code" in plan) == term.isdigit(), plan


def test_duplicate_candidates_use_the_bigram_index(members):
    from partners.services.duplicates import _candidates_by_name

    org = Organization.objects.filter(name__startswith="北京九章").first()
    plan = plan_of(_candidates_by_name(org).values("pk"))
    assert "organization_name_bigrams" in plan or "organization_name_trgm" in plan, plan
    assert "Seq Scan on partners_organization" not in plan, plan


def test_duplicate_check_finds_the_organisation_code_through_its_index(members):
    from partners.services.duplicates import same_organisation_code

    org = Organization.objects.filter(name__startswith="北京九章").first()
    query = Organization.objects.filter(same_organisation_code(org.credit_code[8:17])).values("pk")
    assert org.pk in {row["pk"] for row in query}
    # Its place in the credit code, looked up in the expression index, not LIKE '%code%' over every organisation.
    plan = plan_of(query)
    assert "organization_code_idx" in plan, plan
    assert "Seq Scan on partners_organization" not in plan, plan



def test_a_type_within_an_industry_is_checked_member_by_member():
    """The API's type filter within an industry probes each member of the industry's page for a grant of the type
    (a subplan by the member's id), where EXISTS let PostgreSQL join every grant of the type first: it expects one
    member per industry, and at 100,000 organisations read the whole grants table for each page."""
    for i in range(5):
        make_member(f"北京政务大模型有限公司{i}", types=("model",), industries=("government",))
        make_member(f"北京政务应用有限公司{i}", types=("application",), app_industry="government")
    api = MemberFilter({"industry": "government", "partner_type": "model"},
                       queryset=directory.public_members()).qs.order_by("-admitted_at", "-id")[:21]
    assert len(list(api)) == 5
    plan = first_page_plan(api)
    # The grants are read only in the subplan, by the member's id; never joined to the members.
    assert "SubPlan" in plan, plan
    assert "Semi Join" not in plan and "u0.membership_id" not in plan, plan


# A substring test written as LIKE lets the planner AND a trigram index in beside the bigram index (terms of three
# characters and more). Trigram matches are lossy: every row found was then rechecked against the whole condition,
# partners_bigrams computed row by row (38 ms instead of 2 ms for the duplicate check's candidates at 100,000
# organisations). The substring half is strpos, which no index answers.
@pytest.mark.parametrize("term", ["九章智算", "jiuzhang compute"])
def test_a_name_search_leaves_the_trigram_indexes_out(members, term):
    qs = Organization.objects.filter(directory.name_matches(term)).values("pk")
    assert "strpos(UPPER(" in str(qs.query) and " LIKE " not in str(qs.query)
    plan = plan_of(qs)
    assert "organization_name_bigrams" in plan and "_trgm" not in plan, plan


def test_duplicate_candidates_leave_the_trigram_index_out(members):
    from partners.services.duplicates import _candidates_by_name

    org = Organization.objects.filter(name__startswith="北京九章").first()
    OrganizationFactory(name="北京九章智算科技有限公司（分部）")
    qs = _candidates_by_name(org)
    assert len(list(qs)) >= 5
    assert " LIKE " not in str(qs.query)
    plan = plan_of(qs.values("pk"))
    assert "organization_name_bigrams" in plan and "_trgm" not in plan, plan


@pytest.mark.parametrize("term", ["九章智算", "JIUZHANG compute", "章智", "100%", "a_b", "c\\d", "%", "Co"])
def test_name_search_finds_exactly_what_icontains_finds(members, term):
    from django.db.models import Q

    from partners.services.duplicates import contains_any

    OrganizationFactory(name="测试100%公司", name_en="a_b c\\d Co")
    OrganizationFactory(name="测试1000公司", name_en="axb cd co")
    plain = Q(name__icontains=term) | Q(name_en__icontains=term)
    expected = set(Organization.objects.filter(plain).values_list("pk", flat=True))
    assert set(Organization.objects.filter(directory.name_matches(term)).values_list("pk", flat=True)) == expected
    names = set(Organization.objects.filter(name__icontains=term).values_list("pk", flat=True))
    assert set(Organization.objects.filter(contains_any("name", [term])).values_list("pk", flat=True)) == names
