#!/usr/bin/env python
"""Create (or reuse) a reviewer in the benchmark database and print a logged-in session cookie for bench/load.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf_bench .venv/bin/python bench/staff_session.py

Prints `Cookie: sessionid=…`. The reviewer has a TOTP device, agreed to the privacy notice and logged in through
the test client, so the staff gates (second factor, single staff session, consent) let the session through;
the script checks that the staff queue answers 200 with it before printing. Run it again for a fresh cookie:
a new login ends the previous staff session (one session per staff account).
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "bench-only-key")  # must match the server's key (bench/load.py uses it)

import django  # noqa: E402

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from partners.models import User  # noqa: E402
from partners.services import privacy  # noqa: E402

EMAIL = "bench-reviewer@bench.example"


def staff_cookie() -> str:
    """A logged-in reviewer's `Cookie:` header value (`sessionid=…`), checked against the staff queue."""
    user, created = User.objects.get_or_create(email=EMAIL, defaults={"display_name": "bench reviewer"})
    if created:
        user.set_password(os.urandom(16).hex())  # nobody logs in with it; the session is made here
    user.password_changed_at = timezone.now()
    user.save()
    user.groups.add(Group.objects.get(name="reviewer"))
    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": ""}})
    notice = privacy.current_notice()
    if notice is not None and not privacy.has_consented(user, notice):
        privacy.record_consent(user, notice)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    # What allauth records after a login with the second factor.
    session["account_authentication_methods"] = [{"method": "password", "email": EMAIL, "at": time.time()},
                                                 {"method": "mfa", "type": "totp", "at": time.time()}]
    session.save()
    answer = client.get("/staff/queue/")
    if answer.status_code != 200:
        sys.exit(f"the staff queue answered {answer.status_code} ({answer.get('Location', '')})")
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def main():
    print(f"Cookie: {staff_cookie()}")


if __name__ == "__main__":
    main()
