"""Paginated lists count at most COUNT_CAP rows, through a LIMITed subquery, and say "more than N" past it."""

import re
from datetime import timedelta
from math import ceil

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners import pagination
from partners.enums import ApplicationState, NotificationState, PartnerType
from partners.models import Application, Membership, Notification, RequestedType, SecurityEvent
from partners.pagination import CappedPaginator
from partners.services.audit import log_security
from partners.services.notifications import unread_count
from partners.views import compliance, inbox, outbox
from tests.factories import ApplicationFactory, OrganizationFactory, english_client, make_staff
from tests.public_fixtures import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

COUNT = re.compile(r"\bCOUNT\(", re.IGNORECASE)
# Django's count of a sliced queryset: SELECT COUNT(*) FROM (SELECT ... LIMIT n) subquery
LIMITED_COUNT = re.compile(r"^SELECT COUNT\(\*\).* FROM \(SELECT .* LIMIT \d+\)", re.IGNORECASE | re.DOTALL)


@pytest.fixture
def cap(monkeypatch):
    """Lower the cap for one test: cap(5)."""
    return lambda n: monkeypatch.setattr(pagination, "COUNT_CAP", n)


@pytest.fixture
def audit_admin(db):
    return make_staff("audit_admin", email="auditor@example.com")


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    return response, response.content.decode()


# --- data ----------------------------------------------------------------------------------------------


def add_members(n):
    for i in range(n):
        make_member(f"北京封顶计数科技有限公司{i}")


def add_events(n):
    for i in range(n):
        log_security("auth.login", ip="192.0.2.1", label=f"person{i}@example.com")


def add_notifications(n, *, recipient, state=NotificationState.PENDING, prefix="capped"):
    Notification.objects.bulk_create(
        Notification(recipient=recipient, template_key="application.submitted", state=state,
                     dedupe_key=f"{prefix}-{state}-{i}") for i in range(n))


def add_in_publicity(n):
    ends = timezone.now() + timedelta(days=5)
    for _ in range(n):
        application = ApplicationFactory(organization=OrganizationFactory())
        RequestedType.objects.create(application=application, organization=application.organization,
                                     partner_type=PartnerType.DATA, is_open=False, granted=True)
        Application.objects.filter(pk=application.pk).update(state=ApplicationState.PUBLICITY,
                                                             publicity_ends_at=ends)


# --- the paginator -------------------------------------------------------------------------------------


def test_the_count_stops_at_the_cap_and_page_numbers_stop_with_it(db, cap):
    cap(5)
    add_events(12)
    paginator = CappedPaginator(SecurityEvent.objects.order_by("-id"), 2)
    assert paginator.capped and paginator.cap == 5 and paginator.num_pages == 3
    last = paginator.get_page(99)  # past the capped pages: the last capped page, as past the end today
    assert last.number == 3 and len(last) == 2 and not last.has_next()
    for bad in ("abc", "", None, "-1", "0", "2.5", "1e9"):
        assert paginator.get_page(bad).number in (1, 3)


def test_below_the_cap_the_count_is_exact(db, cap):
    cap(5)
    add_events(4)
    paginator = CappedPaginator(SecurityEvent.objects.order_by("-id"), 2)
    assert paginator.count == 4 and not paginator.capped and paginator.num_pages == 2


def test_a_count_the_caller_knows_is_exact_and_never_capped(db, cap):
    cap(5)
    add_events(12)
    with CaptureQueriesContext(connection) as ctx:
        paginator = CappedPaginator(SecurityEvent.objects.order_by("-id"), 2, count=12)
        assert paginator.count == 12 and not paginator.capped and paginator.num_pages == 6
    assert ctx.captured_queries == []
    assert paginator.get_page(6).number == 6


def test_the_review_queue_keeps_its_exact_count(client, reviewer, cap):
    cap(5)
    for _ in range(12):
        org = OrganizationFactory()
        application = ApplicationFactory(organization=org, created_by=org.owner)
        RequestedType.objects.create(application=application, organization=org, partner_type=PartnerType.DATA,
                                     is_open=True)
        Application.objects.filter(pk=application.pk).update(state=ApplicationState.SUBMITTED,
                                                             submitted_at=timezone.now())
    _response, text = get(english_client(reviewer), reverse("review:queue"), per_page=10)
    assert "12 applications match." in text and "Page 1 of 2" in text and "more than" not in text


# --- the staff member list -----------------------------------------------------------------------------


def test_member_list_says_more_than_the_cap(reviewer, cap):
    cap(15)  # the member list shows at least 10 rows a page
    add_members(22)
    client = english_client(reviewer)
    response, text = get(client, reverse("review:members"), per_page=10)
    assert "More than 15 members" in text and "1 / more than 2" in text
    assert response.context["page"].paginator.num_pages == 2
    response, text = get(client, reverse("review:members"), per_page=10, page=3)
    assert response.context["page"].number == 2 and "The pages stop here" in text
    assert not response.context["page"].has_next() and "2 / more than 2" in text


def test_member_list_below_the_cap_shows_the_exact_count(reviewer, cap):
    cap(15)
    add_members(3)
    _response, text = get(english_client(reviewer), reverse("review:members"))
    assert f"{Membership.objects.count()} members" in text and "more than" not in text.lower()


# --- the audit log -------------------------------------------------------------------------------------


