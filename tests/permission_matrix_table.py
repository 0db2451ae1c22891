"""Expected statuses of the permission matrix, one row per URL name; other engineers add rows here.

A row: {"get": "<8 statuses>", "post": "<8 statuses>", optional "kwargs": w -> {...}}. Without a "post"
row, every identity's POST must be refused or not allowed (one of NOT_ACCEPTED). Statuses are in the order
    anonymous  applicant_a  applicant_b  colleague_a  reviewer  approver  service_officer  administrator
`a|b` accepts either; `*` accepts any answer below 500 (used where the Django admin decides by model).
Objects in kwargs belong to organisation A (w.application_a, w.draft_a, w.attachment_a, w.org_a, ...), so
applicant_b, who acts for another organisation, gets 404 on them. Rows were first observed with
PERMISSION_MATRIX_DUMP=<file> and then reviewed one by one; a changed answer is a finding to look at.
"""

# Common shapes
PUBLIC = "200 200 200 200 200 200 200 200"
LOGGED_IN = "302 200 200 200 200 200 200 200"
OWN_ORG = "302 200 404 200 404 404 404 404"          # people of organisation A only; others get 404
ANONYMOUS_ONLY = "200 302 302 302 302 302 302 302"   # login and sign-up: people already in are sent on
REDIRECTED = "302 302 302 302 302 302 302 302"
NOT_ALLOWED = "405 405 405 405 405 405 405 405"
LOGIN_THEN_NOT_ALLOWED = "302 405 405 405 405 405 405 405"  # POST-only views behind the login
API_READ_ONLY = "401 405 405 405 405 405 405 405"
REVIEW_STAFF = "302 403 403 403 200 200 403 200"     # reviewers, approvers, administrators
ADMINISTRATOR_ONLY = "302 403 403 403 403 403 403 200"
SECURITY_ROLES_ONLY = "302 403 403 403 403 403 403 403"  # security and audit administrators (separate roles)
EXPERTS_ONLY = "302 403 403 403 403 403 403 403"  # panel experts (none of the identities here)
# Statuses that mean "this POST was not accepted" for routes without a POST row.
NOT_ACCEPTED = {302, 401, 403, 404, 405}

# Django admin: everyone but the administrator is sent to the admin login; the administrator's answer
# depends on each model's admin permissions (append-only audit: 403 on add/change/delete).
ADMIN = {"get": "302 302 302 302 302 302 302 *", "post": "302 302 302 302 302 302 302 *",
         "kwargs": lambda w: {"object_id": w.application_a.pk, "app_label": "auth", "content_type_id": 1,
                              "id": w.applicant_a.pk, "action": "submit",
                              "url": "nowhere/"}}

