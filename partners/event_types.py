"""Every code the business audit trail writes: the `type` of an event in the feed and in webhooks.

Codes are stable; a new kind of event is added here (a test finds every `log_event("…")` in the code).
"""

from .enums import (
    ApplicationState,
    CaseState,
    IntroductionState,
    MemberRequestState,
    MembershipState,
    Moderation,
    PairingState,
    SubsidyClaimState,
    VerificationState,
)

# Transitions write their own codes (workflow.TRANSITIONS); these are the other events.
OTHER_EVENTS = {
    "application.created", "application.draft_saved", "application.assigned", "application.note_added",
    "application.attachment_added", "application.attachment_removed", "attachment.purged",
    "objection.filed", "objection.upheld", "objection.dismissed",
    "member.suspended", "member.reinstated", "member.revoked",
    "organization.created", "organization.updated", "organization.ownership_handed_over",
    "organization.colleague_invited", "organization.invitation_accepted", "organization.invitation_declined",
    "organization.invitation_revoked", "organization.colleague_removed",
    "organization.join_requested", "organization.join_approved", "organization.join_declined",
    "notification.resent", "letter_template.changed", "letter_template.reset",
    "verification.opened", "organization.identity_changed", "verification.document_added", "verification.document_removed", "verification.assigned",
    "pairing.proposed", "pairing.milestone_reported", "subsidy_claim.created", "subsidy_claim.draft_saved",
    "subsidy_claim.document_added", "subsidy_claim.document_removed", "subsidy.rule_added", "subsidy.budget_set",
    "dataset.created", "dataset.updated", "dataset.accepted", "dataset.rejected", "dataset.withdrawn",
    "dataset.featured", "dataset.unfeatured", "demand.created", "demand.updated", "demand.accepted",
    "demand.rejected", "demand.withdrawn", "demand.featured", "demand.unfeatured",
    "introduction.requested", "introduction.accepted", "introduction.declined",
    "case.created", "case.updated", "case.media_added", "case.designated", "case.undesignated", "target.changed",
    "member.officers_assigned", "member.contact_logged", "member.follow_up_done", "member.key_enterprise_set",
    "member.imported", "member_request.raised", "annual_update.asked", "annual_update.answered",
    "profile.change_proposed", "profile.change_accepted", "profile.change_rejected",
    "call.saved", "call.rubric_saved", "call.expert_invited", "panel.assigned",
    # Written by earlier versions; their events stay in the trail (colleagues are invited now).
    "organization.colleague_added",
}

# Names integrators know an event by, besides the audit code it comes from (webhook subscriptions).
ALIASES = {"application.admitted": ["member.admitted"]}

# An event's from/to state: an application's, a membership's when the event changes a member, a verification
# case's, a pairing's, a subsidy claim's, a catalogue entry's moderation, an introduction's, a pilot case's or a
# member request's.
EVENT_STATES = ["", *dict.fromkeys([*ApplicationState.values, *MembershipState.values, *VerificationState.values,
                                    *PairingState.values, *SubsidyClaimState.values,
                                    *Moderation.values, *IntroductionState.values, *CaseState.values,
                                    *MemberRequestState.values])]


def event_types() -> list[str]:
    from .workflow import PROCESSES

    aliases = {alias for names in ALIASES.values() for alias in names}
    codes = {t.code for process in PROCESSES.values() for t in process.transitions}
    return sorted(codes | OTHER_EVENTS | aliases)
