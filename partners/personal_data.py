"""The registry of personal-data locations: where a person's data is kept, what the export shows, what deletion does."""

from dataclasses import dataclass

# What deletion of an account does to a location.
ERASED = "erased"  # the rows are deleted
ANONYMISED = "anonymised"  # the row is kept (it is someone else's record) and the person's fields are cleared
PSEUDONYMISED = "pseudonymised"  # the row is kept; it names only the anonymised account or a stable pseudonym
RETENTION = "pseudonymised, then purged at the end of its retention"
KEPT = "kept"  # not the deleting person's data (e.g. the organisation's public register entry)

# Legal bases (个人信息保护法 art. 13).
CONSENT = "consent (PIPL art. 13(1))"
CONTRACT = "needed to run the account the person asked for (PIPL art. 13(2))"
LEGAL_DUTY = "legal duty (PIPL art. 13(3)); 网络安全法 art. 21 for logs"
PUBLIC_RECORD = "record of an administrative procedure (PIPL art. 13(3) and 13(5))"
PUBLIC_INFO = "information already public in the business register (PIPL art. 13(6))"


@dataclass(frozen=True)
class Location:
    model: str  # app_label.ModelName
    fields: tuple[str, ...]  # the fields that hold the person's data
    export: str  # the section of the export (JSON key of privacy.personal_data) that shows them
    deletion: str  # ERASED, ANONYMISED, PSEUDONYMISED, RETENTION or KEPT
    basis: str
    retention: str
    # Fields a name-based check would flag that hold no one's personal data (e.g. a code or a file name).
    not_personal: tuple[str, ...] = ()


HISTORY_FIELDS = ("history_user", "history_change_reason")

