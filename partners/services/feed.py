"""The events feed: positions that commit order cannot overtake, so a polling reader never skips an event.

An event's id is taken when its row is inserted, but transactions commit out of order: a reader that
remembers the last id it saw would step over a smaller id committed a moment later. So each event also
stores the id of the transaction that wrote it (`AuditEvent.txid`), and the feed serves only events of
transactions older than PostgreSQL's snapshot xmin — the oldest transaction still running when the read
began. Every such transaction has ended; none can add a row behind the reader. Events are ordered by
(txid, id), and a reader's position is that pair. A long transaction holds the feed back (events wait,
never vanish). On SQLite writers commit one at a time, so every txid is 0 and the order is the id order.
"""

import re
from dataclasses import dataclass
from datetime import UTC

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _g

from ..models import AuditEvent

MAX_BIGINT = 2**63 - 1
POSITION_RE = re.compile(r"(\d{1,19})\.(\d{1,19})")
LEGACY_ID_RE = re.compile(r"\d{1,19}")


class BadPosition(ValueError):
    """The reader's position cannot be understood; the message says why, for a 400 answer."""


@dataclass(frozen=True, order=True)
class Position:
    txid: int
    id: int

    def __str__(self):
        return f"{self.txid}.{self.id}"


START = Position(0, 0)


def position_of(event) -> Position:
    return Position(event.txid, event.pk)


def parse_position(raw: str) -> Position:
    """`<txid>.<id>` as the feed hands it out; a bare event id (the old cursor) is read as that event's place."""
    raw = (raw or "").strip()
    if not raw:
        return START
    match = POSITION_RE.fullmatch(raw)
    if match:
        txid, event_id = (int(part) for part in match.groups())
        if txid > MAX_BIGINT or event_id > MAX_BIGINT:
            raise BadPosition(_g("The position is out of range."))
        return Position(txid, event_id)
    if LEGACY_ID_RE.fullmatch(raw):
        event_id = int(raw)
        if event_id == 0:
            return START
        if event_id > MAX_BIGINT:
            raise BadPosition(_g("The position is out of range."))
        txid = AuditEvent.objects.filter(pk=event_id).values_list("txid", flat=True).first()
        if txid is None:
            raise BadPosition(_g("No event has this id; continue from the position of the last event you read."))
        return Position(txid, event_id)
    raise BadPosition(_g("A position is two numbers joined by a dot, as the feed gives it (e.g. 0.0 to start)."))


def horizon() -> tuple[int, int | None] | None:
    """(xmin, own txid): transactions below xmin have all ended; None where writers never overlap (SQLite).

    Read in its own statement before the events are: whatever ended before this snapshot has ended before
    the later one too, so every event below the horizon is visible to the read that follows. A transaction
    also sees its own events at once (a writer reading back what it did; the tests' transactions); a feed
    read in production writes no events, so it has none.
    """
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
                       " pg_current_xact_id_if_assigned()::text::bigint")
        return cursor.fetchone()


def after(queryset, position: Position, limit: int) -> list:
    """Up to `limit` events of `queryset` past `position`, in feed order, none that could still be overtaken."""
    queryset = queryset.filter(Q(txid__gt=position.txid) | Q(txid=position.txid, id__gt=position.id))
    limits = horizon()
    if limits is not None:
        xmin, own = limits
        settled = Q(txid__lt=xmin)
        if own is not None:
            settled |= Q(txid=own)
        queryset = queryset.filter(settled)
    return list(queryset.order_by("txid", "id")[:limit])


def iso_utc(moment) -> str:
    """Times as integrators read them, in the feed and in webhooks alike: UTC, ISO 8601 with its offset."""
    return moment.astimezone(UTC).isoformat()
