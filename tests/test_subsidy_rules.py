"""The subsidy computation against an independent calculation in whole fen (Hypothesis), the versioned rules
table (a new version applies only to claims submitted from its effective date) and the parsing of amounts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.services import subsidy_rules
from partners.services.applications import ServiceError
from partners.services.subsidy_rules import Terms, compute

FEN_MAX = 10**12  # contracts up to ten thousand million yuan


def independent(rate_bp, share_bp, cap_fen, eligible_from, eligible_until, contract_fen, invoiced_fen, signed_on,
                already_fen):
    """The rules in integer fen and basis points (1 bp = 0.01 %): no Decimal, no rounding modes."""
    if signed_on < eligible_from or (eligible_until is not None and signed_on > eligible_until):
        return 0
    spend = min(invoiced_fen, contract_fen)
    by_rate = spend * rate_bp // 10000
    by_share = contract_fen * share_bp // 10000
    remaining = max(cap_fen - already_fen, 0)
    return min(by_rate, by_share, remaining)


def yuan(fen):
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rate_bp=st.integers(1, 10000), share_bp=st.integers(1, 10000), cap_fen=st.integers(0, 10**10),
       eligible_from=days, period=st.one_of(st.none(), st.integers(0, 1500)),
       contract_fen=st.integers(1, FEN_MAX), invoiced_fen=st.integers(0, FEN_MAX), signed_on=days,
       already_fen=st.integers(0, 10**10))
def test_the_amount_matches_an_independent_calculation_of_the_rules(rate_bp, share_bp, cap_fen, eligible_from,
                                                                      period, contract_fen, invoiced_fen, signed_on,
                                                                      already_fen):
    eligible_until = None if period is None else eligible_from + timedelta(days=period)
    terms = Terms(Decimal(rate_bp) / 10000, Decimal(share_bp) / 10000, yuan(cap_fen), eligible_from, eligible_until)
    result = compute(terms, contract_amount=yuan(contract_fen), invoiced_amount=yuan(invoiced_fen),
                     contract_signed_on=signed_on, already_this_year=yuan(already_fen))
    expected = independent(rate_bp, share_bp, cap_fen, eligible_from, eligible_until, contract_fen, invoiced_fen,
                           signed_on, already_fen)
    assert result.amount == yuan(expected)
    assert result.amount.as_tuple().exponent == -2  # always fen precision, never a float
    # The caps hold: never above the rate, the contract share or what remains of the company's cap.
    assert result.amount <= yuan(contract_fen) * terms.rate
    assert result.amount <= yuan(contract_fen) * terms.max_share_of_contract
    assert result.amount <= max(yuan(cap_fen) - yuan(already_fen), 0)
    if result.eligible and expected:
        limit = {"rate": result.by_rate, "contract_share": result.by_contract_share,
                 "company_cap": result.cap_remaining}[result.limited_by]
        assert limit == result.amount


@settings(max_examples=200, deadline=None)
@given(contracts=st.lists(st.integers(1, 10**9), min_size=1, max_size=12), cap_fen=st.integers(0, 10**9))
def test_a_year_of_claims_never_exceeds_the_company_cap(contracts, cap_fen):
    terms = Terms(Decimal("0.1"), Decimal("0.1"), yuan(cap_fen), date(2024, 1, 1))
    claimed = Decimal("0.00")
    for contract_fen in contracts:
        result = compute(terms, contract_amount=yuan(contract_fen), invoiced_amount=yuan(contract_fen),
                         contract_signed_on=date(2024, 6, 1), already_this_year=claimed)
        claimed += result.amount
    assert claimed <= yuan(cap_fen)
    # Each claim takes what the rate gives, until the cap is reached: the year's total is the smaller of the two.
    assert claimed == yuan(min(sum(c // 10 for c in contracts), cap_fen))


def test_the_plan_rate_on_a_simple_contract():
    terms = Terms(Decimal("0.10"), Decimal("0.10"), Decimal("5000000.00"), date(2024, 1, 1))
    result = compute(terms, contract_amount=Decimal("1000000.00"), invoiced_amount=Decimal("800000.00"),
                     contract_signed_on=date(2024, 6, 1), already_this_year=Decimal("0"))
    assert result.amount == Decimal("80000.00") and result.limited_by == "rate"
    late = compute(terms, contract_amount=Decimal("1000000.00"), invoiced_amount=Decimal("800000.00"),
                   contract_signed_on=date(2023, 12, 31), already_this_year=Decimal("0"))
    assert late.amount == 0 and not late.eligible
    rounded = compute(terms, contract_amount=Decimal("0.19"), invoiced_amount=Decimal("0.19"),
                      contract_signed_on=date(2024, 6, 1), already_this_year=Decimal("0"))
    assert rounded.amount == Decimal("0.01")  # 0.019 rounds down to the fen


@pytest.mark.parametrize("raw", ["abc", "1e400", "NaN", "-5", "0", "1.234", "Infinity", "9" * 40, "", None])
def test_amounts_from_outside_are_refused_with_a_message(raw):
    with pytest.raises(ServiceError):
        subsidy_rules.parse_money(raw, "The amount")


def test_amounts_from_outside_are_read_exactly():
    assert subsidy_rules.parse_money("1,234,567.80", "x") == Decimal("1234567.80")
    assert subsidy_rules.parse_money("0", "x", allow_zero=True) == Decimal("0.00")
