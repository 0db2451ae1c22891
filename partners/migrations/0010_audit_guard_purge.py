"""Let the audited retention job delete expired security events through the append-only trigger."""

from django.db import migrations

from partners.guards import replace_trigger_function


class Migration(migrations.Migration):
    dependencies = [("partners", "0009_directory_order")]
    operations = [migrations.RunPython(replace_trigger_function, migrations.RunPython.noop)]
