"""Trust boundaries: webhook secret rotation, API key expiry, second-factor secrets encrypted at rest."""

from django.db import migrations, models


def encrypt_second_factor_secrets(apps, schema_editor):
    """TOTP keys and recovery-code seeds stored in clear before are encrypted with FIELD_ENCRYPTION_KEY."""
    from partners import crypto

    Authenticator = apps.get_model("mfa", "Authenticator")
    for row in Authenticator.objects.using(schema_editor.connection.alias).iterator():
        if crypto.has_clear_secrets(row.data):
            row.data = crypto.encrypt_authenticator_data(row.data)
            row.save(update_fields=["data"])


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0013_mail_attempts"),
        ('mfa', '0003_authenticator_type_uniq'),
    ]

    operations = [
        migrations.AddField(
            model_name='apikey',
            name='expires_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='expires'),
        ),
        migrations.AddField(
            model_name='webhooksubscription',
            name='previous_secret',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='webhooksubscription',
            name='previous_secret_until',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt_second_factor_secrets, migrations.RunPython.noop),
    ]
