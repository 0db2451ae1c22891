"""Settings for the test suite: the production settings with test-friendly defaults from the environment.

Tests run with DEBUG off, as production does; only what a test client cannot do (HTTPS) is relaxed.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("MANIFEST_STATIC", "0")
# The tests' webhook receivers listen on loopback; the tests of the address policy take this away again.
os.environ.setdefault("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32")
# Compliance gates a force_login'ed test user could not pass; tests of the gates turn them on (docs/COMPLIANCE.md).
for _gate in ("MFA_REQUIRED_FOR_STAFF", "SPLIT_DUTIES_REQUIRED", "PASSWORD_EXPIRY_ENFORCED", "PRIVACY_CONSENT_REQUIRED"):
    os.environ.setdefault(_gate, "0")

from .settings import *  # noqa: E402,F403
from .settings import VAR_DIR  # noqa: E402

if not FIELD_ENCRYPTION_KEY:  # noqa: F405 - tests, like DEBUG, derive the key from SECRET_KEY
    from partners.crypto import key_from_secret

    FIELD_ENCRYPTION_KEY = key_from_secret(SECRET_KEY)  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-uploads"
AXES_ENABLED = os.environ.get("AXES_ENABLED", "1") == "1"
