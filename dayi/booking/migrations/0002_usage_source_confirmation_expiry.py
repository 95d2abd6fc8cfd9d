"""Usage records say who typed them in and whether a manager confirmed them; bookings can expire.

Issue 11, hole 4. ``corrected_from`` becomes ``supersedes`` (same column data, renamed). Existing records
are migrated as the data says: a check-out that its booker made (per the audit log) becomes ``self``,
every other record ``manager``; all of them are marked confirmed (``confirmed_at`` = their creation, no
``confirmed_by``), because they were counted under the old rules and the published figures must not move.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SOURCES_AS_THE_DATA_SAYS = """
UPDATE booking_usagerecord u SET source = CASE
    WHEN u.source = 'check_in_out' AND EXISTS (
        SELECT 1 FROM booking_booking b
        JOIN core_auditevent a ON a.object_type = 'booking' AND a.object_id = b.id::text
             AND a.action = 'booking.check_out' AND a.actor_id = b.user_id
        WHERE b.id = u.booking_id) THEN 'self'
    ELSE 'manager' END,
    confirmed = true, confirmed_at = u.created;
"""

# Back: manager entries were manual or corrections, the rest check-ins (the exact old source is lost).
SOURCES_BACK = """
UPDATE booking_usagerecord SET source = CASE
    WHEN supersedes_id IS NOT NULL THEN 'correction'
    WHEN booking_id IS NULL THEN 'manual' ELSE 'check_in_out' END;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0001_bookings_qualifications_usage'),
        ('directory', '0004_instrument_code_prefix_indexes'),
        ('network', '0002_load_regions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='booking',
            name='booking_status_known',
        ),
        migrations.RemoveConstraint(
            model_name='usagerecord',
            name='usage_source_known',
        ),
        migrations.RemoveConstraint(
            model_name='usagerecord',
            name='usage_correction_names_its_record',
        ),
        migrations.RenameField(
            model_name='usagerecord',
            old_name='corrected_from',
            new_name='supersedes',
        ),
        migrations.AlterField(
            model_name='usagerecord',
            name='supersedes',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_by', to='booking.usagerecord'),
        ),
        migrations.AddField(
            model_name='usagerecord',
            name='auto_closed',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='usagerecord',
            name='claimed_end',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='usagerecord',
            name='confirmed',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='usagerecord',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='usagerecord',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='booking',
            name='status',
            field=models.CharField(choices=[('pending', '待审批'), ('confirmed', '已确认'), ('rejected', '已拒绝'), ('cancelled', '已取消'), ('in_progress', '使用中'), ('completed', '已完成'), ('no_show', '爽约'), ('expired', '已过期')], max_length=16),
        ),
        migrations.AlterField(
            model_name='usagerecord',
            name='source',
            field=models.CharField(choices=[('manager', '管理员录入'), ('self', '用户自报'), ('device', '设备采集'), ('import', '导入')], max_length=16),
        ),
        migrations.RunSQL(SOURCES_AS_THE_DATA_SAYS, SOURCES_BACK),
        migrations.AddIndex(
            model_name='usagerecord',
            index=models.Index(condition=models.Q(('confirmed', False), ('superseded', False)), fields=['instrument', 'start'], name='usage_unconfirmed_idx'),
        ),
        migrations.AddConstraint(
            model_name='booking',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'confirmed', 'rejected', 'cancelled', 'in_progress', 'completed', 'no_show', 'expired'])), name='booking_status_known'),
        ),
        migrations.AddConstraint(
            model_name='usagerecord',
            constraint=models.CheckConstraint(condition=models.Q(('source__in', ['manager', 'self', 'device', 'import'])), name='usage_source_known'),
        ),
        migrations.AddConstraint(
            model_name='usagerecord',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('confirmed', False), ('confirmed_at__isnull', True)), models.Q(('confirmed', True), ('confirmed_at__isnull', False)), _connector='OR'), name='usage_confirmed_has_time'),
        ),
    ]
