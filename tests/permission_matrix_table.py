"""Expected statuses of the permission matrix, one row per URL name; other engineers add rows here.

A row: {"get": "<8 statuses>", "post": "<8 statuses>" (only for routes that accept POST), "kwargs": w -> {}}
Statuses are given in the order of IDENTITIES:
    anonymous  applicant_a  applicant_b  colleague_a  reviewer  approver  service_officer  administrator
`a|b` accepts either; `*` accepts any answer below 500 (used where the Django admin decides by model).
Objects in kwargs belong to organisation A (w.application_a, w.draft_a, w.attachment_a, w.org_a), so
applicant_b, who acts for another organisation, must get 404 on them.
"""

# Common shapes
PUBLIC = "200 200 200 200 200 200 200 200"
LOGGED_IN = "302 200 200 200 200 200 200 200"
STAFF_QUEUE = "302 403 403 403 200 200 403 200"      # reviewers, approvers, administrators
OWN_ORG = "302 200 404 200 404 404 404 404"          # people of organisation A only
ANONYMOUS_ONLY = "200 302 302 302 302 302 302 302"   # login and sign-up: people already in are sent on
REDIRECTED = "302 302 302 302 302 302 302 302"
NOT_ALLOWED = "405 405 405 405 405 405 405 405"
# Statuses that mean "this POST was not accepted" for routes without a POST row.
NOT_ACCEPTED = {302, 401, 403, 404, 405}

# Django admin: everyone but the administrator is sent to the admin login; the administrator's answer
# depends on each model's admin permissions (append-only audit: 403 on add/change/delete).
ADMIN = {"get": "302 302 302 302 302 302 302 *", "post": "302 302 302 302 302 302 302 *",
         "kwargs": lambda w: {"object_id": w.application_a.pk, "app_label": "auth", "content_type_id": 1,
                              "url": "nowhere/"}}

TABLE = {
    # --- infrastructure -------------------------------------------------------------------------
    "health": {"get": PUBLIC, "post": PUBLIC},
    "ping": {"get": PUBLIC, "post": PUBLIC},
    "set_language": {"get": REDIRECTED, "post": REDIRECTED},
    "api-schema": {"get": PUBLIC, "post": NOT_ALLOWED},
    "public:member": {"get": PUBLIC, "post": NOT_ALLOWED},
    # --- observed and reviewed ------------------------------------------------------------------
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
    "account_reset_password_from_key_done": {"get": PUBLIC, "post": NOT_ALLOWED},  # /accounts/password/reset/key/done/
    "account_reset_password_done": {"get": PUBLIC, "post": NOT_ALLOWED},  # /accounts/password/reset/done/
    "mfa_index": {"get": LOGGED_IN, "post": "302 405 405 405 405 405 405 405"},  # /accounts/2fa/
    "mfa_authenticate": {"get": REDIRECTED, "post": REDIRECTED},  # /accounts/2fa/authenticate/
    "mfa_reauthenticate": {"get": "302 302 302 302 200 200 200 200", "post": "302 302 302 302 200 200 200 200"},  # /accounts/2fa/reauthenticate/
    "mfa_activate_totp": {"get": REDIRECTED, "post": REDIRECTED},  # /accounts/2fa/totp/activate/
    "mfa_deactivate_totp": {"get": "302 404 404 404 302 302 302 302", "post": "302 404 404 404 302 302 302 302"},  # /accounts/2fa/totp/deactivate/
    "mfa_view_recovery_codes": {"get": "302 404 404 404 404 404 404 404", "post": "302 405 405 405 405 405 405 405"},  # /accounts/2fa/recovery-codes/
    "mfa_generate_recovery_codes": {"get": REDIRECTED, "post": REDIRECTED},  # /accounts/2fa/recovery-codes/generate/
    "mfa_download_recovery_codes": {"get": "302 404 404 404 404 404 404 404", "post": "302 404 404 404 404 404 404 404"},  # /accounts/2fa/recovery-codes/download/
    "api-docs": {"get": PUBLIC, "post": NOT_ALLOWED},  # /api/docs/
    "api-redoc": {"get": PUBLIC, "post": NOT_ALLOWED},  # /api/redoc/
    "api-root": {"get": PUBLIC, "post": "401 405 405 405 405 405 405 405"},  # /api/v1/
    "portal:home": {"get": "302 200 200 200 302 302 302 302", "post": "302 200 200 200 302 302 302 302"},  # /portal/
    "portal:claim": {"get": LOGGED_IN, "post": LOGGED_IN},  # /portal/organisation/claim/
    "portal:application_new": {"get": "302 405 405 405 405 405 405 405", "post": "302 404 404 404 404 404 404 404"},  # /portal/applications/new/
    "review:dashboard": {"get": "302 403 403 403 200 200 200 200", "post": "302 403 403 403 200 200 200 200"},  # /staff/
    "public:home": {"get": PUBLIC, "post": NOT_ALLOWED},  # /
    "public:directory": {"get": PUBLIC, "post": NOT_ALLOWED},  # /members/
    "public:roster_csv": {"get": PUBLIC, "post": NOT_ALLOWED},  # /members/export.csv
    "public:roster_xlsx": {"get": PUBLIC, "post": NOT_ALLOWED},  # /members/export.xlsx
    "public:statistics": {"get": PUBLIC, "post": NOT_ALLOWED},  # /statistics/
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
    "portal:join_request_decide": lambda w: {"pk": w.join_request_a.pk, "decision": "approve"},
    "portal:application": lambda w: {"pk": w.application_a.pk},
    "portal:application_action": lambda w: {"pk": w.draft_a.pk, "action": "withdraw"},
    "portal:step": lambda w: {"pk": w.draft_a.pk, "step": "organization"},
    "portal:attachment_delete": lambda w: {"pk": w.draft_a.pk, "attachment_id": w.draft_attachment_a.pk},
    "portal:attachment_download": lambda w: {"pk": w.attachment_a.pk},
    "inbox:open": lambda w: {"pk": w.notification_a.pk},
    "outbox:detail": lambda w: {"pk": w.notification_a.pk},
}

TABLE.update({
    "admin:login": {"get": "200 200 200 200 200 200 200 302", "post": PUBLIC},
    "admin:logout": {"get": "302 302 302 302 302 302 302 405", "post": REDIRECTED},
})

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
