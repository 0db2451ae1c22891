"""Invitations to act for an organisation. Memberships that exist already stay: they count as accepted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import partners.models.organization


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0014_trust_boundaries"),
    ]

    operations = [
        migrations.CreateModel(
            name='OrganizationInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='e-mail address')),
                ('title', models.CharField(blank=True, max_length=50, verbose_name='job title')),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('revoked', 'Revoked')], default='pending', max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField(default=partners.models.organization.invitation_expiry)),
                ('answered_at', models.DateTimeField(blank=True, null=True)),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='partners.organization')),
            ],
            options={
                'verbose_name': 'invitation to act for an organisation',
                'verbose_name_plural': 'invitations to act for organisations',
                'indexes': [models.Index(fields=['email', 'state'], name='org_invitation_email')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('state', 'pending')), fields=('organization', 'email'), name='org_invitation_one_pending')],
            },
        ),
    ]
