# Verbose names for every field, so the admin and the forms read in the site language.

import django.db.models.deletion
import django.utils.timezone
import partners.models.application
import partners.models.organization
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0022_tally'),
    ]

    operations = [
        migrations.AlterField(
            model_name='actorpseudonym',
            name='pseudonym',
            field=models.CharField(max_length=40, unique=True, verbose_name='pseudonym'),
        ),
        migrations.AlterField(
            model_name='actorpseudonym',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='apikey',
            name='secret_hash',
            field=models.CharField(max_length=64, verbose_name='secret hash'),
        ),
        migrations.AlterField(
            model_name='application',
            name='assigned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='assigned at'),
        ),
        migrations.AlterField(
            model_name='application',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='application',
            name='final_decided_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='final_decided_applications', to=settings.AUTH_USER_MODEL, verbose_name='final decision by'),
        ),
        migrations.AlterField(
            model_name='application',
            name='first_reviewed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='first_reviewed_applications', to=settings.AUTH_USER_MODEL, verbose_name='first reviewed by'),
        ),
        migrations.AlterField(
            model_name='application',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public identifier'),
        ),
        migrations.AlterField(
            model_name='application',
            name='recommendation_letter',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='partners.attachment', verbose_name='recommendation letter'),
        ),
        migrations.AlterField(
            model_name='application',
            name='state_changed_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='state changed at'),
        ),
        migrations.AlterField(
            model_name='application',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='application',
            name='wizard_step',
            field=models.PositiveSmallIntegerField(default=1, editable=False, verbose_name='wizard step'),
        ),
        migrations.AlterField(
            model_name='applicationprofile',
            name='application',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='%(class)s', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='content_type',
            field=models.CharField(max_length=50, verbose_name='content type'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='file',
            field=models.FileField(blank=True, max_length=200, null=True, upload_to=partners.models.application.attachment_path, verbose_name='file'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='sha256',
            field=models.CharField(max_length=64, verbose_name='SHA-256 checksum'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='size',
            field=models.PositiveIntegerField(verbose_name='size'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='uploaded_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='uploaded at'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='uploaded_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor_label',
            field=models.CharField(blank=True, help_text='user, API key or system', max_length=120, verbose_name='actor as recorded'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='data',
            field=models.JSONField(blank=True, default=dict, verbose_name='details'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='from_state',
            field=models.CharField(blank=True, max_length=20, verbose_name='state before'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='organization',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='partners.organization', verbose_name='organisation'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='to_state',
            field=models.CharField(blank=True, max_length=20, verbose_name='state after'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='txid',
            field=models.BigIntegerField(db_default=0, editable=False, verbose_name='transaction number'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='visible_to_applicant',
            field=models.BooleanField(default=False, verbose_name='visible to the applicant'),
        ),
        migrations.AlterField(
            model_name='computeprofile',
            name='application',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='%(class)s', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='accepted_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='accepted at'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='notice',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='partners.privacynotice', verbose_name='privacy notice'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='source_ip',
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name='source IP address'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consents', to=settings.AUTH_USER_MODEL, verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='dataprofile',
            name='application',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='%(class)s', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='action',
            field=models.CharField(max_length=40, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='actor',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='letter_body',
            field=models.TextField(blank=True, verbose_name='letter body'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='letter_subject',
            field=models.CharField(blank=True, max_length=200, verbose_name='letter subject'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='level',
            field=models.CharField(choices=[('first', 'First review'), ('final', 'Final review')], max_length=10, verbose_name='level'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='per_type',
            field=models.JSONField(blank=True, default=dict, verbose_name='per partner type'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='reason',
            field=models.TextField(blank=True, max_length=5000, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='decisionlettertemplate',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='deletionrequest',
            name='completed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='completed at'),
        ),
        migrations.AlterField(
            model_name='deletionrequest',
            name='requested_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at'),
        ),
        migrations.AlterField(
            model_name='deletionrequest',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deletion_requests', to=settings.AUTH_USER_MODEL, verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='district',
            name='active',
            field=models.BooleanField(default=True, verbose_name='active'),
        ),
        migrations.AlterField(
            model_name='district',
            name='position',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='position'),
        ),
        migrations.AlterField(
            model_name='historicalapplicationprofile',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='historicalcomputeprofile',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='historicaldataprofile',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='historicalinvestmentprofile',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='historicalmodelprofile',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='historicalorganization',
            name='created_at',
            field=models.DateTimeField(blank=True, editable=False, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='historicalorganization',
            name='updated_at',
            field=models.DateTimeField(blank=True, editable=False, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='key',
            field=models.CharField(max_length=200, verbose_name='key'),
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='method',
            field=models.CharField(max_length=10, verbose_name='method'),
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='path',
            field=models.CharField(max_length=300, verbose_name='path'),
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='principal',
            field=models.CharField(help_text='the API key or user that sent the request', max_length=80, verbose_name='principal'),
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='request_hash',
            field=models.CharField(max_length=64, verbose_name='request fingerprint'),
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='response_body',
            field=models.JSONField(blank=True, null=True, verbose_name='response body'),
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='response_status',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='response status'),
        ),
        migrations.AlterField(
            model_name='industry',
            name='active',
            field=models.BooleanField(default=True, verbose_name='active'),
        ),
        migrations.AlterField(
            model_name='industry',
            name='position',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='position'),
        ),
        migrations.AlterField(
            model_name='internalnote',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='internal_notes', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='internalnote',
            name='author',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author'),
        ),
        migrations.AlterField(
            model_name='internalnote',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='investmentprofile',
            name='application',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='%(class)s', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='invitationcode',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='invitationcode',
            name='used_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='partners.application', verbose_name='used by'),
        ),
        migrations.AlterField(
            model_name='joinrequest',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='joinrequest',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='decided at'),
        ),
        migrations.AlterField(
            model_name='joinrequest',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AlterField(
            model_name='joinrequest',
            name='organization',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='join_requests', to='partners.organization', verbose_name='organisation'),
        ),
        migrations.AlterField(
            model_name='joinrequest',
            name='state',
            field=models.CharField(choices=[('pending', 'Pending'), ('approved', 'Approved'), ('declined', 'Declined')], default='pending', max_length=10, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='joinrequest',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='join_requests', to=settings.AUTH_USER_MODEL, verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='membernumbercounter',
            name='last',
            field=models.PositiveIntegerField(default=0, verbose_name='last number'),
        ),
        migrations.AlterField(
            model_name='membernumbercounter',
            name='year',
            field=models.PositiveSmallIntegerField(primary_key=True, serialize=False, verbose_name='year'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='organization',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='membership', to='partners.organization', verbose_name='organisation'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='membershipgrant',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grants', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='membershipgrant',
            name='membership',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grants', to='partners.membership', verbose_name='membership'),
        ),
        migrations.AlterField(
            model_name='modelprofile',
            name='application',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='%(class)s', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='application',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='attempts'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='channel',
            field=models.CharField(choices=[('email', 'E-mail'), ('webhook', 'Webhook')], default='email', max_length=10, verbose_name='channel'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='claimed_until',
            field=models.DateTimeField(blank=True, null=True, verbose_name='claimed until'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='context',
            field=models.JSONField(blank=True, default=dict, verbose_name='context'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='dedupe_key',
            field=models.CharField(max_length=200, unique=True, verbose_name='de-duplication key'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='digest',
            field=models.ForeignKey(blank=True, help_text='the digest e-mail that carried this notification', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='items', to='partners.notification', verbose_name='digest'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='email',
            field=models.EmailField(blank=True, help_text='for recipients without an account', max_length=254, verbose_name='e-mail address'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='essential',
            field=models.BooleanField(default=False, help_text='decisions and action-required messages', verbose_name='essential'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='for_digest',
            field=models.BooleanField(default=False, verbose_name='for the digest'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='language',
            field=models.CharField(default='zh-hans', max_length=10, verbose_name='language'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='last_error',
            field=models.TextField(blank=True, verbose_name='last error'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='next attempt at'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='read_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='read at'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='recipient',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='sent at'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='supersede_key',
            field=models.CharField(blank=True, db_index=True, max_length=120, verbose_name='supersede key'),
        ),
        migrations.AlterField(
            model_name='notificationattempt',
            name='error',
            field=models.TextField(blank=True, verbose_name='error'),
        ),
        migrations.AlterField(
            model_name='notificationattempt',
            name='finished_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='finished at'),
        ),
        migrations.AlterField(
            model_name='notificationattempt',
            name='notification',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='partners.notification', verbose_name='notification'),
        ),
        migrations.AlterField(
            model_name='notificationattempt',
            name='number',
            field=models.PositiveSmallIntegerField(help_text="the row's try count when it was made", verbose_name='number'),
        ),
        migrations.AlterField(
            model_name='notificationattempt',
            name='outcome',
            field=models.CharField(choices=[('sending', 'Sending'), ('sent', 'Sent'), ('retry', 'Refused for now, retried'), ('failed', 'Failed'), ('interrupted', 'Interrupted (no answer recorded)')], default='sending', max_length=12, verbose_name='outcome'),
        ),
        migrations.AlterField(
            model_name='notificationattempt',
            name='started_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='started at'),
        ),
        migrations.AlterField(
            model_name='notificationattempt',
            name='worker',
            field=models.CharField(blank=True, help_text='host and process that made the try', max_length=200, verbose_name='worker'),
        ),
        migrations.AlterField(
            model_name='notificationpreference',
            name='digest',
            field=models.BooleanField(default=False, verbose_name='digest'),
        ),
        migrations.AlterField(
            model_name='notificationpreference',
            name='enabled',
            field=models.BooleanField(default=True, verbose_name='enabled'),
        ),
        migrations.AlterField(
            model_name='notificationpreference',
            name='kind',
            field=models.CharField(max_length=60, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='notificationpreference',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_prefs', to=settings.AUTH_USER_MODEL, verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='objection',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='objections', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='objection',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='objection',
            name='resolved_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='resolved at'),
        ),
        migrations.AlterField(
            model_name='objection',
            name='resolved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='resolved by'),
        ),
        migrations.AlterField(
            model_name='objection',
            name='source_ip',
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name='source IP address'),
        ),
        migrations.AlterField(
            model_name='objection',
            name='state',
            field=models.CharField(choices=[('open', 'Open'), ('dismissed', 'Dismissed'), ('upheld', 'Upheld')], default='open', max_length=10, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='organization',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='organization',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='organization',
            name='users',
            field=models.ManyToManyField(related_name='organizations', through='partners.OrganizationMember', to=settings.AUTH_USER_MODEL, verbose_name='people'),
        ),
        migrations.AlterField(
            model_name='organizationinvitation',
            name='answered_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='answered at'),
        ),
        migrations.AlterField(
            model_name='organizationinvitation',
            name='answered_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answered by'),
        ),
        migrations.AlterField(
            model_name='organizationinvitation',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='organizationinvitation',
            name='expires_at',
            field=models.DateTimeField(default=partners.models.organization.invitation_expiry, verbose_name='expires at'),
        ),
        migrations.AlterField(
            model_name='organizationinvitation',
            name='invited_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by'),
        ),
        migrations.AlterField(
            model_name='organizationinvitation',
            name='organization',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='partners.organization', verbose_name='organisation'),
        ),
        migrations.AlterField(
            model_name='organizationinvitation',
            name='state',
            field=models.CharField(choices=[('pending', 'Pending'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('revoked', 'Revoked')], default='pending', max_length=10, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='organizationmember',
            name='joined_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='joined at'),
        ),
        migrations.AlterField(
            model_name='organizationmember',
            name='organization',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships_of_people', to='partners.organization', verbose_name='organisation'),
        ),
        migrations.AlterField(
            model_name='organizationmember',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='org_links', to=settings.AUTH_USER_MODEL, verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='passwordhistory',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='passwordhistory',
            name='password',
            field=models.CharField(max_length=128, verbose_name='password'),
        ),
        migrations.AlterField(
            model_name='passwordhistory',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='password_history', to=settings.AUTH_USER_MODEL, verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='privacynotice',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='requestedtype',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requested_types', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='requestedtype',
            name='is_open',
            field=models.BooleanField(default=True, verbose_name='still open'),
        ),
        migrations.AlterField(
            model_name='requestedtype',
            name='organization',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.organization', verbose_name='organisation'),
        ),
        migrations.AlterField(
            model_name='reviewmessage',
            name='action',
            field=models.CharField(blank=True, max_length=40, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='reviewmessage',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='reviewmessage',
            name='author',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author'),
        ),
        migrations.AlterField(
            model_name='reviewmessage',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='revision',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='partners.application', verbose_name='application'),
        ),
        migrations.AlterField(
            model_name='revision',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='revision',
            name='created_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AlterField(
            model_name='revision',
            name='number',
            field=models.PositiveIntegerField(verbose_name='number'),
        ),
        migrations.AlterField(
            model_name='revision',
            name='snapshot',
            field=models.JSONField(verbose_name='snapshot'),
        ),
        migrations.AlterField(
            model_name='scenario',
            name='profile',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scenarios', to='partners.applicationprofile', verbose_name='profile'),
        ),
        migrations.AlterField(
            model_name='securityevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor'),
        ),
        migrations.AlterField(
            model_name='securityevent',
            name='actor_label',
            field=models.CharField(blank=True, max_length=254, verbose_name='actor as recorded'),
        ),
        migrations.AlterField(
            model_name='securityevent',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='securityevent',
            name='data',
            field=models.JSONField(blank=True, default=dict, verbose_name='details'),
        ),
        migrations.AlterField(
            model_name='securityevent',
            name='source_ip',
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name='source IP address'),
        ),
        migrations.AlterField(
            model_name='securitysetting',
            name='changed_at',
            field=models.DateTimeField(auto_now=True, verbose_name='changed at'),
        ),
        migrations.AlterField(
            model_name='securitysetting',
            name='changed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
        ),
        migrations.AlterField(
            model_name='staffsession',
            name='session_key',
            field=models.CharField(max_length=64, verbose_name='session key'),
        ),
        migrations.AlterField(
            model_name='staffsession',
            name='source_ip',
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name='source IP address'),
        ),
        migrations.AlterField(
            model_name='staffsession',
            name='started_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='started at'),
        ),
        migrations.AlterField(
            model_name='staffsession',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='staff_session', to=settings.AUTH_USER_MODEL, verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='webhooksubscription',
            name='api_key',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhooks', to='partners.apikey', verbose_name='API key'),
        ),
        migrations.AlterField(
            model_name='webhooksubscription',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='webhooksubscription',
            name='previous_secret',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='previous secret'),
        ),
        migrations.AlterField(
            model_name='webhooksubscription',
            name='previous_secret_until',
            field=models.DateTimeField(blank=True, null=True, verbose_name='previous secret valid until'),
        ),
        migrations.AlterField(
            model_name='webhooksubscription',
            name='secret',
            field=models.CharField(max_length=64, verbose_name='secret'),
        ),
        migrations.AlterField(
            model_name='webhooksubscription',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
    ]
