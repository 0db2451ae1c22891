"""Subsidy claims on the workflow engine: the amount computed at submission by the rules then in force, one claim
per contract, the company's yearly cap, four eyes on approval, the year's budget, payment, audit and outbox."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from partners import workflow
from partners.enums import SubsidyClaimState
from partners.models import AuditEvent, Notification, SubsidyClaim
from partners.services import subsidy_claims, subsidy_rules
from partners.services.applications import ServiceError
from tests.factories import UserFactory
from tests.subsidy_helpers import (
    budget,
    draft_claim,
    facts,
    model_team,
    pdf,
    rules,
    staff_team,
    standing_pairing,
    submitted_claim,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def staff(db):
    return staff_team()


def review(claim, staff):
    return subsidy_claims.fire(staff["reviewer"], claim, "start_review")


def test_a_claim_runs_from_draft_to_payment(staff):
    rules()
    budget()
    pairing = standing_pairing(staff)
    team = pairing.model_partner.owner
    claim = draft_claim(pairing)
    assert claim.claimed_amount is None
    assert subsidy_rules.preview(claim).amount == Decimal("80000.00")
    claim = subsidy_claims.fire(team, claim, "submit")
    assert claim.state == SubsidyClaimState.SUBMITTED
    assert claim.claimed_amount == Decimal("80000.00") and claim.year == timezone.localdate().year
    assert claim.computation["limited_by"] == "rate" and claim.rule is not None
    claim = review(claim, staff)
    assert claim.reviewed_by == staff["reviewer"]
    claim = subsidy_claims.fire(staff["approver"], claim, "approve", approved_amount="75000.00")
    assert claim.state == SubsidyClaimState.APPROVED and claim.approved_amount == Decimal("75000.00")
    with pytest.raises(workflow.MissingInput):
        subsidy_claims.fire(staff["approver"], claim, "pay", payment_reference="ZF-1")
    claim = subsidy_claims.fire(staff["approver"], claim, "pay", payment_reference="ZF-2024-0001",
                                paid_on=timezone.localdate())
    assert claim.state == SubsidyClaimState.PAID and claim.payment_reference == "ZF-2024-0001"
    codes = list(AuditEvent.objects.filter(data__claim=claim.pk).order_by("id").values_list("action", flat=True))
    assert codes[0] == "subsidy_claim.created" and codes[-4:] == [
        "subsidy_claim.submit", "subsidy_claim.start_review", "subsidy_claim.approve", "subsidy_claim.pay"]
    assert Notification.objects.filter(template_key="subsidy_claim.submitted", recipient=team).exists()
    assert Notification.objects.filter(template_key="staff.subsidy_claim.submitted", recipient=staff["reviewer"]).exists()
    assert set(Notification.objects.filter(template_key="subsidy_claim.decided", recipient=team)
               .values_list("context__action", flat=True)) == {"approve", "pay"}


def test_the_amount_is_never_typed(staff):
    rules()
    pairing = standing_pairing(staff)
    claim = draft_claim(pairing)
    claim = subsidy_claims.fire(pairing.model_partner.owner, claim, "submit", claimed_amount="999999.00")
    assert claim.claimed_amount == Decimal("80000.00")


def test_submission_needs_the_documents_and_a_formed_pairing(staff):
    rules()
    pairing = standing_pairing(staff, formed=False)
    team = pairing.model_partner.owner
    claim = subsidy_claims.create_claim(team, pairing, facts())
    with pytest.raises(workflow.TransitionError) as refused:
        subsidy_claims.fire(team, claim, "submit")
    assert refused.value.code == "incomplete" and len(refused.value.errors["claim"]) == 4
    # Only the pairing's model team claims; a stranger cannot.
    with pytest.raises(ServiceError):
        subsidy_claims.create_claim(UserFactory(), pairing, facts())
    with pytest.raises(ServiceError):
        subsidy_claims.add_document(UserFactory(), claim, pdf("x.pdf"), "invoice")
    with pytest.raises(ServiceError) as bad:
        subsidy_claims.create_claim(team, pairing, facts(contract_amount="12.345"))
    assert bad.value.field == "contract_amount"
    with pytest.raises(ServiceError) as bad_code:
        subsidy_claims.create_claim(team, pairing, facts(provider_credit_code="123"))
    assert bad_code.value.field == "provider_credit_code"


def test_one_claim_per_contract(staff):
    rules()
    pairing = standing_pairing(staff)
    submitted_claim(pairing, contract_number="HT-SAME")
    second = draft_claim(pairing, contract_number="HT-SAME")
    with pytest.raises(workflow.TransitionError) as refused:
        subsidy_claims.fire(pairing.model_partner.owner, second, "submit")
    assert refused.value.code == "duplicate"


def test_the_company_cap_of_the_year_limits_the_next_claims(staff):
    rules(cap="100000.00")
    pairing = standing_pairing(staff)
    first = submitted_claim(pairing)  # 80,000 of the 100,000 cap
    second = submitted_claim(pairing)
    assert (first.claimed_amount, second.claimed_amount) == (Decimal("80000.00"), Decimal("20000.00"))
    assert second.computation["limited_by"] == "company_cap"
    with pytest.raises(workflow.TransitionError) as refused:
        submitted_claim(pairing)
    assert refused.value.code == "cap_reached"


def test_a_rule_change_applies_only_to_claims_submitted_from_its_effective_date(staff):
    old = rules(date(2024, 1, 1), rate="0.10")
    pairing = standing_pairing(staff)
    before = submitted_claim(pairing)
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    administrator = staff["administrator"]
    with pytest.raises(ServiceError):
        subsidy_rules.add_rule(administrator, effective_from=today - timedelta(days=1), rate="0.2",
                               max_share_of_contract="0.2", cap_per_company_year="5000000",
                               eligible_from=date(2024, 1, 1))
    with pytest.raises(ServiceError):
        subsidy_rules.add_rule(staff["reviewer"], effective_from=tomorrow, rate="0.2", max_share_of_contract="0.2",
                               cap_per_company_year="5000000", eligible_from=date(2024, 1, 1))
    new = subsidy_rules.add_rule(administrator, effective_from=tomorrow, rate="20%", max_share_of_contract="0.2",
                                 cap_per_company_year="5000000", eligible_from=date(2024, 1, 1))
    assert new.rate == Decimal("0.2000")
    # Submitted today: still the old rules.
    today_claim = submitted_claim(pairing)
    assert today_claim.rule == old and today_claim.claimed_amount == Decimal("80000.00")
    # A claim first submitted before the change keeps its version when resubmitted after it.
    before = review(before, staff)
    before = subsidy_claims.fire(staff["reviewer"], before, "request_changes", reason="补充发票")
    SubsidyClaim.objects.filter(pk=before.pk).update(first_submitted_at=timezone.now() - timedelta(days=2))
    from partners.models import SubsidyRule

    SubsidyRule.objects.filter(pk=new.pk).update(effective_from=today)  # as if tomorrow had come
    before = subsidy_claims.fire(pairing.model_partner.owner, before, "submit")
    assert before.rule == old and before.claimed_amount == Decimal("80000.00")
    after = submitted_claim(pairing)
    assert after.rule == new and after.claimed_amount == Decimal("160000.00")
    assert AuditEvent.objects.filter(action="subsidy.rule_added", data__rule=new.pk).exists()


def test_four_eyes_on_approval(staff):
    rules()
    budget()
    pairing = standing_pairing(staff)
    claim = submitted_claim(pairing)
    claim = subsidy_claims.fire(staff["approver"], claim, "start_review")
    # The approver reviewed it, so another approver approves it.
    assert "approve" not in [t.action for t in workflow.available_actions(claim, staff["approver"])]
    with pytest.raises(workflow.TransitionError) as refused:
        subsidy_claims.fire(staff["approver"], claim, "approve", approved_amount="1000.00")
    assert refused.value.code == "four_eyes"
    # Reviewers cannot approve at all; the administrator, who did not review, can.
    with pytest.raises(workflow.TransitionError):
        subsidy_claims.fire(staff["reviewer"], claim, "approve", approved_amount="1000.00")
    # Nor can the claimant.
    with pytest.raises(workflow.TransitionError):
        subsidy_claims.fire(pairing.model_partner.owner, claim, "approve", approved_amount="1000.00")
    claim = subsidy_claims.fire(staff["administrator"], claim, "approve", approved_amount="1000.00")
    assert claim.approved_by == staff["administrator"] and claim.reviewed_by == staff["approver"]


def test_approval_is_refused_beyond_the_budget_or_the_computed_amount(staff):
    rules()
    pairing = standing_pairing(staff)
    claim = review(submitted_claim(pairing), staff)
    with pytest.raises(workflow.TransitionError) as no_budget:
        subsidy_claims.fire(staff["approver"], claim, "approve", approved_amount="100.00")
    assert no_budget.value.code == "no_budget"
    budget("50000.00")
    with pytest.raises(workflow.TransitionError) as too_much:
        subsidy_claims.fire(staff["approver"], claim, "approve", approved_amount="80000.01")
    assert too_much.value.code == "too_much"
    with pytest.raises(workflow.TransitionError) as over:
        subsidy_claims.fire(staff["approver"], claim, "approve", approved_amount="50000.01")
    assert over.value.code == "over_budget"
    claim = subsidy_claims.fire(staff["approver"], claim, "approve", approved_amount="50000.00")
    _budget, spent, remaining = subsidy_rules.budget_of(claim.year)
    assert (spent, remaining) == (Decimal("50000.00"), Decimal("0.00"))
    with pytest.raises(ServiceError):
        subsidy_rules.set_budget(staff["approver"], claim.year, "49999.99")
    subsidy_rules.set_budget(staff["approver"], claim.year, "60000.00")
    assert subsidy_rules.budget_of(claim.year)[2] == Decimal("10000.00")


def test_changes_requested_then_resubmitted_and_withdrawn(staff):
    rules()
    pairing = standing_pairing(staff)
    team = pairing.model_partner.owner
    claim = review(submitted_claim(pairing), staff)
    with pytest.raises(workflow.MissingInput):
        subsidy_claims.fire(staff["reviewer"], claim, "request_changes")
    claim = subsidy_claims.fire(staff["reviewer"], claim, "request_changes", reason="发票金额与合同不符")
    assert claim.state == SubsidyClaimState.CHANGES_REQUESTED
    claim = subsidy_claims.update_claim(team, claim, facts(contract_number=claim.contract_number,
                                                            invoiced_amount="500000.00"))
    claim = subsidy_claims.fire(team, claim, "submit")
    assert claim.claimed_amount == Decimal("50000.00")
    with pytest.raises(ServiceError):
        subsidy_claims.update_claim(team, claim, facts())
    claim = review(claim, staff)
    claim = subsidy_claims.fire(staff["reviewer"], claim, "request_changes", reason="再补充")
    claim = subsidy_claims.fire(team, claim, "withdraw")
    assert claim.state == SubsidyClaimState.WITHDRAWN
    # A withdrawn claim frees its contract.
    again = submitted_claim(pairing, contract_number=claim.contract_number)
    assert again.state == SubsidyClaimState.SUBMITTED


def test_a_claimant_of_another_pairing_cannot_act(staff):
    rules()
    pairing = standing_pairing(staff)
    claim = draft_claim(pairing)
    other = model_team("北京另一家大模型公司")
    with pytest.raises(workflow.TransitionError):
        subsidy_claims.fire(other.owner, claim, "submit")
    # The user unit does not claim either: the subsidy is the model team's.
    with pytest.raises(workflow.TransitionError):
        subsidy_claims.fire(pairing.application_partner.owner, claim, "submit")
