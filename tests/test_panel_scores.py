"""The panel's arithmetic, tried on any panel (hypothesis): means, spreads, weighted totals, the spread flag."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from partners.services.panel_scores import LARGE_SPREAD_SHARE, summarise, weighted_total


@st.composite
def panels(draw):
    scale_min = draw(st.integers(0, 3))
    scale_max = draw(st.integers(scale_min + 1, scale_min + 10))
    criteria = draw(st.integers(1, 6))
    weights = {c: draw(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("10"), places=2)) for c in
               range(criteria)}
    experts = draw(st.integers(1, 7))
    sheets = [{c: draw(st.integers(scale_min, scale_max)) for c in weights} for _ in range(experts)]
    return sheets, weights, scale_min, scale_max


@given(panels())
def test_means_lie_between_the_lowest_and_highest_score(panel):
    sheets, weights, lo, hi = panel
    result = summarise(sheets, weights, lo, hi)
    for c, row in result["criteria"].items():
        scores = [s[c] for s in sheets]
        assert min(scores) <= row["mean"] <= max(scores)
        assert row["spread"] == max(scores) - min(scores)
        assert row["n"] == len(sheets)
    assert Decimal(lo) <= result["mean"] <= Decimal(hi)
    assert result["experts"] == len(sheets)


@given(panels(), st.randoms())
def test_the_order_of_the_experts_does_not_matter(panel, rnd):
    sheets, weights, lo, hi = panel
    shuffled = list(sheets)
    rnd.shuffle(shuffled)
    a, b = summarise(sheets, weights, lo, hi), summarise(shuffled, weights, lo, hi)
    assert a["mean"] == b["mean"] and a["spread"] == b["spread"] and a["criteria"] == b["criteria"]
    assert a["large_spread"] == b["large_spread"]


@given(panels())
def test_the_mean_is_the_exact_mean_of_the_weighted_totals(panel):
    sheets, weights, lo, hi = panel
    result = summarise(sheets, weights, lo, hi)
    totals = [weighted_total(s, weights) for s in sheets]
    exact = sum(totals) / len(totals)
    assert abs(result["mean"] - exact) <= Decimal("0.005")
    assert abs(result["spread"] - (max(totals) - min(totals))) <= Decimal("0.005")


@given(panels())
def test_with_equal_weights_the_total_is_the_plain_mean_of_the_criteria(panel):
    sheets, weights, lo, hi = panel
    equal = dict.fromkeys(weights, Decimal(1))
    for sheet in sheets:
        assert weighted_total(sheet, equal) == Decimal(sum(sheet.values())) / len(sheet)


@given(panels())
def test_the_flag_is_raised_exactly_when_experts_disagree_by_the_threshold(panel):
    sheets, weights, lo, hi = panel
    result = summarise(sheets, weights, lo, hi)
    threshold = (hi - lo) * LARGE_SPREAD_SHARE
    criterion_apart = any(max(s[c] for s in sheets) - min(s[c] for s in sheets) >= threshold for c in weights)
    totals = [weighted_total(s, weights) for s in sheets]
    totals_apart = max(totals) - min(totals) >= threshold
    expected = len(sheets) > 1 and (criterion_apart or totals_apart)
    assert result["large_spread"] == expected


@given(panels())
def test_a_unanimous_panel_has_no_spread(panel):
    sheets, weights, lo, hi = panel
    unanimous = [dict(sheets[0]) for _ in sheets]
    result = summarise(unanimous, weights, lo, hi)
    assert result["spread"] == 0 and not result["large_spread"]
    assert all(row["spread"] == 0 for row in result["criteria"].values())


def test_a_worked_example():
    # Two criteria weighted 3 and 1 on 1–5; experts give (5, 1) and (3, 3): totals 4 and 3.
    result = summarise([{1: 5, 2: 1}, {1: 3, 2: 3}], {1: Decimal(3), 2: Decimal(1)}, 1, 5)
    assert result["totals"] == [Decimal("4.00"), Decimal("3.00")]
    assert result["mean"] == Decimal("3.50") and result["spread"] == Decimal("1.00")
    assert result["criteria"][1]["mean"] == Decimal("4.00") and result["criteria"][2]["spread"] == 2
    assert result["large_spread"]  # criterion 2: 2 points apart on a 1–5 scale


def test_no_submitted_scores_give_no_mean():
    result = summarise([], {1: Decimal(1)}, 1, 5)
    assert result["mean"] is None and result["experts"] == 0 and not result["large_spread"]
