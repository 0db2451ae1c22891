"""The staff queue: filters, search, sorting, counts, bulk assignment over all filtered rows, Excel export."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partners.enums import ApplicationState, Channel, PartnerType
from partners.models import Application, District
from partners.services import review as review_services
from tests.factories import OrganizationFactory, advance, submitted_application


def make_many(n, *, district="110108", types=(PartnerType.DATA,)):
    d = District.objects.get(code=district)
    return [submitted_application(OrganizationFactory(district=d).owner, types=types) for _ in range(n)]


@pytest.fixture
def mixed(db, reviewer, approver):
    haidian = make_many(3)
    chaoyang = make_many(2, district="110105", types=(PartnerType.COMPUTE,))
    advance(haidian[0], ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    return haidian, chaoyang


def ids_on_page(response):
    return {a.pk for a in response.context["page"]}


def test_filters_search_and_counts(client, reviewer, mixed):
    haidian, chaoyang = mixed
    client.force_login(reviewer)
    url = reverse("review:queue")
    everything = client.get(url)
    assert ids_on_page(everything) == {a.pk for a in haidian + chaoyang}
    counts = dict((s.value, n) for s, n in everything.context["counts"])
    assert counts["submitted"] == 4 and counts["final_review"] == 1
    assert ids_on_page(client.get(url, {"district": "110105"})) == {a.pk for a in chaoyang}
    assert ids_on_page(client.get(url, {"partner_type": "compute"})) == {a.pk for a in chaoyang}
    assert ids_on_page(client.get(url, {"state": "final_review"})) == {haidian[0].pk}
    assert ids_on_page(client.get(url, {"mine": "1"})) == {haidian[0].pk}
    assert ids_on_page(client.get(url, {"unassigned": "1"})) == {a.pk for a in haidian[1:] + chaoyang}
    assert ids_on_page(client.get(url, {"channel": Channel.INDUSTRY_RECOMMENDATION})) == set()
    target = chaoyang[1].organization
    assert ids_on_page(client.get(url, {"q": target.credit_code.lower()})) == {chaoyang[1].pk}
    assert ids_on_page(client.get(url, {"q": target.name})) == {chaoyang[1].pk}
    # An invalid filter value is reported, not a 500.
    assert client.get(url, {"state": "nonsense", "district": "x"}).status_code == 200


def test_overdue_filter_uses_the_service_level(client, reviewer, mixed, settings):
    haidian, chaoyang = mixed
    settings.REVIEW_SLA_DAYS = 10
    Application.objects.filter(pk=chaoyang[0].pk).update(submitted_at=timezone.now() - timezone.timedelta(days=11))
    Application.objects.filter(pk=haidian[0].pk).update(submitted_at=timezone.now() - timezone.timedelta(days=30))
    client.force_login(reviewer)
    # haidian[0] is in final review: no longer waiting for the first review, so not overdue.
    assert ids_on_page(client.get(reverse("review:queue"), {"overdue": "1"})) == {chaoyang[0].pk}
    dashboard = client.get(reverse("review:dashboard"))
    assert dashboard.context["overdue"] == 1


def test_sorting_by_name(client, reviewer, mixed):
    client.force_login(reviewer)
    page = client.get(reverse("review:queue"), {"sort": "name"}).context["page"]
    names = [a.name for a in page]
    assert names == sorted(names)


def test_bulk_assignment_covers_every_filtered_row_not_only_the_page(client, administrator, reviewer2):
    matching = make_many(23)
    others = make_many(2, district="110105")
    client.force_login(administrator)
    page = client.get(reverse("review:queue"), {"district": "110108", "per_page": 10})
    assert len(page.context["page"]) == 10 and page.context["page"].paginator.num_pages == 3
    response = client.post(reverse("review:bulk_assign"),
                           {"district": "110108", "reviewer": reviewer2.pk, "scope": "all"})
    assert response.status_code == 302
    assert "district=110108" in response["Location"]
    assigned = set(Application.objects.filter(assigned_reviewer=reviewer2).values_list("pk", flat=True))
    assert assigned == {a.pk for a in matching}
    assert not Application.objects.filter(pk__in=[a.pk for a in others], assigned_reviewer__isnull=False).exists()


def test_bulk_assignment_of_ticked_rows_only(client, administrator, reviewer2):
    apps = make_many(3)
    client.force_login(administrator)
    client.post(reverse("review:bulk_assign"),
                {"reviewer": reviewer2.pk, "scope": "selected", "ids": [apps[0].pk, apps[2].pk]})
    assigned = set(Application.objects.filter(assigned_reviewer=reviewer2).values_list("pk", flat=True))
    assert assigned == {apps[0].pk, apps[2].pk}


def test_assignment_refuses_non_reviewers_and_approvers_cannot_assign(client, administrator, approver, submitted):
    with pytest.raises(review_services.ServiceError):
        review_services.assign(administrator, [submitted.pk], approver)
    client.force_login(approver)
    response = client.post(reverse("review:bulk_assign"), {"reviewer": "", "scope": "all"})
    assert response.status_code == 403


def test_assignment_skips_drafts_and_own_organisation(administrator, reviewer, draft, submitted):
    from partners.models import OrganizationMember

    OrganizationMember.objects.create(organization=submitted.organization, user=reviewer, role="colleague")
    assert review_services.assign(administrator, [draft.pk, submitted.pk], reviewer) == 0


def test_export_streams_the_filtered_rows(client, reviewer, mixed):
    haidian, chaoyang = mixed
    client.force_login(reviewer)
    response = client.get(reverse("review:export"), {"district": "110105"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 1 + len(chaoyang)
    assert {r[0] for r in rows[1:]} == {a.pk for a in chaoyang}
    assert {r[2] for r in rows[1:]} == {a.organization.credit_code for a in chaoyang}


def test_queue_queries_do_not_grow_with_page_size(client, reviewer, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_many(30, types=(PartnerType.DATA, PartnerType.MODEL))
    client.force_login(reviewer)
    client.get(reverse("review:queue"))  # warm the session and per-user caches
    with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as small_queries:
        small = client.get(reverse("review:queue"), {"per_page": 10})
    with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as large_queries:
        large = client.get(reverse("review:queue"), {"per_page": 100})
    assert len(small.context["page"]) == 10 and len(large.context["page"]) == 30
    assert len(large_queries) <= len(small_queries)


def test_dashboard_counts_my_assignments_and_admissions(client, reviewer, approver, submitted):
    from partners.services.membership import admit_due_applications

    advance(submitted, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    admit_due_applications(now=timezone.now() + timezone.timedelta(days=8))
    client.force_login(reviewer)
    response = client.get(reverse("review:dashboard"))
    assert response.status_code == 200
    assert dict((t.value, n) for t, n in response.context["admissions"])["data"] == 1
    counts = dict((s.value, n) for s, n in response.context["counts"])
    assert counts["admitted"] == 1


def test_streamed_workbook_is_valid_and_comes_in_pieces(reviewer, django_assert_num_queries):
    """Dates stay dates, odd characters survive, and the bytes come out while rows are still being read."""
    import datetime as dt

    from partners.models import Organization
    from partners.services.export import stream_xlsx

    apps = make_many(5)
    Organization.objects.filter(pk=apps[0].organization_id).update(name='北京<"&>\x01公司')
    pieces = stream_xlsx(Application.objects.exclude(state="draft"), rows_per_chunk=2)
    with django_assert_num_queries(0):
        first = next(pieces)  # the package's fixed parts leave before any row is read
    assert first.startswith(b"PK")
    chunks = [first, *pieces]
    workbook = load_workbook(io.BytesIO(b"".join(chunks)))  # the full (validating) reader
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 6
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[apps[0].pk][1] == '北京<"&>公司'
    submitted = by_id[apps[1].pk][7]
    assert isinstance(submitted, dt.datetime)
    local = timezone.localtime(apps[1].submitted_at).replace(tzinfo=None)
    assert abs((submitted - local).total_seconds()) < 1
