"""Counts kept by the database as rows change (partners_tally and its PostgreSQL triggers); bigram indexes for
name search of two characters and more; indexes for the home page's public notice list and the few grants that
end on a date."""

from django.conf import settings
from django.db import migrations, models

from partners import search_sql, tally_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(tally_sql.install_sql(settings.TIME_ZONE))
        schema_editor.execute(tally_sql.REBUILD)
        schema_editor.execute(search_sql.FUNCTION)
        schema_editor.execute(search_sql.INDEXES)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(tally_sql.DROP)
        schema_editor.execute(search_sql.DROP)


class Migration(migrations.Migration):
    dependencies = [("partners", "0021_admin_roles_refusal_named")]
    operations = [
        migrations.CreateModel(
            name="Tally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=10, verbose_name="kind of count")),
                ("key", models.CharField(max_length=80, verbose_name="counted key")),
                ("n", models.BigIntegerField(default=0, verbose_name="share of the count")),
            ],
            options={"verbose_name": "kept count", "verbose_name_plural": "kept counts",
                     "indexes": [models.Index(fields=["kind", "key"], name="tally_kind_key")]},
        ),
        migrations.RunPython(install, remove),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(condition=models.Q(("state", "publicity")), fields=["publicity_ends_at", "id"],
                               name="application_publicity_idx"),
        ),
        migrations.AddIndex(
            model_name="membershipgrant",
            index=models.Index(condition=models.Q(("ends_on__isnull", False)), fields=["partner_type", "ends_on"],
                               name="grant_ends_on_idx"),
        ),
    ]
