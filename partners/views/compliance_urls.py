"""URLs of the privacy pages (`me/`, namespace privacy) and the security screens (`security/`, namespace security)."""

from django.urls import include, path

from . import compliance

privacy_patterns = ([
    path("privacy/", compliance.notice, name="notice"),
    path("privacy/consent/", compliance.consent, name="consent"),
    path("data/", compliance.my_data, name="my_data"),
    path("data.json", compliance.my_data_json, name="my_data_json"),
    path("data.zip", compliance.my_data_zip, name="my_data_zip"),
    path("profile/", compliance.profile, name="profile"),
    path("account/", compliance.account, name="account"),
    path("delete/", compliance.delete_account, name="delete"),
], "privacy")

security_patterns = ([
    path("audit/", compliance.audit_log, name="audit_log"),
    path("audit.csv", compliance.audit_csv, name="audit_csv"),
    path("roles/", compliance.roles, name="roles"),
    path("roles/<int:user_id>/", compliance.role_change, name="role_change"),
    path("split-duties/", compliance.split_duties, name="split_duties"),
    path("settings/", compliance.security_settings, name="settings"),
    path("privacy-notices/", compliance.notices, name="notices"),
    path("people/<int:user_id>/export/", compliance.person_export, name="person_export"),
], "security")

privacy_urls = include(privacy_patterns)
security_urls = include(security_patterns)
