"""Stable public ids (UUID) for every row the API shows; the integer keys stay internal.

Three steps per table, so a table with rows migrates: add the column nullable, give every row its own
uuid4, then make the column unique and not null. The audit trail is append-only and its guard refuses every
UPDATE, so on PostgreSQL its column is filled by the table rewrite of `ADD COLUMN ... DEFAULT gen_random_uuid()`
(a volatile default gives each existing row its own value, and a rewrite fires no row trigger); no audit row
is updated and the guard is never switched off. Webhook payloads already stored in the outbox are rewritten
to the public ids, so deliveries still to be sent and the delivery log say what the feed says.
"""

import uuid

from django.db import migrations, models

# (model, table); the historical organisation copies the id of the organisation it is a version of.
MODELS = [
    ("organization", "partners_organization"),
    ("attachment", "partners_attachment"),
    ("decision", "partners_decision"),
    ("webhooksubscription", "partners_webhooksubscription"),
    ("notification", "partners_notification"),
    ("auditevent", "partners_auditevent"),
]
AUDIT_TABLE = "partners_auditevent"
BATCH = 1000


def _fill_python(Model):
    # SQLite and any other backend: a distinct uuid4 per row, in batches.
    while True:
        rows = list(Model.objects.filter(public_id__isnull=True).only("pk")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.public_id = uuid.uuid4()
        Model.objects.bulk_update(rows, ["public_id"])


def fill_public_ids(apps, schema_editor):
    connection = schema_editor.connection
    for model_name, table in MODELS:
        Model = apps.get_model("partners", model_name)
        if connection.vendor != "postgresql":
            _fill_python(Model)
            continue
        with connection.cursor() as cursor:
            # gen_random_uuid() is a version-4 UUID, drawn anew for each row.
            if table == AUDIT_TABLE:
                # The column AddField made is empty; made again with a volatile default, the table rewrite fills
                # it row by row without an UPDATE (which the append-only guard would refuse).
                cursor.execute(f"ALTER TABLE {table} DROP COLUMN public_id")
                cursor.execute(f"ALTER TABLE {table} ADD COLUMN public_id uuid NULL DEFAULT gen_random_uuid()")
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN public_id DROP DEFAULT")
            else:
                cursor.execute(f"UPDATE {table} SET public_id = gen_random_uuid() WHERE public_id IS NULL")
    Historical = apps.get_model("partners", "HistoricalOrganization")
    Organization = apps.get_model("partners", "Organization")
    ids = dict(Organization.objects.values_list("pk", "public_id"))
    versions = list(Historical.objects.filter(public_id__isnull=True).only("history_id", "id"))
    for version in versions:
        # A version of an organisation deleted since gets an id of its own; no one can address it anyway.
        version.public_id = ids.get(version.id) or uuid.uuid4()
    Historical.objects.bulk_update(versions, ["public_id"], batch_size=BATCH)


def rewrite_webhook_payloads(apps, schema_editor):
    """Stored payloads named the integer keys; they now carry the public ids, as new payloads do."""
    Notification = apps.get_model("partners", "Notification")
    AuditEvent = apps.get_model("partners", "AuditEvent")
    Application = apps.get_model("partners", "Application")
    Organization = apps.get_model("partners", "Organization")
    rows = list(Notification.objects.filter(channel="webhook").only("pk", "context"))
    if not rows:
        return
    payloads = [r.context.get("payload") for r in rows if isinstance((r.context or {}).get("payload"), dict)]

    def lookup(Model, key):
        wanted = {p.get(key) for p in payloads if isinstance(p.get(key), int)}
        return {pk: str(public) for pk, public in Model.objects.filter(pk__in=wanted).values_list("pk", "public_id")}

    events, applications, organizations = (lookup(AuditEvent, "id"), lookup(Application, "application"),
                                           lookup(Organization, "organization"))
    changed = []
    for row in rows:
        payload = (row.context or {}).get("payload")
        if not isinstance(payload, dict):
            continue
        for key, known in (("id", events), ("application", applications), ("organization", organizations)):
            if isinstance(payload.get(key), int):
                payload[key] = known.get(payload[key])
        changed.append(row)
    Notification.objects.bulk_update(changed, ["context"], batch_size=BATCH)


def _nullable():
    return models.UUIDField(null=True, editable=False)


def _final():
    return models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name="public identifier")


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0019_event_feed_position"),
    ]

    operations = [
        *[migrations.AddField(model_name, "public_id", _nullable()) for model_name, _table in MODELS],
        migrations.AddField("historicalorganization", "public_id", models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(rewrite_webhook_payloads, migrations.RunPython.noop, elidable=False),
        *[migrations.AlterField(model_name, "public_id", _final()) for model_name, _table in MODELS],
        migrations.AlterField("historicalorganization", "public_id",
                              models.UUIDField(db_index=True, default=uuid.uuid4, editable=False,
                                               verbose_name="public identifier")),
    ]
