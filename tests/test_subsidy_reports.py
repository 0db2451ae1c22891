"""Exact subsidy totals per company, year, provider, district and for the plan, and their Excel export."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from partners.services import subsidy_claims, subsidy_reports
from tests.subsidy_helpers import budget, model_team, rules, staff_team, standing_pairing, submitted_claim

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_totals_are_exact_per_company_provider_year_and_plan():
    rules()
    staff = staff_team()
    year = timezone.localdate().year
    budget("1000000.00", year=year)
    first = standing_pairing(staff)
    second = standing_pairing(staff, model=model_team("北京第二家大模型公司"))
    # Amounts in fen that a float would not sum exactly.
    a = submitted_claim(first, invoiced_amount="1000.10", provider_credit_code="91110108777700022T")
    b = submitted_claim(first, invoiced_amount="2000.20")
    c = submitted_claim(second, invoiced_amount="3000.30")
    submitted_claim(second, invoiced_amount="333.33")
    for claim, amount in ((a, "100.01"), (b, "200.02"), (c, "300.03")):
        claim = subsidy_claims.fire(staff["reviewer"], claim, "start_review")
        subsidy_claims.fire(staff["approver"], claim, "approve", approved_amount=amount)
    c.refresh_from_db()
    subsidy_claims.fire(staff["approver"], c, "pay", payment_reference="ZF-1", paid_on=timezone.localdate())
    plan = subsidy_reports.plan_totals()
    assert plan.claims == 4
    assert plan.claimed == Decimal("100.01") + Decimal("200.02") + Decimal("300.03") + Decimal("33.33")
    assert plan.approved == Decimal("600.06") and plan.paid == Decimal("300.03")
    assert plan.approved_unpaid == Decimal("300.03")
    companies = {t.extra["organization_id"]: t for t in subsidy_reports.by_company()}
    assert companies[first.model_partner_id].approved == Decimal("300.03")
    assert companies[second.model_partner_id].claimed == Decimal("333.36")
    providers = {t.extra["provider_credit_code"]: t for t in subsidy_reports.by_provider()}
    assert providers["91110108777700022T"].claims == 1 and providers["91110108777700022T"].approved == Decimal("100.01")
    assert sum((t.claimed for t in providers.values()), Decimal(0)) == plan.claimed
    (this_year,) = subsidy_reports.by_year()
    assert this_year.extra["budget"] == Decimal("1000000.00")
    assert this_year.extra["remaining"] == Decimal("999399.94")
    assert sum(t.claims for t in subsidy_reports.by_district()) == 4
    states = subsidy_reports.claims_per_state()
    assert (states["approved"], states["paid"], states["submitted"], states["draft"]) == (2, 1, 1, 0)
    book = load_workbook(BytesIO(subsidy_reports.export_xlsx()))
    assert book.sheetnames == ["Plan", "Per year", "Per company", "Per provider", "Per district"]
    assert [c.value for c in book["Plan"][2]][1:] == [4, 633.39, 600.06, 300.03]
    assert book["Plan"]["C2"].number_format == "#,##0.00"
