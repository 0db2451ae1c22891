"""The staff queue counts each state up to COUNT_CAP through LIMITed subqueries and says "more than N" past it."""

import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache as django_cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partners.enums import ApplicationState, PartnerType
from partners.forms import review as review_forms
from partners.models import Application, District, RequestedType
from partners.services import cache as response_cache
from tests.factories import ApplicationFactory, OrganizationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

COUNT = re.compile(r"\bCOUNT\(", re.IGNORECASE)
# Django's count of a sliced queryset, alone or as one scalar subquery of a SELECT of several
LIMITED_COUNT = re.compile(r"COUNT\(\*\) FROM \(SELECT (?:(?!COUNT\().)*? LIMIT \d+\)", re.IGNORECASE | re.DOTALL)
BADGE = re.compile(r'data-state="(\w+)">[^<]*<span class="badge[^"]*">([^<]*)</span>')


@pytest.fixture
def cap(monkeypatch):
    """Lower the queue's cap for one test: cap(3)."""
    return lambda n: monkeypatch.setattr(review_forms, "COUNT_CAP", n)


def add(n, state=ApplicationState.SUBMITTED, district="110108", days_ago=0):
    """Applications written directly in `state` (the workflow has its own tests)."""
    district = District.objects.get(code=district)
    for _ in range(n):
        org = OrganizationFactory(district=district)
        application = ApplicationFactory(organization=org, created_by=org.owner)
        RequestedType.objects.create(application=application, organization=org, partner_type=PartnerType.DATA,
                                     is_open=True)
        Application.objects.filter(pk=application.pk).update(
            state=state, submitted_at=timezone.now() - timedelta(days=days_ago))


def get(user, **params):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(reverse("review:queue"), params)
    assert response.status_code == 200
    return response, response.content.decode()


def badges(text):
    return dict(BADGE.findall(text))


def total_of(text):
    return re.search(r'<span id="total">([^<]*)</span>', text).group(1)


def test_past_the_cap_the_badge_and_the_total_say_more_than(reviewer, cap):
    cap(3)
    add(5)
    add(2, ApplicationState.IN_REVIEW)
    _response, text = get(reviewer)
    shown = badges(text)
    assert shown["submitted"] == "more than 3" and shown["in_review"] == "2" and shown["rejected"] == "0"
    assert total_of(text) == "More than 5 applications match."  # 3 (capped) + 2
    assert total_of(get(reviewer, state="submitted")[1]) == "More than 3 applications match."
    assert total_of(get(reviewer, state="in_review")[1]) == "2 applications match."


def test_the_pages_stop_at_the_cap(reviewer, cap):
    cap(12)
    add(25)
    response, text = get(reviewer, per_page=10)
    page = response.context["page"]
    assert page.paginator.num_pages == 2 and "Page 1 of more than 2" in text and "The pages stop here" not in text
    response, text = get(reviewer, per_page=10, page=3)
    page = response.context["page"]
    assert page.number == 2 and not page.has_next() and "Page 2 of more than 2" in text
    assert "The pages stop here" in text


def test_below_the_cap_the_counts_are_exact(reviewer, cap):
    cap(50)
    add(5)
    add(1, ApplicationState.IN_REVIEW)
    response, text = get(reviewer, per_page=10)
    assert badges(text)["submitted"] == "5" and badges(text)["in_review"] == "1"
    assert total_of(text) == "6 applications match." and "more than" not in text.lower()
    assert dict((s.value, n) for s, n in response.context["counts"])["submitted"] == 5


def test_the_overdue_filter_is_still_counted(reviewer, cap, settings):
    cap(3)
    settings.REVIEW_SLA_DAYS = 10
    add(4, days_ago=20)
    add(2, ApplicationState.IN_REVIEW, days_ago=20)
    add(5, ApplicationState.IN_REVIEW)
    add(4, ApplicationState.FINAL_REVIEW, days_ago=20)
    response, text = get(reviewer, overdue="1")
    shown = badges(text)
    assert shown["submitted"] == "more than 3" and shown["in_review"] == "2" and shown["final_review"] == "0"
    assert total_of(text) == "More than 5 applications match."
    assert len(response.context["page"]) == 5, "6 are overdue, but the pages stop at the capped total"


