"""Translated labels for the codes the registry stores: audit and security events, states, actions, languages.

The database keeps stable codes; people read these labels. A code without a label here is shown through
`humanize()` (never the raw `word.word` form); tests/test_labels.py checks that every known code has one.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .enums import ApplicationState, MembershipState, PartnerType, Recommendation

# The business audit trail (partners/event_types.py and the workflow's transition codes).
EVENT_LABELS = {
    "application.admitted": _("Admitted as a member"),
    "application.approved": _("Approved for public notice"),
    "application.assigned": _("Reviewer assigned"),
    "application.attachment_added": _("Attachment added"),
    "application.attachment_removed": _("Attachment removed"),
    "application.changes_requested": _("Changes requested"),
    "application.created": _("Application created"),
    "application.draft_saved": _("Draft saved"),
    "application.note_added": _("Internal note added"),
    "application.objection_upheld": _("Objection upheld"),
    "application.passed_to_final": _("Passed to final review"),
    "application.rejected": _("Rejected"),
    "application.resubmitted": _("Resubmitted"),
    "application.returned_to_review": _("Returned to first review"),
    "application.review_started": _("First review started"),
    "application.submitted": _("Submitted"),
    "application.withdrawn": _("Withdrawn"),
    "attachment.purged": _("Attachment deleted under the retention rule"),
    "letter_template.changed": _("Letter template changed"),
    "letter_template.reset": _("Letter template reset"),
    "member.admitted": _("Admitted as a member"),
    "member.reinstated": _("Membership reinstated"),
    "member.revoked": _("Membership revoked"),
    "member.suspended": _("Membership suspended"),
    "notification.resent": _("Notification sent again"),
    "objection.dismissed": _("Objection dismissed"),
    "objection.filed": _("Objection filed"),
    "objection.upheld": _("Objection upheld"),
    "organization.colleague_added": _("Colleague added"),
    "organization.colleague_invited": _("Colleague invited"),
    "organization.colleague_removed": _("Colleague removed"),
    "organization.created": _("Organisation registered"),
    "organization.invitation_accepted": _("Invitation accepted"),
    "organization.invitation_declined": _("Invitation declined"),
    "organization.invitation_revoked": _("Invitation withdrawn"),
    "organization.join_approved": _("Request to join approved"),
    "organization.join_declined": _("Request to join declined"),
    "organization.join_requested": _("Asked to join the organisation"),
    "organization.ownership_handed_over": _("Ownership handed over"),
    "organization.updated": _("Organisation details changed"),
    # Organisation verification (partners/workflow/verification.py).
    # Pairings (partners/workflow/pairing.py) and subsidy claims (partners/workflow/subsidy_claim.py).
    "pairing.proposed": _("Pairing proposed"),
    "pairing.accept": _("Pairing accepted by the other side"),
    "pairing.decline": _("Pairing declined by the other side"),
    "pairing.withdraw": _("Pairing withdrawn"),
    "pairing.confirm": _("Pairing confirmed by the plan office"),
    "pairing.refuse": _("Pairing not confirmed by the plan office"),
    "pairing.mark_formed": _("Pairing formed a scenario application or pilot case"),
    "pairing.end": _("Pairing ended"),
    "pairing.milestone_reported": _("Pairing milestone reported"),
    "subsidy_claim.created": _("Subsidy claim created"),
    "subsidy_claim.draft_saved": _("Subsidy claim draft saved"),
    "subsidy_claim.document_added": _("Subsidy claim document added"),
    "subsidy_claim.document_removed": _("Subsidy claim document removed"),
    "subsidy_claim.submit": _("Subsidy claim submitted"),
    "subsidy_claim.start_review": _("Subsidy claim review started"),
    "subsidy_claim.request_changes": _("Changes to the subsidy claim requested"),
    "subsidy_claim.approve": _("Subsidy claim approved"),
    "subsidy_claim.reject": _("Subsidy claim rejected"),
    "subsidy_claim.pay": _("Subsidy paid"),
    "subsidy_claim.withdraw": _("Subsidy claim withdrawn"),
    "subsidy.rule_added": _("Subsidy rules version added"),
    "subsidy.budget_set": _("Subsidy budget of a year set"),
    "verification.opened": _("Verification case opened"),
    "verification.document_added": _("Verification document added"),
    "verification.document_removed": _("Verification document removed"),
    "verification.assigned": _("Verification case assigned"),
    "verification.submit": _("Sent for verification"),
    "verification.recommend": _("Documents checked, passed to a second check"),
    "verification.verify": _("Organisation verified"),
    "verification.refuse": _("Verification refused"),
    "verification.transfer": _("Ownership transferred to the claimant"),
    "verification.keep": _("Current owner kept"),
    "verification.suspend": _("Organisation's access suspended"),
    "verification.withdraw": _("Verification withdrawn"),
    "organization.identity_changed": _("Registered identity changed, verification needed again"),
    # The data catalogue, introductions, pilot cases and targets.
    "dataset.created": _("Data set published"),
    "dataset.updated": _("Data set changed"),
    "dataset.accepted": _("Data set accepted for the catalogue"),
    "dataset.rejected": _("Data set not accepted"),
    "dataset.withdrawn": _("Data set withdrawn"),
    "dataset.featured": _("Data set featured"),
    "dataset.unfeatured": _("Data set no longer featured"),
    "demand.created": _("Data demand published"),
    "demand.updated": _("Data demand changed"),
    "demand.accepted": _("Data demand accepted for the catalogue"),
    "demand.rejected": _("Data demand not accepted"),
    "demand.withdrawn": _("Data demand withdrawn"),
    "demand.featured": _("Data demand featured"),
    "demand.unfeatured": _("Data demand no longer featured"),
    "introduction.requested": _("Introduction requested"),
    "introduction.accepted": _("Introduction accepted, contacts shared"),
    "introduction.declined": _("Introduction declined"),
    "case.created": _("Pilot case created"),
    "case.updated": _("Pilot case changed"),
    "case.media_added": _("Pilot case file added"),
    "case.submit": _("Pilot case submitted"),
    "case.resubmit": _("Pilot case resubmitted"),
    "case.start_review": _("Pilot case review started"),
    "case.publish": _("Pilot case published"),
    "case.return": _("Pilot case returned for changes"),
    "case.designated": _("Pilot case counted toward the year's target"),
    "case.undesignated": _("Pilot case no longer counted toward the target"),
    "target.changed": _("Yearly target changed"),
    # Serving the members (partners/services/member_service.py, member_requests.py, annual_update.py).
    "member.officers_assigned": _("Service officers assigned"),
    "member.contact_logged": _("Contact with the member logged"),
    "member.follow_up_done": _("Follow-up done"),
    "member.key_enterprise_set": _("Key-enterprise flag changed"),
    "member.imported": _("Member imported from the roster"),
    "member_request.raised": _("Request raised"),
    "member_request.refer": _("Request referred to a department"),
    "member_request.resolve": _("Request resolved"),
    "member_request.confirm": _("Resolution confirmed by the member"),
    "member_request.reopen": _("Request reopened by the member"),
    "member_request.escalate": _("Request escalated: past its deadline"),
    "annual_update.asked": _("Annual update asked"),
    "annual_update.answered": _("Annual update answered"),
    "profile.change_proposed": _("Change of a public fact proposed"),
    "profile.change_accepted": _("Change of a public fact accepted"),
    "profile.change_rejected": _("Change of a public fact rejected"),
    # Calls and the expert panel (partners/workflow/panel.py).
    "call.saved": _("Call for applications saved"),
    "call.rubric_saved": _("Scoring rubric saved"),
    "call.expert_invited": _("Expert invited to the panel"),
    "panel.assigned": _("Expert assigned"),
    "panel.declare_none": _("Expert declared no conflict of interest"),
    "panel.declare_conflict": _("Expert declared a conflict of interest"),
    "panel.submit_scores": _("Expert submitted scores"),
    "panel.remove": _("Expert assignment removed"),
}

# The security audit log (等保 安全审计).
SECURITY_LABELS = {
    "access.refused": _("Access to a security screen refused"),
    "api_key.created": _("API key created"),
    "api_key.refused": _("API key refused"),
    "api_key.revoked": _("API key revoked"),
    "api_key.used": _("API key used"),
    "attachment.viewed": _("Attachment viewed by staff"),
    "audit.exported": _("Audit log exported"),
    "audit.purged": _("Old audit records deleted"),
    "auth.locked_out": _("Locked out after failed logins"),
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Login failed"),
    "auth.logout": _("Logged out"),
    "auth.password_changed": _("Password changed"),
    "auth.password_reset": _("Password reset"),
    "auth.unlocked": _("Login unlocked"),
    "duties.setup_account_closed": _("Set-up account closed"),
    "duties.split": _("Duties split among administrators"),
    "duties.superuser_resigned": _("Superuser rights given up"),
    "mfa.added": _("Second factor added"),
    "mfa.failed": _("Second factor code refused"),
    "mfa.recovery_codes_reset": _("Recovery codes renewed"),
    "mfa.removed": _("Second factor removed"),
    "mfa.reset": _("Second factor reset by an administrator"),
    "personal_data.corrected": _("Personal details corrected"),
    "personal_data.exported": _("Personal data downloaded"),
    "privacy.consented": _("Privacy notice accepted"),
    "privacy.deletion_completed": _("Account deleted"),
    "privacy.deletion_refused": _("Account deletion refused"),
    "privacy.deletion_requested": _("Account deletion requested"),
    "retention.attachments_purged": _("Old attachments deleted"),
    "retention.login_records_purged": _("Old login records deleted"),
    "role.granted": _("Role granted"),
    "role.permissions_changed": _("Role permissions changed"),
    "role.revoked": _("Role withdrawn"),
    "session.replaced": _("Signed in elsewhere; the earlier session ended"),
    "settings.changed": _("Setting changed"),
    "settings.privacy_notice_drafted": _("Privacy notice drafted"),
    "settings.privacy_notice_published": _("Privacy notice published"),
    "user.permissions_changed": _("Account permissions changed"),
    "user.privileges_changed": _("Account privileges changed"),
    "webhook.changed": _("Webhook changed"),
    "webhook.secret_rotated": _("Webhook secret renewed"),
    "webhook.subscribed": _("Webhook subscribed"),
}

# What a decision row records as its action (partners/services/review.py, membership.py).
ACTION_LABELS = {
    "submit": _("Submit"),
    "start_review": _("Start first review"),
    "request_changes": _("Request changes"),
    "resubmit": _("Resubmit"),
    "pass_to_final": _("Pass to final review"),
    "reject": _("Reject"),
    "approve": _("Approve for public notice"),
    "return_to_review": _("Return to first review"),
    "uphold_objection": _("Uphold objection"),
    "admit": _("Admit"),
    "withdraw": _("Withdraw"),
    "recommend": _("Documents checked: pass to a second check"),
    "verify": _("Verify"),
    "refuse": _("Refuse"),
    "transfer": _("Transfer ownership to the claimant"),
    "keep": _("Keep the current owner"),
    "suspend": _("Suspend the organisation's access"),
    "accept": _("Accept"),
    "decline": _("Decline"),
    "confirm": _("Confirm"),
    "mark_formed": _("Record the outcome formed"),
    "end": _("End"),
    "pay": _("Record the payment"),
    "publish": _("Publish on the showcase"),
    "return": _("Return for changes"),
}

# Per-type outcomes a decision stores.
OUTCOME_LABELS = {
    "granted": _("granted"),
    "declined": _("declined"),
}

RESULT_LABELS = {
    "success": _("succeeded"),
    "failure": _("failed"),
    "refused": _("refused"),
}

# The kinds of login record in /me/data/ (partners/services/privacy.py `_login_records`).
LOGIN_KIND_LABELS = {
    "login": _("Logged in"),
    "failed_login": _("Login failed"),
    "failures_counted": _("Failed logins being counted"),
}


# Mails the outbox lists, by template key (templates/emails/); keys that are event codes use EVENT_LABELS.
MAIL_LABELS = {
    "account.invitation": _("Invitation to an organisation"),
    "account.join_decided": _("Answer to a request to join"),
    "account.join_request": _("Request to join an organisation"),
    "generic": _("Message"),
    "reminder.draft": _("Reminder: unfinished draft"),
    "reminder.escalated": _("Reminder: overdue review, escalated"),
    "reminder.publicity_ending": _("Reminder: public notice ending"),
    "reminder.unassigned": _("Reminder: unassigned applications"),
    "reminder.undecided": _("Reminder: undecided applications"),
    "staff.application.assigned": _("To staff: application assigned"),
    "staff.application.passed_to_final": _("To staff: passed to final review"),
    "staff.application.resubmitted": _("To staff: application resubmitted"),
    "staff.application.returned_to_review": _("To staff: returned to first review"),
    "staff.application.submitted": _("To staff: application submitted"),
    "staff.digest": _("To staff: daily digest"),
    "staff.objection.filed": _("To staff: objection filed"),
    "staff.outbox.failed": _("To staff: mails that could not be sent"),
    "catalogue.introduction_requested": _("Request for an introduction"),
    "catalogue.introduction_answered": _("Answer to a request for an introduction"),
    "case.decided": _("Review of a pilot case"),
}


def mail_label(key) -> str:
    """The kind of a mail in the outbox, e.g. `application.submitted` → 已提交."""
    label = MAIL_LABELS.get(key) or EVENT_LABELS.get(key)
    return str(label) if label is not None else humanize(key)


def role_label(code) -> str:
    """A staff role (a group name), e.g. `reviewer` → 初审人员."""
    from .enums import StaffRole

    return str(StaffRole(code).label) if code in StaffRole.values else humanize(code)


def humanize(code) -> str:
    """The last resort for a code nobody labelled: its words, never the dotted form."""
    text = str(code or "")
    return text.rsplit(".", 1)[-1].replace("_", " ").strip().capitalize()


def event_label(code) -> str:
    """A business or security event, e.g. `application.created` → 创建申请."""
    label = EVENT_LABELS.get(code) or SECURITY_LABELS.get(code)
    return str(label) if label is not None else humanize(code)


def state_label(code) -> str:
    """An application's or a membership's state; empty stays empty."""
    if not code:
        return ""
    for enum in (ApplicationState, MembershipState):
        if code in enum.values:
            return str(enum(code).label)
    return humanize(code)


def action_label(code) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else humanize(code)


def partner_type_label(code) -> str:
    return str(PartnerType(code).label) if code in PartnerType.values else humanize(code)


def outcome_label(code) -> str:
    """A per-type outcome: granted/declined, or a reviewer's recommendation."""
    if code in OUTCOME_LABELS:
        return str(OUTCOME_LABELS[code])
    if code in Recommendation.values:
        return str(Recommendation(code).label)
    return humanize(code)


def language_label(code) -> str:
    """`zh-hans` → 简体中文; an unset language reads as the site's default."""
    names = dict(settings.LANGUAGES)
    code = code or settings.LANGUAGE_CODE
    return str(names[code]) if code in names else str(code)


def result_label(code) -> str:
    label = RESULT_LABELS.get(code)
    return str(label) if label is not None else humanize(code)


def login_kind_label(code) -> str:
    label = LOGIN_KIND_LABELS.get(code)
    return str(label) if label is not None else humanize(code)
