"""Guards below the application: the login name django-axes counts, and the database's append-only audit."""

APPEND_ONLY_TABLES = ("partners_auditevent", "partners_securityevent")

# The trigger function as migrations 0003 and 0010 installed it, kept so they replay unchanged; migration
# 0017 replaces it (GUARD_FUNCTIONS_SQL below): no column changes any more, and no session flag opens
# deletion. TRUNCATE is left to the table owner (test flushes need it); the application role owns nothing.
TRIGGER_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION partners_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'partners_securityevent'
            AND current_setting('registry.allow_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
            AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def install_sql(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION partners_refuse_audit_change();
"""


def remove_sql(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
"""


def install_append_only_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the embedded set-up) relies on the ORM guard alone
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TRIGGER_FUNCTION_SQL)
        for table in APPEND_ONLY_TABLES:
            cursor.execute(install_sql(table))


def replace_trigger_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TRIGGER_FUNCTION_SQL)


def remove_append_only_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            cursor.execute(remove_sql(table))
        cursor.execute("DROP FUNCTION IF EXISTS partners_refuse_audit_change()")


def login_username(request, credentials=None):
    """The account name of a login attempt, whichever form sent it (allauth `login`, admin `username`).

    django-axes locks by this name; without it, attempts through allauth (which authenticates with
    `email=`) would be counted under no name and never lock.
    """
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for key in ("email", "login", "username"):
            value = source.get(key) if hasattr(source, "get") else None
            if value:
                return str(value).strip().lower()
    return None


# --- Two roles: the owner migrates, the application role serves and runs jobs (migration 0017) ----------
# The application role holds no TRUNCATE, ALTER, UPDATE or DELETE on the audit trails and is no superuser,
# so it can neither set session_replication_role nor disable a trigger. Nothing a session sets opens
# deletion: only the retention function below, which runs as the owner (SECURITY DEFINER), deletes, and
# the trigger lets a delete through only for that role and only for rows past the floor.

SECURITY_LOG_FLOOR_DAYS = 180  # 网络安全法 art. 21: network logs are kept at least six months
ADMIN_ROLE_GROUPS = ("system_admin", "security_admin", "audit_admin")

GUARD_FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION partners_security_log_floor_days() RETURNS integer
    LANGUAGE sql STABLE AS $$
    SELECT greatest(%(floor)s, coalesce((SELECT value FROM partners_securitysetting
                                         WHERE key = 'security_log_retention_days'), %(floor)s))
$$;

CREATE OR REPLACE FUNCTION partners_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'partners_securityevent'
            AND current_user = (SELECT tableowner FROM pg_tables
                                WHERE schemaname = TG_TABLE_SCHEMA AND tablename = TG_TABLE_NAME)
            AND OLD.created_at < now() - make_interval(days => partners_security_log_floor_days()) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION partners_purge_security_events(requested_days integer DEFAULT %(floor)s)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = %(schema)s, pg_temp AS $$
DECLARE
    days integer := greatest(coalesce(requested_days, 0), partners_security_log_floor_days());
    cutoff timestamptz := now() - make_interval(days => days);
    deleted integer;
BEGIN
    DELETE FROM partners_securityevent WHERE created_at < cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    INSERT INTO partners_securityevent (action, actor_id, actor_label, source_ip, object_ref, result, data,
                                        created_at)
        VALUES ('audit.purged', NULL, 'retention job', NULL, 'security_log', 'success',
                jsonb_build_object('deleted', deleted, 'older_than', cutoff, 'retention_days', days), now());
    RETURN deleted;
END;
$$;
REVOKE ALL ON FUNCTION partners_purge_security_events(integer) FROM PUBLIC;

CREATE OR REPLACE FUNCTION partners_check_admin_roles() RETURNS trigger AS $$
DECLARE
    held integer;
BEGIN
    -- Lock the person, so two transactions granting two roles at once cannot both pass.
    PERFORM 1 FROM partners_user WHERE id = NEW.user_id FOR UPDATE;
    SELECT count(*) INTO held FROM partners_user_groups ug JOIN auth_group g ON g.id = ug.group_id
        WHERE ug.user_id = NEW.user_id AND g.name IN ('system_admin', 'security_admin', 'audit_admin');
    IF held > 1 THEN
        RAISE EXCEPTION 'one person cannot hold more than one administrator role (user %%)', NEW.user_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS partners_user_groups_admin_roles ON partners_user_groups;
