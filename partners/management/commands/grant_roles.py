"""Grant one person one or more staff roles from the command line, all or none; refusals are audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partners.enums import StaffRole
from partners.models import User
from partners.services.separation import grant_role


class Command(BaseCommand):
    help = ("Grant a person (by e-mail) the given staff roles in one transaction: all of them or, if one is "
            "refused (e.g. a second administrator role), none. The operator at the command line acts.")

    def add_arguments(self, parser):
        parser.add_argument("email", help="the person who receives the roles")
        parser.add_argument("roles", nargs="+", choices=StaffRole.values, help="the roles to grant")

    def handle(self, *args, email, roles, **options):
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {email}.")
        try:
            with transaction.atomic():
                for role in roles:
                    grant_role(None, user, role)
        except (PermissionDenied, ValidationError) as exc:
            # The grants made before the refusal rolled back; the refusal itself is in the security log.
            message = exc.args[0] if exc.args else exc
            raise CommandError(f"Refused, nothing was granted: {message}") from exc
        self.stdout.write(f"{user.email}: {', '.join(sorted(roles))}")
