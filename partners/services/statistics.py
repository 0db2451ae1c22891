"""Public statistics of the plan: members per partner type, district and industry, admissions per month."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..enums import MembershipState, PartnerType
from ..models import ApplicationProfile, District, Industry, MemberIndustry, Membership, ModelProfile
from . import tally
from .directory import current_grants


@dataclass
class Series:
    """One chart's data: rows of (code, label, value) in display order."""

    rows: list

    @property
    def total(self) -> int:
        return sum(r[2] for r in self.rows)

    @property
    def maximum(self) -> int:
        return max((r[2] for r in self.rows), default=0)


# Every kind of kept count the public figures read: a page showing several figures reads them in one query.
KINDS = ("grant", "member", "app", "industry", "month")


def read_kept():
    """The kept counts of every public figure in one query, to hand to each figure as `kept`; None without them."""
    return tally.read(*KINDS) if tally.available() else None


def _kept(kind, kept=None) -> dict:
    return kept[kind] if kept is not None and kind in kept else tally.read(kind)[kind]


def _active_members_by_district(kept=None) -> dict:
    """{district code: active members} from the kept counts ("" for members without a district)."""
    return {district: n for (state, district), n in _kept("member", kept).items()
            if state == MembershipState.ACTIVE}


def _active_grants():
    return current_grants().filter(membership__state=MembershipState.ACTIVE)


def members_per_partner_type(kept=None) -> Series:
    if tally.available():
        # Open-ended grants of active members are kept counted; the few grants with an end date are counted
        # here, as "current" moves with the calendar (partial index grant_ends_on_idx). A membership holds a
        # type at most once (grant_type_once), so the two parts never count one member twice.
        counts = {parts[0]: n for parts, n in _kept("grant", kept).items()}
        dated = (_active_grants().filter(ends_on__isnull=False).values_list("partner_type")
                 .annotate(n=Count("pk")).values_list("partner_type", "n"))
        for code, n in dated:
            counts[code] = counts.get(code, 0) + n
        return Series([(t.value, t.label, counts.get(t.value, 0)) for t in PartnerType])
    counts = dict(_active_grants().values_list("partner_type").annotate(n=Count("membership", distinct=True))
                  .values_list("partner_type", "n"))
    return Series([(t.value, t.label, counts.get(t.value, 0)) for t in PartnerType])


def members_per_district(kept=None) -> Series:
    if tally.available():
        counts = _active_members_by_district(kept)
        rows = [(d.code, str(d), counts.get(d.code, 0)) for d in District.objects.filter(active=True)]
        return Series([r for r in rows if r[2]])
    counts = dict(Membership.objects.filter(state=MembershipState.ACTIVE)
                  .values_list("organization__district").annotate(n=Count("pk"))
                  .values_list("organization__district", "n"))
    rows = [(d.code, str(d), counts.get(d.code, 0)) for d in District.objects.filter(active=True)]
    return Series([r for r in rows if r[2]])


def members_per_industry(kept=None) -> Series:
    """An active member counts once in each industry its granting applications serve or belong to."""
    if tally.available():
        # Kept: active members put in an industry by a grant without end date. Counted here: those put there by
        # grants with an end date only, while such a grant runs (few rows: partial index member_industry_dated).
        counts = {parts[0]: n for parts, n in _kept("industry", kept).items()}
        for code, n in _dated_member_industries():
            counts[code] = counts.get(code, 0) + n
        rows = [(i.code, str(i), counts.get(i.code, 0)) for i in Industry.objects.filter(active=True)]
        return Series([r for r in rows if r[2]])
    application_ids = _active_grants().values("application_id")
    pairs = set()
    for industry, membership in (Industry.objects.filter(modelprofile__application_id__in=application_ids)
                                 .values_list("code", "modelprofile__application__grants__membership")):
        pairs.add((industry, membership))
    for industry, membership in (Industry.objects.filter(applicationprofile__application_id__in=application_ids)
                                 .values_list("code", "applicationprofile__application__grants__membership")):
        pairs.add((industry, membership))
    counts = Counter(industry for industry, membership in pairs if membership)
    rows = [(i.code, str(i), counts.get(i.code, 0)) for i in Industry.objects.filter(active=True)]
    return Series([r for r in rows if r[2]])


def _dated_member_industries():
    """(industry, members) for active members in an industry only by grants with an end date, one of which runs."""
    industry = OuterRef(OuterRef("industry_id"))
    serves = ModelProfile.industries.through.objects.filter(modelprofile__application_id=OuterRef("application_id"),
                                                            industry_id=industry)
    own = ApplicationProfile.objects.filter(application_id=OuterRef("application_id"), industry_id=industry)
    running = current_grants().filter(membership_id=OuterRef("membership_id"), ends_on__isnull=False).filter(
        Exists(serves) | Exists(own))
    dated = MemberIndustry.objects.filter(active=True, open_ended=False)
    if not dated.exists():  # the usual case: no profile is read
        return []
    return (dated.filter(Exists(running)).values_list("industry_id").annotate(n=Count("pk"))
            .values_list("industry_id", "n"))


def admissions_per_month(months=12, today=None, kept=None) -> Series:
    """Members admitted in each of the last `months` calendar months (local time), oldest first."""
    today = today or timezone.localdate()
    starts = []
    y, m = today.year, today.month
    for _ in range(months):
        starts.append(date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    starts.reverse()
    if tally.available():
        kept = {parts[0]: n for parts, n in _kept("month", kept).items()}
        return Series([(f"{s:%Y-%m}", f"{s:%Y-%m}", kept.get(f"{s:%Y-%m}", 0)) for s in starts])
    first = timezone.make_aware(timezone.datetime(starts[0].year, starts[0].month, 1))
    # TruncMonth works in the current time zone (Asia/Shanghai), so a late-evening admission on the
    # last day of a month counts in that month.
    per_month = (Membership.objects.filter(admitted_at__gte=first).exclude(state=MembershipState.REVOKED)
                 .annotate(month=TruncMonth("admitted_at")).values_list("month").annotate(n=Count("pk"))
                 .values_list("month", "n"))
    counts = Counter()
    for month, n in per_month:
        month = month.date() if hasattr(month, "date") else month
        counts[(month.year, month.month)] += n
    return Series([(f"{s:%Y-%m}", f"{s:%Y-%m}", counts.get((s.year, s.month), 0)) for s in starts])


def key_figures(kept=None) -> dict:
    if tally.available():
        kept = {kind: _kept(kind, kept) for kind in ("member", "app")}
        by_district = {district: n for (state, district), n in kept["member"].items()
                       if state == MembershipState.ACTIVE}
        per_state = tally.summed(kept["app"])
        from ..enums import ApplicationState

        return {
            "members": sum(by_district.values()),
            "districts": sum(1 for district, n in by_district.items() if district and n > 0),
            "in_review": sum(per_state.get(s, 0) for s in (ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW,
                                                          ApplicationState.FINAL_REVIEW)),
            "in_publicity": per_state.get(ApplicationState.PUBLICITY, 0),
        }
    active = Membership.objects.filter(state=MembershipState.ACTIVE)
    from ..enums import ApplicationState
    from ..models import Application

    in_review = Application.objects.filter(state__in=[ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW,
                                                      ApplicationState.FINAL_REVIEW]).count()
    return {
        "members": active.count(),
        "districts": active.exclude(Q(organization__district__isnull=True)).values(
            "organization__district").distinct().count(),
        "in_review": in_review,
        "in_publicity": Application.objects.filter(state=ApplicationState.PUBLICITY).count(),
    }
