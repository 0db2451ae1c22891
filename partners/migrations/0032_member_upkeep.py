from django.db import migrations, models


def date_past_revocations(apps, schema_editor):
    """A membership revoked before this migration is dated by its last revocation event (or its last change)."""
    Membership = apps.get_model("partners", "Membership")
    AuditEvent = apps.get_model("partners", "AuditEvent")
    for membership in Membership.objects.filter(state="revoked", revoked_at__isnull=True):
        when = (AuditEvent.objects.filter(organization_id=membership.organization_id, action="member.revoked")
                .order_by("-id").values_list("created_at", flat=True).first())
        Membership.objects.filter(pk=membership.pk).update(revoked_at=when or membership.updated_at)


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0031_call_gaps'),
    ]

    operations = [
        migrations.AddField(
            model_name='profilechange',
            name='profile_type',
            field=models.CharField(blank=True, choices=[('compute', 'Compute partner'), ('data', 'Data partner'), ('model', 'Model partner'), ('application', 'Application partner'), ('investment', 'Investment partner')], default='', max_length=20, verbose_name='partner type'),
        ),
        migrations.AddField(
            model_name='membership',
            name='revoked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='revoked'),
        ),
        migrations.RunPython(date_past_revocations, migrations.RunPython.noop),
    ]
