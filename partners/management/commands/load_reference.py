"""Load (or refresh) districts and industries from seeds/reference/."""

from django.core.management.base import BaseCommand

from ...reference_data import load


class Command(BaseCommand):
    help = "Load reference data (districts, industries) from seeds/reference/; safe to run again."

    def handle(self, *args, **options):
        for name, n in load().items():
            self.stdout.write(f"{name}: {n}")
