"""Thin Celery tasks: they take ids and call the services."""

from celery import shared_task


@shared_task(bind=True, max_retries=None, acks_late=True)
def send_notification(self, notification_id):
    from .services.delivery import deliver

    deliver(notification_id, task=self)


@shared_task
def sweep_outbox():
    from .services.delivery import sweep

    return sweep()


@shared_task
def end_publicity_periods():
    from .services.membership import admit_due_applications

    return admit_due_applications()
