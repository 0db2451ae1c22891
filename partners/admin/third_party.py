"""Admins of installed apps whose labels are not translatable as shipped (plain English strings, model
properties): the registry's admin speaks Chinese throughout, so their columns and titles get labels here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


def _reregister(model, admin_class):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, admin_class)


def translate_periodic_task_admins():
    """django-celery-beat: its task column, schedule-in-words columns and inline title are plain English."""
    from django_celery_beat import admin as beat
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    class PeriodicTaskInline(beat.PeriodicTaskInline):
        fields = ("name", "task_name", "args", "kwargs")
        readonly_fields = fields
        verbose_name = _("periodic tasks using this schedule")
        verbose_name_plural = verbose_name

        @admin.display(description=_("task"))
        def task_name(self, obj):
            return obj.task

    class PeriodicTaskAdmin(beat.PeriodicTaskAdmin):
        list_display = ("name", "enabled", "schedule_kind", "interval", "start_time", "last_run_at", "one_off")

        @admin.display(description=_("schedule"))
        def schedule_kind(self, obj):
            return obj.scheduler

        @admin.display(description=_("schedule in words"))
        def crontab_translation(self, obj):
            return obj.crontab.human_readable if obj.crontab_id else ""

        def formfield_for_dbfield(self, db_field, request, **kwargs):
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            if db_field.name == "task" and field is not None:
                field.label = _("task")
            return field

    class CrontabScheduleAdmin(beat.CrontabScheduleAdmin):
        inlines = [PeriodicTaskInline]
        list_display = ("__str__", "in_words")
        fields = ("in_words", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
        readonly_fields = ("in_words",)

        @admin.display(description=_("schedule in words"))
        def in_words(self, obj):
            return obj.human_readable

    class ScheduleAdmin(beat.ScheduleAdmin):
        inlines = [PeriodicTaskInline]

    class ClockedScheduleAdmin(beat.ClockedScheduleAdmin):
        inlines = [PeriodicTaskInline]

    _reregister(PeriodicTask, PeriodicTaskAdmin)
    _reregister(CrontabSchedule, CrontabScheduleAdmin)
    _reregister(IntervalSchedule, ScheduleAdmin)
    _reregister(SolarSchedule, ScheduleAdmin)
    _reregister(ClockedSchedule, ClockedScheduleAdmin)


def name_untranslated_models():
    """allauth's second factor and the axes app have untranslatable names ("authenticator", "Axes").

    Only the runtime names change: a model's declared Meta (what migrations compare) stays as shipped."""
    from allauth.mfa.models import Authenticator
    from django.apps import apps

    Authenticator._meta.verbose_name = _("second factor")
    Authenticator._meta.verbose_name_plural = _("second factors")
    apps.get_app_config("axes").verbose_name = _("login protection")
