"""The members API's reads as rows: a page of public members, their partner types and industries, in one query.

MemberSerializer documents the shape; on PostgreSQL the answer is built here from `values()` rows instead, with
the partner types in force and the industries read as arrays in the same query (a page of members was three
queries and a model instance, a serializer field and a prefetched grant for every fact; most of a request's
time). `as_json` gives exactly what the serializer gives for the same member.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import CharField, OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate
from django.utils import timezone
from rest_framework import serializers

from ..enums import MembershipState, type_rank
from ..models import MemberIndustry, Membership
from ..services import directory

# The columns a row carries, in the order of `values()`; `id` is the cursor's tie-breaker.
COLUMNS = ("id", "number", "admitted_at", "organization__name", "organization__name_en",
           "organization__district_id", "organization__province", "organization__website",
           "organization__description", "partner_types", "industries")


def enabled() -> bool:
    """The arrays are PostgreSQL's; elsewhere (SQLite in development) the serializer reads the models."""
    return connection.vendor == "postgresql"


def public_rows():
    """Active members as `values()` rows with their partner types in force (in PartnerType order) and their
    industries (by position, then code)."""
    partner_types, industries = _arrays(timezone.localdate())
    return (Membership.objects.filter(state=MembershipState.ACTIVE)
            .annotate(partner_types=partner_types, industries=industries)
            .values(*COLUMNS))


def _array_expressions():
    """The two arrays of a member, as ORM expressions.

    The industries are the database's own list of a member's industries (MemberIndustry, kept by triggers from
    every grant's application, ended or not: the model profile's industries and the application profile's
    industry), which is what `members.industries_by_member` computes from the grants and profiles."""
    partner_types = ArraySubquery(directory.current_grants().filter(membership=OuterRef("pk"))
                                  .order_by(type_rank()).values("partner_type"))
    # Codes compare by code point, as Python's sort of the codes does, whatever the database's collation.
    industries = ArraySubquery(MemberIndustry.objects.filter(membership=OuterRef("pk"))
                               .order_by("industry__position", Collate("industry_id", "C"))
                               .values("industry_id"))
    return partner_types, industries


_written: tuple = (None, None)  # (the day, its two arrays as SQL)


def _arrays(today):
    """The arrays as SQL, written by the ORM once a day (the grants in force depend on the date) rather than for
    every request: compiling the two subqueries cost more than the rest of a page's query."""
    day, arrays = _written
    if day == today:
        return arrays
    arrays = []
    for expression in _array_expressions():
        sql, params = (Membership.objects.annotate(array=expression).values("array").order_by()
                       .query.sql_with_params())
        head, tail = "SELECT ", ' AS "array" FROM "partners_membership"'
        assert sql.startswith(head) and sql.endswith(tail), sql
        arrays.append(RawSQL(sql[len(head):-len(tail)], params, output_field=ArrayField(CharField())))
    if timezone.localdate() == today:  # not written across midnight with the day before's date
        _remember(today, arrays)
    return arrays


def _remember(day, arrays):
    global _written
    _written = (day, arrays)


def as_json(rows) -> list[dict]:
    """MemberSerializer's data for these rows."""
    admitted_at = serializers.DateTimeField().to_representation  # the current time zone, as the serializer's
    return [{
        "member_number": row["number"],
        "name": row["organization__name"],
        "name_en": row["organization__name_en"],
        "district": row["organization__district_id"],
        "province": row["organization__province"],
        "website": row["organization__website"],
        "description": row["organization__description"],
        "partner_types": row["partner_types"],
        "industries": row["industries"],
        "admitted_at": admitted_at(row["admitted_at"]),
    } for row in rows]
