"""Every code the business audit trail writes: the `type` of an event in the feed and in webhooks.

Codes are stable; a new kind of event is added here (a test finds every `log_event("…")` in the code).
"""

from .enums import ApplicationState, MembershipState, VerificationState

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
    "call.saved", "call.rubric_saved", "call.expert_invited", "panel.assigned",
    # Written by earlier versions; their events stay in the trail (colleagues are invited now).
    "organization.colleague_added",
}

# Names integrators know an event by, besides the audit code it comes from (webhook subscriptions).
ALIASES = {"application.admitted": ["member.admitted"]}

# An event's from/to state: an application's, a membership's when the event changes a member, or a verification
# case's.
EVENT_STATES = ["", *dict.fromkeys([*ApplicationState.values, *MembershipState.values, *VerificationState.values])]


def event_types() -> list[str]:
    from .workflow import PROCESSES

    aliases = {alias for names in ALIASES.values() for alias in names}
    codes = {t.code for process in PROCESSES.values() for t in process.transitions}
    return sorted(codes | OTHER_EVENTS | aliases)
