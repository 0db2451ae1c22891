"""Periodic retention jobs (Celery beat): purge the expired security log and expired attachments."""

from celery import shared_task


@shared_task
def purge_security_log():
    from .services.privacy import purge_security_events

    return purge_security_events()


@shared_task
def purge_attachments():
    from .services.privacy import purge_expired_attachments

    return purge_expired_attachments()


# Installed with the other periodic tasks (partners/tasks.py merges this into PERIODIC_TASKS).
COMPLIANCE_PERIODIC_TASKS = {
    "retention: purge the expired security log": {"task": "partners.tasks_compliance.purge_security_log",
                                                  "crontab": {"minute": "15", "hour": "3"}},
    "retention: purge expired attachments": {"task": "partners.tasks_compliance.purge_attachments",
                                             "crontab": {"minute": "45", "hour": "3"}},
}
