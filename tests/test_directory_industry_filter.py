"""The industry filter finds the same members whether a query reads a page or every match."""

import pytest
from django.db import connection

from partners.api.members import MemberFilter
from partners.enums import MembershipState
from partners.services import directory
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    serves = make_member("北京政务大模型有限公司", types=("model",), industries=("government", "finance"))
    in_it = make_member("北京政务应用有限公司", types=("application",), app_industry="government")
    both = make_member("北京综合智能科技有限公司", types=("model", "application"), industries=("health",),
                       app_industry="government")
    finance = make_member("北京金融大模型有限公司", types=("model",), industries=("finance",))
    make_member("北京医疗应用有限公司", types=("application",), app_industry="health")
    make_member("北京智算科技有限公司", types=("compute",))
    make_member("北京暂停政务科技有限公司", types=("model",), industries=("government",),
                state=MembershipState.SUSPENDED)
    return {"government": {serves.pk, in_it.pk, both.pk}, "finance": {serves.pk, finance.pk}}


@pytest.mark.parametrize("code", ["government", "finance", "culture_tourism", "no-such-industry"])
def test_a_page_and_every_match_are_the_same_members(members, code):
    expected = members.get(code, set())
    directory_qs = directory.search(directory.DirectoryFilters(industry=code))
    api_filter = MemberFilter({"industry": code}, queryset=directory.public_members())
    if not api_filter.is_valid():  # the API answers an unknown industry code with a 400 naming the field
        assert code == "no-such-industry" and "industry" in api_filter.errors
        querysets = (directory_qs,)
    else:
        querysets = (directory_qs, api_filter.qs)
    for qs in querysets:
        page = qs.order_by("-admitted_at", "-pk")[:21]
        assert {m.pk for m in page} == expected
        assert {m.pk for m in qs} == expected
        if connection.vendor == "postgresql":
            # Both from the member industries the database keeps.
            assert all("partners_memberindustry" in str(q.query) for q in (page, qs))
        else:
            # A page probes member by member; every match reads the industry's lists.
            assert " IN (SELECT" not in str(page.query) and " IN (SELECT" in str(qs.query)


def test_the_directory_pages_through_an_industry(members):
    page = directory.paginate(directory.search(directory.DirectoryFilters(industry="government")), size=2)
    rest = directory.paginate(directory.search(directory.DirectoryFilters(industry="government")),
                              after=page.next_cursor, size=2)
    assert not rest.next_cursor
    assert {m.pk for m in page.items + rest.items} == members["government"]
