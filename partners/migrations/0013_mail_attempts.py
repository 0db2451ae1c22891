"""Outbox: a stable Message-ID per notification, the claim of the worker sending it, and the attempt log."""

from urllib.parse import urlsplit

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

import partners.models.notification


def give_existing_rows_their_own_id(apps, schema_editor):
    # One UPDATE, whatever the outbox's size: the row's id makes each Message-ID unique.
    Notification = apps.get_model("partners", "Notification")
    domain = urlsplit(settings.SITE_URL).hostname or "partner-plan.registry"
    Notification.objects.update(message_id=Concat(Value("<notification."), Cast("id", CharField()),
                                                  Value(f".before-0013@{domain}>"), output_field=CharField()))


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0010_audit_guard_purge"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="message_id",
            field=models.CharField(default="", editable=False, max_length=200, verbose_name="Message-ID"),
        ),
        migrations.RunPython(give_existing_rows_their_own_id, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="notification",
            name="message_id",
            field=models.CharField(default=partners.models.notification.new_message_id, editable=False,
                                   max_length=200, verbose_name="Message-ID"),
        ),
        migrations.CreateModel(
            name="NotificationAttempt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveSmallIntegerField(help_text="the row's try count when it was made")),
                ("started_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("outcome", models.CharField(choices=[("sending", "Sending"), ("sent", "Sent"),
                                                      ("retry", "Refused for now, retried"), ("failed", "Failed"),
                                                      ("interrupted", "Interrupted (no answer recorded)")],
                                             default="sending", max_length=12)),
                ("error", models.TextField(blank=True)),
                ("worker", models.CharField(blank=True, help_text="host and process that made the try",
                                            max_length=200)),
                ("notification", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="attempt_log", to="partners.notification")),
            ],
            options={
                "verbose_name": "sending attempt",
                "verbose_name_plural": "sending attempts",
                "ordering": ["notification", "id"],
            },
        ),
    ]
