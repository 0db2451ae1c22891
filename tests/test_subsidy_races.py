"""Races on PostgreSQL with real threads: submissions of one contract, submissions against one company's yearly
cap, and approvals against one year's budget; the locks and the unique index leave the rules intact."""

from decimal import Decimal

from partners import workflow
from partners.enums import SubsidyClaimState
from partners.models import SubsidyClaim
from partners.services import subsidy_claims, subsidy_rules
from tests.concurrency import RACE_TEST, run_together
from tests.subsidy_helpers import budget, draft_claim, rules, staff_team, standing_pairing, submitted_claim

pytestmark = RACE_TEST


def submit(claim):
    return lambda: subsidy_claims.fire(claim.organization.owner, claim, "submit").state


def test_concurrent_submissions_of_one_contract_leave_one_claim():
    rules()
    pairing = standing_pairing(staff_team())
    claims = [draft_claim(pairing, contract_number="HT-RACE") for _ in range(4)]
    results = run_together(*(submit(c) for c in claims))
    assert [r for r in results if r[0] == "ok"] == [("ok", SubsidyClaimState.SUBMITTED)]
    losers = [r[1] for r in results if r[0] == "error"]
    assert len(losers) == 3 and all(isinstance(e, workflow.TransitionError) and e.code == "duplicate"
                                    for e in losers), losers
    assert SubsidyClaim.objects.filter(contract_number="HT-RACE", state="submitted").count() == 1


def test_concurrent_submissions_never_exceed_the_company_cap():
    rules(cap="200000.00")
    pairing = standing_pairing(staff_team())
    claims = [draft_claim(pairing) for _ in range(4)]  # 80,000 each by the rate; the cap allows 200,000
    run_together(*(submit(c) for c in claims))
    amounts = sorted(SubsidyClaim.objects.filter(state="submitted").values_list("claimed_amount", flat=True))
    assert sum(amounts) == Decimal("200000.00")
    assert amounts == [Decimal("40000.00"), Decimal("80000.00"), Decimal("80000.00")]


def test_concurrent_approvals_never_exceed_the_budget():
    rules()
    staff = staff_team()
    from tests.factories import make_staff

    approvers = [staff["approver"], staff["administrator"], make_staff("approver"), make_staff("approver")]
    pairing = standing_pairing(staff)
    claims = [subsidy_claims.fire(staff["reviewer"], submitted_claim(pairing), "start_review") for _ in range(4)]
    year = claims[0].year
    budget("150000.00", year=year)  # room for one approval of 80,000 and one of 70,000, never a third

    def approve(claim, person, amount):
        return lambda: subsidy_claims.fire(person, claim, "approve", approved_amount=amount).state

    results = run_together(*(approve(c, p, "70000.00") for c, p in zip(claims, approvers, strict=True)))
    approved = [r for r in results if r[0] == "ok"]
    refused = [r[1] for r in results if r[0] == "error"]
    assert len(approved) == 2 and len(refused) == 2
    assert all(e.code == "over_budget" for e in refused), refused
    _budget, spent, remaining = subsidy_rules.budget_of(year)
    assert spent == Decimal("140000.00") and remaining == Decimal("10000.00")
