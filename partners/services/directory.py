"""The public member directory: filters, name search and keyset pagination over active members.

Only public facts leave this module (name, district, partner types, member number, admission date,
website, description, industries); the people who act for an organisation never do.
"""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    Expression,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    TextField,
    Value,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..enums import TYPE_RANK, FundType, MembershipState, PartnerType, in_type_order, type_rank
from ..models import (
    PROFILE_MODELS,
    ApplicationProfile,
    Industry,
    Membership,
    MembershipGrant,
    ModelProfile,
    Organization,
)

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 100
# A query with a LIMIT up to this many rows reads a page: the API's largest page is 100 (+1).
PAGE_READ_LIMIT = 1000

# Columns that a public listing may read; nothing else of the organisation is selected.
PUBLIC_ORG_FIELDS = ("organization__name", "organization__name_en", "organization__district",
                     "organization__province", "organization__website", "organization__description")


@dataclass
class DirectoryFilters:
    partner_type: str = ""
    district: str = ""
    industry: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params) -> "DirectoryFilters":
        """Read filters from a query dict; unknown codes are dropped rather than failing the page."""
        ptype = (params.get("type") or "").strip()
        return cls(
            partner_type=ptype if ptype in PartnerType.values else "",
            district=(params.get("district") or "").strip()[:20],
            industry=(params.get("industry") or "").strip()[:20],
            q=" ".join((params.get("q") or "").split())[:MAX_QUERY_LENGTH],
        )

    def as_params(self) -> dict:
        return {k: v for k, v in (("type", self.partner_type), ("district", self.district),
                                  ("industry", self.industry), ("q", self.q)) if v}

    @property
    def active(self) -> bool:
        return bool(self.as_params())


