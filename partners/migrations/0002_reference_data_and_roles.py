"""Load the reference data from seeds/reference/ and create the staff role groups."""

from django.db import migrations

ROLES = ["reviewer", "approver", "service_officer", "administrator", "system_admin", "security_admin",
         "audit_admin"]


def forwards(apps, schema_editor):
    from partners.reference_data import load

    load(apps)
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
