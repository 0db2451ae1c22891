"""Celery tasks of the member services: contact reminders, request escalation, the annual update, roster imports."""

from celery import shared_task


@shared_task(ignore_result=True)
def send_member_reminders():
    from .services.member_service import send_member_reminders as run

    return run()


@shared_task(ignore_result=True)
def escalate_member_requests():
    from .services.member_requests import escalate_overdue_requests

    return escalate_overdue_requests()


@shared_task(ignore_result=True)
def run_annual_update():
    from .services.annual_update import run_annual_update as run

    return run()


@shared_task(acks_late=True, ignore_result=True)
def import_roster(import_id):
    from .services.roster_import import run_import

    return run_import(import_id)


# Installed with the other periodic tasks (partners/tasks.py merges this into PERIODIC_TASKS). Beijing time.
MEMBER_PERIODIC_TASKS = {
    "members: contact and follow-up reminders": {"task": "partners.tasks_members.send_member_reminders",
                                                 "crontab": {"minute": "10", "hour": "9"}},
    "members: escalate overdue requests": {"task": "partners.tasks_members.escalate_member_requests",
                                           "crontab": {"minute": "20"}},
    "members: annual update (ask, remind, escalate)": {"task": "partners.tasks_members.run_annual_update",
                                                       "crontab": {"minute": "40", "hour": "8"}},
}
