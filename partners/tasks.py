"""Thin Celery tasks: they take ids and call the services; and the periodic schedule that beat runs."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_notification(self, notification_id):
    from .services.delivery import deliver

    return deliver(notification_id, task=self)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_webhook(self, notification_id):
    """The same delivery as send_notification, on the webhooks queue: a slow receiver cannot hold up mail."""
    from .services.delivery import deliver

    return deliver(notification_id, task=self)


def delivery_task(channel):
    """The task that sends a notification row of this channel (each has its own queue, settings.CELERY_TASK_ROUTES)."""
    from .enums import NotificationChannel

    return send_webhook if channel == NotificationChannel.WEBHOOK else send_notification


@shared_task(ignore_result=True)
def sweep_outbox():
    from .services.delivery import sweep

    return sweep()


@shared_task(ignore_result=True)
def end_publicity_periods():
    from .services.membership import admit_due_applications

    return admit_due_applications()


@shared_task(ignore_result=True)
def send_reminders():
    from .services.reminders import send_reminders as run

    return run()


@shared_task(ignore_result=True)
def send_digests():
    from .services.digest import send_digests as run

    return run()


# The periodic jobs, installed in django-celery-beat's tables (DatabaseScheduler) by the migration
# `notifications` and by `manage.py setup_periodic_tasks`. Times are Beijing time.
PERIODIC_TASKS = {
    "outbox: sweep stuck notifications": {"task": "partners.tasks.sweep_outbox", "every_seconds": 60},
    "publicity: admit when the notice period ends": {"task": "partners.tasks.end_publicity_periods",
                                                    "every_seconds": 900},
    "reminders: daily": {"task": "partners.tasks.send_reminders", "crontab": {"minute": "0", "hour": "9"}},
    "digest: daily": {"task": "partners.tasks.send_digests", "crontab": {"minute": "30", "hour": "8"}},
}


def install_periodic_tasks(apps=None, timezone_name="Asia/Shanghai") -> int:
    """Create or update the periodic tasks by name; running it again changes nothing."""
    if apps is None:
        from django.apps import apps
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    for name, spec in PERIODIC_TASKS.items():
        schedule = {"interval": None, "crontab": None}
        if "every_seconds" in spec:
            schedule["interval"], _ = IntervalSchedule.objects.get_or_create(every=spec["every_seconds"],
                                                                             period="seconds")
        else:
            cron = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*",
                    **spec["crontab"]}
            schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(timezone=timezone_name, **cron)
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": spec["task"], "enabled": True,
                                                                   **schedule})
    return len(PERIODIC_TASKS)

from .tasks_compliance import COMPLIANCE_PERIODIC_TASKS  # noqa: E402 - registers the retention tasks

PERIODIC_TASKS.update(COMPLIANCE_PERIODIC_TASKS)

from .tasks_members import MEMBER_PERIODIC_TASKS  # noqa: E402 - registers the member-service tasks

PERIODIC_TASKS.update(MEMBER_PERIODIC_TASKS)
