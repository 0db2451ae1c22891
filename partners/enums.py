"""Stable codes of the registry's domain. The database stores the code; the screen shows the label."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerType(models.TextChoices):
    COMPUTE = "compute", _("Compute partner")
    DATA = "data", _("Data partner")
    MODEL = "model", _("Model partner")
    APPLICATION = "application", _("Application partner")
    INVESTMENT = "investment", _("Investment partner")


TYPE_RANK = {code: rank for rank, code in enumerate(PartnerType.values)}


def type_rank(field="partner_type"):
    """An expression ranking a partner-type column in PartnerType order (for order_by and Meta.ordering)."""
    from django.db.models import Case, IntegerField, Value, When

    return Case(*(When(**{field: code}, then=Value(rank)) for code, rank in TYPE_RANK.items()),
                default=Value(len(TYPE_RANK)), output_field=IntegerField())


def in_type_order(codes):
    """Partner type codes in the one order used everywhere: the order of PartnerType (compute first)."""
    return sorted(codes, key=lambda code: TYPE_RANK.get(code, len(TYPE_RANK)))


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    FINAL_REVIEW = "final_review", _("Final review")
    PUBLICITY = "publicity", _("Public notice")
    ADMITTED = "admitted", _("Admitted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def open_states(cls):
        """States in which an application still competes for its partner types."""
        return [cls.DRAFT, cls.SUBMITTED, cls.IN_REVIEW, cls.CHANGES_REQUESTED, cls.FINAL_REVIEW, cls.PUBLICITY]

    @classmethod
    def final_states(cls):
        return [cls.ADMITTED, cls.REJECTED, cls.WITHDRAWN]


class Channel(models.TextChoices):
    DEPARTMENT_INVITATION = "invitation", _("Invited by a government department")
    SELF_RECOMMENDATION = "self", _("Self-recommendation")
    INDUSTRY_RECOMMENDATION = "industry", _("Recommended by an industry organisation")


class OrganizationType(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    RESEARCH_INSTITUTE = "institute", _("Research institute")
    UNIVERSITY = "university", _("University")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    INDUSTRY_ASSOCIATION = "association", _("Industry association")
    INVESTMENT_INSTITUTION = "investor", _("Investment institution")


class Scale(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    PRIVATE = "private", _("Private")
    FOREIGN = "foreign", _("Foreign-invested")
    JOINT = "joint", _("Joint venture")
    OTHER = "other", _("Other")


class Currency(models.TextChoices):
    CNY = "CNY", _("Renminbi")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")
    HKD = "HKD", _("Hong Kong dollar")


class SpecializedLevel(models.TextChoices):
    NONE = "", _("None")
    MUNICIPAL = "municipal", _("Specialised and innovative (municipal)")
    NATIONAL = "national_little_giant", _("National 'little giant'")


class DataRole(models.TextChoices):
    PROVIDER = "provider", _("Data provider")
    SERVICE = "service", _("Data service provider")
    EXCHANGE = "exchange", _("Data exchange")


class Modality(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    MULTIMODAL = "multimodal", _("Multimodal")
    STRUCTURED = "structured", _("Structured")


class ComputeService(models.TextChoices):
    TRAINING = "training", _("Training")
    INFERENCE = "inference", _("Inference")
    TOOLING = "tooling", _("Development tooling")


class AcceleratorOrigin(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    FOREIGN = "foreign", _("Foreign")


class FundType(models.TextChoices):
    VC = "vc", _("Venture capital")
    PE = "pe", _("Private equity")
    GOVERNMENT_GUIDANCE = "guidance", _("Government guidance fund")
    CORPORATE = "corporate", _("Corporate venture")
    ANGEL = "angel", _("Angel")


class InvestmentStage(models.TextChoices):
    SEED = "seed", _("Seed")
    EARLY = "early", _("Early stage")
    GROWTH = "growth", _("Growth")
    LATE = "late", _("Late stage")


class MembershipState(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class OrgRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    COLLEAGUE = "colleague", _("Colleague")


class JoinRequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")


class Recommendation(models.TextChoices):
    GRANT = "grant", _("Recommend granting")
    DECLINE = "decline", _("Recommend declining")


class ObjectionState(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    UPHELD = "upheld", _("Upheld")


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class StaffRole(models.TextChoices):
    """Groups created by a migration; their names are these codes."""

    REVIEWER = "reviewer", _("Reviewer (first review)")
    APPROVER = "approver", _("Approver (final review)")
    SERVICE_OFFICER = "service_officer", _("Service officer")
    ADMINISTRATOR = "administrator", _("Administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    EXPERT = "expert", _("Panel expert")


class AttemptOutcome(models.TextChoices):
    """What one try at sending an outbox row came to."""

    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    RETRY = "retry", _("Refused for now, retried")
    FAILED = "failed", _("Failed")
    INTERRUPTED = "interrupted", _("Interrupted (no answer recorded)")


class OrgVerification(models.TextChoices):
    """Whether the registry has checked who may speak for an organisation."""

    UNVERIFIED = "unverified", _("Not verified")
    VERIFIED = "verified", _("Verified")
    SUSPENDED = "suspended", _("Access suspended")


class VerificationKind(models.TextChoices):
    CLAIM = "claim", _("Claim of an organisation")
    DISPUTE = "dispute", _("Dispute of the current owner")
    IDENTITY_CHANGE = "identity", _("Change of registered identity")


class VerificationState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    PENDING = "pending", _("Waiting for the plan office")
    RECOMMENDED = "recommended", _("Checked, awaiting a second check")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    TRANSFERRED = "transferred", _("Ownership transferred")
    KEPT = "kept", _("Current owner kept")
    SUSPENDED = "suspended", _("Organisation's access suspended")

    @classmethod
    def open_states(cls):
        return [cls.DRAFT, cls.PENDING, cls.RECOMMENDED]

    @classmethod
    def final_states(cls):
        return [cls.VERIFIED, cls.REFUSED, cls.WITHDRAWN, cls.TRANSFERRED, cls.KEPT, cls.SUSPENDED]


class VerificationDocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "licence", _("Business licence")
    AUTHORISATION_LETTER = "authorisation", _("Authorisation letter (授权委托书)")


class ExpertAssignmentState(models.TextChoices):
    """One expert's review of one application (partners/workflow/panel.py)."""

    ASSIGNED = "assigned", _("Assigned, conflict of interest not yet declared")
    SCORING = "scoring", _("Scoring")
    SUBMITTED = "submitted", _("Scores submitted")
    CONFLICT = "conflict", _("Conflict of interest declared")
    REMOVED = "removed", _("Assignment removed")

    @classmethod
    def active_states(cls):
        return [cls.ASSIGNED, cls.SCORING, cls.SUBMITTED]

    @classmethod
    def final_states(cls):
        return [cls.SUBMITTED, cls.CONFLICT, cls.REMOVED]