def test_audit_log_says_more_than_the_cap(audit_admin, cap, monkeypatch):
    cap(5)
    monkeypatch.setattr(compliance, "AUDIT_PAGE_SIZE", 2)
    add_events(12)
    client = english_client(audit_admin)
    response, text = get(client, reverse("security:audit_log"))
    assert "Page 1 of more than 3" in text and response.context["page"].paginator.num_pages == 3
    response, text = get(client, reverse("security:audit_log"), page=40)
    assert response.context["page"].number == 3 and "Page 3 of more than 3" in text
    assert "The pages stop here" in text
    assert get(client, reverse("security:audit_log"), page="x")[0].context["page"].number == 1


def test_audit_log_below_the_cap_shows_the_exact_pages(audit_admin, cap, monkeypatch):
    cap(50)
    monkeypatch.setattr(compliance, "AUDIT_PAGE_SIZE", 2)
    add_events(4)
    client = english_client(audit_admin)
    get(client, reverse("security:audit_log"))  # any event the first view records is in the next count
    pages = ceil(SecurityEvent.objects.count() / 2)
    _response, text = get(client, reverse("security:audit_log"))
    assert f"Page 1 of {pages}" in text and "more than" not in text


# --- the staff outbox ----------------------------------------------------------------------------------


def test_outbox_says_more_than_the_cap(administrator, applicant, cap, monkeypatch):
    cap(5)
    monkeypatch.setattr(outbox, "PAGE_SIZE", 2)
    add_notifications(12, recipient=applicant, state=NotificationState.FAILED)
    add_notifications(9, recipient=applicant, state=NotificationState.SENT)
    add_notifications(2, recipient=applicant, state=NotificationState.CANCELLED)
    client = english_client(administrator)
    response, text = get(client, reverse("outbox:list"), state="failed")
    badges = re.findall(r'<span class="badge bg-secondary">([^<]*)</span>', text)
    assert badges == ["0", "more than 5", "more than 5", "2"]  # pending, sent, failed, cancelled
    assert "1 / more than 3" in text and response.context["page"].paginator.num_pages == 3
    assert get(client, reverse("outbox:list"), state="failed", page=9)[0].context["page"].number == 3


def test_outbox_below_the_cap_shows_exact_counts(administrator, applicant, cap, monkeypatch):
    cap(50)
    monkeypatch.setattr(outbox, "PAGE_SIZE", 2)
    add_notifications(3, recipient=applicant, state=NotificationState.FAILED)
    _response, text = get(english_client(administrator), reverse("outbox:list"), state="failed")
    assert "1 / 2" in text and "more than" not in text
    assert re.findall(r'<span class="badge bg-secondary">([^<]*)</span>', text)[2] == "3"


# --- the inbox and the public notice -------------------------------------------------------------------


def test_inbox_says_more_than_the_cap(applicant, cap, monkeypatch):
    cap(5)
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    add_notifications(12, recipient=applicant)
    client = english_client(applicant)
    response, text = get(client, reverse("inbox:list"))
    assert "1 / more than 3" in text and response.context["page"].paginator.num_pages == 3
    assert get(client, reverse("inbox:list"), page=7)[0].context["page"].number == 3


def test_inbox_below_the_cap_shows_the_exact_pages(applicant, cap, monkeypatch):
    cap(50)
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    add_notifications(3, recipient=applicant)
    _response, text = get(english_client(applicant), reverse("inbox:list"))
    assert "1 / 2" in text and "more than" not in text


def test_public_notice_pages_stop_at_the_cap(db, cap):
    cap(15)
    add_in_publicity(22)
    client = english_client()
    response, _text = get(client, reverse("publicity:list"), per_page=10)
    assert response.context["page"].paginator.capped and response.context["page"].paginator.num_pages == 2
    last, _text = get(client, reverse("publicity:list"), per_page=10, page=3)
    assert last.context["page"].number == 2 and not last.context["page"].has_next()
    cap(50)
    response, _text = get(client, reverse("publicity:list"))
    assert response.context["page"].paginator.count == 22 and not response.context["page"].paginator.capped


# --- the SQL -------------------------------------------------------------------------------------------


def unread_count_sql(user):
    """The navigation bar's per-person unread count: indexed on (recipient, read_at), not a list's count."""
    with CaptureQueriesContext(connection) as ctx:
        unread_count(user)
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("name, who, params", [
    ("review:members", "reviewer", {}),
    ("review:members", "reviewer", {"q": "北京", "state": "active", "partner_type": "compute"}),
    ("security:audit_log", "audit_admin", {}),
    ("security:audit_log", "audit_admin", {"action": "auth.", "page": "2"}),
    ("outbox:list", "administrator", {"state": "sent"}),
    ("inbox:list", "applicant", {}),
    ("inbox:list", "applicant", {"unread": "1"}),
    ("publicity:list", None, {}),
])
def test_every_count_of_a_list_view_is_over_a_limited_subquery(request, cap, name, who, params):
    cap(5)
    user = request.getfixturevalue(who) if who else None
    recipient = user or OrganizationFactory().owner
    add_members(7)
    add_events(7)
    add_in_publicity(7)
    for state in NotificationState.values:
        add_notifications(7, recipient=recipient, state=state)
    client = english_client(user)
    client.get(reverse(name), params)  # a first view does the per-session work
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if COUNT.search(q["sql"])]
    for sql in unread_count_sql(user) if user else []:
        counts.remove(sql)  # once: the badge is counted once a page, whatever the list counts
    assert counts, "the view counted nothing: the test no longer looks at its pagination"
    unbounded = [sql for sql in counts if not LIMITED_COUNT.search(sql)]
    assert unbounded == [], unbounded
