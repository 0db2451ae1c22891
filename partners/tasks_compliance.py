"""Periodic retention jobs (Celery beat): purge expired security log, attachments, login and API records, sessions."""

from celery import shared_task


@shared_task
def purge_security_log():
    from .services.privacy import purge_security_events

    return purge_security_events()


@shared_task
def purge_attachments():
    from .services.privacy import purge_expired_attachments

    return purge_expired_attachments()



@shared_task
def purge_login_records():
    from .services.privacy import purge_login_records as purge

    return purge()


@shared_task
def purge_idempotency_records():
    from .services.privacy import purge_idempotency_records as purge

    return purge()


@shared_task
def clear_expired_sessions():
    from .services.privacy import clear_expired_sessions as clear

    return clear()


# Installed with the other periodic tasks (partners/tasks.py merges this into PERIODIC_TASKS).
COMPLIANCE_PERIODIC_TASKS = {
    "retention: purge the expired security log": {"task": "partners.tasks_compliance.purge_security_log",
                                                  "crontab": {"minute": "15", "hour": "3"}},
    "retention: purge expired attachments": {"task": "partners.tasks_compliance.purge_attachments",
                                             "crontab": {"minute": "45", "hour": "3"}},
    "retention: purge expired login records": {"task": "partners.tasks_compliance.purge_login_records",
                                               "crontab": {"minute": "25", "hour": "3"}},
    "retention: purge expired idempotency records": {
        "task": "partners.tasks_compliance.purge_idempotency_records", "crontab": {"minute": "5"}},
    "retention: clear expired sessions": {"task": "partners.tasks_compliance.clear_expired_sessions",
                                          "crontab": {"minute": "35", "hour": "3"}},
}
