"""Each audit event remembers the transaction that wrote it: the events feed's gap-free position."""

from django.db import migrations, models

STAMP_SQL = """
CREATE OR REPLACE FUNCTION partners_stamp_event_txid() RETURNS trigger AS $$
BEGIN
    NEW.txid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS partners_auditevent_txid ON partners_auditevent;
CREATE TRIGGER partners_auditevent_txid BEFORE INSERT ON partners_auditevent
    FOR EACH ROW EXECUTE FUNCTION partners_stamp_event_txid();
"""

UNSTAMP_SQL = """
DROP TRIGGER IF EXISTS partners_auditevent_txid ON partners_auditevent;
DROP FUNCTION IF EXISTS partners_stamp_event_txid();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STAMP_SQL)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNSTAMP_SQL)


class Migration(migrations.Migration):
    dependencies = [("partners", "0018_personal_data")]
    operations = [
        # Events written before this change keep their order: all at transaction 0, then by id.
        migrations.AddField("auditevent", "txid", models.BigIntegerField(db_default=0, editable=False)),
        migrations.AddIndex("auditevent", models.Index(fields=["txid", "id"], name="auditevent_feed_position")),
        migrations.RunPython(install, remove),
    ]
