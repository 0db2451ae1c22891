"""The subsidy rules: the versioned table staff edit, the version in force on a day, and the computation of the
amount a claim may receive under a version (Decimal yuan, rounded down to the fen)."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import SubsidyClaimState
from ..models import SubsidyBudget, SubsidyClaim, SubsidyRule
from ..permissions import can
from .applications import ServiceError, require
from .audit import log_event

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_MONEY = Decimal("999999999999.99")

# Why the amount is what it is, for the claim's computation record.
BY_RATE, BY_CONTRACT_SHARE, BY_COMPANY_CAP, NOT_ELIGIBLE = "rate", "contract_share", "company_cap", "not_eligible"


def fen(value) -> Decimal:
    """Yuan rounded down to the fen: the registry never grants more than the rules allow."""
    return Decimal(value).quantize(FEN, rounding=ROUND_DOWN)


def parse_money(raw, label, *, allow_zero=False) -> Decimal:
    """A yuan amount from outside: a plain decimal number with at most two decimal places, bounded."""
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ServiceError(_g("%(what)s must be an amount in yuan, e.g. 1234.56.") % {"what": label}) from None
    if not value.is_finite():
        raise ServiceError(_g("%(what)s must be an amount in yuan, e.g. 1234.56.") % {"what": label})
    if value < 0 or (value == 0 and not allow_zero):
        raise ServiceError(_g("%(what)s must be more than zero.") % {"what": label})
    if value > MAX_MONEY:
        raise ServiceError(_g("%(what)s is too large.") % {"what": label})
    if value != value.quantize(FEN):
        raise ServiceError(_g("%(what)s can have at most two decimal places (fen).") % {"what": label})
    return value.quantize(FEN)


@dataclass(frozen=True)
class Terms:
    """The values of one rules version that the computation needs."""

    rate: Decimal
    max_share_of_contract: Decimal
    cap_per_company_year: Decimal
    eligible_from: date
    eligible_until: date | None = None

    @classmethod
    def of(cls, rule):
        return cls(rule.rate, rule.max_share_of_contract, rule.cap_per_company_year, rule.eligible_from,
                   rule.eligible_until)


@dataclass(frozen=True)
class Computation:
    amount: Decimal
    limited_by: str
    by_rate: Decimal
    by_contract_share: Decimal
    cap_remaining: Decimal
    eligible: bool

    def as_data(self):
        return {"amount": str(self.amount), "limited_by": self.limited_by, "by_rate": str(self.by_rate),
                "by_contract_share": str(self.by_contract_share), "cap_remaining": str(self.cap_remaining),
                "eligible": self.eligible}


def compute(terms: Terms, *, contract_amount: Decimal, invoiced_amount: Decimal, contract_signed_on: date,
            already_this_year: Decimal) -> Computation:
    """The subsidy for one contract: the rate applied to the compute spend invoiced (at most the contract value),
    limited by a share of the contract value and by what remains of the company's cap for the year; nothing
    for a contract signed outside the eligible period."""
    spend = min(invoiced_amount, contract_amount)
    by_rate = fen(spend * terms.rate)
    by_share = fen(contract_amount * terms.max_share_of_contract)
    remaining = max(terms.cap_per_company_year - already_this_year, ZERO).quantize(FEN)
    eligible = terms.eligible_from <= contract_signed_on and (
        terms.eligible_until is None or contract_signed_on <= terms.eligible_until)
    if not eligible:
        return Computation(ZERO, NOT_ELIGIBLE, by_rate, by_share, remaining, False)
    # On a tie the earlier limit in this order is named: the rate, then the contract share, then the cap.
    amount, limited_by = min((by_rate, BY_RATE), (by_share, BY_CONTRACT_SHARE), (remaining, BY_COMPANY_CAP),
                             key=lambda pair: pair[0])
    return Computation(amount, limited_by, by_rate, by_share, remaining, True)


def in_force(day: date):
    """The rules version in force on `day` (Beijing date), or None before the first version."""
    return SubsidyRule.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def claimed_this_year(organization_id, year, *, exclude_claim=None) -> Decimal:
    """What the company's claims of the year hold against its cap: the approved amount once approved, the amount
    claimed while pending."""
    claims = SubsidyClaim.objects.filter(organization_id=organization_id, year=year,
                                         state__in=SubsidyClaimState.counted_states())
    if exclude_claim is not None:
        claims = claims.exclude(pk=exclude_claim)
    approved = claims.filter(state__in=SubsidyClaimState.committed_states()).aggregate(
        s=Sum("approved_amount"))["s"] or ZERO
    pending = claims.exclude(state__in=SubsidyClaimState.committed_states()).aggregate(
        s=Sum("claimed_amount"))["s"] or ZERO
    return approved + pending


def preview(claim):
    """What the claim would receive if submitted now (shown on a draft; the submission computes it again)."""
    day = timezone.localdate(claim.first_submitted_at) if claim.first_submitted_at else timezone.localdate()
    rule = claim.rule or in_force(day)
    if rule is None:
        return None
    year = claim.year or day.year
    return compute(Terms.of(rule), contract_amount=claim.contract_amount, invoiced_amount=claim.invoiced_amount,
                   contract_signed_on=claim.contract_signed_on,
                   already_this_year=claimed_this_year(claim.organization_id, year, exclude_claim=claim.pk))


# --- Staff edit the rules and the budgets -------------------------------------------------------------------

def _share(raw, label):
    text = str(raw if raw is not None else "").strip()
    percent = text.endswith("%")
    try:
        value = Decimal(text.rstrip("%").strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(_g("%(what)s must be a number.") % {"what": label}) from None
    if percent and value.is_finite():
        value = value / 100
    if not value.is_finite() or value <= 0 or value > 1 or value != value.quantize(Decimal("0.0001")):
        raise ServiceError(_g("%(what)s must be a share between 0 and 1 (e.g. 0.1 for 10 %%), with at most four "
                              "decimal places.") % {"what": label})
    return value


def add_rule(user, *, effective_from, rate, max_share_of_contract, cap_per_company_year, eligible_from,
             eligible_until=None, note=""):
    """A new rules version, in force from a day not in the past: a claim already submitted keeps its version."""
    require(can(user, "subsidy.rules"))
    if not isinstance(effective_from, date) or not isinstance(eligible_from, date):
        raise ServiceError(_g("Enter the dates."), field="effective_from")
    if effective_from < timezone.localdate():
        raise ServiceError(_g("A new version cannot take effect in the past: claims already submitted keep the "
                              "rules they were judged by."), field="effective_from")
    if eligible_until is not None and eligible_until < eligible_from:
        raise ServiceError(_g("The eligible period ends before it starts."), field="eligible_until")
    rule = SubsidyRule(effective_from=effective_from, rate=_share(rate, _g("The rate")),
                       max_share_of_contract=_share(max_share_of_contract, _g("The limit as a share of the contract")),
                       cap_per_company_year=parse_money(cap_per_company_year, _g("The cap per company per year")),
                       eligible_from=eligible_from, eligible_until=eligible_until, note=(note or "").strip()[:500])
    try:
        with transaction.atomic():
            rule.save()
            log_event("subsidy.rule_added", actor=user, data={
                "rule": rule.pk, "effective_from": effective_from.isoformat(), "rate": str(rule.rate),
                "max_share_of_contract": str(rule.max_share_of_contract),
                "cap_per_company_year": str(rule.cap_per_company_year), "eligible_from": eligible_from.isoformat(),
                "eligible_until": eligible_until.isoformat() if eligible_until else None})
    except IntegrityError:
        raise ServiceError(_g("A version already takes effect on that day."), code="duplicate",
                           field="effective_from") from None
    return rule


def committed(year) -> Decimal:
    """The approved amounts of the year's approved and paid claims."""
    return SubsidyClaim.objects.filter(year=year, state__in=SubsidyClaimState.committed_states()).aggregate(
        s=Sum("approved_amount"))["s"] or ZERO


def budget_of(year):
    """(budget or None, committed, remaining or None) of a year."""
    budget = SubsidyBudget.objects.filter(year=year).first()
    spent = committed(year)
    return budget, spent, (budget.amount - spent if budget else None)


def set_budget(user, year, amount):
    """Set a year's budget; it cannot fall below what approvals already committed."""
    require(can(user, "subsidy.budget"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError(_g("Enter a year between 2000 and 2100."), field="year")
    amount = parse_money(amount, _g("The budget"), allow_zero=True)
    with transaction.atomic():
        budget, _created = SubsidyBudget.objects.get_or_create(year=year, defaults={"amount": amount})
        budget = SubsidyBudget.objects.select_for_update().get(pk=budget.pk)
        spent = committed(year)
        if amount < spent:
            raise ServiceError(_g("Approvals of %(year)d already commit %(spent)s yuan; the budget cannot be lower.")
                               % {"year": year, "spent": spent}, field="amount")
        previous = budget.amount
        budget.amount = amount
        budget.save(update_fields=["amount", "updated_at"])
        log_event("subsidy.budget_set", actor=user, data={"year": year, "amount": str(amount),
                                                          "previous": str(previous)})
    return budget
