"""Secrets at rest (TOTP keys, recovery-code seeds): Fernet with keys from the environment, never in clear."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet:"  # marks a stored value as encrypted, so legacy clear values are recognised (and migrated)


def key_from_secret(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY: for development and tests only, never for production."""
    digest = hashlib.sha256(b"registry field encryption:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def configured_keys() -> list[str]:
    """FIELD_ENCRYPTION_KEY holds one or more keys, comma-separated; the first encrypts, all decrypt."""
    value = getattr(settings, "FIELD_ENCRYPTION_KEY", "") or ""
    return [k.strip() for k in str(value).split(",") if k.strip()]


def _fernet() -> MultiFernet:
    keys = configured_keys()
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set to store second-factor secrets.")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY is not a valid Fernet key: {exc}") from None


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(text: str) -> str:
    if is_encrypted(text):
        return text
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(value: str) -> str:
    if not is_encrypted(value):
        return value  # written before encryption; the data migration encrypts every such value
    try:
        return _fernet().decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY; "
                                   "keep the old key listed after the new one while rotating.") from None


def encrypt_authenticator_data(data: dict) -> dict:
    """The same data with its secrets (TOTP key, recovery seed, migrated codes) encrypted."""
    data = dict(data or {})
    for field in ("secret", "seed"):
        if isinstance(data.get(field), str):
            data[field] = encrypt(data[field])
    if isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [encrypt(c) if isinstance(c, str) else c for c in data["migrated_codes"]]
    return data


def has_clear_secrets(data: dict) -> bool:
    data = data or {}
    values = [data.get("secret"), data.get("seed"), *(data.get("migrated_codes") or [])]
    return any(isinstance(v, str) and not is_encrypted(v) for v in values)


def check_field_encryption_key(app_configs=None, **kwargs):
    """Deploy check: production has its own key, and every key listed is a valid Fernet key."""
    from django.core import checks

    try:
        _fernet()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="Generate one with `python -c \"from cryptography.fernet import "
                             "Fernet; print(Fernet.generate_key().decode())\"`.", id="partners.E101")]
    if configured_keys()[0] == key_from_secret(settings.SECRET_KEY) and not settings.DEBUG:
        return [checks.Warning("FIELD_ENCRYPTION_KEY is derived from SECRET_KEY; set a key of its own.",
                               id="partners.W101")]
    return []