TABLE = {
    # --- infrastructure --------------------------------------------------------------------------------------
    "health": {"get": PUBLIC, "post": PUBLIC},  # /health/
    "health_live": {"get": PUBLIC, "post": PUBLIC},  # /health/live/
    "ping": {"get": PUBLIC, "post": PUBLIC},  # /ping/
    "set_language": {"get": REDIRECTED, "post": REDIRECTED},  # /i18n/setlang/
    # --- accounts (allauth) and two-factor authentication ----------------------------------------------------
    "account_login": {"get": ANONYMOUS_ONLY, "post": ANONYMOUS_ONLY},  # /accounts/login/
    "account_logout": {"get": LOGGED_IN, "post": REDIRECTED},  # /accounts/logout/
    "account_inactive": {"get": PUBLIC, "post": NOT_ALLOWED},  # /accounts/inactive/
    "account_signup": {"get": ANONYMOUS_ONLY, "post": ANONYMOUS_ONLY},  # /accounts/signup/
    "account_reauthenticate": {"get": LOGGED_IN, "post": LOGGED_IN},  # /accounts/reauthenticate/
    "account_request_reauthentication_code": {"get": LOGGED_IN, "post": LOGGED_IN},  # /accounts/reauthenticate/code/
    "account_confirm_reauthentication_code": {"get": REDIRECTED, "post": REDIRECTED},  # /accounts/reauthenticate/code/confirm/
    "account_email": {"get": LOGGED_IN, "post": REDIRECTED},  # /accounts/email/
    "account_email_verification_sent": {"get": PUBLIC, "post": NOT_ALLOWED},  # /accounts/confirm-email/
    "account_change_password": {"get": LOGGED_IN, "post": LOGGED_IN},  # /accounts/password/change/
    "account_set_password": {"get": REDIRECTED, "post": REDIRECTED},  # /accounts/password/set/
    "account_reset_password": {"get": PUBLIC, "post": PUBLIC},  # /accounts/password/reset/
    "account_confirm_login_code": {"get": REDIRECTED, "post": REDIRECTED},  # /accounts/login/code/confirm/
    "account_confirm_email": {"get": PUBLIC, "post": "404 404 404 404 404 404 404 404"},  # /accounts/confirm-email/not-a-real-key/
    "account_reset_password_from_key_done": {"get": PUBLIC, "post": NOT_ALLOWED},  # /accounts/password/reset/key/done/
    "account_reset_password_from_key": {"get": PUBLIC, "post": PUBLIC},  # /accounts/password/reset/key/0-not-a-real-key/
    "account_reset_password_done": {"get": PUBLIC, "post": NOT_ALLOWED},  # /accounts/password/reset/done/
    "mfa_index": {"get": LOGGED_IN, "post": LOGIN_THEN_NOT_ALLOWED},  # /accounts/2fa/
    "mfa_authenticate": {"get": REDIRECTED, "post": REDIRECTED},  # /accounts/2fa/authenticate/
    "mfa_reauthenticate": {"get": "302 302 302 302 200 200 200 200", "post": "302 302 302 302 200 200 200 200"},  # /accounts/2fa/reauthenticate/
    "mfa_activate_totp": {"get": REDIRECTED, "post": REDIRECTED},  # /accounts/2fa/totp/activate/
    "mfa_deactivate_totp": {"get": "302 404 404 404 302 302 302 302", "post": "302 404 404 404 302 302 302 302"},  # /accounts/2fa/totp/deactivate/
    "mfa_view_recovery_codes": {"get": "302 404 404 404 404 404 404 404", "post": LOGIN_THEN_NOT_ALLOWED},  # /accounts/2fa/recovery-codes/
    "mfa_generate_recovery_codes": {"get": REDIRECTED, "post": REDIRECTED},  # /accounts/2fa/recovery-codes/generate/
    "mfa_download_recovery_codes": {"get": "302 404 404 404 404 404 404 404", "post": "302 404 404 404 404 404 404 404"},  # /accounts/2fa/recovery-codes/download/
    # --- Django admin (named exceptions; the rest follows ADMIN below) ---------------------------------------
    "admin:login": {"get": "200 200 200 200 200 200 200 302", "post": PUBLIC},  # /admin/login/
    "admin:logout": {"get": "302 302 302 302 302 302 302 405", "post": REDIRECTED},  # /admin/logout/
    # --- API v1 (session identities; API keys are covered by the API tests) ----------------------------------
    "api-schema": {"get": PUBLIC, "post": NOT_ALLOWED},  # /api/schema/
    "api-docs": {"get": PUBLIC, "post": NOT_ALLOWED},  # /api/docs/
    "api-redoc": {"get": PUBLIC, "post": NOT_ALLOWED},  # /api/redoc/
    "partner-type-list": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/partner-types/
    "district-list": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/districts/
    "district-detail": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/districts/110108/
    "industry-list": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/industries/
    "industry-detail": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/industries/government/
    "organization-list": {"get": "401 200 200 200 200 200 200 200", "post": API_READ_ONLY},  # /api/v1/organizations/
    "organization-detail": {"get": "401 200 404 200 200 200 200 200", "post": API_READ_ONLY},  # /api/v1/organizations/<uuid>/
    "application-list": {"get": "401 200 200 200 200 200 200 200", "post": "401 201 201 201 400 400 400 400"},  # /api/v1/applications/
    "application-detail": {"get": "401 200 404 200 200 200 404 200", "post": API_READ_ONLY},  # /api/v1/applications/<uuid>/
    "application-attachments": {"get": "401 200 404 200 200 200 404 200", "post": "401 400 404 400 400 400 404 400"},  # /api/v1/applications/<uuid>/attachments/
    "application-fire-action": {"get": API_READ_ONLY, "post": "401 415 404 415 415 415 404 415"},  # /api/v1/applications/<uuid>/actions/withdraw/
    "decision-list": {"get": "401 403 403 403 200 200 403 200", "post": "401 403 403 403 405 405 403 405"},  # /api/v1/decisions/ (reviewing staff, as the staff screens)
    "decision-detail": {"get": "401 403 403 403 200 200 403 200", "post": "401 403 403 403 405 405 403 405"},  # /api/v1/decisions/<uuid>/
    "member-list": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/members/
    "member-detail": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/members/BJAI-2026-00001/
    "event-list": {"get": "401 200 200 200 200 200 200 200", "post": API_READ_ONLY},  # /api/v1/events/
    "verification-case-list": {"get": "401 200 200 200 200 200 200 200", "post": API_READ_ONLY},  # /api/v1/verification-cases/
    "verification-case-detail": {"get": "401 200 404 200 200 200 404 200", "post": API_READ_ONLY},  # /api/v1/verification-cases/<uuid>/
    "verification-case-fire-action": {"get": API_READ_ONLY, "post": "401 415 404 415 415 415 404 415"},  # /api/v1/verification-cases/<uuid>/actions/withdraw/
    "member-request-list": {"get": "401 200 200 200 200 200 200 200", "post": API_READ_ONLY},  # /api/v1/member-requests/
    "member-request-detail": {"get": "401 404 404 404 200 200 200 200", "post": API_READ_ONLY},  # /api/v1/member-requests/<uuid>/ (another member's)
    "member-request-fire-action": {"get": API_READ_ONLY, "post": "401 404 404 404 415 415 415 415"},  # /api/v1/member-requests/<uuid>/actions/resolve/
    "webhook-list": {"get": "401 403 403 403 403 403 403 403", "post": "401 403 403 403 403 403 403 403"},  # /api/v1/webhooks/
    "webhook-detail": {"get": "401 403 403 403 403 403 403 403", "post": "401 403 403 403 403 403 403 403"},  # /api/v1/webhooks/<uuid>/
    "webhook-deliveries": {"get": "401 403 403 403 403 403 403 403", "post": "401 403 403 403 403 403 403 403"},  # /api/v1/webhooks/<uuid>/deliveries/
    "webhook-rotate-secret": {"get": "401 403 403 403 403 403 403 403", "post": "401 403 403 403 403 403 403 403"},  # /api/v1/webhooks/<uuid>/rotate-secret/
    "api-root": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/
    # --- API keys --------------------------------------------------------------------------------------------
    "keys:list": {"get": LOGGED_IN, "post": "302 400 400 400 400 400 400 400"},  # /keys/
    "keys:revoke": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 302 404 404 404 404 404 302"},  # /keys/1/revoke/
    # --- applicant portal: organisation A's objects answer 404 to applicant B --------------------------------
    "portal:home": {"get": "302 200 200 200 302 302 302 302", "post": "302 200 200 200 302 302 302 302"},  # /portal/
    "portal:claim": {"get": LOGGED_IN, "post": LOGGED_IN},  # /portal/organisation/claim/
    "portal:organization": {"get": OWN_ORG, "post": OWN_ORG},  # /portal/organisations/1/
    "portal:organization_edit": {"get": OWN_ORG, "post": OWN_ORG},  # /portal/organisations/1/edit/
    "portal:colleague_add": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 400 404 400 404 404 404 404"},  # /portal/organisations/1/people/add/
    "portal:colleague_remove": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 302 404 302 404 404 404 404"},  # /portal/organisations/1/people/2/remove/
    "portal:hand_over": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 400 404 400 404 404 404 404"},  # /portal/organisations/1/hand-over/
    "portal:invitations": {"get": LOGGED_IN, "post": LOGGED_IN},  # /portal/invitations/ (one's own)
    "portal:invitation_answer": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 404 404 404 404 404 404 404"},  # /portal/invitations/1/accept/ (only the invited address)
    "portal:invitation_revoke": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 302 404 403 404 404 404 404"},  # /portal/organisations/1/invitations/1/revoke/
    "portal:join_request_decide": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 302 404 403 404 404 404 404"},  # /portal/join-requests/1/approve/
    "portal:application_new": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 404 404 404 404 404 404 404"},  # /portal/applications/new/
    "portal:application": {"get": OWN_ORG, "post": OWN_ORG},  # /portal/applications/1/
    "portal:application_action": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 400 404 400 404 404 404 404"},  # /portal/applications/2/action/withdraw/
    "portal:letter": {"get": OWN_ORG},  # /portal/applications/1/letters/1/
    "portal:letter_pdf": {"get": OWN_ORG},  # /portal/applications/1/letters/1/pdf/
    "portal:step": {"get": OWN_ORG, "post": "302 400 404 400 404 404 404 404"},  # /portal/applications/2/step/organization/
    "portal:attachment_delete": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 302 404 302 404 404 404 404"},  # /portal/applications/2/attachments/3/delete/
    "portal:attachment_download": {"get": "302 200 404 200 200 200 404 200"},  # staff who review, not service officers
    # Verification: a case is its claimant's alone on the portal (colleagues and staff get 404 there).
    "portal:dispute": {"get": LOGGED_IN, "post": LOGGED_IN},  # /portal/organisation/dispute/
    "portal:verification": {"get": "302 200 404 404 404 404 404 404", "post": "302 302 404 404 404 404 404 404"},  # /portal/verification/1/
    "portal:verification_letter": {"get": "302 200 404 404 404 404 404 404", "post": "302 200 404 404 404 404 404 404"},  # /portal/verification/1/letter.pdf
    "portal:verification_document_add": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 400 404 404 404 404 404 404"},  # /portal/verification/1/documents/
    "portal:verification_document": {"get": "302 200 404 404 404 404 404 404", "post": "302 200 404 404 404 404 404 404"},  # /portal/verification/1/documents/1/
    "portal:verification_document_delete": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 302 404 404 404 404 404 404"},  # /portal/verification/1/documents/1/delete/
    "portal:verification_action": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 302 404 404 404 404 404 404"},  # /portal/verification/1/action/withdraw/
    # Calls and the expert panel: formal PDFs for the applicant; the panel's pages for experts only (no identity
    # here is an expert: tests/test_panel.py covers them); calls and the aggregate for the staff who review.
    "portal:receipt_pdf": {"get": OWN_ORG},
    "publicity:notice_pdf": {"get": PUBLIC},  # /publicity/<uuid>/notice.pdf  # /portal/applications/1/receipt.pdf
    "portal:application_pdf": {"get": OWN_ORG},  # /portal/applications/1/application.pdf
    "review:calls": {"get": REVIEW_STAFF},  # /staff/calls/
    "review:call": {"get": REVIEW_STAFF},  # /staff/calls/1/
    "review:call_assign_panel": {"get": NOT_ALLOWED, "post": "302 403 403 403 302 403 403 302"},  # /staff/calls/1/assign-panel/
    "review:panel_remove": {"get": NOT_ALLOWED, "post": "302 403 403 403 404 403 403 404"},  # /staff/panel/1/remove/ (no assignment in this world)
    "panel:home": {"get": EXPERTS_ONLY},  # /panel/
    "panel:assignment": {"get": EXPERTS_ONLY},  # /panel/1/
    "panel:declare": {"get": NOT_ALLOWED, "post": EXPERTS_ONLY},  # /panel/1/declare/
    "panel:scores": {"get": NOT_ALLOWED, "post": EXPERTS_ONLY},  # /panel/1/scores/
    "panel:application_pdf": {"get": EXPERTS_ONLY},  # /panel/1/application.pdf
    "call-list": {"get": "401 403 403 403 200 200 403 200"},  # /api/v1/calls/
    "call-detail": {"get": "401 403 403 403 200 200 403 200"},  # /api/v1/calls/<uuid>/
    "application-panel-panel": {"get": "401 403 403 403 200 200 403 200"},  # /api/v1/applications/<uuid>/panel/
    # --- personal data and security administration (dedicated roles; see separation of duties) ---------------
    "privacy:notice": {"get": PUBLIC, "post": PUBLIC},  # /me/privacy/
    "privacy:consent": {"get": LOGGED_IN, "post": REDIRECTED},  # /me/privacy/consent/
    "privacy:my_data": {"get": LOGGED_IN, "post": LOGGED_IN},  # /me/data/
    "privacy:my_data_json": {"get": LOGGED_IN, "post": LOGGED_IN},  # /me/data.json
    "privacy:my_data_zip": {"get": LOGGED_IN, "post": LOGGED_IN},  # /me/data.zip
    "privacy:account": {"get": LOGGED_IN, "post": LOGGED_IN},  # /me/account/
    "privacy:profile": {"get": LOGGED_IN, "post": LOGGED_IN},  # /me/profile/
    "privacy:delete": {"get": LOGGED_IN, "post": LOGGED_IN},  # /me/delete/
    "security:audit_log": {"get": SECURITY_ROLES_ONLY, "post": SECURITY_ROLES_ONLY},  # /security/audit/
    "security:audit_csv": {"get": SECURITY_ROLES_ONLY, "post": SECURITY_ROLES_ONLY},  # /security/audit.csv
    "security:roles": {"get": SECURITY_ROLES_ONLY, "post": SECURITY_ROLES_ONLY},  # /security/roles/
    "security:role_change": {"get": LOGIN_THEN_NOT_ALLOWED, "post": SECURITY_ROLES_ONLY},  # /security/roles/4/
    "security:split_duties": {"get": "302 302 302 302 302 302 302 200", "post": "302 302 302 302 302 302 302 200"},  # /security/split-duties/
    "security:settings": {"get": SECURITY_ROLES_ONLY, "post": SECURITY_ROLES_ONLY},  # /security/settings/
    "security:notices": {"get": SECURITY_ROLES_ONLY, "post": SECURITY_ROLES_ONLY},  # /security/privacy-notices/
    "security:person_export": {"get": SECURITY_ROLES_ONLY, "post": SECURITY_ROLES_ONLY},  # /security/people/1/export/
    # --- inbox and outbox ------------------------------------------------------------------------------------
    "inbox:list": {"get": LOGGED_IN, "post": LOGGED_IN},  # /inbox/
    "inbox:open": {"get": "302 302 404 404 404 404 404 404", "post": "302 302 404 404 404 404 404 404"},  # /inbox/1/
    "inbox:mark_read": {"get": LOGIN_THEN_NOT_ALLOWED, "post": REDIRECTED},  # /inbox/read/
    "inbox:preferences": {"get": LOGGED_IN, "post": REDIRECTED},  # /inbox/settings/
    "outbox:list": {"get": ADMINISTRATOR_ONLY, "post": ADMINISTRATOR_ONLY},  # /staff/outbox/
    "outbox:detail": {"get": ADMINISTRATOR_ONLY, "post": ADMINISTRATOR_ONLY},  # /staff/outbox/1/
    "outbox:resend": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 403 403 403 403 403 403 302"},  # /staff/outbox/1/resend/
    # --- staff screens ---------------------------------------------------------------------------------------
    "review:dashboard": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/
    "review:queue": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/queue/
    "review:bulk_assign": {"get": NOT_ALLOWED, "post": "302 403 403 403 302 403 403 302"},  # /staff/queue/assign/
    "review:export": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/queue/export.xlsx
    "review:detail": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/applications/1/
    "review:act": {"get": NOT_ALLOWED, "post": "302 403 403 403 400 400 403 400"},  # /staff/applications/1/act/
    "review:note": {"get": NOT_ALLOWED, "post": "302 403 403 403 400 400 403 400"},  # /staff/applications/1/note/
    "review:assign": {"get": NOT_ALLOWED, "post": "302 403 403 403 302 403 403 302"},  # /staff/applications/1/assign/
    "review:attachment": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/applications/1/attachments/1/
    "review:objection_evidence": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/objections/evidence/1/
    "review:resolve_objection": {"get": NOT_ALLOWED, "post": "302 403 403 403 403 400 403 400"},  # /staff/objections/1/resolve/
    "review:organization": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/organisations/1/
    "review:verification_queue": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/verification/
    "review:verification_assign": {"get": NOT_ALLOWED, "post": "302 403 403 403 302 302 403 302"},  # /staff/verification/assign/
    "review:verification": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/verification/1/
    "review:verification_act": {"get": NOT_ALLOWED, "post": "302 403 403 403 409 409 403 409"},  # /staff/verification/1/act/verify/ (a draft: nothing to decide yet)
    "review:verification_document": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/verification/1/documents/1/
    "review:members": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/members/
    "review:member": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/members/1/
    # Serving the members. The member's portal pages are its people's only (the matrix's identities act for
    # other organisations: 404); officers and administrators change, other member staff read; 400 is an empty form.
    "portal:member_requests": {"get": "302 404 404 404 404 404 404 404", "post": "302 404 404 404 404 404 404 404"},  # /portal/organisations/3/requests/
    "portal:member_certificate": {"get": "302 404 404 404 404 404 404 404", "post": "302 404 404 404 404 404 404 404"},  # /portal/organisations/3/certificate.pdf
    "portal:annual_update": {"get": "302 404 404 404 404 404 404 404", "post": "302 404 404 404 404 404 404 404"},  # /portal/organisations/3/annual-update/
    "portal:public_facts": {"get": "302 404 404 404 404 404 404 404", "post": "302 404 404 404 404 404 404 404"},  # /portal/organisations/3/public-facts/
    "portal:public_fact_list": {"get": "302 404 404 404 404 404 404 404", "post": "302 404 404 404 404 404 404 404"},  # /portal/organisations/3/public-facts/model.industries/
    "portal:member_request": {"get": "302 404 404 404 404 404 404 404", "post": "302 404 404 404 404 404 404 404"},  # /portal/requests/1/
    "portal:member_request_act": {"get": "405 405 405 405 405 405 405 405", "post": "302 404 404 404 404 404 404 404"},  # /portal/requests/1/act/confirm/
    "review:members_assign": {"get": "405 405 405 405 405 405 405 405", "post": "302 403 403 403 403 403 400 400"},  # /staff/members/assign/
    "review:member_contact": {"get": "405 405 405 405 405 405 405 405", "post": "302 403 403 403 403 403 400 400"},  # /staff/members/1/contacts/
    "review:follow_up_done": {"get": "405 405 405 405 405 405 405 405", "post": "302 403 403 403 403 403 302 302"},  # /staff/members/1/follow-ups/1/done/
    "review:member_request_new": {"get": "405 405 405 405 405 405 405 405", "post": "302 403 403 403 403 403 400 400"},  # /staff/members/1/requests/new/
    "review:member_certificate": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/members/1/certificate.pdf
    "review:member_requests": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/requests/
    "review:member_request_report": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/requests/report/
    "review:member_request": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/requests/1/
    "review:member_request_act": {"get": "405 405 405 405 405 405 405 405", "post": "302 403 403 403 403 403 400 400"},  # /staff/requests/1/act/resolve/
    "review:member_key_enterprise": {"get": "405 405 405 405 405 405 405 405", "post": "302 403 403 403 403 403 400 400"},  # /staff/members/1/key-enterprise/
    "review:annual_non_responders": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/members/annual-update/
    "review:profile_changes": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/members/profile-changes/
    "review:profile_change_check": {"get": "405 405 405 405 405 405 405 405", "post": "302 403 403 403 403 403 302 302"},  # /staff/members/profile-changes/1/accept/
    "review:roster_upload": {"get": "302 403 403 403 403 403 403 200", "post": "302 403 403 403 403 403 403 400"},  # /staff/members/import/
    "review:roster_import": {"get": "302 403 403 403 403 403 403 200", "post": "302 403 403 403 403 403 403 200"},  # /staff/members/import/1/
    "review:roster_import_confirm": {"get": "405 405 405 405 405 405 405 405", "post": "302 403 403 403 403 403 403 302"},  # /staff/members/import/1/confirm/
    "review:roster_import_progress": {"get": "302 403 403 403 403 403 403 200", "post": "302 403 403 403 403 403 403 200"},  # /staff/members/import/1/progress/
    "public:certificate": {"get": "200 200 200 200 200 200 200 200", "post": "405 405 405 405 405 405 405 405"},  # /certificates/<token>/
    "review:member_change": {"get": NOT_ALLOWED, "post": "302 403 403 403 403 302 403 302"},  # /staff/members/1/change/
    "review:letters": {"get": ADMINISTRATOR_ONLY, "post": ADMINISTRATOR_ONLY},  # /staff/letters/
    "review:letter_edit": {"get": ADMINISTRATOR_ONLY, "post": "302 403 403 403 403 403 403 400"},  # /staff/letters/approved/en/
    # --- public site and public notice -----------------------------------------------------------------------
    "publicity:list": {"get": PUBLIC, "post": PUBLIC},  # /publicity/
    "publicity:objection": {"get": PUBLIC, "post": "400 400 400 400 400 400 400 400"},  # /publicity/9fffcc6b-9e75-4326-a07a-1500665bf5ee/objection/
    "public:home": {"get": PUBLIC, "post": NOT_ALLOWED},  # /
    "public:directory": {"get": PUBLIC, "post": NOT_ALLOWED},  # /members/
    "public:roster_csv": {"get": PUBLIC, "post": NOT_ALLOWED},  # /members/export.csv
    "public:roster_xlsx": {"get": PUBLIC, "post": NOT_ALLOWED},  # /members/export.xlsx
    "public:member": {"get": PUBLIC, "post": NOT_ALLOWED},  # /members/BJAI-2026-00001/
    "public:statistics": {"get": PUBLIC, "post": NOT_ALLOWED},  # /statistics/
    "public:revoked": {"get": PUBLIC, "post": NOT_ALLOWED},  # /members/revoked/
    # --- pairings and compute subsidy claims (A is the model team of a formed pairing with a submitted claim) ---
    "pairing-list": {"get": "401 200 200 200 200 200 200 200", "post": "401 400 400 400 400 400 400 400"},  # /api/v1/pairings/
    # A formed pairing is public: every key reads it (PAIRINGS_PUBLIC).
    "pairing-detail": {"get": "401 200 200 200 200 200 200 200", "post": API_READ_ONLY},  # /api/v1/pairings/<uuid>/
    "pairing-fire-action": {"get": API_READ_ONLY, "post": "401 415 415 415 415 415 415 415"},  # /api/v1/pairings/<uuid>/actions/end/
    "subsidy-claim-list": {"get": "401 200 200 200 200 200 200 200", "post": "401 400 400 400 400 400 400 400"},  # /api/v1/subsidy-claims/
    "subsidy-claim-detail": {"get": "401 200 404 200 200 200 404 200", "post": API_READ_ONLY},  # /api/v1/subsidy-claims/<uuid>/
    "subsidy-claim-documents": {"get": "401 200 404 200 200 200 404 200", "post": "401 400 404 400 400 400 404 400"},  # /api/v1/subsidy-claims/<uuid>/documents/
    "subsidy-claim-fire-action": {"get": API_READ_ONLY, "post": "401 415 404 415 415 415 404 415"},  # /api/v1/subsidy-claims/<uuid>/actions/withdraw/
    "portal:pairings": {"get": LOGGED_IN, "post": "302 400 400 400 400 400 400 400"},  # /portal/pairings/
    "portal:pairing": {"get": OWN_ORG, "post": "302 400 404 400 404 404 404 404"},  # /portal/pairings/1/
    "portal:pairing_action": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 403 404 403 404 404 404 404"},  # /portal/pairings/1/action/end/ (staff end pairings)
    "portal:subsidy_claim_new": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 400 404 400 404 404 404 404"},  # /portal/pairings/1/claims/new/
    "portal:subsidy_claim": {"get": OWN_ORG, "post": "302 400 404 400 404 404 404 404"},  # /portal/subsidy-claims/1/
    "portal:subsidy_document_add": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 400 404 400 404 404 404 404"},  # /portal/subsidy-claims/1/documents/
    "portal:subsidy_document": {"get": OWN_ORG, "post": OWN_ORG},  # /portal/subsidy-claims/1/documents/1/
    "portal:subsidy_document_delete": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 302 404 302 404 404 404 404"},  # /portal/subsidy-claims/1/documents/1/delete/ (submitted: refused with a message)
    "portal:subsidy_claim_action": {"get": LOGIN_THEN_NOT_ALLOWED, "post": "302 409 404 409 404 404 404 404"},  # /portal/subsidy-claims/1/action/withdraw/ (submitted: too late)
    "review:pairings": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/pairings/
    "review:pairing": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/pairings/1/
    "review:pairing_act": {"get": NOT_ALLOWED, "post": "302 403 403 403 400 400 403 400"},  # /staff/pairings/1/act/end/ (a reason is required)
    "review:subsidy_claims": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/subsidy/
    "review:subsidy_claim": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/subsidy/1/
    "review:subsidy_claim_act": {"get": NOT_ALLOWED, "post": "302 403 403 403 302 302 403 302"},  # /staff/subsidy/1/act/start_review/
    "review:subsidy_document": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/subsidy/1/documents/1/
    "review:subsidy_rules": {"get": REVIEW_STAFF, "post": "302 403 403 403 403 403 403 400"},  # /staff/subsidy/rules/ (administrators add versions)
    "review:subsidy_budget": {"get": NOT_ALLOWED, "post": "302 403 403 403 403 400 403 400"},  # /staff/subsidy/budget/ (approvers and administrators)
    "review:subsidy_reports": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/subsidy/reports/
    "review:subsidy_export": {"get": REVIEW_STAFF, "post": REVIEW_STAFF},  # /staff/subsidy/reports/export.xlsx
    # --- data catalogue, showcase of pilot cases, plan dashboard ----------------------------------------------
    "dataset-list": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/datasets/
    "dataset-detail": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/datasets/<uuid>/
    "demand-list": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/demands/
    "demand-detail": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/demands/<uuid>/
    "demand-matches": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/demands/<uuid>/matches/
    "case-list": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/cases/
    "case-detail": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/cases/<uuid>/ (published)
    "target-progress-list": {"get": PUBLIC, "post": API_READ_ONLY},  # /api/v1/target-progress/
    "catalogue:datasets": {"get": PUBLIC, "post": NOT_ALLOWED},  # /data/
    "catalogue:demands": {"get": PUBLIC, "post": NOT_ALLOWED},  # /data/demands/
    "catalogue:dataset": {"get": PUBLIC, "post": NOT_ALLOWED},  # /data/sets/<uuid>/ (public)
    "catalogue:demand": {"get": PUBLIC, "post": NOT_ALLOWED},  # /data/demands/<uuid>/ (public)
    # POST without the entry to be introduced to: 400 for everyone signed in.
    "catalogue:introduce": {"get": NOT_ALLOWED, "post": "302 400 400 400 400 400 400 400"},  # /data/dataset/<uuid>/introduce/
    "catalogue:answer": {"get": NOT_ALLOWED, "post": "302 400 400 400 400 400 400 400"},  # /data/introductions/<uuid>/answer/ (no decision)
    "catalogue:mine": {"get": LOGGED_IN, "post": LOGIN_THEN_NOT_ALLOWED},  # /portal/catalogue/
    # Staff without an organisation are sent to the portal to register one.
    "catalogue:new": {"get": "302 200 200 200 302 302 302 302", "post": "302 200 200 200 302 302 302 302"},  # /portal/catalogue/new/dataset/
    "catalogue:case_new": {"get": "302 200 200 200 302 302 302 302", "post": "302 200 200 200 302 302 302 302"},  # /portal/cases/new/
    # A's draft case: its people change it; staff who see it in their queue may not (403), others get 404.
    "catalogue:case_edit": {"get": "302 200 404 200 403 403 404 403", "post": "302 200 404 200 403 403 404 403"},  # /portal/cases/<uuid>/edit/
    # A's public data set: only A's people change or withdraw it; everyone else gets 404, staff included.
    "catalogue:edit": {"get": OWN_ORG, "post": OWN_ORG},  # /portal/catalogue/dataset/<uuid>/edit/ (empty form: 200)
    "catalogue:withdraw": {"get": OWN_ORG, "post": "302 302 404 302 404 404 404 404"},  # /portal/catalogue/dataset/<uuid>/withdraw/
    "catalogue:showcase": {"get": PUBLIC, "post": NOT_ALLOWED},  # /showcase/
    "catalogue:case": {"get": "404 200 404 200 200 200 404 200", "post": NOT_ALLOWED},  # /showcase/<uuid>/ (A's draft)
    # A submits (302); the colleague then finds it submitted (302 with a message); reviewers may not submit.
    "catalogue:case_action": {"get": NOT_ALLOWED, "post": "302 302 404 302 403 403 404 403"},  # /showcase/<uuid>/actions/submit/
    # Without a file: back to the case with a message (302); people who may not see A's draft get 404.
    "catalogue:case_media_add": {"get": NOT_ALLOWED, "post": "302 302 404 302 302 302 404 302"},  # /showcase/<uuid>/media/
    "catalogue:case_media": {"get": "404 200 404 200 200 200 404 200", "post": NOT_ALLOWED},  # /showcase/<uuid>/media/<id>/ (A's draft)
    "catalogue:summary": {"get": PUBLIC, "post": NOT_ALLOWED},  # /plan/
    "catalogue:moderation": {"get": REVIEW_STAFF, "post": "302 403 403 403 405 405 403 405"},  # /staff/catalogue/
    "catalogue:moderate": {"get": "302 403 403 403 405 405 403 405", "post": "302 403 403 403 302 302 403 302"},  # /staff/catalogue/dataset/<uuid>/
    "catalogue:case_queue": {"get": REVIEW_STAFF, "post": "302 403 403 403 405 405 403 405"},  # /staff/cases/
    "catalogue:designate": {"get": "302 403 403 403 403 405 403 405", "post": "302 403 403 403 403 302 403 302"},  # /staff/cases/<uuid>/designate/
    "catalogue:dashboard": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 405 405 405 405"},  # /staff/plan/
    "catalogue:dashboard_csv": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 405 405 405 405"},  # /staff/plan/export.csv
    # The yearly targets: approvers and administrators (who designate the cases counted); an empty form is 200.
    "catalogue:targets": {"get": "302 403 403 403 403 200 403 200", "post": "302 403 403 403 403 200 403 200"},  # /staff/plan/targets/
}

