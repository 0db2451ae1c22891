"""`manage.py backup [--output FILE]`: the database (pg_dump, custom format) and the uploads in one archive."""

from django.core.management.base import BaseCommand, CommandError

from partners.services.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a backup archive: a pg_dump of the database and a tarball of the uploaded files."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="archive to write (default: var/backups/registry-<time>.tar)")

    def handle(self, *args, output=None, **options):
        try:
            path = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
