"""A database-level guard: on PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE of the audit trails."""

from django.db import migrations

from partners.guards import install_append_only_triggers, remove_append_only_triggers


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0002_reference_data_and_roles"),
    ]

    operations = [
        migrations.RunPython(install_append_only_triggers, remove_append_only_triggers, elidable=False),
    ]
