"""The panel's arithmetic: per criterion mean and spread, each expert's weighted total, and the large-spread flag.

Pure functions on plain values (no database), so property tests can try any panel.
"""

from decimal import ROUND_HALF_UP, Decimal

# A spread of this share of the scale or more (e.g. 2 points on a 1–5 scale) means the experts disagree enough
# for the reviewer to look at their comments before citing the panel.
LARGE_SPREAD_SHARE = Decimal("0.4")
CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_total(sheet: dict, weights: dict) -> Decimal:
    """One expert's score: the weighted mean of their criterion scores (on the rubric's scale)."""
    total_weight = sum(Decimal(weights[c]) for c in sheet)
    return sum(Decimal(weights[c]) * sheet[c] for c in sheet) / total_weight


def summarise(sheets: list[dict], weights: dict, scale_min: int, scale_max: int) -> dict:
    """`sheets`: one {criterion: score} per expert who submitted. Exact means, rounded to cents at the end."""
    threshold = (scale_max - scale_min) * LARGE_SPREAD_SHARE
    criteria = {}
    flagged = False
    for criterion in weights:
        scores = [sheet[criterion] for sheet in sheets if criterion in sheet]
        if scores:
            spread = max(scores) - min(scores)
            criteria[criterion] = {"n": len(scores), "mean": _round(Decimal(sum(scores)) / len(scores)),
                                   "spread": spread, "large_spread": spread >= threshold and len(scores) > 1}
            flagged = flagged or criteria[criterion]["large_spread"]
        else:
            criteria[criterion] = {"n": 0, "mean": None, "spread": None, "large_spread": False}
    totals = [weighted_total(sheet, weights) for sheet in sheets if sheet]
    if totals:
        spread = max(totals) - min(totals)
        total_flag = spread >= threshold and len(totals) > 1
        return {"experts": len(totals), "mean": _round(sum(totals) / len(totals)), "spread": _round(spread),
                "totals": [_round(t) for t in totals], "criteria": criteria,
                "large_spread": flagged or total_flag}
    return {"experts": 0, "mean": None, "spread": None, "totals": [], "criteria": criteria, "large_spread": False}
