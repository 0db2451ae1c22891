"""Count the kept counts (partners_tally) again from the rows: after a load that bypassed the triggers."""

from django.core.management.base import BaseCommand, CommandError

from partners.services import tally


class Command(BaseCommand):
    help = ("Rebuild the counts PostgreSQL keeps for the home page, statistics and staff queue, and the member "
            "industries, from the rows.")

    def handle(self, *args, **options):
        if not tally.available():
            raise CommandError("The kept counts exist on PostgreSQL only; other databases count the rows.")
        tally.rebuild()
        self.stdout.write("Kept counts rebuilt.")