class _PageOrWhole(Expression):
    """One of two equivalent conditions, chosen as the SQL is written: `page` in a query that reads a page (a
    LIMIT of at most PAGE_READ_LIMIT rows), `whole` in one that reads every match (the roster export)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, page, whole):
        super().__init__()
        self.page, self.whole = page, whole

    def get_source_expressions(self):
        return [self.page, self.whole]

    def set_source_expressions(self, exprs):
        self.page, self.whole = exprs

    def as_sql(self, compiler, connection):
        query = compiler.query
        reads_a_page = query.high_mark is not None and query.high_mark - query.low_mark <= PAGE_READ_LIMIT
        return compiler.compile(self.page if reads_a_page else self.whole)


def industry_filter(industry_code):
    """Members whose granting application serves the industry (model partner) or is in it (application partner).

    On PostgreSQL, from the member industries the database keeps (MemberIndustry, partners/tally_sql.py): a join
    on the member and its admission time, so that the page's order (admitted_at, id) is also the order of the
    industry's index member_industry_newest. A page of any industry, dense or sparse, then reads its rows from that
    index and stops at the page's end (a sparse industry walked the whole newest-first index of members: 4-6 s at
    1,000,000). The member's own row is looked up by primary key.

    Elsewhere (SQLite) from the grants and profiles, as follows.

    A page checks member by member with index lookups (a correlated EXISTS): the member's grants, then the
    model profile of each grant's application and its row for the industry, or the application's own profile.
    Walking the newest-first index, it stops at the page's last row whatever the size of the industry (IN lists
    hashed from every profile of the industry took 0.5-0.9 s at 1,000,000 members). An industry no grant is in
    (or an unknown code) is answered before the walk by two index lookups, instead of by probing every member.

    A query that reads every match (the roster export) keeps those IN lists: hashed once, they cost less than
    lookups for every member, which PostgreSQL chooses for a cursor over the probing form (an export of one
    industry: 45 ms against 470 ms at 20,000 members, 1.4 s against 8.4 s at 1,000,000).
    """
    if connection.vendor == "postgresql":
        # One row per member and industry (member_industry_once): the join repeats no member.
        return Q(kept_industries__industry_id=industry_code, kept_industries__active=True,
                 kept_industries__admitted_at=F("admitted_at"))
    serves = ModelProfile.objects.filter(application_id=OuterRef("application_id"), industries=industry_code)
    own = ApplicationProfile.objects.filter(application_id=OuterRef("application_id"), industry_id=industry_code)
    probed = MembershipGrant.objects.filter(membership=OuterRef("pk")).filter(Exists(serves) | Exists(own))
    granted_at_all = (Exists(MembershipGrant.objects.filter(application__modelprofile__industries=industry_code))
                      | Exists(MembershipGrant.objects.filter(application__applicationprofile__industry=industry_code)))

    model_apps = ModelProfile.objects.filter(industries=industry_code).values("application_id")
    own_apps = ApplicationProfile.objects.filter(industry=industry_code).values("application_id")
    listed = MembershipGrant.objects.filter(membership=OuterRef("pk")).filter(
        Q(application_id__in=model_apps) | Q(application_id__in=own_apps))
    return _PageOrWhole(granted_at_all & Exists(probed), Exists(listed))


class _Bigrams(Func):
    """partners_bigrams(UPPER(x)): the distinct two-character pieces of x (partners/search_sql.py)."""

    template = "partners_bigrams(UPPER(%(expressions)s))"
    output_field = TextField()


class _Contains(Func):
    """a @> b for arrays, as a condition."""

    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()
    conditional = True


class _Holds(Func):
    """strpos(UPPER(x::text), UPPER(term)) > 0: x contains term, case-insensitively: the rows `icontains` keeps.

    Written so that no trigram index can serve it. Next to the bigram condition, a LIKE of three characters or
    more made the planner AND the trigram index in; its matches are lossy, so every row found was rechecked
    against the whole condition, bigrams included: partners_bigrams computed row by row (the duplicate check's
    candidates: 38 ms instead of 2 ms at 100,000 organisations). The bigram index alone is exact."""

    template = "(strpos(UPPER(%(expressions)s), UPPER(%(term)s)) > 0)"
    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra_context):
        field, term = self.get_source_expressions()
        field_sql, field_params = compiler.compile(field)
        term_sql, term_params = compiler.compile(term)
        return (self.template % {"expressions": f"{field_sql}::text", "term": term_sql},
                (*field_params, *term_params))


def contains_any(field, terms):
    """`field` contains one of `terms`, case-insensitive; on PostgreSQL narrowed first through the bigram index
    (as in name_matches: a substring match implies the bigrams match, so (any bigrams) AND (any substring) is
    exact)."""
    terms = [t for t in terms if t]
    like = Q()
    for term in terms:
        like |= Q(**{f"{field}__icontains": term})
    if connection.vendor != "postgresql" or not terms or any(len(t) < 2 for t in terms):
        return like
    indexed, holds = Q(), Q()
    for term in terms:
        indexed |= Q(_Contains(_Bigrams(F(field)), _Bigrams(Value(term))))
        holds |= Q(_Holds(F(field), Value(term)))
    return indexed & holds


def name_matches(term, *, fields=("name", "name_en"), also=None):
    """Substring match on the Chinese or English name, case-insensitive (of an Organization queryset); `also`
    is a further alternative (the queue's credit code prefix), served by its own index.

    On PostgreSQL, written as (bigrams of a field contain the term's, for any field) AND (a field contains the
    term, as `_Holds`, which no trigram index answers): the first part is what the bigram GIN indexes answer (one
    BitmapOr), the second keeps the exact matches, and the bigrams are never computed row by row. Terms of one
    character read the names (LIKE)."""
    like = Q()
    for name in fields:
        like |= Q(**{f"{name}__icontains": term})
    if also is not None:
        like |= also
    if connection.vendor != "postgresql" or len(term) < 2:
        return like
    indexed, holds = Q(), Q()
    for name in fields:
        indexed |= Q(_Contains(_Bigrams(F(name)), _Bigrams(Value(term))))
        holds |= Q(_Holds(F(name), Value(term)))
    if also is not None:
        indexed |= also
        holds |= also
    return indexed & holds


def organizations_named(term):
    """Organisations whose Chinese or English name contains `term`: a subquery for related lists."""
    return Organization.objects.filter(name_matches(term)).values("pk")


def public_members():
    """Active members with their organisation and district, ready for a public list."""
    return (Membership.objects.filter(state=MembershipState.ACTIVE)
            .select_related("organization", "organization__district")
            .only("number", "admitted_at", "state", *PUBLIC_ORG_FIELDS, "organization__district__name_zh",
                  "organization__district__name_en")
            # Unordered: readers put the types in order in Python (grant_codes); the CASE of type_rank() cost more
            # to compile on every read than sorting a member's five grants at most.
            .prefetch_related(Prefetch("grants", queryset=current_grants().order_by()
                                       .only("id", "membership", "partner_type", "granted_on", "application"))))


def revoked_members(now=None):
    """The public record of revocations: members revoked in the last REVOCATION_PUBLIC_DAYS, newest first, with
    the partner types they held and the reason given; after that period a revocation is no longer listed."""
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    since = now - timedelta(days=settings.REVOCATION_PUBLIC_DAYS)
    return (Membership.objects.filter(state=MembershipState.REVOKED, revoked_at__gte=since, revoked_at__lte=now)
            .select_related("organization")
            .only("number", "state", "state_reason", "revoked_at", "admitted_at", "organization__name",
                  "organization__name_en")
            .prefetch_related(Prefetch("grants", queryset=MembershipGrant.objects.order_by(type_rank())
                                       .only("id", "membership", "partner_type")))
            .order_by("-revoked_at", "-pk"))


def current_grants():
    """Grants in force today: without an end date, or ending today or later."""
    return MembershipGrant.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()))


def search(filters: DirectoryFilters):
    """The filtered, unpaginated queryset of public members."""
    qs = public_members()
    if filters.partner_type:
        qs = qs.filter(Exists(current_grants().filter(membership=OuterRef("pk"),
                                                             partner_type=filters.partner_type)))
    if filters.district:
        qs = qs.filter(organization__district_id=filters.district)
    if filters.industry:
        qs = qs.filter(industry_filter(filters.industry))
    if filters.q:
        # On PostgreSQL the bigram GIN indexes narrow the names and UPPER(name) LIKE UPPER('%q%') keeps the exact
        # matches (name_matches); plain LIKE on SQLite.
        qs = qs.filter(organization__in=organizations_named(filters.q))
    return qs


# --- keyset pagination ----------------------------------------------------------------------
# Newest members first, ordered by (admitted_at, id): a page costs the same at any depth, and no
# COUNT(*) runs over the table.

def encode_cursor(membership) -> str:
    raw = f"{membership.admitted_at.isoformat()}|{membership.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str):
    """(admitted_at, id) from a cursor, or None for anything malformed."""
    if not token or len(token) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        stamp, pk = raw.split("|", 1)
        when = parse_datetime(stamp)
        pk = int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if when is None or not isinstance(when, datetime):
        return None
    return when, pk


@dataclass
class Page:
    items: list = field(default_factory=list)
    next_cursor: str = ""
    prev_cursor: str = ""
    is_first: bool = True


def paginate(qs, *, after="", before="", size=PAGE_SIZE) -> Page:
    """One page after or before a cursor; fetches size+1 rows to learn whether there is more."""
    after_key, before_key = decode_cursor(after), decode_cursor(before)
    if before_key:
        when, pk = before_key
        rows = list(qs.filter(Q(admitted_at__gt=when) | Q(admitted_at=when, pk__gt=pk))
                    .order_by("admitted_at", "pk")[:size + 1])
        has_more_before = len(rows) > size
        items = list(reversed(rows[:size]))
        page = Page(items=items, is_first=not has_more_before)
        page.prev_cursor = encode_cursor(items[0]) if has_more_before and items else ""
        page.next_cursor = encode_cursor(items[-1]) if items else ""
        return page
    if after_key:
        when, pk = after_key
        qs = qs.filter(Q(admitted_at__lt=when) | Q(admitted_at=when, pk__lt=pk))
    rows = list(qs.order_by("-admitted_at", "-pk")[:size + 1])
    items = rows[:size]
    page = Page(items=items, is_first=not after_key)
    page.next_cursor = encode_cursor(items[-1]) if len(rows) > size else ""
    page.prev_cursor = encode_cursor(items[0]) if after_key and items else ""
    return page


def member_detail(number: str):
    """One active member by member number, or None; industries are attached as `public_industries`."""
    member = public_members().filter(number=number).first()
    if member is None:
        return None
    # Two indexed subqueries, not one OR over two outer joins (that joined every profile: 0.7 s at 100,000).
    application_ids = MembershipGrant.objects.filter(membership=member).values("application_id")
    served = ModelProfile.industries.through.objects.filter(
        modelprofile__application_id__in=application_ids).values("industry_id")
    own = ApplicationProfile.objects.filter(application_id__in=application_ids).values("industry_id")
    member.public_industries = list(
        Industry.objects.filter(Q(code__in=served) | Q(code__in=own)).order_by("position", "code"))
    from .pairings import public_of

    member.public_types = [PartnerType(code).label for code in grant_codes(member)]
    member.public_pairings = public_of(member.organization)
    member.type_facts = type_facts(member)
    return member


def type_facts(member) -> list:
    """[(partner type label, [(fact label, value)])]: the public facts of the profile behind each grant in force,
    in partner-type order, empty facts left out; one query for every profile."""
    from ..models import Application, Scenario
    from .profile_changes import TYPE_FIELDS
    from .profile_lists import LIST_FIELDS

    grants = sorted((g for g in member.grants.all() if g.application_id), key=lambda g: TYPE_RANK[g.partner_type])
    if not grants:
        return []
    types = {g.partner_type for g in grants}
    # Only the profiles of the types held: every LEFT JOIN more cost planning time for nothing.
    related = [PROFILE_MODELS[t]._meta.model_name for t in PartnerType.values if t in types]
    # The multi-valued facts read in one query each, and only for the types the member holds.
    lists = [*(["modelprofile__industries"] if PartnerType.MODEL in types else []),
             *([Prefetch("applicationprofile__scenarios", queryset=Scenario.objects.order_by("pk"))]
               if PartnerType.APPLICATION in types else [])]
    applications = Application.objects.filter(pk__in={g.application_id for g in grants}).select_related(
        *related).prefetch_related(*lists)
    by_id = {a.pk: a for a in applications}
    out = []
    for grant in grants:
        model = PROFILE_MODELS[grant.partner_type]
        profile = getattr(by_id.get(grant.application_id), model._meta.model_name, None)
        if profile is None:
            continue
        facts = [(model._meta.get_field(name).verbose_name, _shown(profile, name))
                 for name in TYPE_FIELDS[grant.partner_type]]
        facts += [(_list_label(grant.partner_type, name), _shown_list(profile, name))
                  for name in LIST_FIELDS.get(grant.partner_type, ())]
        facts = [(label, value) for label, value in facts if value not in ("", None)]
        if facts:
            out.append((PartnerType(grant.partner_type).label, facts))
    return out


def _shown(profile, name):
    """A fact as the public reads it: a choice's label, a number without trailing zeros."""
    value = getattr(profile, name)
    if value is None:
        return ""
    if name == "fund_type" and value in FundType.values:  # the form offers the codes; the model keeps text
        return FundType(value).label
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    return value


def _list_label(partner_type, name):
    from .profile_lists import field_label

    return field_label(partner_type, name)


def _shown_list(profile, name):
    """A multi-valued fact as the public reads it: labels, one scenario a line."""
    from .profile_lists import SCENARIO_FIELDS, SCENARIOS, labels, scenario_line

    if name == SCENARIOS:
        return "\n".join(scenario_line({f: getattr(s, f) for f in SCENARIO_FIELDS}) for s in profile.scenarios.all())
    if name == "industries":
        return ", ".join(str(i) for i in profile.industries.all())
    return ", ".join(labels(name, getattr(profile, name) or []))


def industries_by_application(application_ids) -> dict:
    """{application id: {(position, industry code)}}: industries served (model profiles) and the industry of
    application partners, in one query of two indexed halves."""
    served = ModelProfile.industries.through.objects.filter(
        modelprofile__application_id__in=application_ids).values_list(
        "modelprofile__application_id", "industry__position", "industry_id")
    own = ApplicationProfile.objects.filter(application_id__in=application_ids, industry__isnull=False).values_list(
        "application_id", "industry__position", "industry_id")
    out: dict = {}
    for application_id, position, code in served.union(own, all=True):
        out.setdefault(application_id, set()).add((position, code))
    return out


def grant_codes(member) -> list[str]:
    return in_type_order(g.partner_type for g in member.grants.all())
