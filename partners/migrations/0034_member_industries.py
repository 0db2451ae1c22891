"""The industries of each member, kept by PostgreSQL triggers from grants and profiles, with a count per industry:
the statistics read the count, and the directory's industry filter walks the newest-first index of an industry.
An index of the organisation code inside the credit code, for the duplicate check."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

from partners import tally_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(tally_sql.INDUSTRY_FUNCTIONS + tally_sql.INDUSTRY_TRIGGERS)
        schema_editor.execute(tally_sql.INDUSTRY_REBUILD)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(tally_sql.INDUSTRY_DROP)


class Migration(migrations.Migration):
    dependencies = [("partners", "0033_application_state_age_idx")]
    operations = [
        migrations.CreateModel(
            name="MemberIndustry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("admitted_at", models.DateTimeField(verbose_name="admitted")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("open_ended", models.BooleanField(default=True, verbose_name="by a grant without end date")),
                ("industry", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                               related_name="+", to="partners.industry", verbose_name="industry")),
                ("membership", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                                 related_name="kept_industries", to="partners.membership",
                                                 verbose_name="membership")),
            ],
            options={
                "verbose_name": "kept member industry",
                "verbose_name_plural": "kept member industries",
                "indexes": [
                    models.Index(fields=["industry", "-admitted_at", "-membership"], name="member_industry_newest",
                                 condition=models.Q(("active", True))),
                    models.Index(fields=["membership"], name="member_industry_dated",
                                 condition=models.Q(("active", True), ("open_ended", False))),
                ],
                "constraints": [models.UniqueConstraint(fields=("membership", "industry"),
                                                        name="member_industry_once")],
            },
        ),
        migrations.RunPython(install, remove),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(django.db.models.functions.text.Substr("credit_code", 9, 9),
                               name="organization_code_idx"),
        ),
    ]
