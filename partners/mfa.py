"""allauth's MFA adapter for the registry: second-factor secrets are encrypted before they are stored."""

from allauth.mfa.adapter import DefaultMFAAdapter

from . import crypto


class RegistryMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
