"""Personal data: the retention jobs are scheduled."""

from django.db import migrations


def install_schedule(apps, schema_editor):
    # The same function as `manage.py setup_periodic_tasks`: adds the login, API and session retention jobs.
    from partners.tasks import install_periodic_tasks

    install_periodic_tasks(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0017_audit_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(install_schedule, migrations.RunPython.noop),
    ]
