"""Second-factor secrets at rest: encrypted with FIELD_ENCRYPTION_KEY, migrated from clear, never shown in the admin."""

import importlib
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from partners import crypto
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db


def stored(user, kind):
    return Authenticator.objects.get(user=user, type=kind).data


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_totp_secret_and_recovery_seed_are_stored_encrypted(settings):
    person = make_staff("reviewer")
    secret = generate_totp_secret()
    TOTP.activate(person, secret)
    codes = RecoveryCodes.activate(person).generate_codes()

    totp_data, recovery_data = stored(person, Authenticator.Type.TOTP), stored(person, Authenticator.Type.RECOVERY_CODES)
    assert crypto.is_encrypted(totp_data["secret"]) and secret not in str(totp_data)
    assert crypto.is_encrypted(recovery_data["seed"])
    # allauth reads them back through the adapter: codes verify, recovery codes are the same ones.
    totp = TOTP(Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP))
    assert totp.validate_code(current_code(secret))
    recovery = RecoveryCodes(Authenticator.objects.get(user=person, type=Authenticator.Type.RECOVERY_CODES))
    assert recovery.generate_codes() == codes

    # Another key cannot read them; the old key listed after a new one still can (rotation).
    from cryptography.fernet import Fernet

    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(Exception, match="cannot be decrypted"):
        crypto.decrypt(totp_data["secret"])
    settings.FIELD_ENCRYPTION_KEY = f"{settings.FIELD_ENCRYPTION_KEY},{old_key}"
    assert crypto.decrypt(totp_data["secret"]) == secret


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite cannot migrate inside the test's transaction with foreign keys checked")
def test_clear_secrets_written_before_are_encrypted_by_the_migration():
    person = UserFactory()
    secret = generate_totp_secret()
    clear_seed = "ab" * 40
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": secret})
    Authenticator.objects.create(user=person, type=Authenticator.Type.RECOVERY_CODES,
                                 data={"seed": clear_seed, "used_mask": 0})
    expected_codes = RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes")).generate_codes()

    migration = importlib.import_module("partners.migrations.0014_trust_boundaries")
    with connection.schema_editor() as editor:
        migration.encrypt_second_factor_secrets(django_apps, editor)
        migration.encrypt_second_factor_secrets(django_apps, editor)  # a second run changes nothing

    totp_data, recovery_data = stored(person, "totp"), stored(person, "recovery_codes")
    assert crypto.is_encrypted(totp_data["secret"]) and secret not in str(totp_data)
    assert crypto.is_encrypted(recovery_data["seed"]) and clear_seed not in str(recovery_data)
    assert recovery_data["used_mask"] == 0
    assert crypto.decrypt(totp_data["secret"]) == secret and crypto.decrypt(recovery_data["seed"]) == clear_seed
    assert TOTP(Authenticator.objects.get(user=person, type="totp")).validate_code(current_code(secret))
    assert RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes")).generate_codes() \
        == expected_codes


def test_the_admin_never_shows_second_factor_secrets(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    person = make_staff("approver")
    secret = generate_totp_secret()
    TOTP.activate(person, secret)
    row = Authenticator.objects.get(user=person, type="totp")
    client.force_login(administrator)
    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    page = client.get(reverse("admin:mfa_authenticator_change", args=[row.pk]))
    assert listing.status_code == 200 and page.status_code == 200
    for response in (listing, page):
        body = response.content.decode()
        assert secret not in body and row.data["secret"] not in body and crypto.PREFIX not in body
        assert 'name="data"' not in body


def test_production_without_a_key_fails_the_deploy_check(tmp_path):
    import subprocess
    import sys

    from tests.test_security_settings import production_env

    env = production_env(tmp_path)
    env.pop("FIELD_ENCRYPTION_KEY")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], env=env, capture_output=True,
                            text=True, timeout=120, cwd=str(crypto.__file__).rsplit("/partners/", 1)[0])
    assert result.returncode != 0 and "partners.E101" in result.stderr + result.stdout
