"""Exact totals of the compute subsidy: per company, per year, per provider, per district and for the plan, the
claims per state, and the budgets with what remains; an Excel export of the same figures.

Every amount is a Decimal summed by PostgreSQL over NUMERIC columns (never a float); a dashboard calls
`plan_totals()`, `by_year()`, `by_company()`, `by_provider()`, `by_district()` and `claims_per_state()`.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _g

from ..enums import SubsidyClaimState
from ..models import SubsidyBudget, SubsidyClaim

ZERO = Decimal("0.00")
S = SubsidyClaimState


@dataclass(frozen=True)
class Totals:
    """The figures of one group of claims (submitted or later; drafts and withdrawn claims are not counted)."""

    claims: int = 0
    claimed: Decimal = ZERO  # the amounts computed at submission, of claims not rejected
    approved: Decimal = ZERO  # approved amounts of approved and paid claims
    paid: Decimal = ZERO  # approved amounts of paid claims
    extra: dict = field(default_factory=dict)

    @property
    def approved_unpaid(self) -> Decimal:
        return self.approved - self.paid


def _sums():
    money = {"output_field": SubsidyClaim._meta.get_field("claimed_amount")}
    return {
        "n": Count("pk"),
        "claimed_sum": Coalesce(Sum("claimed_amount", filter=~Q(state=S.REJECTED)), ZERO, **money),
        "approved_sum": Coalesce(Sum("approved_amount", filter=Q(state__in=S.committed_states())), ZERO, **money),
        "paid_sum": Coalesce(Sum("approved_amount", filter=Q(state=S.PAID)), ZERO, **money),
    }


def counted(year=None):
    """The claims the reports count: submitted once (a year is set) and not withdrawn."""
    qs = SubsidyClaim.objects.filter(year__isnull=False).exclude(state__in=[S.DRAFT, S.WITHDRAWN])
    return qs.filter(year=year) if year else qs


def _totals(row, **extra) -> Totals:
    return Totals(row["n"], row["claimed_sum"], row["approved_sum"], row["paid_sum"], extra)


def plan_totals(year=None) -> Totals:
    """The whole plan (or one year)."""
    return _totals(counted(year).aggregate(**_sums()))


def _grouped(year, *keys, order=None):
    rows = counted(year).values(*keys).annotate(**_sums()).order_by(*(order or keys))
    return [_totals(row, **{k: row[k] for k in keys}) for row in rows]


def by_year() -> list[Totals]:
    """Per year of submission, with the year's budget and what remains of it (extra: year, budget, remaining)."""
    budgets = dict(SubsidyBudget.objects.values_list("year", "amount"))
    result = []
    for t in _grouped(None, "year"):
        budget = budgets.get(t.extra["year"])
        result.append(Totals(t.claims, t.claimed, t.approved, t.paid,
                             {**t.extra, "budget": budget, "remaining": budget - t.approved if budget is not None
                              else None}))
    return result


def by_company(year=None) -> list[Totals]:
    """Per claimant (model team); extra: organization id, name and credit code."""
    return _grouped(year, "organization_id", "organization__name", "organization__credit_code",
                    order=["organization__name", "organization_id"])


def by_provider(year=None) -> list[Totals]:
    """Per compute provider, by its credit code (the name as given on the latest claim is shown)."""
    rows = _grouped(year, "provider_credit_code")
    names = {}
    for code, name in counted(year).order_by("created_at").values_list("provider_credit_code", "provider_title"):
        names[code] = name
    return [Totals(t.claims, t.claimed, t.approved, t.paid, {**t.extra, "provider_title": names.get(
        t.extra["provider_credit_code"], "")}) for t in rows]


def by_district(year=None) -> list[Totals]:
    """Per district of the claimant."""
    return _grouped(year, "organization__district_id", "organization__district__name_zh",
                    order=["organization__district_id"])


def claims_per_state(year=None) -> dict[str, int]:
    """How many claims are in each state (drafts included), every state listed."""
    qs = SubsidyClaim.objects.all()
    if year:
        qs = qs.filter(Q(year=year) | Q(year__isnull=True, created_at__year=year))
    found = dict(qs.values_list("state").annotate(n=Count("pk")).order_by())
    return {state: found.get(state, 0) for state in S.values}


# --- Export ------------------------------------------------------------------------------------------------

def _money(value):
    # Excel shows the number; the cell keeps the exact decimal as written (two places).
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def export_xlsx(year=None) -> bytes:
    """A workbook with one sheet per grouping, the plan's totals first."""
    from openpyxl import Workbook

    workbook = Workbook()
    head = [_g("Claims"), _g("Claimed (yuan)"), _g("Approved (yuan)"), _g("Paid (yuan)")]

    def figures(t):
        return [t.claims, _money(t.claimed), _money(t.approved), _money(t.paid)]

    sheet = workbook.active
    sheet.title = _g("Plan")
    sheet.append(["", *head])
    sheet.append([_g("All years") if not year else str(year), *figures(plan_totals(year))])
    sheet.append([])
    sheet.append([_g("State"), _g("Claims")])
    for state, n in claims_per_state(year).items():
        sheet.append([str(S(state).label), n])

    years = workbook.create_sheet(_g("Per year"))
    years.append([_g("Year"), *head, _g("Budget (yuan)"), _g("Remaining (yuan)")])
    for t in by_year():
        if year and t.extra["year"] != year:
            continue
        years.append([t.extra["year"], *figures(t), _money(t.extra["budget"]), _money(t.extra["remaining"])])

    companies = workbook.create_sheet(_g("Per company"))
    companies.append([_g("Company"), _g("Credit code"), *head])
    for t in by_company(year):
        companies.append([t.extra["organization__name"], t.extra["organization__credit_code"], *figures(t)])

    providers = workbook.create_sheet(_g("Per provider"))
    providers.append([_g("Compute provider"), _g("Credit code"), *head])
    for t in by_provider(year):
        providers.append([t.extra["provider_title"], t.extra["provider_credit_code"], *figures(t)])

    districts = workbook.create_sheet(_g("Per district"))
    districts.append([_g("District"), *head])
    for t in by_district(year):
        districts.append([t.extra["organization__district__name_zh"] or "—", *figures(t)])

    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
