"""Two database roles: the audit trails append-only for the application role, purged only by the owner's function."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from partners.guards import install_role_guards, remove_role_guards
from partners.models.compliance import SECURITY_SETTING_BOUNDS


def clamp_security_settings(apps, schema_editor):
    """Settings stored below a floor (0 switched expiry or idle logout off) are raised to it."""
    SecuritySetting = apps.get_model("partners", "SecuritySetting")
    for key, (low, high) in SECURITY_SETTING_BOUNDS.items():
        SecuritySetting.objects.filter(key=key.value, value__lt=low).update(value=low)
        if high is not None:
            SecuritySetting.objects.filter(key=key.value, value__gt=high).update(value=high)


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0015_organization_invitations"),
    ]

    operations = [
        migrations.CreateModel(
            name='ActorPseudonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pseudonym', models.CharField(max_length=40, unique=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'audit pseudonym',
                'verbose_name_plural': 'audit pseudonyms',
            },
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='securityevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(clamp_security_settings, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='securitysetting',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('key', 'password_expiry_days'), ('value__gte', 1), ('value__lte', 365)), models.Q(('key', 'password_history'), ('value__gte', 1)), models.Q(('key', 'idle_minutes_staff'), ('value__gte', 1), ('value__lte', 30)), models.Q(('key', 'idle_minutes'), ('value__gte', 1), ('value__lte', 1440)), models.Q(('key', 'security_log_retention_days'), ('value__gte', 180)), models.Q(('key', 'attachment_retention_days'), ('value__gte', 1)), _connector='OR'), name='securitysetting_within_bounds'),
        ),
        migrations.RunPython(install_role_guards, remove_role_guards, elidable=False),
    ]