# Values of URL parameters, by route (rows may also carry their own "kwargs").
KWARGS = {
    "account_confirm_email": lambda w: {"key": "not-a-real-key"},
    "account_reset_password_from_key": lambda w: {"uidb36": "0", "key": "not-a-real-key"},
    "public:member": lambda w: {"number": w.membership.number},
    "portal:organization": lambda w: {"pk": w.org_a.pk},
    "portal:organization_edit": lambda w: {"pk": w.org_a.pk},
    "portal:colleague_add": lambda w: {"pk": w.org_a.pk},
    "portal:colleague_remove": lambda w: {"pk": w.org_a.pk, "user_id": w.colleague_a.pk},
    "portal:hand_over": lambda w: {"pk": w.org_a.pk},
    "portal:invitation_answer": lambda w: {"pk": w.invitation_a.pk, "decision": "accept"},
    "portal:invitation_revoke": lambda w: {"pk": w.org_a.pk, "invitation_id": w.invitation_a.pk},
    "portal:join_request_decide": lambda w: {"pk": w.join_request_a.pk, "decision": "approve"},
    "portal:application": lambda w: {"pk": w.application_a.pk},
    "portal:letter": lambda w: {"pk": w.application_a.pk, "decision_id": w.decision_a.pk},
    "portal:letter_pdf": lambda w: {"pk": w.application_a.pk, "decision_id": w.decision_a.pk},
    "portal:application_action": lambda w: {"pk": w.draft_a.pk, "action": "withdraw"},
    "portal:step": lambda w: {"pk": w.draft_a.pk, "step": "organization"},
    "portal:attachment_delete": lambda w: {"pk": w.draft_a.pk, "attachment_id": w.draft_attachment_a.pk},
    "portal:attachment_download": lambda w: {"pk": w.attachment_a.pk},
    "inbox:open": lambda w: {"pk": w.notification_a.pk},
    "outbox:detail": lambda w: {"pk": w.notification_a.pk},
    "outbox:resend": lambda w: {"pk": w.notification_a.pk},
    "publicity:objection": lambda w: {"public_id": w.publicity_application.public_id},
    "publicity:notice_pdf": lambda w: {"public_id": w.publicity_application.public_id},
    "member-detail": lambda w: {"member_number": w.membership.number},
    "district-detail": lambda w: {"code": "110108"},
    "industry-detail": lambda w: {"code": w.industry_code},
    "organization-detail": lambda w: {"id": w.org_a.public_id},
    "application-detail": lambda w: {"id": w.application_a.public_id},
    "application-attachments": lambda w: {"id": w.application_a.public_id},
    "application-fire-action": lambda w: {"id": w.application_a.public_id, "action_name": "withdraw"},
    "decision-detail": lambda w: {"id": w.decision_a.public_id},
    "webhook-detail": lambda w: {"id": w.webhook_public_id},
    "webhook-deliveries": lambda w: {"id": w.webhook_public_id},
    "webhook-rotate-secret": lambda w: {"id": w.webhook_public_id},
    "keys:revoke": lambda w: {"pk": w.api_key_pk},
    "portal:verification": lambda w: {"pk": w.case_a.pk},
    "portal:verification_letter": lambda w: {"pk": w.case_a.pk},
    "portal:verification_document_add": lambda w: {"pk": w.case_a.pk},
    "portal:verification_document": lambda w: {"pk": w.case_a.pk, "document_id": w.case_document_a.pk},
    "portal:verification_document_delete": lambda w: {"pk": w.case_a.pk, "document_id": w.case_document_a.pk},
    "portal:verification_action": lambda w: {"pk": w.case_a.pk, "action": "withdraw"},
    "review:verification": lambda w: {"pk": w.case_a.pk},
    "review:organization": lambda w: {"pk": w.org_a.pk},
    "review:verification_act": lambda w: {"pk": w.case_a.pk, "action": "verify"},
    "review:verification_document": lambda w: {"pk": w.case_a.pk, "document_id": w.case_document_a.pk},
    "verification-case-detail": lambda w: {"id": w.case_a.public_id},
    "verification-case-fire-action": lambda w: {"id": w.case_a.public_id, "action_name": "withdraw"},
    "portal:pairing": lambda w: {"pk": w.pairing_a.pk},
    "portal:pairing_action": lambda w: {"pk": w.pairing_a.pk, "action": "end"},
    "portal:subsidy_claim_new": lambda w: {"pk": w.pairing_a.pk},
    "portal:subsidy_claim": lambda w: {"pk": w.claim_a.pk},
    "portal:subsidy_document_add": lambda w: {"pk": w.claim_a.pk},
    "portal:subsidy_document": lambda w: {"pk": w.claim_a.pk, "document_id": w.claim_document_a.pk},
    "portal:subsidy_document_delete": lambda w: {"pk": w.claim_a.pk, "document_id": w.claim_document_a.pk},
    "portal:subsidy_claim_action": lambda w: {"pk": w.claim_a.pk, "action": "withdraw"},
    "review:pairing": lambda w: {"pk": w.pairing_a.pk},
    "review:pairing_act": lambda w: {"pk": w.pairing_a.pk, "action": "end"},
    "review:subsidy_claim": lambda w: {"pk": w.claim_a.pk},
    "review:subsidy_claim_act": lambda w: {"pk": w.claim_a.pk, "action": "start_review"},
    "review:subsidy_document": lambda w: {"pk": w.claim_a.pk, "document_id": w.claim_document_a.pk},
    "pairing-detail": lambda w: {"id": w.pairing_a.public_id},
    "pairing-fire-action": lambda w: {"id": w.pairing_a.public_id, "action_name": "end"},
    "subsidy-claim-detail": lambda w: {"id": w.claim_a.public_id},
    "subsidy-claim-documents": lambda w: {"id": w.claim_a.public_id},
    "subsidy-claim-fire-action": lambda w: {"id": w.claim_a.public_id, "action_name": "withdraw"},
    "review:detail": lambda w: {"pk": w.application_a.pk},
    "portal:receipt_pdf": lambda w: {"pk": w.application_a.pk},
    # No expert assignment exists in the world: the role check answers before any lookup.
    "panel:assignment": lambda w: {"pk": 1},
    "review:panel_remove": lambda w: {"pk": 1},
    "panel:declare": lambda w: {"pk": 1},
    "panel:scores": lambda w: {"pk": 1},
    "panel:application_pdf": lambda w: {"pk": 1},
    "portal:application_pdf": lambda w: {"pk": w.application_a.pk},
    "review:call": lambda w: {"pk": w.application_a.call_id},
    "review:call_assign_panel": lambda w: {"pk": w.application_a.call_id},
    "call-detail": lambda w: {"id": w.application_a.call.public_id},
    "application-panel-panel": lambda w: {"id": w.application_a.public_id},
    "review:act": lambda w: {"pk": w.application_a.pk},
    "review:note": lambda w: {"pk": w.application_a.pk},
    "review:assign": lambda w: {"pk": w.application_a.pk},
    "review:attachment": lambda w: {"pk": w.application_a.pk, "attachment_id": w.attachment_a.pk},
    "review:objection_evidence": lambda w: {"pk": w.evidence_pk},
    "review:resolve_objection": lambda w: {"pk": w.objection_pk},
    "review:member": lambda w: {"pk": w.membership.pk},
    "review:member_change": lambda w: {"pk": w.membership.pk},
    "review:letter_edit": lambda w: {"outcome": "approved", "language": "en"},
    # Serving the members: the admitted member's service, requests, certificate, upkeep and a roster import.
    "review:member_contact": lambda w: {"pk": w.membership.pk},
    "review:follow_up_done": lambda w: {"pk": w.membership.pk, "follow_up_id": _follow_up(w).pk},
    "review:member_key_enterprise": lambda w: {"pk": w.membership.pk},
    "review:member_request_new": lambda w: {"pk": w.membership.pk},
    "review:member_certificate": lambda w: {"pk": w.membership.pk},
    "review:member_request": lambda w: {"pk": _member_request(w).pk},
    "review:member_request_act": lambda w: {"pk": _member_request(w).pk, "action": "resolve"},
    "review:profile_change_check": lambda w: {"pk": _profile_change(w).pk, "decision": "accept"},
    "review:roster_import": lambda w: {"pk": _roster_import(w).pk},
    "review:roster_import_confirm": lambda w: {"pk": _roster_import(w).pk},
    "review:roster_import_progress": lambda w: {"pk": _roster_import(w).pk},
    "portal:member_requests": lambda w: {"pk": w.member_org.pk},
    "portal:member_certificate": lambda w: {"pk": w.member_org.pk},
    "portal:annual_update": lambda w: {"pk": w.member_org.pk},
    "portal:public_facts": lambda w: {"pk": w.member_org.pk},
    "portal:public_fact_list": lambda w: {"pk": w.member_org.pk, "key": "model.industries"},
    "portal:member_request": lambda w: {"pk": _member_request(w).pk},
    "portal:member_request_act": lambda w: {"pk": _member_request(w).pk, "action": "confirm"},
    "public:certificate": lambda w: {"token": _certificate_token(w)},
    "member-request-detail": lambda w: {"id": _member_request(w).public_id},
    "member-request-fire-action": lambda w: {"id": _member_request(w).public_id, "action_name": "resolve"},
    "security:role_change": lambda w: {"user_id": w.reviewer.pk},
    "security:person_export": lambda w: {"user_id": w.applicant_a.pk},
    "dataset-detail": lambda w: {"id": catalogue_world(w).dataset_a.public_id},
    "demand-detail": lambda w: {"id": catalogue_world(w).demand_b.public_id},
    "demand-matches": lambda w: {"id": catalogue_world(w).demand_b.public_id},
    "case-detail": lambda w: {"id": catalogue_world(w).published_case_a.public_id},
    "catalogue:dataset": lambda w: {"public_id": catalogue_world(w).dataset_a.public_id},
    "catalogue:demand": lambda w: {"public_id": catalogue_world(w).demand_b.public_id},
    "catalogue:introduce": lambda w: {"kind": "dataset", "public_id": catalogue_world(w).dataset_a.public_id},
    "catalogue:answer": lambda w: {"public_id": catalogue_world(w).introduction_to_a.public_id},
    "catalogue:new": lambda w: {"kind": "dataset"},
    "catalogue:edit": lambda w: {"kind": "dataset", "public_id": catalogue_world(w).dataset_a.public_id},
    "catalogue:withdraw": lambda w: {"kind": "dataset", "public_id": catalogue_world(w).dataset_a.public_id},
    "catalogue:case_edit": lambda w: {"public_id": catalogue_world(w).draft_case_a.public_id},
    "catalogue:case": lambda w: {"public_id": catalogue_world(w).draft_case_a.public_id},
    "catalogue:case_action": lambda w: {"public_id": catalogue_world(w).draft_case_a.public_id, "action": "submit"},
    "catalogue:case_media_add": lambda w: {"public_id": catalogue_world(w).draft_case_a.public_id},
    "catalogue:case_media": lambda w: {"public_id": catalogue_world(w).draft_case_a.public_id,
                                       "media_id": catalogue_world(w).draft_media_a.pk},
    "catalogue:moderate": lambda w: {"kind": "dataset", "public_id": catalogue_world(w).dataset_a.public_id},
    "catalogue:designate": lambda w: {"public_id": catalogue_world(w).published_case_a.public_id},
}


