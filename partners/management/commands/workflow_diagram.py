"""Print every workflow process's transition table as a Mermaid state diagram."""

from django.core.management.base import BaseCommand, CommandError

from ...workflow import PROCESSES, engine


class Command(BaseCommand):
    help = "Print each workflow process (application, organisation verification, …) as a Mermaid state diagram."

    def add_arguments(self, parser):
        parser.add_argument("--process", choices=sorted(PROCESSES), help="draw only this process")

    def handle(self, *args, **options):
        names = [options["process"]] if options.get("process") else list(PROCESSES)
        if not names:
            raise CommandError("No workflow process is registered.")
        self.stdout.write("\n\n".join(engine.mermaid(name) for name in names))
