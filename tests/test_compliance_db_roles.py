"""The audit trails are append-only for the application role: PostgreSQL refuses every way around, purge aside."""

import json
import os
from datetime import timedelta

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from partners.models import AuditEvent, SecurityEvent
from partners.services.audit import log_event, log_security

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles exist only on PostgreSQL")
# The application role is one object of the whole cluster, created by every test database: one at a time.
pytestmark = [pytest.mark.django_db, on_postgres, pytest.mark.serial]

AUDIT_TABLES = ("partners_auditevent", "partners_securityevent")
# Every column of each trail and a value of its type to write over it.
COLUMNS = {
    "partners_securityevent": {"action": "'forged'", "actor_id": "NULL", "actor_label": "'x'",
                               "source_ip": "'198.51.100.1'", "object_ref": "'x'", "result": "'failure'",
                               "data": "'{\"forged\": 1}'", "created_at": "now() - interval '400 days'"},
    "partners_auditevent": {"action": "'forged'", "actor_id": "NULL", "actor_label": "'x'", "application_id": "1",
                            "organization_id": "1", "from_state": "'x'", "to_state": "'x'",
                            "data": "'{\"forged\": 1}'", "visible_to_applicant": "true",
                            "created_at": "now() - interval '400 days'", "txid": "0",
                            "public_id": "gen_random_uuid()"},
}
INSERT = {
    "partners_securityevent": "INSERT INTO partners_securityevent (action, actor_id, actor_label, source_ip, "
                              "object_ref, result, data, created_at) VALUES ('auth.login', 7, 'a', '192.0.2.1', "
                              "'', 'success', '{}', %s) RETURNING id",
    "partners_auditevent": "INSERT INTO partners_auditevent (action, actor_id, actor_label, from_state, "
                           "to_state, data, visible_to_applicant, created_at, public_id) VALUES "
                           "('application.created', 7, 'a', '', '', '{}', false, %s, gen_random_uuid()) RETURNING id",
}


@pytest.fixture(scope="module")
def app_role(django_db_setup, django_db_blocker):
    """The role exists (created idempotently: other test databases of the cluster share it) and is granted."""
    with django_db_blocker.unblock():
        call_command("db_roles", verbosity=0)
        return connection.settings_dict.copy()


@pytest.fixture
def app_db(app_role):
    """A separate login as the application role: a superuser session (even after SET ROLE) would bypass
    the guard being tested. Work done through it is never committed."""
    from partners.guards import app_role_name

    conn = psycopg.connect(host=app_role["HOST"] or "127.0.0.1", port=app_role["PORT"] or 5432,
                           dbname=app_role["NAME"], user=app_role_name(), connect_timeout=5,
                           password=os.environ.get("DATABASE_APP_PASSWORD"))
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


def insert_as_app(conn, table, days_ago=0):
    return conn.execute(INSERT[table], [timezone.now() - timedelta(days=days_ago)]).fetchone()[0]


