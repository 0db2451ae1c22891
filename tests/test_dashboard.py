"""The plan's dashboard: every figure it shows, with a query count that stays the same as the data grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import YearTarget
from partners.services import cases, dashboard, introductions
from tests.catalogue_helpers import case, dataset, demand, published
from tests.factories import ApplicationFactory, OrganizationFactory, submitted_application
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


def grow(n, reviewer, approver):
    for i in range(n):
        member = make_member(f"北京看板公司{i}", types=("data", "model"), district=("110108", "110105")[i % 2])
        supply, need = dataset(member.organization), demand()
        intro = introductions.request_introduction(supply.organization.owner, supply, need)
        introductions.answer(need.organization.owner, intro, accept=True)
        item = published(case(member.organization, year=2025 + i % 2, kind=("application", "solution")[i % 2]),
                         reviewer)
        cases.designate(approver, item)
        submitted_application(OrganizationFactory().owner)


def count_queries(public=False):
    with CaptureQueriesContext(connection) as ctx:
        result = dashboard.sections(public=public)
    return len(ctx.captured_queries), result


def test_dashboard_query_count_is_flat_in_data_size(reviewer, approver, settings):
    settings.CATALOGUE_MODERATION = False
    YearTarget.objects.create(year=2025, applications=10, solutions=10)
    grow(2, reviewer, approver)
    small, _ = count_queries()
    small_public, _ = count_queries(public=True)
    grow(8, reviewer, approver)
    large, sections = count_queries()
    large_public, _ = count_queries(public=True)
    assert small == large and small_public == large_public
    assert large <= 15

    by_code = {s.code: s for s in sections}
    assert {"members_by_type", "members_by_district", "members_by_month", "applications_by_state",
            "cases_published", "data_matched", "target_progress"} <= set(by_code)
    matched = {code: n for code, _label, n in by_code["data_matched"].series.rows}
    assert matched == {"datasets": 10, "demands": 10, "introductions": 10, "accepted": 10}
    progress = {(p.year, p.kind): p.count for p in by_code["target_progress"].progress}
    assert progress[(2025, "application")] == 5 and progress[(2026, "solution")] == 5
    types = {code: n for code, _label, n in by_code["members_by_type"].series.rows}
    assert types["data"] == 10 and types["model"] == 10
    assert dict((c, n) for c, _l, n in by_code["applications_by_state"].series.rows)["submitted"] == 10
    assert "applications_by_state" not in {s.code for s in dashboard.sections(public=True)}


def test_a_provider_plugs_in(monkeypatch):
    from partners.services.statistics import Series

    monkeypatch.setattr(dashboard, "PROVIDERS", dict(dashboard.PROVIDERS))
    dashboard.register("example")(lambda: dashboard.Section("example", "An example", Series([("x", "x", 3)])))
    assert dashboard.sections()[-1].code == "example"


def test_pairings_and_subsidy_claims_are_on_the_dashboard():
    from decimal import Decimal

    from django.utils import timezone

    from partners.services import subsidy_claims
    from tests.subsidy_helpers import budget, rules, staff_team, standing_pairing, submitted_claim

    staff = staff_team()
    rules()
    budget()
    formed = standing_pairing(staff)
    standing_pairing(staff, formed=False)
    claim = submitted_claim(formed)
    claim = subsidy_claims.fire(staff["reviewer"], claim, "start_review")
    claim = subsidy_claims.fire(staff["approver"], claim, "approve", approved_amount=Decimal("1234.50"))
    subsidy_claims.fire(staff["approver"], claim, "pay", payment_reference="ZF-1", paid_on=timezone.localdate())
    submitted_claim(standing_pairing(staff))

    before, _ = count_queries()
    by_code = {s.code: s for s in dashboard.sections(public=True)}
    pairings = {code: n for code, _label, n in by_code["pairings"].series.rows}
    assert pairings["standing"] == 3 and pairings["pilot_case"] + pairings["scenario_application"] == 2
    claims = {code: n for code, _label, n in by_code["subsidy_claims"].series.rows}
    assert claims == {"submitted": 2, "approved": 1, "paid": 1}
    assert "1,234.50" in by_code["subsidy_claims"].note
    submitted_claim(standing_pairing(staff))
    assert count_queries()[0] == before  # still flat with one more pairing and claim


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the kept tally and the index are PostgreSQL's")
def test_the_median_days_in_each_state_are_exact_and_read_from_the_index():
    from datetime import timedelta

    from django.utils import timezone

    from partners.models import Application

    now = timezone.now()
    # Submitted: 4 applications (an even count: the mean of the middle two); drafts: 3 (odd: the middle one).
    ages = {"submitted": [1, 3, 8, 40], "draft": [2, 5, 30]}
    for state, days in ages.items():
        for age in days:
            owner = OrganizationFactory().owner
            application = (submitted_application(owner) if state == "submitted"
                           else ApplicationFactory(organization=owner.organizations.get(), created_by=owner))
            Application.objects.filter(pk=application.pk).update(state_changed_at=now - timedelta(days=age))
    medians = dashboard._median_days_in_state()
    assert medians["submitted"][0] == 4 and medians["submitted"][1] == pytest.approx(5.5, abs=0.01)
    assert medians["draft"][0] == 3 and medians["draft"][1] == pytest.approx(5, abs=0.01)

    with connection.cursor() as cursor:
        # A handful of rows is cheaper to scan and sort; with scans and sorts forbidden the planner shows the
        # index it uses once the table is large.
        cursor.execute("ANALYZE partners_application")
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + dashboard.MEDIAN_DAYS_IN_STATE_SQL)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "application_state_age_idx" in plan, plan
    assert "Sort Key: a.state_changed_at" not in plan and "Sort Key: state_changed_at" not in plan, plan


def test_the_medians_are_kept_for_a_while_and_the_counts_beside_them_are_current(settings, approver):
    """The office's page says when the medians were worked out; within DASHBOARD_MEDIAN_SECONDS they are not
    worked out again (their query grows with the applications), while each state's count moves at once."""
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from partners.models import Application

    settings.DASHBOARD_MEDIAN_SECONDS = 600
    cache.delete(dashboard.MEDIANS_KEY)
    owner = OrganizationFactory().owner
    first = submitted_application(owner)
    Application.objects.filter(pk=first.pk).update(state_changed_at=timezone.now() - timedelta(days=4))
    section = dashboard.applications_by_state()
    assert section.medians["submitted"] == pytest.approx(4, abs=0.1)
    assert timezone.localtime().strftime("%Y-%m-%d") in section.note

    second = submitted_application(OrganizationFactory().owner)
    Application.objects.filter(pk=second.pk).update(state_changed_at=timezone.now() - timedelta(days=10))
    section = dashboard.applications_by_state()
    assert dict((c, n) for c, _l, n in section.series.rows)["submitted"] == 2  # current
    assert section.medians["submitted"] == pytest.approx(4, abs=0.1)  # kept

    # The office's page itself says when they were worked out.
    from tests.factories import english_client

    page = english_client(approver).get("/staff/plan/").content.decode()
    assert "in each state have been in it, as of " + timezone.localtime().strftime("%Y-%m-%d") in page

    settings.DASHBOARD_MEDIAN_SECONDS = 0  # worked out on every view
    assert dashboard.applications_by_state().medians["submitted"] == pytest.approx(7, abs=0.1)
    cache.delete(dashboard.MEDIANS_KEY)
