"""Query budgets of the catalogue, showcase and dashboard pages and endpoints: the same number of queries for 5
rows as for 30 (the shape of tests/test_query_budgets.py)."""

import itertools

import pytest

from partners.services import cases, introductions
from tests.catalogue_helpers import case, dataset, demand, published
from tests.factories import english_client
from tests.test_query_budgets import assert_flat

pytestmark = pytest.mark.django_db
_n = itertools.count()


@pytest.fixture(autouse=True)
def _public_at_once(settings):
    settings.CATALOGUE_MODERATION = False


def grow_datasets(n):
    for _ in range(n):
        dataset(name=f"数据集{next(_n)}", industry_id=("health", "finance")[next(_n) % 2])


def grow_cases(reviewer, approver):
    def grow(n):
        for _ in range(n):
            item = published(case(year=2025, kind=("application", "solution")[next(_n) % 2]), reviewer)
            cases.designate(approver, item)
    return grow


def test_catalogue_list_and_api(client, django_assert_max_num_queries):
    assert_flat(english_client(), "/data/", grow_datasets, 12, django_assert_max_num_queries)
    assert_flat(english_client(), "/api/v1/datasets/", grow_datasets, 12, django_assert_max_num_queries)


def test_demand_page_with_its_matches(django_assert_max_num_queries):
    need = demand()
    assert_flat(english_client(), f"/data/demands/{need.public_id}/", grow_datasets, 14,
                django_assert_max_num_queries)
    assert_flat(english_client(), f"/api/v1/demands/{need.public_id}/matches/", grow_datasets, 12,
                django_assert_max_num_queries)


def test_my_introductions(django_assert_max_num_queries):
    supply = dataset()
    owner = supply.organization.owner

    def grow(n):
        for _ in range(n):
            need = demand()
            intro = introductions.request_introduction(need.organization.owner, supply, need)
            introductions.answer(owner, intro, accept=True)

    assert_flat(english_client(owner), "/portal/catalogue/", grow, 20, django_assert_max_num_queries)


def test_showcase_queue_dashboard_and_api(reviewer, approver, django_assert_max_num_queries):
    grow = grow_cases(reviewer, approver)
    assert_flat(english_client(), "/showcase/", grow, 12, django_assert_max_num_queries)
    assert_flat(english_client(), "/api/v1/cases/", grow, 12, django_assert_max_num_queries)
    assert_flat(english_client(reviewer), "/staff/cases/", grow, 20, django_assert_max_num_queries)
    assert_flat(english_client(reviewer), "/staff/plan/", grow, 30, django_assert_max_num_queries)
    assert_flat(english_client(), "/plan/", grow, 25, django_assert_max_num_queries)