@pytest.mark.parametrize("params", [{}, {"state": "submitted"}, {"partner_type": "data", "district": "110108"},
                                    {"q": "公司"}, {"unassigned": "1", "sort": "state"}, {"overdue": "1"}])
def test_every_count_of_the_queue_is_over_a_limited_subquery(reviewer, cap, params):
    cap(3)
    add(5)
    add(4, ApplicationState.IN_REVIEW, days_ago=30)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reviewer)
    client.get(reverse("review:queue"), params)  # a first view does the per-session work
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("review:queue"), params)
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries if '"partners_application"' in q["sql"]]
    counts = [s for s in sql if COUNT.search(s)]
    if connection.vendor == "postgresql" and set(params) <= review_forms.QueueFilterForm.KEPT_FILTERS:
        # State, type and district are answered by the kept counts (tests/test_tally.py): no count of rows.
        assert counts == [], counts
        assert sum("partners_tally" in q["sql"] for q in ctx.captured_queries) == 1
        return
    if "q" in params:
        # A narrow search is counted exactly in one GROUP BY over the applications of the organisations it
        # matches (found through the name indexes): bounded by them, not by the table.
        assert len(counts) == 1 and "GROUP BY" in counts[0] and "partners_organization" in counts[0], counts
        return
    assert counts, "the queue counted nothing: the test no longer looks at its counts"
    for s in counts:
        assert "GROUP BY" not in s.upper(), s
        assert len(COUNT.findall(s)) == len(LIMITED_COUNT.findall(s)), s
    assert len(counts) == 1, "every state is counted in one query"


def test_the_counts_are_kept_in_the_cache(reviewer, cap, settings):
    cap(3)
    add(5)
    settings.PUBLIC_RESPONSE_CACHE = True
    settings.PUBLIC_LIST_STALE_SECONDS = 0  # every list fresh at once: stale lists are tested on their own
    django_cache.clear()
    connection.run_on_commit = []  # the set-up's changes never commit inside the test's transaction
    response_cache.generation(response_cache.QUEUE)
    try:
        form = review_forms.QueueFilterForm({})
        key = f"state-counts|{reviewer.pk}|{form.querystring()}"
        first = response_cache.cached_value(response_cache.QUEUE, key, lambda: form.counts_per_state(reviewer))
        with CaptureQueriesContext(connection) as ctx:
            again = response_cache.cached_value(response_cache.QUEUE, key, lambda: form.counts_per_state(reviewer))
        assert ctx.captured_queries == [] and again == first and again.capped == {"submitted"}
        assert badges(get(reviewer)[1])["submitted"] == "more than 3"
    finally:
        django_cache.clear()


def test_bulk_assignment_and_export_cover_every_matching_row_past_the_cap(client, administrator, reviewer2, cap):
    cap(3)
    add(7)
    add(2, district="110105")
    matching = set(Application.objects.filter(organization__district="110108").values_list("pk", flat=True))
    client.force_login(administrator)
    page = client.get(reverse("review:queue"), {"district": "110108"}).content.decode()  # in Chinese
    assert "符合条件的申请超过 3 项。" in page and "超过 3</span>" in page
    response = client.post(reverse("review:bulk_assign"),
                           {"district": "110108", "reviewer": reviewer2.pk, "scope": "all"})
    assert response.status_code == 302
    assigned = set(Application.objects.filter(assigned_reviewer=reviewer2).values_list("pk", flat=True))
    assert len(matching) == 7 and assigned == matching
    export = client.get(reverse("review:export"), {"district": "110108"})
    workbook = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    assert {r[0] for r in list(workbook.active.iter_rows(values_only=True))[1:]} == matching