def catalogue_world(w):
    """Organisation A's public data set and cases, B's public demand, and B's request for an introduction to A
    (made once per world)."""
    if not hasattr(w, "dataset_a"):
        from django.test import override_settings

        from partners.models import Case, DataDemand, DataSet
        from partners.services import cases, catalogue, introductions

        with override_settings(CATALOGUE_MODERATION=False):
            w.dataset_a = catalogue.publish(w.applicant_a, DataSet(
                organization=w.org_a, name="A的数据集", modality="text", industry_id="health"))
            w.demand_b = catalogue.publish(w.applicant_b, DataDemand(
                organization=w.org_b, title="B的需求", modality="text", industry_id="health", stage="finetuning"))
        w.introduction_to_a = introductions.request_introduction(w.applicant_b, w.dataset_a, w.demand_b)
        w.draft_case_a = cases.create_case(w.applicant_a, Case(
            organization=w.org_a, kind="application", title="A的草稿案例", scenario="场景", results="成效", year=2025))
        w.published_case_a = cases.create_case(w.applicant_a, Case(
            organization=w.org_a, kind="solution", title="A的案例", scenario="场景", results="成效", year=2025))
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.factories import TINY_PDF

        w.draft_media_a = cases.add_media(w.applicant_a, w.draft_case_a, SimpleUploadedFile(
            "report.pdf", TINY_PDF, content_type="application/pdf"))
        cases.fire(w.applicant_a, w.published_case_a, "submit")
        cases.fire(w.reviewer, w.published_case_a, "start_review")
        cases.fire(w.reviewer, w.published_case_a, "publish")
    return w

