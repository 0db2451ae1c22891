"""Guards below the application: the login name django-axes counts, and the database's append-only audit."""

APPEND_ONLY_TABLES = ("partners_auditevent", "partners_securityevent")

# One trigger function for both trails. The only change let through is the one Django itself makes when a
# user row is deleted (actor_id set to NULL by on_delete=SET_NULL): the actor's label stays in the record.
# The retention job (services.privacy.purge_security_events) may delete expired security events: it sets
# the transaction-local flag registry.allow_purge, and audits the purge itself.
# Deletion of an account (services.audit.pseudonymise_actor) may replace the person's actor, label and object
# reference by a pseudonym: it sets the transaction-local flag registry.allow_pseudonymise, and nothing else
# in the row may change.
# TRUNCATE is left to the table owner (test flushes need it); the production role should not own the tables.
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
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
            AND current_setting('registry.allow_pseudonymise', true) = 'on'
            AND (to_jsonb(NEW) - 'actor_id' - 'actor_label' - 'object_ref')
                = (to_jsonb(OLD) - 'actor_id' - 'actor_label' - 'object_ref') THEN
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
