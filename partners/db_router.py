"""Read replicas: which reads may go to a PostgreSQL streaming replica, and which replica is fit to serve them.

Off unless DATABASE_REPLICA_URLS names replicas (registry/settings.py adds them as the aliases replica1, replica2,
…, and installs this router and partners.replica_middleware.ReplicaMiddleware). docs/OPERATIONS.md, "Read
replicas", is the operator's side.

Who reads where
- Only a web request can send reads to a replica. ReplicaMiddleware marks each request in a context variable:
  replica-eligible when its method is safe (GET, HEAD, OPTIONS), the person is not staff, and they have not
  written within READ_YOUR_WRITES_SECONDS (a cookie for the browser, a per-user cache key for every session and
  API key of the person). Celery tasks, management commands and the shell never set it: they read the primary.
- Within an eligible request a read goes to a replica only when all of these hold: the model is public data
  (REPLICA_MODELS: organisations, members, applications in their notice period, reference lists, profiles;
  never sessions, users, keys, security settings or the audit trail, which must be exact); no transaction is
  open on the primary (an atomic block reads what it writes); and the request has not written yet (a GET that
  writes reads its own rows from the primary from then on). Everything else, and every write, uses "default".
- A request keeps the replica it started with, so its reads come from one server.

Which replica
- Each process checks a replica at most every REPLICA_CHECK_SECONDS: the primary's current WAL position, then on
  the replica whether it has replayed up to it. If so it lags by nothing; if not, its lag is the age of the last
  transaction it replayed (pg_last_xact_replay_timestamp). A replica more than REPLICA_MAX_LAG_SECONDS behind is
  skipped until a later check finds it caught up. The position test avoids the false alarm of the timestamp alone,
  which grows while the primary is merely idle.
- A replica that cannot be reached (the check fails, or a query on it fails with a connection error) is skipped
  for REPLICA_RETRY_SECONDS. A read that failed that way is answered from the primary: the middleware runs the
  view again there, so a replica going down costs a slower answer, never a 500.
- With no replica fit, reads use the primary. Staleness is therefore bounded by REPLICA_MAX_LAG_SECONDS plus one
  check interval, which is why READ_YOUR_WRITES_SECONDS must be longer than both (settings enforce it).
"""

import contextvars
import logging
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

PRIMARY = "default"
# Public data: what the public pages and the members, organisations and reference APIs read. A model not named
# here is read from the primary, so forgetting one costs speed, never correctness.
REPLICA_MODELS = frozenset({
    "partners.organization", "partners.membership", "partners.membershipgrant", "partners.application",
    "partners.requestedtype", "partners.revision", "partners.district", "partners.industry",
    "partners.computeprofile", "partners.dataprofile", "partners.modelprofile", "partners.modelprofile_industries",
    "partners.applicationprofile", "partners.investmentprofile", "partners.scenario", "partners.memberindustry",
})


@dataclass
class RequestReads:
    """What the router knows of the current request."""

    eligible: bool = False
    wrote: bool = False
    replica: str | None = None  # chosen at the first read that may use one
    used: set = field(default_factory=set)  # replicas this request has read from


_request = contextvars.ContextVar("registry_replica_reads", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def begin_request(eligible: bool):
    return _request.set(RequestReads(eligible=eligible))


def end_request(token):
    _request.reset(token)


def current() -> RequestReads | None:
    return _request.get()


def stay_on_primary():
    """From now on the current request reads the primary (staff, a recent writer, a failed replica)."""
    state = _request.get()
    if state is not None:
        state.eligible = False
        state.replica = None


@contextmanager
def primary_reads():
    """Reads inside this block use the primary, e.g. to fill a cache whose entries outlive the lag bound."""
    token = _request.set(None)
    try:
        yield
    finally:
        _request.reset(token)


# --- Health of the replicas, per process ----------------------------------------------------------------------

@dataclass
class Health:
    checked_at: float
    usable: bool
    lag: float | None  # seconds; None when unreachable or never replayed
    down: bool = False


_health: dict[str, Health] = {}

LAG_SQL = ("SELECT pg_is_in_recovery(), COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, false), "
           "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")


def measure_lag(alias: str) -> float | None:
    """Seconds the replica is behind the primary now (0 when it has replayed all the primary has written);
    None when it has never replayed a transaction. Raises DatabaseError when either server cannot answer."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        primary_lsn = cursor.fetchone()[0]
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_SQL, [primary_lsn])
        in_recovery, caught_up, age = cursor.fetchone()
    if not in_recovery or caught_up:
        return 0.0  # a promoted server, or one that holds everything the primary had a moment ago
    return None if age is None else max(0.0, float(age))


def mark_down(alias: str):
    _health[alias] = Health(time.monotonic(), False, None, down=True)
    try:
        connections[alias].close()
    except DatabaseError:
        pass


def _check(alias: str) -> Health:
    now = time.monotonic()
    known = _health.get(alias)
    if known is not None:
        wait = settings.REPLICA_RETRY_SECONDS if known.down else settings.REPLICA_CHECK_SECONDS
        if now - known.checked_at < wait:
            return known
    try:
        lag = measure_lag(alias)
    except DatabaseError as exc:
        log.warning("Replica %s is unreachable; reading from the primary: %s", alias, exc)
        mark_down(alias)
        return _health[alias]
    usable = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
    if not usable and (known is None or known.usable):
        log.warning("Replica %s is %s s behind (bound %s s); reading from the primary.", alias,
                    "?" if lag is None else f"{lag:.1f}", settings.REPLICA_MAX_LAG_SECONDS)
    _health[alias] = Health(now, usable, lag)
    return _health[alias]


def forget_health():
    """Check every replica afresh at the next read (tests; an operator's shell after changing a replica)."""
    _health.clear()


def pick_replica() -> str | None:
    fit = [alias for alias in replica_aliases() if _check(alias).usable]
    return random.choice(fit) if fit else None


# --- The router -----------------------------------------------------------------------------------------------

class ReplicaRouter:
    """Django database router: eligible public reads to a fit replica, everything else to the primary."""

    def db_for_read(self, model, **hints):
        state = _request.get()
        if state is None or not state.eligible or state.wrote:
            return PRIMARY
        if model._meta.label_lower not in REPLICA_MODELS or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if state.replica is None:
            state.replica = pick_replica()
            if state.replica is None:
                state.eligible = False  # none fit: the whole request reads the primary
                return PRIMARY
        state.used.add(state.replica)
        return state.replica

    def db_for_write(self, model, **hints):
        state = _request.get()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # replicas follow the primary's WAL; they are never migrated themselves