CREATE CONSTRAINT TRIGGER partners_user_groups_admin_roles AFTER INSERT OR UPDATE ON partners_user_groups
    FOR EACH ROW EXECUTE FUNCTION partners_check_admin_roles();
"""

REMOVE_GUARD_FUNCTIONS_SQL = """
DROP TRIGGER IF EXISTS partners_user_groups_admin_roles ON partners_user_groups;
DROP FUNCTION IF EXISTS partners_check_admin_roles();
DROP FUNCTION IF EXISTS partners_purge_security_events(integer);
"""


def install_role_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the embedded set-up) relies on the ORM guard alone
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        quoted = schema_editor.connection.ops.quote_name(schema)
        cursor.execute(GUARD_FUNCTIONS_SQL.replace("%(floor)s", str(SECURITY_LOG_FLOOR_DAYS))
                       .replace("%(schema)s", quoted).replace("%%", "%"))
        for table in APPEND_ONLY_TABLES:
            cursor.execute(install_sql(table))
    grant_app_role(schema_editor.connection)


def remove_role_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(REMOVE_GUARD_FUNCTIONS_SQL)
        cursor.execute(TRIGGER_FUNCTION_SQL)


def app_role_name() -> str:
    from django.conf import settings

    return getattr(settings, "DATABASE_APP_ROLE", "registry_app")


def role_exists(connection, role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def grant_app_role(connection, role: str | None = None) -> bool:
    """Give the application role what serving needs, and no more; run by the owner after every migration.

    Every table: SELECT, INSERT, UPDATE, DELETE, except the audit trails (SELECT, INSERT only). Sequences:
    USAGE, SELECT. The retention function: EXECUTE. No TRUNCATE, REFERENCES or TRIGGER anywhere.
    """
    if connection.vendor != "postgresql":
        return False
    role = role or app_role_name()
    if not role_exists(connection, role):
        return False
    q = connection.ops.quote_name
    app = q(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = q(cursor.fetchone()[0])
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        names = [name for (name,) in cursor.fetchall()]
        tables = [q(name) for name in names]
        # Before the first migration (a fresh database) there is nothing to restrict yet.
        audit_tables = ", ".join(q(t) for t in APPEND_ONLY_TABLES if t in names)
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {app}")
        cursor.execute(f"REVOKE CREATE ON SCHEMA {schema} FROM {app}")
        if tables:
            listed = ", ".join(tables)
            cursor.execute(f"REVOKE ALL ON {listed} FROM {app}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {listed} TO {app}")
        if audit_tables:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit_tables} FROM {app}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}")
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'partners_purge_security_events'")
        if cursor.fetchone():
            cursor.execute(f"GRANT EXECUTE ON FUNCTION partners_purge_security_events(integer) TO {app}")
    return True


# --- The membership trigger names its refusal (migration 0021) ------------------------------------------
# The same check as above, raised under a constraint name and with a JSON detail (the person and the roles
# they would hold), so the application recognises the refusal and audits it (services/refusals.py). A
# session outside the application gets the same refusal, and PostgreSQL logs the error with its statement.

ADMIN_ROLES_CHECK_SQL = """
CREATE OR REPLACE FUNCTION partners_check_admin_roles() RETURNS trigger AS $$
DECLARE
    held text[];
BEGIN
    -- Lock the person, so two transactions granting two roles at once cannot both pass.
    PERFORM 1 FROM partners_user WHERE id = NEW.user_id FOR UPDATE;
    SELECT array_agg(g.name ORDER BY g.name) INTO held FROM partners_user_groups ug
        JOIN auth_group g ON g.id = ug.group_id
        WHERE ug.user_id = NEW.user_id AND g.name IN ('system_admin', 'security_admin', 'audit_admin');
    IF coalesce(array_length(held, 1), 0) > 1 THEN
        RAISE EXCEPTION 'one person cannot hold more than one administrator role (user %)', NEW.user_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'partners_one_administrator_role',
                  DETAIL = json_build_object('user_id', NEW.user_id, 'roles', held)::text;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def name_admin_roles_refusal(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(ADMIN_ROLES_CHECK_SQL)
