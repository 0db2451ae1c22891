"""The roles a transition may name; the permission rules (partners.permissions) say who holds them."""

from .engine import SYSTEM

APPLICANT = "applicant"
REVIEWER = "reviewer"
APPROVER = "approver"
ADMINISTRATOR = "administrator"
EXPERT = "expert"

SERVICE_OFFICER = "service_officer"
MEMBER = APPLICANT  # a person acting for a member organisation

__all__ = ["ADMINISTRATOR", "APPLICANT", "APPROVER", "EXPERT", "MEMBER", "REVIEWER", "SERVICE_OFFICER", "SYSTEM"]
