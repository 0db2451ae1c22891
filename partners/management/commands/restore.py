"""`manage.py restore FILE [--database-url URL] [--media-root DIR] [--force]`: bring a backup back."""

from django.core.management.base import BaseCommand, CommandError

from partners.services.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into a database (default: the configured one) and the uploads folder."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--database-url", help="target database (default: DATABASE_URL)")
        parser.add_argument("--media-root", help="where to put the uploaded files (default: MEDIA_ROOT, only when "
                                                 "restoring into the site's own database)")
        parser.add_argument("--force", action="store_true",
                            help="replace the contents of a non-empty database and of an uploads folder that holds "
                                 "files")

    def handle(self, *args, archive, database_url=None, media_root=None, force=False, **options):
        try:
            result = restore_backup(archive, database_url=database_url, media_root=media_root, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {result['database']} and {result['media_root']} "
                          f"(backup of {result['created_at']})")
