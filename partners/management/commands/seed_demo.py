"""Load the demo data set (organisations, applications in every state, demo accounts) and print the logins."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _g

from ...demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed
from ...demo.accounts import DUTY_ACCOUNTS, demo_email


class Command(BaseCommand):
    help = "Load the demo data set from seeds/demo/; running it again changes nothing. Refused unless DEBUG."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Load the demo set even with DEBUG off (never on a production system).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(_g("Demo data is only loaded with DEBUG on; pass --force if you really mean it."))
        # Tasks run in-process here; one log line per queued e-mail would bury the logins printed below.
        trace = logging.getLogger("celery.app.trace")
        level = trace.level
        trace.setLevel(logging.WARNING)
        try:
            result = seed()
        finally:
            trace.setLevel(level)
        self.stdout.write(_g("Demo organisations: %(created)d created, %(skipped)d already present.")
                          % {"created": result.created, "skipped": result.skipped})
        self.stdout.write(", ".join(f"{state}: {n}" for state, n in result.states.items()))
        if result.notifications_cancelled:
            self.stdout.write(_g("%(n)d demo notifications cancelled: e-mail is configured to go out for real.")
                              % {"n": result.notifications_cancelled})
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_g("Demo logins (password for all: %(password)s)")
                                             % {"password": DEMO_PASSWORD}))
        for key, local, _name, _group, _admin_access in DEMO_ACCOUNTS:
            self.stdout.write(f"  {key:<16} {demo_email(local)}")
        for key, local, _name in DUTY_ACCOUNTS:
            self.stdout.write(f"  {key:<16} {demo_email(local)}")
        self.stdout.write(_g("Staff set up two-factor authentication (any TOTP app) at their first login; "
                             "everyone agrees to the privacy notice once."))
        self.stdout.write(_g("Site: %(url)s   Admin: %(url)s/%(admin)s")
                          % {"url": settings.SITE_URL.rstrip("/"), "admin": settings.ADMIN_URL})