LOCATIONS: tuple[Location, ...] = (
    Location("partners.User", ("email", "display_name", "phone", "language", "last_login", "date_joined",
                               "password_changed_at", "password"),
             "account", ANONYMISED, CONTRACT, "until the account is deleted; the anonymised row stays as the "
             "pseudonym other records point at"),
    Location("account.EmailAddress", ("email", "user"), "email_addresses", ERASED, CONTRACT,
             "until the account is deleted"),
    Location("account.EmailConfirmation", ("email_address", "key"), "email_addresses", ERASED, CONTRACT,
             "until the address is confirmed or deleted"),
    Location("mfa.Authenticator", ("user", "data", "created_at", "last_used_at"), "second_factors", ERASED,
             LEGAL_DUTY, "until the account is deleted or the factor removed"),
    Location("sessions.Session", ("session_data",), "sessions", ERASED, CONTRACT,
             "until logout or expiry; expired sessions are cleared daily (clear_expired_sessions)"),
    Location("partners.StaffSession", ("user", "session_key", "source_ip", "started_at"), "sessions", ERASED,
             LEGAL_DUTY, "until the next login of the staff account"),
    Location("axes.AccessLog", ("username", "ip_address", "user_agent", "http_accept", "path_info", "attempt_time",
                                "logout_time", "session_hash"),
             "login_records", RETENTION, LEGAL_DUTY,
             "the security log retention (at least 180 days), purged daily (purge_login_records)"),
    Location("axes.AccessFailureLog", ("username", "ip_address", "user_agent", "http_accept", "path_info",
                                       "attempt_time"),
             "login_records", RETENTION, LEGAL_DUTY,
             "the security log retention (at least 180 days), purged daily (purge_login_records)"),
    Location("axes.AccessAttempt", ("username", "ip_address", "user_agent", "http_accept", "path_info",
                                    "get_data", "post_data", "attempt_time"),
             "login_records", ERASED, LEGAL_DUTY,
             "until a successful login, an unlock or the security log retention (purge_login_records)"),
    Location("partners.PasswordHistory", ("user", "password", "created_at"), "password_history", ERASED,
             LEGAL_DUTY, "the last passwords a staff member may not reuse"),
    Location("partners.Consent", ("user", "source_ip", "accepted_at"), "consents", ANONYMISED, LEGAL_DUTY,
             "kept as proof of consent with the anonymised account; the address is cleared"),
    Location("partners.DeletionRequest", ("user", "reason", "outcome"), "deletion_requests", PSEUDONYMISED,
             LEGAL_DUTY, "kept as proof that the request was answered (PIPL art. 47, 50); the person's e-mail, "
             "mobile and name are scrubbed from the reason (privacy.scrub_free_text)"),
    Location("partners.OrganizationMember", ("user", "title", "joined_at"), "organisations", ERASED, CONTRACT,
             "while the person acts for the organisation"),
    Location("partners.JoinRequest", ("user", "message"), "join_requests", ERASED, CONTRACT,
             "until the account is deleted"),
    Location("partners.OrganizationInvitation", ("email", "title", "answered_by"), "invitations", ERASED,
             CONTRACT, "30 days while open; answered ones until the invited person's account is deleted"),
    Location("partners.Application", ("created_by", "contact_name", "contact_title", "contact_phone",
                                      "contact_email"),
             "applications", ANONYMISED, PUBLIC_RECORD,
             "the application is the organisation's record; the person's contact details are cleared",
             not_personal=("recommender_name",)),
    Location("partners.Revision", ("snapshot", "created_by"), "application_revisions", ANONYMISED, PUBLIC_RECORD,
             "kept with the application; the person's contact details are cleared from each frozen copy"),
    Location("partners.Attachment", ("file", "uploaded_by", "original_name"), "uploaded_files", PSEUDONYMISED,
             PUBLIC_RECORD, "the organisation's documents; files of rejected or withdrawn applications are "
             "deleted after ATTACHMENT_RETENTION_DAYS (purge_attachments)"),
    Location("partners.VerificationCase", ("claimant", "legal_representative", "position", "statement", "reason"),
             "verification_cases", PSEUDONYMISED, PUBLIC_RECORD,
             "kept as the organisation's verification history, naming only the anonymised account"),
    Location("partners.VerificationDocument", ("file", "uploaded_by", "original_name"), "verification_cases",
             PSEUDONYMISED, PUBLIC_RECORD, "kept with the verification case as the proof it was decided on"),
    Location("partners.SubsidyClaim", ("created_by", "reviewed_by", "approved_by"), "subsidy_claims", PSEUDONYMISED,
             PUBLIC_RECORD, "kept as the record of public money granted, naming only the anonymised account",
             not_personal=("computation",)),
    Location("partners.SubsidyDocument", ("uploaded_by",), "subsidy_claims", PSEUDONYMISED, PUBLIC_RECORD,
             "kept with the subsidy claim as the proof it was decided on (the company's contract, invoices and "
             "proof of delivery)", not_personal=("file", "original_name")),
    Location("partners.DataSet", ("contact",), "catalogue_entries", PSEUDONYMISED, CONTRACT,
             "kept as the organisation's catalogue entry; its contact becomes the anonymised account",
             not_personal=("name", "description", "languages", "sample_description")),
    Location("partners.DataDemand", ("contact",), "catalogue_entries", PSEUDONYMISED, CONTRACT,
             "kept as the organisation's catalogue entry; its contact becomes the anonymised account",
             not_personal=("description", "languages", "quality_needs", "accepted_access_terms")),
    Location("partners.Introduction", ("requested_by", "answered_by", "message"), "introductions", PSEUDONYMISED,
             CONTRACT, "kept as the record of the two organisations' introduction, naming only the anonymised "
             "account"),
    Location("partners.Case", ("submitted_by",), "pilot_cases", PSEUDONYMISED, PUBLIC_RECORD,
             "kept as the organisation's pilot case, naming only the anonymised account",
             not_personal=("scenario", "results", "return_reason")),
    Location("partners.ExpertAssignment", ("expert", "conflict_reason", "comment", "assigned_by"), "expert_reviews",
             PSEUDONYMISED, PUBLIC_RECORD,
             "kept with the application as the panel's record, naming only the anonymised account"),
    Location("partners.ReviewMessage", ("author", "body", "points"), "review_messages", PSEUDONYMISED, PUBLIC_RECORD,
             "kept with the application, naming only the anonymised account; the person's e-mail and mobile "
             "are scrubbed from the text, and their name from their own (privacy.scrub_free_text)"),
    Location("partners.InternalNote", ("author", "body"), "internal_notes", PSEUDONYMISED, PUBLIC_RECORD,
             "kept with the application, naming only the anonymised account; the person's e-mail and mobile "
             "are scrubbed from the text, and their name from their own (privacy.scrub_free_text)"),
    Location("partners.Decision", ("actor", "reason", "letter_subject", "letter_body"), "decisions",
             PSEUDONYMISED, PUBLIC_RECORD, "kept with the application, naming only the anonymised account",
             not_personal=("per_type", "panel")),
    Location("partners.Objection", ("name", "contact", "email", "reason", "source_ip", "resolved_by", "resolution"),
             "objections", ANONYMISED, PUBLIC_RECORD,
             "kept with the application; the objector's name, contact, e-mail and address are cleared; the "
             "person's e-mail and mobile are scrubbed from the reason and resolution (privacy.scrub_free_text)"),
    Location("partners.ObjectionEvidence", ("file", "original_name"), "objections", PSEUDONYMISED, PUBLIC_RECORD,
             "kept with the objection it supports, which no longer names the objector once anonymised"),
    Location("partners.Notification", ("recipient", "email", "context", "last_error", "dedupe_key"),
             "notifications", ERASED, CONTRACT, "until the account is deleted"),
    Location("partners.NotificationPreference", ("user", "kind", "enabled", "digest"), "notification_preferences",
             ERASED, CONTRACT, "until the account is deleted"),
    Location("partners.ApiKey", ("user", "created_by", "name", "prefix", "last_used_at"), "api_keys", ERASED,
             CONTRACT, "until revoked and the account is deleted",
             not_personal=("scopes",)),
    Location("partners.WebhookSubscription", ("api_key", "url"), "api_keys", ERASED, CONTRACT,
             "deleted with its API key"),
    Location("partners.IdempotencyRecord", ("principal", "response_body", "path"), "idempotency_records", ERASED,
             CONTRACT, "API_IDEMPOTENCY_HOURS (a day), purged hourly (purge_idempotency_records)"),
    Location("partners.AuditEvent", ("actor", "actor_label", "data"), "activity_log", PSEUDONYMISED, PUBLIC_RECORD,
             "kept: the business audit trail; the actor becomes a stable pseudonym "
             "(audit.pseudonymise_actor)"),
    Location("partners.SecurityEvent", ("actor", "actor_label", "source_ip", "object_ref", "data"), "security_log",
             RETENTION, LEGAL_DUTY, "SECURITY_LOG_RETENTION_DAYS (at least 180), purged daily "
             "(purge_security_log); the actor becomes a stable pseudonym (audit.pseudonymise_actor)"),
    Location("admin.LogEntry", ("user", "object_repr", "change_message"), "admin_log", ERASED, LEGAL_DUTY,
             "the entries of the person and about the person's account are deleted with the account; the "
             "security log keeps what must be kept", not_personal=("object_id",)),
    # Serving the members: the staff's contact log and the member's requests, answers and changes.
    Location("partners.Contact", ("officer", "participants", "topics"), "member_service", PSEUDONYMISED,
             PUBLIC_RECORD, "kept as the member's contact history, naming only the anonymised account",
             not_personal=("contacted_on",)),
    Location("partners.FollowUp", ("owner", "action"), "member_service", PSEUDONYMISED, PUBLIC_RECORD,
             "kept with its contact, naming only the anonymised account", not_personal=("contact",)),
    Location("partners.MemberRequest", ("raised_by", "officer", "description", "resolution", "reopen_reason"),
             "member_service", PSEUDONYMISED, PUBLIC_RECORD,
             "kept as the member's request history, naming only the anonymised account"),
    Location("partners.AnnualUpdate", ("responded_by", "projects", "pilot_cases"), "member_service", PSEUDONYMISED,
             PUBLIC_RECORD, "kept as the member's yearly report, naming only the anonymised account"),
    Location("partners.ProfileChange", ("proposed_by", "checked_by", "old_value", "new_value"), "member_service",
             PSEUDONYMISED, PUBLIC_RECORD, "kept as the history of the member's public facts, naming only the "
             "anonymised account"),
    Location("partners.RosterImport", ("uploaded_by", "file", "original_name"), "member_service", PSEUDONYMISED,
             PUBLIC_RECORD, "kept as the record of the import the members came from, naming only the anonymised "
             "account", not_personal=("counts", "error")),
    Location("partners.MemberService", ("roster_contact",), "member_service", KEPT, PUBLIC_RECORD,
             "the member's contact as the roster kept before the registry named it, kept while it is a member; "
             "not an account's data", not_personal=("last_contact_on",)),
    Location("partners.Organization", ("legal_representative", "registered_address"), "organisations", KEPT,
             PUBLIC_INFO, "the organisation's register entry, not the deleting person's data",
             not_personal=("name", "name_en", "credit_code_confirmed_by", "description", "beijing_entity_name")),
) + tuple(
    Location(f"partners.Historical{name}", HISTORY_FIELDS, "profile_history", PSEUDONYMISED, PUBLIC_RECORD,
             "field history of the organisation's records; the editor is the anonymised account",
             not_personal=not_personal)
    for name, not_personal in (
        ("Organization", ("name", "name_en", "legal_representative", "registered_address", "description",
                          "credit_code_confirmed_by", "beijing_entity_name")),
        ("ComputeProfile", ("summary", "services", "sme_pricing")),
        ("DataProfile", ("summary", "roles", "modalities", "compliance_certifications")),
        ("ModelProfile", ("summary", "algorithm_filing", "genai_filing")),
        ("ApplicationProfile", ("summary",)),
        ("InvestmentProfile", ("summary", "stages", "ai_investments")),
    )
)

