"""Counts read from partners_tally (kept by PostgreSQL triggers) instead of counting large tables per page view.

On other databases (SQLite in development) `available()` is false and callers count the rows as before.
"""

from collections import defaultdict

from django.db import connection, transaction

from ..models import Tally


def available() -> bool:
    return connection.vendor == "postgresql"


def read(*kinds) -> dict:
    """{kind: {key parts (a tuple): n}} for the given kinds, in one query; keys whose count is 0 are left out."""
    out = {k: {} for k in kinds}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kind, key, SUM(n) FROM {Tally._meta.db_table} WHERE kind = ANY(%s) "
                       "GROUP BY kind, key HAVING SUM(n) <> 0", [list(kinds)])
        for kind, key, n in cursor.fetchall():
            out[kind][tuple(key.split("|"))] = int(n)
    return out


def summed(counts: dict, where=None) -> dict:
    """Sum a kind's counts by its first key part, over keys matching `where` ({position: value})."""
    totals = defaultdict(int)
    for parts, n in counts.items():
        if all(parts[i] == v for i, v in (where or {}).items()):
            totals[parts[0]] += n
    return dict(totals)


def rebuild():
    """Every count again from the rows (after a bulk load that bypassed the triggers), and the member industries the
    counts per industry are kept from; PostgreSQL only."""
    from ..tally_sql import INDUSTRY_REBUILD, REBUILD

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REBUILD)
        cursor.execute(INDUSTRY_REBUILD)
