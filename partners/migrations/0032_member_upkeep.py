from django.db import migrations, models


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
    ]
