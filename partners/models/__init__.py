"""The registry's data model; each module holds one part of the domain."""

from .users import User  # noqa: I001
from .reference import District, Industry
from .organization import JoinRequest, Organization, OrganizationInvitation, OrganizationMember
from .application import Application, Attachment, InvitationCode, RequestedType, Revision
from .profiles import (
    PROFILE_MODELS,
    ApplicationProfile,
    ComputeProfile,
    DataProfile,
    InvestmentProfile,
    ModelProfile,
    Scenario,
)
from .review import Decision, DecisionLetterTemplate, InternalNote, Objection, ObjectionEvidence, ReviewMessage
from .membership import Membership, MembershipGrant, MemberNumberCounter
from .audit import ActorPseudonym, AuditEvent, SecurityEvent
from .notification import Notification, NotificationAttempt, NotificationPreference
from .compliance import Consent, DeletionRequest, PasswordHistory, PrivacyNotice, SecuritySetting, StaffSession
from .api import ApiKey, IdempotencyRecord, WebhookSubscription
from .tally import MemberIndustry, Tally
from .verification import VerificationCase, VerificationDocument
from .subsidy import Pairing, PairingMilestone, SubsidyBudget, SubsidyClaim, SubsidyDocument, SubsidyRule
from .catalogue import DataDemand, DataSet, Introduction
from .showcase import Case, CaseMedia, YearTarget
from .member_service import (
    AnnualUpdate,
    Contact,
    FollowUp,
    MemberRequest,
    MemberService,
    OfficerScope,
    ProfileChange,
)
from .roster_import import RosterImport, RosterImportRow
from .calls import Call, Criterion, ExpertAssignment, ExpertScore, PanelExpert, ReceiptCounter, Rubric

__all__ = [
    "User", "District", "Industry", "Organization", "OrganizationMember", "JoinRequest", "OrganizationInvitation",
    "Application", "RequestedType", "Attachment", "Revision", "InvitationCode",
    "ComputeProfile", "DataProfile", "ModelProfile", "ApplicationProfile", "Scenario", "InvestmentProfile",
    "PROFILE_MODELS", "ReviewMessage", "InternalNote", "Decision", "DecisionLetterTemplate", "Objection", "ObjectionEvidence",
    "Membership", "MembershipGrant", "MemberNumberCounter", "AuditEvent", "SecurityEvent", "ActorPseudonym",
    "Notification", "NotificationAttempt", "NotificationPreference",
    "PasswordHistory", "PrivacyNotice", "Consent", "DeletionRequest", "StaffSession", "SecuritySetting",
    "ApiKey", "WebhookSubscription", "IdempotencyRecord", "Tally", "VerificationCase", "VerificationDocument",
    "MemberIndustry",
    "Pairing", "PairingMilestone", "SubsidyRule", "SubsidyBudget", "SubsidyClaim", "SubsidyDocument",
    "DataSet", "DataDemand", "Introduction", "Case", "CaseMedia", "YearTarget",
    "OfficerScope", "MemberService", "Contact", "FollowUp", "MemberRequest", "AnnualUpdate", "ProfileChange",
    "RosterImport", "RosterImportRow",
    "Call", "ReceiptCounter", "Rubric", "Criterion", "PanelExpert", "ExpertAssignment", "ExpertScore",
]
