"""Every refusal is audited, also when the refused change rolls back the transaction it was made in.

A refusal row written inside a transaction is lost when that transaction rolls back, and a refusal by the
database itself (the constraint trigger on the group-membership table, migration 0021) aborts the
transaction before any row can be written. Each database connection of the application therefore keeps
the refusals written (or refused by the database) in its open transaction, and writes again those the
rollback took away: at once after a rollback to a savepoint, and right after the connection is back in
autocommit after a whole transaction rolled back. Installed on every connection (PartnersConfig.ready,
connection_created), so web requests, management commands, Celery tasks and the shell are all covered.

A session outside the application (psql) has no such hook: the database refuses it, PostgreSQL logs the
error, and no audit row is written (docs/COMPLIANCE.md, "Known limits").
"""

import json
import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _g

log = logging.getLogger(__name__)

# The name the trigger raises its refusal under (RAISE ... USING CONSTRAINT), see partners/guards.py.
ADMIN_ROLES_CONSTRAINT = "partners_one_administrator_role"


class AdministratorRolesRefused(IntegrityError):
    """The database refused a second administrator role for one person; the refusal is audited."""


def _from_testcase(block) -> bool:
    # Django marks the transactions a TestCase opens around each test; they are not the application's.
    return bool(getattr(block, "_from_testcase", False))


def _app_transaction_open(conn) -> bool:
    """True while the application itself holds a transaction open that may still roll back."""
    if conn.connection is None or conn.get_autocommit():
        return False
    return not conn.atomic_blocks or any(not _from_testcase(b) for b in conn.atomic_blocks)


def _entry(conn, pk, payload) -> dict:
    return {"pk": pk, "payload": payload, "under_test": any(_from_testcase(b) for b in conn.atomic_blocks)}


def keep_if_rolled_back(event, payload: dict) -> None:
    """Called for each refusal row written: remember it while a transaction that may roll back is open."""
    from django.db import connections

    conn = connections[event._state.db or "default"]
    if getattr(conn, "_registry_refusals_installed", False) and _app_transaction_open(conn):
        conn._registry_refusals.append(_entry(conn, event.pk, payload))


def _write(conn, payload: dict) -> None:
    """Write one refusal again; if the actor cannot be named by pseudonym (the account itself was rolled
    back), it is named by its id. Never raises: this runs inside Django's transaction handling."""
    from .audit import log_security

    payload = dict(payload)
    user = payload.get("user")
    if user is not None:
        user.__dict__.pop("_audit_pseudonym", None)  # the pseudonym may have rolled back with the rest
    try:
        with transaction.atomic(using=conn.alias):
            log_security(**payload)
        return
    except Exception:  # noqa: BLE001 - the fallback below still records the refusal
        log.warning("refusal %s: actor not named by pseudonym", payload.get("action"), exc_info=True)
    try:
        with transaction.atomic(using=conn.alias):
            label = f"user:{user.pk}" if getattr(user, "pk", None) else payload.get("label", "")
            log_security(**{**payload, "user": None, "label": label})
    except Exception:  # noqa: BLE001
        log.exception("a refusal could not be audited: %s", payload)


def _after_savepoint_rollback(conn) -> None:
    from ..models import SecurityEvent

    entries, conn._registry_refusals = conn._registry_refusals, []
    if not entries:
        return
    try:
        pks = [e["pk"] for e in entries if e["pk"]]
        alive = set(SecurityEvent.objects.using(conn.alias).filter(pk__in=pks).values_list("pk", flat=True))
    except Exception:  # noqa: BLE001 - the outer transaction is broken; it will roll back as a whole
        conn._registry_refusals = entries
        return
    conn._registry_refusals = [e for e in entries if e["pk"] in alive]
    for entry in entries:
        if entry["pk"] not in alive:
            _write(conn, entry["payload"])  # tracked again if a transaction is still open


def _flush_lost(conn) -> None:
    lost, conn._registry_refusals_lost = conn._registry_refusals_lost, []
    for entry in lost:
        _write(conn, entry["payload"])


def install(conn) -> None:
    """Hook one connection wrapper (idempotent: connection_created fires at every reconnect)."""
    if getattr(conn, "_registry_refusals_installed", False):
        return
    conn._registry_refusals_installed = True
    conn._registry_refusals = []  # written in the open transaction; may still roll back
    conn._registry_refusals_lost = []  # rolled back with a whole transaction; written in autocommit
    rollback, savepoint_rollback = conn.rollback, conn.savepoint_rollback
    commit, set_autocommit = conn.commit, conn.set_autocommit

    def rollback_hook():
        # The test harness's own transaction is rolled back at the end of each test: its rows go with it.
        entries = [e for e in conn._registry_refusals if not e["under_test"]]
        conn._registry_refusals = []
        rollback()
        conn._registry_refusals_lost.extend(entries)
        if conn.get_autocommit():
            _flush_lost(conn)

    def savepoint_rollback_hook(sid):
        savepoint_rollback(sid)
        _after_savepoint_rollback(conn)

    def commit_hook():
        commit()
        conn._registry_refusals = []

    def set_autocommit_hook(autocommit, *args, **kwargs):
        set_autocommit(autocommit, *args, **kwargs)
        if autocommit and conn._registry_refusals_lost:
            _flush_lost(conn)

    conn.rollback, conn.savepoint_rollback = rollback_hook, savepoint_rollback_hook
    conn.commit, conn.set_autocommit = commit_hook, set_autocommit_hook
    conn.execute_wrappers.insert(0, recognise_database_refusal)


def on_connection_created(sender, connection, **kwargs):
    install(connection)


def _refusal_of(exc, sql) -> dict | None:
    """The audit payload of the trigger's refusal, or None for any other database error."""
    diag = getattr(exc.__cause__, "diag", None)
    if getattr(diag, "constraint_name", None) != ADMIN_ROLES_CONSTRAINT:
        return None
    from .security import current_actor

    try:
        detail = json.loads(diag.message_detail or "{}")
    except ValueError:
        detail = {}
    actor, ip = current_actor()
    roles = sorted(r for r in detail.get("roles") or [] if isinstance(r, str))
    return {"action": "role.granted", "user": actor, "ip": ip, "label": "" if actor else "system",
            "object_ref": f"user:{detail.get('user_id', '')}", "result": "refused",
            "data": {"roles": roles, "path": "database", "statement": " ".join(str(sql).split())[:200],
                     "reason": diag.message_primary or ""}}


def recognise_database_refusal(execute, sql, params, many, context):
    """Turn the trigger's refusal into an audited, clearly worded error."""
    try:
        return execute(sql, params, many, context)
    except IntegrityError as exc:
        payload = _refusal_of(exc, sql)
        if payload is None:
            raise
        conn = context["connection"]
        if conn.in_atomic_block or not conn.get_autocommit():
            conn._registry_refusals.append(_entry(conn, None, payload))  # written after the rollback
        else:
            _write(conn, payload)  # autocommit: the refused statement is already over
        from ..enums import StaffRole

        labels = ", ".join(str(StaffRole(r).label) for r in payload["data"]["roles"] if r in StaffRole.values)
        raise AdministratorRolesRefused(
            _g("One person cannot hold more than one of the system, security and audit administrator roles "
               "(%(roles)s).") % {"roles": labels}) from exc