# Models a name-based check would flag that hold no person's data, and why.
NOT_PERSONAL: dict[str, str] = {
    "auth.Group": "names of staff roles",
    "auth.Permission": "names of permissions",
    "sites.Site": "the site's domain and name",
    "django_celery_beat.PeriodicTask": "names of periodic jobs",
    "partners.District": "names of districts",
    "partners.Industry": "names of industries",
    "partners.Criterion": "names of scoring criteria",
    "partners.InvitationCode": "names of organisations and departments; the person is only linked by id",
    "partners.CaseMedia": "images and PDF documents of an organisation's pilot case; no uploader is recorded",
    "partners.RosterImportRow": "names of the organisations on the rows of an imported roster",
}


def location(model_label: str) -> Location:
    return next(loc for loc in LOCATIONS if loc.model == model_label)


def export_sections() -> list[str]:
    return list(dict.fromkeys(loc.export for loc in LOCATIONS))


TABLE_HEADER = ("| location | personal fields | export section | on deletion | legal basis | retention |\n"
                "|---|---|---|---|---|---|")


def markdown_rows() -> list[str]:
    """The registry as the rows of the table in docs/COMPLIANCE.md (a test keeps the two the same)."""
    return [f"| `{loc.model}` | {', '.join(f'`{f}`' for f in loc.fields)} | `{loc.export}` | {loc.deletion} | "
            f"{loc.basis} | {loc.retention} |" for loc in LOCATIONS]
