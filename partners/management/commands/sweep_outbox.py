"""Send what is due in the outbox now: useful without a broker, where no beat runs the sweep."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from partners.services.delivery import sweep


class Command(BaseCommand):
    help = "Re-queue pending notifications that are overdue (all of them with --now)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="take every pending row, however recent")
        parser.add_argument("--waiting", action="store_true",
                            help="also rows waiting for a later retry (once the mail server is fixed)")

    def handle(self, *args, now=False, waiting=False, **options):
        count = sweep(older_than=timedelta(0) if now else None, waiting=waiting)
        self.stdout.write(f"{count} notifications re-queued.")
