"""Numbers counted per year (receipt numbers, member numbers) from a locked counter row: unique and gap-free."""

from django.db import IntegrityError, transaction


def next_in_year(counter_model, year) -> int:
    """The year's next number from `counter_model` (one row per year with `last`); call inside a transaction.

    The row stays locked until that transaction commits, so two callers never read the same `last`; a rolled-back
    transaction rolls the counter back too (no gaps)."""
    counter = counter_model.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter_model.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        counter = counter_model.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
