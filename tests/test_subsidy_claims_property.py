"""Generated sequences of claims submitted through the workflow on PostgreSQL against an independent model of the
rules in whole fen: the amounts, the company's yearly cap, the eligible period and one claim per contract."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners import workflow
from tests.subsidy_helpers import model_team, rules, staff_team, standing_pairing, submitted_claim

pytestmark = pytest.mark.django_db

RATE_BP, SHARE_BP, CAP_FEN = 1000, 800, 25_000_000  # 10 %, 8 % of the contract, 250,000.00 yuan a year
ELIGIBLE = (date(2024, 1, 1), date(2025, 12, 31))
_examples = itertools.count(1)

contracts = st.lists(st.tuples(
    st.integers(100, 10**9),  # contract value in fen
    st.integers(0, 10**9),  # spend invoiced in fen
    st.integers(0, 3),  # which of four contract numbers (repeats are second claims of one contract)
    st.sampled_from([date(2023, 12, 31), date(2024, 6, 1), date(2025, 12, 31), date(2026, 1, 1)]),
), min_size=1, max_size=5)


@pytest.fixture
def world(db):
    rules(ELIGIBLE[0], rate="0.10", share="0.08", cap="250000.00", eligible_from=ELIGIBLE[0],
          eligible_until=ELIGIBLE[1])
    return staff_team()


def yuan(fen):
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(sequence=contracts)
def test_submitted_amounts_follow_the_rules_claim_after_claim(world, sequence):
    n = next(_examples)
    pairing = standing_pairing(world, model=model_team(f"北京生成测试模型公司{n}"))
    claimed_numbers, total = set(), 0
    for contract_fen, invoiced_fen, number, signed_on in sequence:
        contract_number = f"P{n}-{number}"
        expected_refusal, expected = None, None
        if contract_number in claimed_numbers:
            expected_refusal = "duplicate"
        elif not ELIGIBLE[0] <= signed_on <= ELIGIBLE[1]:
            expected_refusal = "not_eligible"
        else:
            expected = min(min(invoiced_fen, contract_fen) * RATE_BP // 10000, contract_fen * SHARE_BP // 10000,
                           CAP_FEN - total)
            if expected <= 0:
                expected_refusal = "cap_reached" if total >= CAP_FEN else "nothing_to_claim"
        try:
            claim = submitted_claim(pairing, contract_number=contract_number, contract_signed_on=signed_on,
                                    contract_amount=str(yuan(contract_fen)), invoiced_amount=str(yuan(invoiced_fen)))
        except workflow.TransitionError as refused:
            assert refused.code == expected_refusal, (contract_number, refused.code, expected_refusal)
            continue
        assert expected_refusal is None, (contract_number, expected_refusal)
        assert claim.claimed_amount == yuan(expected)
        claimed_numbers.add(contract_number)
        total += expected
    assert total <= CAP_FEN
