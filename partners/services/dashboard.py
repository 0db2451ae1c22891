"""The plan's dashboard: figures for the office and the public summary, each from a small provider function.

A provider returns one Section (a title, a Series of rows, how to chart it). Other parts of the registry plug
their figures in with `register()` (pairings formed, subsidy claims approved and paid), so the dashboard page,
the public summary and the export need no change. Every provider runs a fixed number of queries, whatever
the amount of data (tests/test_dashboard.py counts them).
"""

from collections import OrderedDict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import ApplicationState, CaseKind, IntroductionState, Moderation
from ..models import Application, DataDemand, DataSet, Introduction
from . import cases, statistics, tally
from .statistics import Series


@dataclass
class Section:
    code: str
    title: str
    series: Series
    chart: str = "bar"  # "bar", "column" or "" (table only)
    value_label: str = ""
    note: str = ""


PROVIDERS: "OrderedDict[str, tuple]" = OrderedDict()


def register(code, *, public=True):
    """Add a provider: a function returning a Section. `public` ones are on the public summary too."""
    def add(func):
        PROVIDERS[code] = (func, public)
        return func

    return add


def sections(*, public=False) -> list[Section]:
    return [func() for code, (func, is_public) in PROVIDERS.items() if is_public or not public]


@register("members_by_type")
def members_by_type():
    return Section("members_by_type", _g("Members by partner type"), statistics.members_per_partner_type())


@register("members_by_district")
def members_by_district():
    return Section("members_by_district", _g("Members by district"), statistics.members_per_district())


@register("members_by_month")
def members_by_month():
    return Section("members_by_month", _g("Members admitted per month"), statistics.admissions_per_month(),
                   chart="column")


# Per state: its count from the tally ("app" keys are state|district), then the middle row (odd count) or the two
# middle rows (even) of the state in application_state_age_idx, reached by OFFSET on the index.
MEDIAN_DAYS_IN_STATE_SQL = """
WITH counts AS (
    SELECT split_part(key, '|', 1) AS state, SUM(n)::bigint AS n FROM partners_tally WHERE kind = 'app'
    GROUP BY 1 HAVING SUM(n) > 0
)
SELECT c.state, c.n, (
    SELECT avg(extract(epoch FROM (now() - middle.state_changed_at))) FROM (
        SELECT a.state_changed_at FROM partners_application a WHERE a.state = c.state
        ORDER BY a.state_changed_at OFFSET (c.n - 1) / 2 LIMIT 2 - c.n % 2
    ) middle
) FROM counts c
"""


def _median_days_in_state() -> dict:
    """{state: (applications now in it, median days they have been in it)}.

    On PostgreSQL the counts come from the kept tally and each median from the middle row(s) of the state in
    the (state, state_changed_at) index, so nothing is sorted: a full GROUP BY with percentile_cont sorted every
    application (350 ms at 150,000, seconds at a million)."""
    if connection.vendor == "postgresql" and tally.available():
        with connection.cursor() as cursor:
            cursor.execute(MEDIAN_DAYS_IN_STATE_SQL)
            return {state: (int(n), float(seconds or 0) / 86400) for state, n, seconds in cursor.fetchall()}
    now = timezone.now()
    waits = {}
    for state, changed in Application.objects.values_list("state", "state_changed_at").iterator():
        waits.setdefault(state, []).append((now - changed).total_seconds() / 86400 if changed else 0)
    result = {}
    for state, days in waits.items():
        days.sort()
        mid = len(days) // 2
        result[state] = (len(days), days[mid] if len(days) % 2 else (days[mid - 1] + days[mid]) / 2)
    return result


MEDIANS_KEY = "dashboard:median-days-in-state"


def kept_medians() -> tuple[dict, object, bool]:
    """({state: (applications, median days)}, when it was worked out, whether just now): from the cache when it
    was worked out less than DASHBOARD_MEDIAN_SECONDS ago, so the office's page costs the same whatever the number
    of applications."""
    from django.conf import settings
    from django.core.cache import cache

    seconds = settings.DASHBOARD_MEDIAN_SECONDS
    kept = cache.get(MEDIANS_KEY) if seconds else None
    if kept is not None:
        return (*kept, False)
    kept = (_median_days_in_state(), timezone.now())
    if seconds:
        cache.set(MEDIANS_KEY, kept, seconds)
    return (*kept, True)