# The same routes on organisation A's draft (w.draft_a, w.draft_attachment_a): drafts belong to the applicant
# until submitted, so every staff identity gets 404 on the web and in the API alike (the staff screens first
# refuse the roles that review nothing, with 403, as for any application).
DRAFT_OWN_ORG = "302 200 404 200 404 404 404 404"
DRAFT_TABLE = {
    "portal:application": ({"pk": "draft_a"}, DRAFT_OWN_ORG),
    "portal:attachment_download": ({"pk": "draft_attachment_a"}, DRAFT_OWN_ORG),
    "review:detail": ({"pk": "draft_a"}, "302 403 403 403 404 404 403 404"),
    "review:attachment": ({"pk": "draft_a", "attachment_id": "draft_attachment_a"}, "302 403 403 403 404 404 403 404"),
    "application-detail": ({"id": "draft_a"}, "401 200 404 200 404 404 404 404"),
    "application-attachments": ({"id": "draft_a"}, "401 200 404 200 404 404 404 404"),
}

PREFIX_RULES = [
    ("admin:", ADMIN),
]


def parse_row(row: str) -> list[str]:
    cells = row.split()
    if len(cells) != 8:
        raise ValueError(f"a row needs 8 statuses, got {row!r}")
    return cells


def matches(status, want: str) -> bool:
    if not isinstance(status, int):
        return False  # a crash never matches
    if want == "*":
        return status < 500
    return str(status) in want.split("|")


