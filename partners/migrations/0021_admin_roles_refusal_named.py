"""The membership trigger raises its refusal under a constraint name, so the application audits it."""

from django.db import migrations

from partners.guards import name_admin_roles_refusal


class Migration(migrations.Migration):
    dependencies = [("partners", "0020_public_ids")]

    operations = [
        # Reversing keeps the named refusal: the check itself is the same as migration 0017's.
        migrations.RunPython(name_admin_roles_refusal, migrations.RunPython.noop),
    ]
