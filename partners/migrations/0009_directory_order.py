"""Indexes for the default orders of the busiest lists, so a page reads its rows instead of sorting a table.

- the public directory and members API list active members newest first by (admitted_at, id): a keyset
  page reads 21 index entries instead of sorting every active member (75 ms at 20,000 members before);
- the staff queue lists non-draft applications newest submission first by (submitted_at, id) (a sort of
  127,000 rows spilling to disk, 260 ms under load, before);
- an application's staff page looks for other organisations with the same organisation code inside their
  credit code (`credit_code LIKE '%…%'`): a trigram index serves it on PostgreSQL (a scan of every
  organisation, 90 ms at 100,000, before).

Written as SQL, like the trigram indexes, so the models stay as they are; the first two work on SQLite too.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS membership_active_newest ON partners_membership "
    "(admitted_at DESC, id DESC) WHERE state = 'active'",
    "CREATE INDEX IF NOT EXISTS application_queue_newest ON partners_application "
    "(submitted_at DESC, id DESC) WHERE state <> 'draft'",
]
POSTGRES_ONLY = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS organization_credit_code_trgm ON partners_organization "
    "USING gin (credit_code gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS organization_credit_code_trgm",
    "DROP INDEX IF EXISTS application_queue_newest",
    "DROP INDEX IF EXISTS membership_active_newest",
]


def forwards(apps, schema_editor):
    for sql in FORWARD + (POSTGRES_ONLY if schema_editor.connection.vendor == "postgresql" else []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("partners", "0008_role_permissions")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
