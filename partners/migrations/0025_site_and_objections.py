"""The Sites record follows SITE_URL and SITE_NAME (not `example.com`); objections get a reference number,
an e-mail address for the outcome, and evidence files; partner types sort in PartnerType order; the contact
phone may be a landline; model sizes are labelled in B."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import partners.models.review


def sync_site(apps, schema_editor):
    from partners.sites import sync_site as sync

    sync(apps.get_model("sites", "Site"), using=schema_editor.connection.alias)


def give_references(apps, schema_editor):
    # One reference per existing objection (a column default would give them all the same one).
    Objection = apps.get_model("partners", "Objection")
    taken = set()
    for objection in Objection.objects.filter(reference__isnull=True):
        reference = partners.models.review.new_objection_reference()
        while reference in taken:
            reference = partners.models.review.new_objection_reference()
        taken.add(reference)
        objection.reference = reference
        objection.save(update_fields=["reference"])


def _type_rank():
    # PartnerType order at the time of this migration (compute, data, model, application, investment).
    codes = ["compute", "data", "model", "application", "investment"]
    return models.Case(*(models.When(partner_type=code, then=models.Value(rank)) for rank, code in enumerate(codes)),
                       default=models.Value(len(codes)), output_field=models.IntegerField())


def _parameters():
    return models.DecimalField(blank=True, decimal_places=1, max_digits=10, null=True,
                               validators=[django.core.validators.MinValueValidator(0)], verbose_name="parameters (B)")


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0024_verbose_names_of_every_field"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [
        migrations.RunPython(sync_site, migrations.RunPython.noop),
        migrations.AddField(
            model_name="objection",
            name="email",
            field=models.EmailField(blank=True, max_length=254,
                                    verbose_name="e-mail for the reference number and the outcome"),
        ),
        migrations.AddField(
            model_name="objection",
            name="reference",
            field=models.CharField(max_length=20, null=True, verbose_name="reference number"),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="objection",
            name="reference",
            field=models.CharField(default=partners.models.review.new_objection_reference, max_length=20,
                                   unique=True, verbose_name="reference number"),
        ),
        migrations.CreateModel(
            name="ObjectionEvidence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(blank=True, max_length=200, null=True,
                                          upload_to=partners.models.review.evidence_path)),
                ("original_name", models.CharField(max_length=200, verbose_name="file name")),
                ("content_type", models.CharField(max_length=50)),
                ("size", models.PositiveIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                ("objection", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                related_name="evidence", to="partners.objection")),
            ],
            options={"verbose_name": "objection evidence", "verbose_name_plural": "objection evidence",
                     "ordering": ["uploaded_at"]},
        ),
        migrations.AlterModelOptions(
            name="membershipgrant",
            options={"ordering": ["membership", _type_rank()], "verbose_name": "granted partner type",
                     "verbose_name_plural": "granted partner types"},
        ),
        migrations.AlterModelOptions(
            name="requestedtype",
            options={"ordering": ["application", _type_rank()], "verbose_name": "requested partner type",
                     "verbose_name_plural": "requested partner types"},
        ),
        migrations.AlterField(
            model_name="application",
            name="contact_phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="contact's phone"),
        ),
        migrations.AlterField(model_name="historicalmodelprofile", name="parameter_scale_billion", field=_parameters()),
        migrations.AlterField(model_name="modelprofile", name="parameter_scale_billion", field=_parameters()),
    ]
