"""Query budgets: every list and detail page and endpoint runs the same number of SQL queries for 5 rows as for 30.

Each test builds 5 rows, counts the queries of a request, grows the data to 30 rows and asserts the same count
under a fixed ceiling (``django_assert_max_num_queries``). The public response cache is off here (no shared
cache in tests), so these are the queries of a cache miss.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.enums import ApplicationState, PartnerType
from partners.models import Application, AuditEvent, InternalNote, Notification, RequestedType, ReviewMessage
from tests.api_helpers import client_for, key_for
from tests.factories import ApplicationFactory, OrganizationFactory
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


def queries_of(client, url, **extra):
    """Number of SQL queries of one GET, after a first GET has warmed per-session work (consent, sessions)."""
    first = client.get(url, **extra)
    assert first.status_code == 200, (url, first.status_code)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def assert_flat(client, url, grow, budget, django_assert_max_num_queries, rows_of=None, **extra):
    """5 rows, then 30: the same number of queries, and no more than `budget`."""
    grow(5)
    small, response_small = queries_of(client, url, **extra)
    grow(25)
    large, response_large = queries_of(client, url, **extra)
    if rows_of is not None:
        assert rows_of(response_small) == 5 and rows_of(response_large) >= 20, "the data did not grow"
    assert large == small, f"{url}: {small} queries for 5 rows, {large} for 30"
    with django_assert_max_num_queries(budget):
        client.get(url, **extra)


def add_members(n, **kwargs):
    for i in range(n):
        make_member(f"北京九章智算科技有限公司{timezone.now().timestamp()}{i}", types=("model", "data"),
                    industries=("government", "finance"), **kwargs)


def html_rows(response):
    return response.content.decode().count('<tr>') - 1  # minus the header row


def api_rows(response):
    return len(response.json()["results"])


# --- public ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?type=model", "?q=九章", "?district=110108", "?industry=finance"])
def test_directory_page(client, django_assert_max_num_queries, query):
    assert_flat(client, "/members/" + query, add_members, 6, django_assert_max_num_queries, rows_of=html_rows)


def test_member_page(client, django_assert_max_num_queries):
    member = make_member(types=("model", "data", "compute"), industries=("government",))

    def grow(n):
        # A member page's cost must not depend on how many other members there are.
        add_members(n)

    assert_flat(client, f"/members/{member.number}/", grow, 6, django_assert_max_num_queries)


@pytest.mark.parametrize("query", ["", "?partner_type=model", "?q=九章", "?industry=finance", "?page_size=50"])
def test_members_api_list(django_assert_max_num_queries, query):
    client = client_for()
    assert_flat(client, "/api/v1/members/" + query, add_members, 6, django_assert_max_num_queries,
                rows_of=api_rows)


def test_members_api_detail(django_assert_max_num_queries):
    member = make_member(types=("model", "data"), industries=("government", "finance"))
    assert_flat(client_for(), f"/api/v1/members/{member.number}/", add_members, 6, django_assert_max_num_queries)


# --- staff -------------------------------------------------------------------------------------------


def add_submitted(n, types=(PartnerType.DATA, PartnerType.MODEL)):
    """Submitted applications written directly (the workflow has its own tests)."""
    for _ in range(n):
        org = OrganizationFactory()
        application = ApplicationFactory(organization=org, created_by=org.owner)
        for t in types:
            RequestedType.objects.create(application=application, organization=org, partner_type=t, is_open=True)
        Application.objects.filter(pk=application.pk).update(state=ApplicationState.SUBMITTED,
                                                             submitted_at=timezone.now())


@pytest.mark.parametrize("query", ["", "?state=submitted", "?partner_type=data&district=110108", "?q=北京",
                                   "?unassigned=1&sort=-submitted_at"])
def test_staff_queue(client, reviewer, django_assert_max_num_queries, query):
    client.force_login(reviewer)
    assert_flat(client, "/staff/queue/" + query, add_submitted, 14, django_assert_max_num_queries)


def test_staff_application_detail(client, reviewer, submitted, django_assert_max_num_queries):
    client.force_login(reviewer)

    def grow(n):
        for i in range(n):
            AuditEvent.objects.create(action="application.assigned", actor_label="test", application=submitted,
                                      organization=submitted.organization, data={}, visible_to_applicant=True)
            ReviewMessage.objects.create(application=submitted, author=reviewer, body=f"message {i}")
            InternalNote.objects.create(application=submitted, author=reviewer, body=f"note {i}")

    assert_flat(client, f"/staff/applications/{submitted.pk}/", grow, 40, django_assert_max_num_queries)


def test_staff_member_list(client, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    assert_flat(client, "/staff/members/", add_members, 14, django_assert_max_num_queries)


# --- applicant portal --------------------------------------------------------------------------------


def test_portal_home_lists_applications(client, applicant, django_assert_max_num_queries):
    client.force_login(applicant)
    org = applicant.organizations.get()

    def grow(n):
        for _ in range(n):
            application = ApplicationFactory(organization=org, created_by=applicant)
            RequestedType.objects.create(application=application, organization=org, partner_type="data",
                                         is_open=False)

    assert_flat(client, "/portal/", grow, 16, django_assert_max_num_queries)


def test_portal_application_page(client, applicant, submitted, django_assert_max_num_queries):
    client.force_login(applicant)

    def grow(n):
        for i in range(n):
            AuditEvent.objects.create(action="application.submitted", actor_label="test", application=submitted,
                                      organization=submitted.organization, data={}, visible_to_applicant=True)
            ReviewMessage.objects.create(application=submitted, author=applicant, body=f"message {i}")

    assert_flat(client, f"/portal/applications/{submitted.pk}/", grow, 25, django_assert_max_num_queries)


def test_inbox_list(client, applicant, django_assert_max_num_queries):
    client.force_login(applicant)

    def grow(n):
        for i in range(n):
            Notification.objects.create(recipient=applicant, template_key="application.submitted",
                                        dedupe_key=f"budget-{i}-{timezone.now().timestamp()}")

    assert_flat(client, "/inbox/", grow, 12, django_assert_max_num_queries)


def test_applications_api_list_and_detail(applicant, submitted, django_assert_max_num_queries):
    _key, token = key_for(applicant)
    client = client_for(token)
    org = applicant.organizations.get()

    def grow(n):
        for _ in range(n):
            application = ApplicationFactory(organization=org, created_by=applicant)
            RequestedType.objects.create(application=application, organization=org, partner_type="data",
                                         is_open=False)

    assert_flat(client, "/api/v1/applications/", grow, 14, django_assert_max_num_queries)
    assert_flat(client, f"/api/v1/applications/{submitted.pk}/", grow, 14, django_assert_max_num_queries)
