"""Let the deletion of an account replace its actor in the audit trails by a pseudonym (and nothing else)."""

from django.db import migrations

from partners.guards import replace_trigger_function


class Migration(migrations.Migration):
    dependencies = [("partners", "0010_audit_guard_purge")]

    operations = [migrations.RunPython(replace_trigger_function, migrations.RunPython.noop)]