@register("applications_by_state", public=False)
def applications_by_state():
    per_state, as_of, fresh = kept_medians()
    # The counts are current, whatever the age of the medians.
    if fresh:
        counts = {state: n for state, (n, _days) in per_state.items()}
    elif connection.vendor == "postgresql" and tally.available():
        counts = tally.summed(tally.read("app")["app"])
    else:
        counts = dict(Application.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    rows = [(s.value, str(s.label), counts.get(s.value, 0)) for s in ApplicationState]
    medians = {s.value: round(per_state.get(s.value, (0, 0))[1], 1) for s in ApplicationState}
    note = _g("With the median number of days the applications now in each state have been in it, as of "
              "%(time)s.") % {"time": timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M")}
    section = Section("applications_by_state", _g("Applications by state"), Series(rows), note=note)
    section.medians = medians
    return section


@register("cases_published")
def cases_published():
    counts = cases.cases_by_year_and_kind()
    rows = [(f"{year}-{kind}", f"{year} {CaseKind(kind).label}", n)
            for (year, kind), n in sorted(counts.items(), key=lambda item: (-item[0][0], item[0][1]))]
    return Section("cases_published", _g("Pilot cases published"), Series(rows))


@register("data_matched")
def data_matched():
    datasets = DataSet.objects.filter(moderation=Moderation.PUBLISHED).count()
    demands = DataDemand.objects.filter(moderation=Moderation.PUBLISHED).count()
    intro = dict(Introduction.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    rows = [("datasets", _g("Data sets in the catalogue"), datasets),
            ("demands", _g("Data demands in the catalogue"), demands),
            ("introductions", _g("Introductions requested"), sum(intro.values())),
            ("accepted", _g("Introductions accepted (supply and demand matched)"),
             intro.get(IntroductionState.ACCEPTED, 0))]
    return Section("data_matched", _g("Data supply and demand"), Series(rows))


@register("target_progress")
def target_progress():
    progress = cases.target_progress()
    rows = [(f"{p.year}-{p.kind}", f"{p.year} {p.label} ({p.count}/{p.target})", p.count) for p in progress]
    section = Section("target_progress", _g("Progress against the yearly targets"), Series(rows), chart="bar")
    section.progress = progress
    return section


@register("pairings")
def pairings_formed():
    """Pairings (结对) of user units with model teams: standing ones, and those that formed an outcome."""
    from ..enums import PairingOutcome, PairingState
    from ..models import Pairing

    found = {(state, outcome): n for state, outcome, n in Pairing.objects.values_list("state", "outcome")
             .annotate(n=Count("pk")).order_by()}
    standing = sum(n for (state, _o), n in found.items() if state in PairingState.confirmed_states())
    rows = [("standing", _g("Pairings confirmed by the plan office"), standing)]
    rows += [(outcome.value, str(outcome.label), found.get((PairingState.FORMED, outcome.value), 0))
             for outcome in PairingOutcome if outcome.value]
    return Section("pairings", _g("Pairings of user units with model teams"), Series(rows))


@register("subsidy_claims")
def subsidy_claims():
    """Compute subsidy claims approved and paid: how many, and the exact amounts (subsidy_reports.py)."""
    from ..enums import SubsidyClaimState as C
    from . import subsidy_reports

    per_state = subsidy_reports.claims_per_state()
    totals = subsidy_reports.plan_totals()
    rows = [("submitted", _g("Claims submitted"), totals.claims),
            ("approved", _g("Claims approved"), per_state[C.APPROVED] + per_state[C.PAID]),
            ("paid", _g("Claims paid"), per_state[C.PAID])]
    section = Section("subsidy_claims", _g("Compute subsidy claims"), Series(rows),
                      note=_g("Approved: %(approved)s yuan; paid: %(paid)s yuan.")
                      % {"approved": f"{totals.approved:,.2f}", "paid": f"{totals.paid:,.2f}"})
    section.totals = totals
    return section
