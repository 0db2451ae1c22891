"""Numbers counted per year (receipt numbers, member numbers) from a locked counter row: unique and gap-free."""

from django.db import IntegrityError, connections, router, transaction


def next_in_year(counter_model, year) -> int:
    """The year's next number from `counter_model` (one row per year with `last`); call inside a transaction.

    The row stays locked until that transaction commits, so two callers never read the same `last`; a rolled-back
    transaction rolls the counter back too (no gaps). The increment takes the lock and returns the number in one
    statement (a second caller's UPDATE waits for the first's commit, then counts on from its number)."""
    number = _increment(counter_model, year)
    if number is None:
        try:
            with transaction.atomic():
                counter_model.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # another transaction created it first; count on from theirs
        number = _increment(counter_model, year)
    return number


def _increment(counter_model, year):
    """`last` + 1 of the year's row, locked until the transaction ends; None if the year has no row yet."""
    connection = connections[router.db_for_write(counter_model)]
    table, last, key = (connection.ops.quote_name(name) for name in (counter_model._meta.db_table, "last", "year"))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {last} = {last} + 1 WHERE {key} = %s RETURNING {last}", [year])
        row = cursor.fetchone()
    return row[0] if row else None