# --- Objects of the member services, made once per world ---------------------------------------------------------

def _once(w, name, make):
    if not hasattr(w, name):
        setattr(w, name, make())
    return getattr(w, name)


def _follow_up(w):
    from django.utils import timezone

    from partners.models import Contact, FollowUp

    def make():
        contact = Contact.objects.create(membership=w.membership, kind="call", contacted_on=timezone.localdate(),
                                         topics="matrix")
        return FollowUp.objects.create(contact=contact, membership=w.membership, action="matrix",
                                       due_on=timezone.localdate())

    return _once(w, "matrix_follow_up", make)


def _member_request(w):
    from partners.services.member_requests import raise_request

    return _once(w, "matrix_member_request", lambda: raise_request(
        w.member_owner, w.membership, kind="compute", title="matrix", description="matrix"))


def _profile_change(w):
    from partners.models import ProfileChange

    return _once(w, "matrix_profile_change", lambda: ProfileChange.objects.create(
        organization=w.member_org, field="name_en", new_value="Matrix Ltd"))


def _roster_import(w):
    from django.core.files.base import ContentFile

    from partners.models import RosterImport

    def make():
        roster_import = RosterImport(original_name="matrix.xlsx", sha256="0" * 64)
        roster_import.file.save("upload", ContentFile(b"PK"), save=False)
        roster_import.save()
        return roster_import

    return _once(w, "matrix_roster_import", make)


def _certificate_token(w):
    from partners.models import MemberService

    return MemberService.objects.get_or_create(membership=w.membership)[0].certificate_token
