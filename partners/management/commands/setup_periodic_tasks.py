"""Install or update the periodic jobs (outbox sweep, publicity end, reminders, digest) for Celery beat."""

from django.core.management.base import BaseCommand

from partners.tasks import install_periodic_tasks


class Command(BaseCommand):
    help = "Create or update the periodic tasks that Celery beat runs (idempotent)."

    def handle(self, *args, **options):
        count = install_periodic_tasks()
        self.stdout.write(f"{count} periodic tasks installed.")
