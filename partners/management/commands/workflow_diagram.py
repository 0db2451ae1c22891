"""Print the workflow table as a Mermaid state diagram."""

from django.core.management.base import BaseCommand

from ...workflow import mermaid


class Command(BaseCommand):
    help = "Print the application workflow as a Mermaid state diagram."

    def handle(self, *args, **options):
        self.stdout.write(mermaid())