def refused(conn, sql, params=None):
    """The statement fails for lack of privilege (or the trigger's refusal); the transaction is rolled back."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql, params)
    conn.rollback()


def test_the_application_role_is_no_superuser_and_owns_nothing(app_db):
    row = app_db.execute("SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
                         "FROM pg_roles WHERE rolname = current_user").fetchone()
    assert row == (False, False, False, False, False)
    owned = app_db.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user").fetchone()[0]
    assert owned == 0


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_the_application_role_inserts_and_reads_audit_rows(app_db, table):
    pk = insert_as_app(app_db, table)
    assert app_db.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [pk]).fetchone()[0] == 1


@pytest.mark.parametrize(("table", "column"), [(t, c) for t, cols in COLUMNS.items() for c in cols])
def test_the_application_role_cannot_update_any_column(app_db, table, column):
    pk = insert_as_app(app_db, table, days_ago=400)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_db.execute(f"UPDATE {table} SET {column} = {COLUMNS[table][column]} WHERE id = %s", [pk])
    app_db.rollback()


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_the_application_role_cannot_delete_truncate_or_alter(app_db, table):
    for days_ago in (0, 400):  # a fresh row, and one past the retention floor
        pk = insert_as_app(app_db, table, days_ago=days_ago)
        refused(app_db, f"DELETE FROM {table} WHERE id = %s", [pk])
    refused(app_db, f"TRUNCATE {table}")
    refused(app_db, f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    refused(app_db, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    refused(app_db, f"DROP TRIGGER {table}_append_only ON {table}")
    refused(app_db, f"ALTER TABLE {table} OWNER TO CURRENT_USER")
    refused(app_db, "CREATE OR REPLACE FUNCTION partners_refuse_audit_change() RETURNS trigger "
                    "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$")


def test_the_application_role_cannot_switch_triggers_off_for_its_session(app_db):
    for sql in ("SET session_replication_role = replica", "SET LOCAL session_replication_role = replica",
                "SELECT set_config('session_replication_role', 'replica', false)"):
        refused(app_db, sql)
    assert app_db.execute("SHOW session_replication_role").fetchone()[0] == "origin"


def test_the_old_purge_flag_opens_nothing(app_db):
    pk = insert_as_app(app_db, "partners_securityevent", days_ago=400)
    app_db.execute("SET LOCAL registry.allow_purge = 'on'")  # any session may set a custom setting ...
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # ... and it lets nothing through
        app_db.execute("DELETE FROM partners_securityevent WHERE id = %s", [pk])
    app_db.rollback()


def test_the_purge_function_deletes_exactly_the_rows_past_the_floor_and_audits_itself(app_db):
    ages = {insert_as_app(app_db, "partners_securityevent", days_ago=d): d for d in (400, 181, 179, 1, 0)}
    # Asking for 30 days changes nothing: the function reads the floor (180 days) itself.
    deleted = app_db.execute("SELECT partners_purge_security_events(30)").fetchone()[0]
    assert deleted == 2
    left = {pk for (pk,) in app_db.execute("SELECT id FROM partners_securityevent WHERE id = ANY(%s)",
                                           [list(ages)])}
    assert sorted(ages[pk] for pk in left) == [0, 1, 179]
    action, label, data = app_db.execute(
        "SELECT action, actor_label, data FROM partners_securityevent ORDER BY id DESC LIMIT 1").fetchone()
    assert (action, label) == ("audit.purged", "retention job")
    assert data["deleted"] == 2 and data["retention_days"] == 180


def test_the_purge_keeps_longer_when_the_stored_setting_says_so(app_db):
    kept = insert_as_app(app_db, "partners_securityevent", days_ago=200)
    gone = insert_as_app(app_db, "partners_securityevent", days_ago=400)
    app_db.execute("INSERT INTO partners_securitysetting (key, value, changed_at) "
                   "VALUES ('security_log_retention_days', 365, now())")
    assert app_db.execute("SELECT partners_purge_security_events(180)").fetchone()[0] == 1
    left = {pk for (pk,) in app_db.execute("SELECT id FROM partners_securityevent WHERE id IN (%s, %s)",
                                           [kept, gone])}
    assert left == {kept}
    refused_floor = "UPDATE partners_securitysetting SET value = 30 WHERE key = 'security_log_retention_days'"
    with pytest.raises(psycopg.errors.CheckViolation):  # and the floor cannot be lowered under the function
        app_db.execute(refused_floor)


# --- The trigger, second line: even the owner cannot change a row or delete a fresh one --------------

@pytest.mark.parametrize(("table", "column"), [(t, c) for t, cols in COLUMNS.items() for c in cols])
def test_the_trigger_refuses_an_update_of_every_column_even_for_the_owner(applicant, table, column):
    event = (log_security("auth.login", user=applicant, ip="192.0.2.1") if table == "partners_securityevent"
             else log_event("application.created", actor=applicant))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(f"UPDATE {table} SET {column} = {COLUMNS[table][column]} WHERE id = %s", [event.pk])
    model = SecurityEvent if table == "partners_securityevent" else AuditEvent
    assert model.objects.filter(pk=event.pk, actor=applicant, action=event.action).exists()


def test_the_trigger_refuses_the_owner_a_fresh_row_and_any_business_audit_row():
    fresh = log_security("auth.login", ip="192.0.2.1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM partners_securityevent WHERE id = %s", [fresh.pk])
    with connection.cursor() as c:
        c.execute("INSERT INTO partners_auditevent (action, actor_label, from_state, to_state, data, "
                  "visible_to_applicant, created_at, public_id) VALUES ('x', '', '', '', %s, false, %s, "
                  "gen_random_uuid()) RETURNING id",
                  [json.dumps({}), timezone.now() - timedelta(days=4000)])
        old = c.fetchone()[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM partners_auditevent WHERE id = %s", [old])
    assert SecurityEvent.objects.filter(pk=fresh.pk).exists() and AuditEvent.objects.filter(pk=old).exists()


def test_the_application_role_cannot_give_one_person_two_administrator_roles(app_db):
    person = app_db.execute(
        "INSERT INTO partners_user (password, is_superuser, is_staff, is_active, date_joined, email, display_name, "
        "phone, language, password_changed_at) VALUES ('!', false, true, true, now(), "
        "'two-roles@example.com', '', '', 'en', now()) RETURNING id").fetchone()[0]
    groups = dict(app_db.execute("SELECT name, id FROM auth_group WHERE name IN "
                                 "('system_admin', 'security_admin', 'audit_admin')").fetchall())
    insert = "INSERT INTO partners_user_groups (user_id, group_id) VALUES (%s, %s)"
    app_db.execute(insert, [person, groups["audit_admin"]])
    with pytest.raises(psycopg.errors.CheckViolation, match="administrator role") as refused_here:
        app_db.execute(insert, [person, groups["system_admin"]])
    assert refused_here.value.diag.constraint_name == "partners_one_administrator_role"
    app_db.rollback()
    # A session outside the application (this one) is refused, but nothing writes an audit row for it: the
    # stated limit of docs/COMPLIANCE.md; PostgreSQL's own log has the error and the statement.
    refusals = app_db.execute("SELECT count(*) FROM partners_securityevent WHERE object_ref = %s",
                              [f"user:{person}"]).fetchone()[0]
    assert refusals == 0


def test_the_application_role_cannot_lower_a_security_setting_below_its_floor(app_db):
    for key, value in (("password_expiry_days", 0), ("idle_minutes", 0), ("idle_minutes_staff", 0),
                       ("security_log_retention_days", 30), ("idle_minutes_staff", 31)):
        with pytest.raises(psycopg.errors.CheckViolation):
            app_db.execute("INSERT INTO partners_securitysetting (key, value, changed_at) VALUES (%s, %s, now())",
                           [key, value])
        app_db.rollback()


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_the_column_list_of_these_tests_is_every_column_of_the_trail(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table])
        columns = {row[0] for row in cursor.fetchall()}
    assert columns - {"id"} == set(COLUMNS[table])
