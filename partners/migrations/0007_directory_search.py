"""Trigram indexes for the directory's name search (PostgreSQL only; SQLite searches without them).

Django's icontains is `UPPER(col) LIKE UPPER('%q%')` on PostgreSQL, so the GIN indexes are built on
UPPER(name) and UPPER(name_en) with gin_trgm_ops: a substring search, Chinese included, uses them.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS organization_name_trgm ON partners_organization "
    "USING gin (UPPER(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS organization_name_en_trgm ON partners_organization "
    "USING gin (UPPER(name_en) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS organization_name_en_trgm",
    "DROP INDEX IF EXISTS organization_name_trgm",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in FORWARD:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("partners", "0006_notifications")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
