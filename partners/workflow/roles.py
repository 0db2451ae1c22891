"""The roles a transition may name; the permission rules (partners.permissions) say who holds them."""

from .engine import SYSTEM

APPLICANT = "applicant"
REVIEWER = "reviewer"
APPROVER = "approver"
ADMINISTRATOR = "administrator"
EXPERT = "expert"

__all__ = ["ADMINISTRATOR", "APPLICANT", "APPROVER", "EXPERT", "REVIEWER", "SYSTEM"]
