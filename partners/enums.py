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


class PairingState(models.TextChoices):
    """A pairing (结对) of a user unit with a model team: proposed by one side, accepted by the other, confirmed
    by staff; `formed` once staff record that it formed a scenario application or a pilot case."""

    PROPOSED = "proposed", _("Proposed, awaiting the other side")
    ACCEPTED = "accepted", _("Accepted, awaiting the plan office")
    CONFIRMED = "confirmed", _("Confirmed")
    FORMED = "formed", _("Formed a scenario application or pilot case")
    DECLINED = "declined", _("Declined by the other side")
    REFUSED = "refused", _("Not confirmed by the plan office")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ENDED = "ended", _("Ended")

    @classmethod
    def confirmed_states(cls):
        """States in which the pairing stands: it is public, and subsidy claims may be made within it."""
        return [cls.CONFIRMED, cls.FORMED]

    @classmethod
    def open_states(cls):
        return [cls.PROPOSED, cls.ACCEPTED]

    @classmethod
    def final_states(cls):
        return [cls.DECLINED, cls.REFUSED, cls.WITHDRAWN, cls.ENDED]


class PairingSide(models.TextChoices):
    APPLICATION = "application", _("User unit (application partner)")
    MODEL = "model", _("Model team (model partner)")


class PairingOutcome(models.TextChoices):
    NONE = "", _("Not yet")
    SCENARIO_APPLICATION = "scenario_application", _("Scenario application")
    PILOT_CASE = "pilot_case", _("Pilot case (试点案例)")


class SubsidyClaimState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def counted_states(cls):
        """Claims that count against the company's yearly cap and hold their contract (one claim per contract)."""
        return [cls.SUBMITTED, cls.IN_REVIEW, cls.CHANGES_REQUESTED, cls.APPROVED, cls.PAID]

    @classmethod
    def committed_states(cls):
        """Claims whose approved amount is committed against the year's budget."""
        return [cls.APPROVED, cls.PAID]

    @classmethod
    def final_states(cls):
        return [cls.PAID, cls.REJECTED, cls.WITHDRAWN]


class SubsidyDocumentKind(models.TextChoices):
    CONTRACT = "contract", _("Compute contract")
    INVOICE = "invoice", _("Invoice")
    DELIVERY = "delivery", _("Proof of delivery")
    OTHER = "other", _("Other document")
# --- Data supply and demand, the showcase of cases, the plan's targets ----------------------------------------

class DataModality(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    MULTIMODAL = "multimodal", _("Multimodal")
    SYNTHETIC = "synthetic", _("Synthetic")


class SizeUnit(models.TextChoices):
    TOKENS = "tokens", _("Tokens")
    ITEMS = "items", _("Items")
    HOURS = "hours", _("Hours")


class DataLanguage(models.TextChoices):
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other languages")


class AccessTerms(models.TextChoices):
    OPEN = "open", _("Open")
    CONDITIONAL = "conditional", _("Conditional")
    PAID = "paid", _("Paid")
    EXCHANGE = "exchange", _("Through the Beijing International Big Data Exchange")


class DataLicence(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial use allowed")
    NON_COMMERCIAL = "non_commercial", _("Non-commercial use only")
    BY_AGREEMENT = "by_agreement", _("Terms by agreement")


class UpdateFrequency(models.TextChoices):
    ONCE = "once", _("One-off")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    CONTINUOUS = "continuous", _("Continuous")


class TrainingStage(models.TextChoices):
    PRETRAINING = "pretraining", _("Pre-training")
    FINETUNING = "finetuning", _("Fine-tuning")
    ALIGNMENT = "alignment", _("Alignment")
    EVALUATION = "evaluation", _("Evaluation")


class Moderation(models.TextChoices):
    """Whether a catalogue entry (data set or demand) is public."""

    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Public")
    REJECTED = "rejected", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class IntroductionState(models.TextChoices):
    PENDING = "pending", _("Awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class CatalogueSide(models.TextChoices):
    SUPPLY = "supply", _("Data supply")
    DEMAND = "demand", _("Data demand")


class CaseKind(models.TextChoices):
    APPLICATION = "application", _("Benchmark application (标杆应用)")
    SOLUTION = "solution", _("Industry solution (行业标杆解决方案)")


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETURNED = "returned", _("Returned for changes")

    @classmethod
    def final_states(cls):
        return [cls.PUBLISHED]


class CaseMediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")
# --- Serving the members (常态化联系服务) ------------------------------------------------------------

class ContactKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Telephone call")
    MEETING = "meeting", _("Meeting")
    EVENT = "event", _("Event")


class MemberRequestKind(models.TextChoices):
    """What a member asks the plan office for (诉求)."""

    COMPUTE = "compute", _("Compute")
    DATA = "data", _("Data")
    FINANCING = "financing", _("Financing")
    TALENT = "talent", _("Talent")
    SITE = "site", _("Site and premises")
    POLICY = "policy", _("Policy question")
    OTHER = "other", _("Other")


class MemberRequestState(models.TextChoices):
    RAISED = "raised", _("Raised, with the service officer")
    REFERRED = "referred", _("Referred to a department")
    RESOLVED = "resolved", _("Resolved, awaiting the member's confirmation")
    CONFIRMED = "confirmed", _("Confirmed by the member")
    REOPENED = "reopened", _("Reopened by the member")

    @classmethod
    def open_states(cls):
        return [cls.RAISED, cls.REFERRED, cls.REOPENED]


class ImportOutcome(models.TextChoices):
    NEW = "new", _("New organisation and member")
    EXISTING = "existing", _("Existing organisation, made a member")
    UNCHANGED = "unchanged", _("Already a member, nothing to change")
    ERROR = "error", _("Error")


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed, waiting for confirmation")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class AnnualUpdateState(models.TextChoices):
    ASKED = "asked", _("Asked, no answer yet")
    RESPONDED = "responded", _("Answered")


class ProfileChangeState(models.TextChoices):
    PENDING = "pending", _("Waiting for a staff check")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
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
