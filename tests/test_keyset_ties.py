"""Keyset cursors with a unique tie-breaker: lists whose rows share the sort key page past DRF's offset cap."""

import pytest
from django.utils import timezone

from partners.models import Membership, MembershipGrant, Organization
from partners.services import directory
from partners.validators import build_credit_code
from tests.factories import ApplicationFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

# DRF's CursorPagination gives up on offsets above 1,000 (its `offset_cutoff`): more rows than that share one
# admission time here, so a cursor keyed on the time alone would repeat a page forever.
TIED = 1_050


@pytest.fixture
def tied_members():
    """TIED active members admitted at the very same instant, each with a current grant."""
    first = OrganizationFactory()
    application = ApplicationFactory(organization=first, created_by=first.owner)
    orgs = Organization.objects.bulk_create(
        Organization(name=f"并列科技有限公司{i}", name_en=f"Tied {i}", district_id="110108",
                     credit_code=build_credit_code("9", "1", "110108", f"{90_000_000 + i:08d}"),
                     legal_representative="张三", registered_address="北京市海淀区")
        for i in range(TIED))
    when = timezone.now().replace(microsecond=0)
    members = Membership.objects.bulk_create(
        Membership(organization=org, number=f"TIE-{i:05d}", admitted_at=when) for i, org in enumerate(orgs))
    MembershipGrant.objects.bulk_create(
        MembershipGrant(membership=m, partner_type="compute", application=application,
                        granted_on=timezone.localdate()) for m in members)
    return {m.number for m in members}


def walk_api(client, url):
    seen, pages = [], 0
    while url:
        pages += 1
        assert pages <= TIED // 100 + 3, "the cursor loops"
        body = client.get(url).json()
        seen += [row["member_number"] for row in body["results"]]
        url = body["next"]
    return seen


@pytest.mark.parametrize("ordering", ["", "admitted_at", "-admitted_at"])
def test_members_api_walks_past_the_offset_cap_without_repeating(client, tied_members, ordering):
    url = "/api/v1/members/?page_size=100" + (f"&ordering={ordering}" if ordering else "")
    seen = walk_api(client, url)
    assert len(seen) == len(set(seen)) == TIED
    assert set(seen) == tied_members


def test_members_api_previous_links_walk_back_over_ties(client, tied_members):
    url, forward = "/api/v1/members/?page_size=100", []
    while url:  # to the last page
        body = client.get(url).json()
        forward.append([row["member_number"] for row in body["results"]])
        last_previous, url = body["previous"], body["next"]
    backward, url = [], last_previous
    while url:
        body = client.get(url).json()
        backward.append([row["member_number"] for row in body["results"]])
        url = body["previous"]
    assert list(reversed(backward)) == forward[:-1]


def test_directory_walks_past_the_offset_cap_without_repeating(tied_members):
    qs = directory.search(directory.DirectoryFilters())
    seen, after, pages = [], "", 0
    while True:
        pages += 1
        assert pages <= TIED // directory.PAGE_SIZE + 3, "the cursor loops"
        page = directory.paginate(qs, after=after)
        seen += [m.number for m in page.items]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert len(seen) == len(set(seen)) == TIED
    assert set(seen) == tied_members
