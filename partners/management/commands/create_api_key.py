"""Create an API key acting for a user and print its token once (for integrations and the README's examples)."""

from django.core.management.base import BaseCommand, CommandError

from partners.models import User
from partners.models.api import ApiScope
from partners.permissions import is_staff_member
from partners.services.api_keys import allowed_scopes, create_key
from partners.services.applications import ServiceError


class Command(BaseCommand):
    help = "Create an API key for a user (by e-mail) with the given scopes; prints the token, which is shown once."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the person the key acts for")
        parser.add_argument("--name", default="command line", help="a name to recognise the key by")
        parser.add_argument("--scope", action="append", dest="scopes", choices=ApiScope.values,
                            help="a scope (repeat for several); default: every scope the person may have")
        parser.add_argument("--created-by", dest="created_by", help="the administrator creating it (e-mail)")
        parser.add_argument("--days", type=int, help="days the key is valid; staff keys: at most "
                            "STAFF_API_KEY_MAX_DAYS (90), which is also their default")

    def handle(self, *args, email, name, scopes, created_by, days=None, **options):
        owner = User.objects.filter(email=email.strip().lower()).first()
        if owner is None:
            raise CommandError(f"No user with the e-mail address {email}.")
        if created_by:
            actor = User.objects.filter(email=created_by.strip().lower()).first()
            if actor is None:
                raise CommandError(f"No user with the e-mail address {created_by}.")
        elif is_staff_member(owner):
            # Staff keys are an administrator's decision; the operator's superuser stands in for one.
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if actor is None:
                raise CommandError("Name the administrator who creates a staff key with --created-by.")
        else:
            actor = owner  # a personal token
        try:
            key, token = create_key(actor, owner=owner, name=name, scopes=scopes or allowed_scopes(owner),
                                    days=days)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        until = f", valid until {key.expires_at:%Y-%m-%d %H:%M}" if key.expires_at else ""
        self.stderr.write(f"Key {key.prefix} for {owner.email} with scopes {', '.join(key.scopes)}{until}:")
        self.stdout.write(token)
