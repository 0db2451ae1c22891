"""Staff list pagination whose row count stops at COUNT_CAP, so a page view never counts a whole large table."""

from math import ceil

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property

# A plain COUNT(*) reads every matching row: at city scale (a million members, audit events or outbox
# messages) that is the cost of every page view. 10,000 rows is 200 pages of 50: nobody pages further than
# that (they filter instead), and counting up to it through an index stays in the milliseconds.
COUNT_CAP = 10_000


def capped_count(queryset, cap=None):
    """(count, capped): the exact number of rows up to `cap`, else (cap, True); at most cap + 1 rows are read.

    `queryset[:n].count()` is ``SELECT COUNT(*) FROM (SELECT ... LIMIT n)``: the database stops after n rows.
    The ordering is dropped first: any n rows will do for a count, so no sort of the whole set is needed.
    """
    cap = COUNT_CAP if cap is None else cap
    n = queryset.order_by()[:cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def capped_counts(querysets, cap=None):
    """{key: (count, capped)} for a dict of querysets (on one database): `capped_count` of each, in one round trip.

    One SELECT of scalar subqueries, each ``(SELECT COUNT(*) FROM (SELECT ... LIMIT cap + 1))``: every count
    still reads at most cap + 1 rows, and a page showing several counts (tabs, badges) pays for one query.
    """
    cap = COUNT_CAP if cap is None else cap
    counts, parts, params, alias = {}, {}, [], None
    for i, (key, queryset) in enumerate(querysets.items()):
        limited = queryset.order_by().values("pk")[:cap + 1]
        alias = alias or limited.db
        try:
            sql, sql_params = limited.query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:  # e.g. pk__in=[]: nothing to ask the database
            counts[key] = 0
            continue
        parts[key] = f"(SELECT COUNT(*) FROM ({sql}) capped_{i})"
        params.extend(sql_params)
    if parts:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts.values()), params)
            counts.update(zip(parts, cursor.fetchone(), strict=True))
    return {key: (cap, True) if counts[key] > cap else (counts[key], False) for key in querysets}


class CappedPaginator(Paginator):
    """A Paginator whose `count` reads at most about COUNT_CAP rows.

    Past the cap, `capped` is true, the page numbers stop at the page holding row `cap` (going further gives
    that last capped page, as any page number past the end does) and templates say "more than <cap>".
    A `count` that the caller already knows is taken as it is: exact, never capped.
    """

    def __init__(self, object_list, per_page, *args, count=None, cap=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap  # read at run time, so tests can lower it
        self._known_count = count

    @cached_property
    def _counted(self):
        if self._known_count is not None:
            return self._known_count, False
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list), False
        # Counting whole pages: "page n of more than N" stays true whatever the page size, and every capped
        # page is full. With page sizes that divide the cap (50, 25, 100...) this reads exactly cap + 1 rows.
        pages = max(1, ceil(self.cap / self.per_page))
        n, capped = capped_count(self.object_list, pages * self.per_page)
        return n, capped

    @cached_property
    def count(self):
        return self._counted[0]

    @property
    def capped(self):
        """True when there are more rows than the pages up to the cap hold: `count` is then a lower bound."""
        return self._counted[1]

    @property
    def cap_display(self):
        """The cap as people read it, with thousands separators ("10,000")."""
        return number_format(self.cap, force_grouping=True)
