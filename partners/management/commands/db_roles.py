"""Create the database roles (owner and application) and grant the application role what serving needs."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

from partners.guards import app_role_name, grant_app_role

# Idempotent and safe when several databases of one cluster run it at once (roles are cluster-wide).
CREATE_ROLE = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {name}) THEN
        CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$
"""


class Command(BaseCommand):
    help = ("Run as a superuser (or the owner): create the application role and, with --owner, the owner role "
            "that migrates; passwords come from DATABASE_APP_PASSWORD and DATABASE_OWNER_PASSWORD.")

    def add_arguments(self, parser):
        parser.add_argument("--app-role", default=None, help="application role (default: DATABASE_APP_ROLE)")
        parser.add_argument("--owner", default="", help="also create this owner role and hand it the database")

    def handle(self, *args, app_role=None, owner="", **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist only on PostgreSQL.")
        app_role = app_role or app_role_name()
        raw = connection.cursor().connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            if cursor.fetchone()[0] in (app_role, owner):
                raise CommandError("Run this as a superuser, not as the role it creates or restricts.")
            cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
            may_create = cursor.fetchone()[0]
            for role, variable in ((owner, "DATABASE_OWNER_PASSWORD"), (app_role, "DATABASE_APP_PASSWORD")):
                if not role:
                    continue
                if may_create:
                    cursor.execute(sql.SQL(CREATE_ROLE).format(name=sql.Literal(role), role=sql.Identifier(role))
                                   .as_string(raw))
                    # A role created earlier by hand keeps none of these powers either. Altered only when
                    # needed: two databases' runs altering one role at once would collide.
                    cursor.execute("SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR "
                                   "rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
                    if cursor.fetchone()[0]:
                        cursor.execute(sql.SQL("ALTER ROLE {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                                               "NOBYPASSRLS").format(sql.Identifier(role)).as_string(raw))
                    password = os.environ.get(variable)
                    if password:
                        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                            sql.Identifier(role), sql.Literal(password)).as_string(raw))
                elif role == owner:
                    raise CommandError("Creating the owner role needs a superuser.")
            if owner:
                cursor.execute("SELECT current_database(), current_schema()")
                database, schema = cursor.fetchone()
                cursor.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(database), sql.Identifier(owner)).as_string(raw))
                cursor.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(
                    sql.Identifier(schema), sql.Identifier(owner)).as_string(raw))
        if not grant_app_role(connection, app_role):
            raise CommandError(f"The role {app_role} does not exist; run this command as a superuser.")
        self.stdout.write(f"Role {app_role} granted" + (f"; database owned by {owner}." if owner else "."))
