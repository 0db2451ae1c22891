"""Which page of the URL map the page check visits, as whom and with which arguments (from the demo data).

Every named URL is either a page here or in NOT_PAGES with the reason it is not looked at as a page; the page
check fails on a URL that is in neither, so a new screen cannot escape it.
"""

from partners.demo.accounts import demo_email
from partners.enums import ApplicationState
from partners.models import (
    Application,
    Call,
    Decision,
    DecisionLetterTemplate,
    ExpertAssignment,
    MemberRequest,
    MemberService,
    Membership,
    Notification,
    User,
    VerificationCase,
)

WIZARD_STEPS = ["organization", "types", "profiles", "channel", "attachments", "review"]

# URL name -> why it is not checked as a page.
NOT_PAGES = {
    "health": "probe (JSON)", "health_live": "probe (text)", "ping": "probe (text)",
    "set_language": "POST that redirects",
    "account_set_password": "redirects (a password is set)", "account_confirm_login_code": "redirects (no code)",
    "account_confirm_reauthentication_code": "redirects (no code)", "mfa_authenticate": "redirects (no login)",
    "mfa_activate_totp": "redirects (demo staff have no second factor)",
    "mfa_generate_recovery_codes": "redirects (no second factor)", "mfa_deactivate_totp": "redirects or 404",
    "mfa_view_recovery_codes": "404 without a second factor", "mfa_download_recovery_codes": "download",
    "mfa_reauthenticate": "redirects (no second factor)",
    "review:export": "download (xlsx)", "public:roster_csv": "download (csv)", "public:roster_xlsx": "download (xlsx)",
    "security:audit_csv": "download (csv)", "privacy:my_data_json": "download (json)",
    "privacy:my_data_zip": "download (zip)",
    "portal:attachment_download": "download (file)", "review:attachment": "download (file)",
    "portal:letter_pdf": "download (pdf)", "portal:verification_letter": "download (pdf)",
    "catalogue:dashboard_csv": "download (csv)", "catalogue:case_media": "download (file)",
    "portal:verification_document": "download (file)", "review:verification_document": "download (file)",
    "review:objection_evidence": "download (file)",
    "portal:receipt_pdf": "download (pdf)", "portal:application_pdf": "download (pdf)",
    "panel:application_pdf": "download (pdf)", "publicity:notice_pdf": "download (pdf)",
    "api-schema": "OpenAPI document (YAML)",
    "review:member_certificate": "download (pdf)", "portal:member_certificate": "download (pdf)",
    "review:roster_import_progress": "progress of an import (JSON)",
    "review:roster_import": "no import in the demo data (tests/test_roster_import.py loads the page)",
    "portal:subsidy_document": "download (file)", "review:subsidy_document": "download (file)",
    "review:subsidy_export": "download (xlsx)",
    # The demo data has no pairing or subsidy claim yet; tests/test_subsidy_pages.py renders these pages.
    "portal:pairing": "no pairing in the demo data", "portal:subsidy_claim": "no subsidy claim in the demo data",
    "review:pairing": "no pairing in the demo data", "review:subsidy_claim": "no subsidy claim in the demo data",
    # The demo case is published; tests/test_case_partners.py renders the form of a draft and of a returned case.
    "catalogue:case_edit": "no case being prepared in the demo data",
}
# POST-only views (their GET answers 405): the forms that post to them are on the pages checked.
POST_ONLY = ["keys:revoke", "portal:colleague_add", "portal:colleague_remove", "portal:hand_over",
             "portal:invitation_answer", "portal:invitation_revoke", "portal:join_request_decide",
             "portal:application_new", "portal:application_action", "portal:attachment_delete", "inbox:mark_read",
             "outbox:resend", "review:bulk_assign", "review:act", "review:note", "review:assign",
             "review:resolve_objection", "review:member_change", "security:role_change",
             "portal:verification_action", "portal:verification_document_add", "portal:verification_document_delete",
             "review:verification_act", "review:verification_assign",
             "review:members_assign", "review:member_contact", "review:follow_up_done", "review:member_key_enterprise",
             "review:member_request_new", "review:member_request_act", "review:profile_change_check",
             "review:roster_import_confirm", "portal:member_request_act",
             "review:call_assign_panel", "review:panel_remove", "panel:declare", "panel:scores",
             "portal:pairing_action", "portal:subsidy_claim_new", "portal:subsidy_document_add",
             "portal:subsidy_document_delete", "portal:subsidy_claim_action", "review:pairing_act",
             "review:subsidy_claim_act", "review:subsidy_budget",
             "catalogue:introduce", "catalogue:answer",
             "catalogue:case_action", "catalogue:moderate", "catalogue:designate", "catalogue:case_media_add"]
NOT_PAGES.update({name: "POST only" for name in POST_ONLY})
# The API: JSON endpoints (checked by tests/test_api_*.py); its two documentation pages are checked here.
API_REPRESENTATIVES = {"api-docs", "api-redoc"}
# The Django admin: its index, the application list and one application are checked; tests/test_admin_*.py
# load every admin page and check their labels in Chinese.
ADMIN_REPRESENTATIVES = {"admin:index", "admin:partners_application_changelist", "admin:partners_application_change"}


def is_api(name, route):
    return route.startswith("api/") and name not in API_REPRESENTATIVES


def is_admin_internal(name):
    return name.startswith("admin:") and name not in ADMIN_REPRESENTATIVES


def pages():
    """[(identity, url name, kwargs, label)]: the pages to check, from the demo data set."""
    applicant = User.objects.get(email=demo_email("applicant"))
    own = Application.objects.filter(organization__memberships_of_people__user=applicant).order_by("pk")
    editable = own.filter(state__in=[ApplicationState.DRAFT, ApplicationState.CHANGES_REQUESTED]).first()
    org = applicant.organizations.order_by("pk").first()
    publicity = Application.objects.filter(state=ApplicationState.PUBLICITY).order_by("pk").first()
    membership = Membership.objects.order_by("pk").first()
    notification = Notification.objects.filter(recipient=applicant).order_by("pk").first()
    outbox_item = Notification.objects.order_by("pk").first()
    letter = DecisionLetterTemplate.objects.order_by("pk").first()
    own_letter = Decision.objects.filter(application__in=own).exclude(letter_body="").order_by("pk").first()
    own_case = VerificationCase.objects.filter(claimant=applicant).order_by("pk").first()
    any_case = VerificationCase.objects.order_by("-pk").first()
    staff_states = [ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.CHANGES_REQUESTED,
                    ApplicationState.FINAL_REVIEW, ApplicationState.PUBLICITY, ApplicationState.ADMITTED,
                    ApplicationState.REJECTED, ApplicationState.WITHDRAWN]
    # The application with most revisions in each state: its diff has something to show.
    staff_apps = [Application.objects.filter(state=s).order_by("-pk").first() for s in staff_states]

    result = [
        ("anonymous", "public:home", {}, ""), ("anonymous", "public:directory", {}, ""),
        ("anonymous", "public:member", {"number": membership.number}, ""),
        ("anonymous", "public:statistics", {}, ""), ("anonymous", "publicity:list", {}, ""),
        ("anonymous", "public:revoked", {}, ""),
        ("anonymous", "publicity:objection", {"public_id": publicity.public_id}, ""),
        ("anonymous", "account_login", {}, ""), ("anonymous", "account_signup", {}, ""),
        ("anonymous", "account_reset_password", {}, ""), ("anonymous", "account_reset_password_done", {}, ""),
        ("anonymous", "account_email_verification_sent", {}, ""), ("anonymous", "account_inactive", {}, ""),
        ("anonymous", "account_confirm_email", {"key": "not-a-real-key"}, ""),
        ("anonymous", "account_reset_password_from_key", {"uidb36": "0", "key": "not-a-real-key"}, ""),
        ("anonymous", "account_reset_password_from_key_done", {}, ""),
        ("anonymous", "privacy:notice", {}, ""),
        ("anonymous", "api-docs", {}, ""), ("anonymous", "api-redoc", {}, ""),
        ("applicant", "portal:home", {}, ""), ("applicant", "portal:claim", {}, ""),
        ("applicant", "portal:organization", {"pk": org.pk}, ""),
        ("applicant", "portal:organization_edit", {"pk": org.pk}, ""),
        ("applicant", "portal:invitations", {}, ""),
        *[("applicant", "portal:application", {"pk": a.pk}, a.state) for a in own],
        *[("applicant", "portal:step", {"pk": editable.pk, "step": step}, "") for step in WIZARD_STEPS],
        ("applicant", "privacy:my_data", {}, ""), ("applicant", "privacy:profile", {}, ""),
        ("applicant", "privacy:account", {}, ""), ("applicant", "privacy:delete", {}, ""),
        ("applicant", "privacy:consent", {}, ""),
        ("applicant", "inbox:list", {}, ""), ("applicant", "inbox:open", {"pk": notification.pk}, ""),
        ("applicant", "inbox:preferences", {}, ""), ("applicant", "keys:list", {}, ""),
        ("applicant", "account_email", {}, ""), ("applicant", "account_change_password", {}, ""),
        ("applicant", "account_logout", {}, ""), ("applicant", "mfa_index", {}, ""),
        ("applicant", "account_reauthenticate", {}, ""),
        ("applicant", "account_request_reauthentication_code", {}, ""),
        ("reviewer", "review:dashboard", {}, ""), ("reviewer", "review:queue", {}, ""),
        *[("reviewer", "review:detail", {"pk": a.pk}, a.state) for a in staff_apps if a is not None],
        ("approver", "review:detail", {"pk": staff_apps[3].pk}, "final_review (approve form)"),
        ("reviewer", "review:members", {}, ""), ("reviewer", "review:member", {"pk": membership.pk}, ""),
        ("administrator", "outbox:list", {}, ""), ("administrator", "outbox:detail", {"pk": outbox_item.pk}, ""),
        ("administrator", "review:letters", {}, ""),
        ("administrator", "review:letter_edit", {"outcome": letter.outcome if letter else "approved",
                                                 "language": letter.language if letter else "en"}, ""),
        ("administrator", "admin:index", {}, ""),
        ("administrator", "admin:partners_application_changelist", {}, ""),
        ("administrator", "admin:partners_application_change", {"object_id": staff_apps[3].pk}, ""),
        ("security_admin", "security:roles", {}, ""), ("system_admin", "security:settings", {}, ""),
        ("system_admin", "security:notices", {}, ""), ("audit_admin", "security:audit_log", {}, ""),
        ("system_admin", "security:split_duties", {}, ""),
        ("system_admin", "security:person_export", {"user_id": applicant.pk}, ""),
        ("applicant", "portal:dispute", {}, ""),
        ("reviewer", "review:verification_queue", {}, ""),
        ("reviewer", "review:organization", {"pk": org.pk}, ""),
        ("applicant", "portal:pairings", {}, ""),
        ("reviewer", "review:pairings", {}, ""), ("reviewer", "review:subsidy_claims", {}, ""),
        ("administrator", "review:subsidy_rules", {}, ""), ("reviewer", "review:subsidy_reports", {}, ""),
    ]
    # Present in the demo data: a decision letter of the applicant's and verification cases (seed_demo proves
    # every demo organisation through the verification process).
    assert own_letter is not None and own_case is not None and any_case is not None, "demo data changed"
    result += [
        ("applicant", "portal:letter", {"pk": own_letter.application_id, "decision_id": own_letter.pk}, ""),
        ("applicant", "portal:verification", {"pk": own_case.pk}, ""),
        ("reviewer", "review:verification", {"pk": any_case.pk}, ""),
    ]
    # Serving the members: seed_demo gives the demo applicant's member a contact and a request.
    from partners.services.profile_changes import list_choices_for, live_profile, split_key

    own_member = Membership.objects.filter(organization__memberships_of_people__user=applicant).order_by("pk").first()
    member_request = MemberRequest.objects.filter(membership=own_member).order_by("pk").first()
    service = MemberService.objects.filter(membership=own_member).first()
    assert own_member is not None and member_request is not None and service is not None, "demo data changed"
    result += [
        ("administrator", "review:member", {"pk": own_member.pk}, "with its service"),
        ("administrator", "review:member_requests", {}, ""), ("administrator", "review:member_request_report", {}, ""),
        ("administrator", "review:member_request", {"pk": member_request.pk}, ""),
        ("administrator", "review:annual_non_responders", {}, ""), ("administrator", "review:profile_changes", {}, ""),
        ("administrator", "review:roster_upload", {}, ""),
        ("applicant", "portal:member_requests", {"pk": own_member.organization_id}, ""),
        ("applicant", "portal:member_request", {"pk": member_request.pk}, ""),
        ("applicant", "portal:annual_update", {"pk": own_member.organization_id}, ""),
        ("applicant", "portal:public_facts", {"pk": own_member.organization_id}, ""),
        # The first list of the member's types whose profile is on record (scenarios, industries, ...).
        *[("applicant", "portal:public_fact_list", {"pk": own_member.organization_id, "key": key}, "")
          for key, _label in list_choices_for(own_member)
          if live_profile(own_member, split_key(key)[0]) is not None][:1],
        ("anonymous", "public:certificate", {"token": service.certificate_token}, ""),
    ]
    # Calls and the expert panel: seed_demo scores nothing, but gives the demo expert two applications.
    call = Call.objects.get(code=Call.CONTINUOUS)
    assignment = ExpertAssignment.objects.filter(expert__email=demo_email("expert")).order_by("pk").first()
    assert assignment is not None, "demo data changed"
    result += [
        ("reviewer", "review:calls", {}, ""), ("reviewer", "review:call", {"pk": call.pk}, ""),
        ("expert", "panel:home", {}, ""), ("expert", "panel:assignment", {"pk": assignment.pk}, "declaration"),
    ]
    # The data catalogue and the showcase (partners/demo/catalogue.py): a data set, a demand, a published case.
    from partners.models import Case, DataDemand, DataSet

    dataset, demand, case = DataSet.objects.first(), DataDemand.objects.first(), Case.objects.first()
    assert dataset is not None and demand is not None and case is not None, "demo data changed"
    result += [
        ("anonymous", "catalogue:datasets", {}, ""), ("anonymous", "catalogue:demands", {}, ""),
        ("anonymous", "catalogue:dataset", {"public_id": dataset.public_id}, ""),
        ("applicant", "catalogue:demand", {"public_id": demand.public_id}, "with matches"),
        ("anonymous", "catalogue:showcase", {}, ""), ("anonymous", "catalogue:case", {"public_id": case.public_id}, ""),
        ("anonymous", "catalogue:summary", {}, ""),
        ("applicant", "catalogue:mine", {}, ""), ("applicant", "catalogue:new", {"kind": "dataset"}, ""),
        ("applicant", "catalogue:new", {"kind": "demand"}, ""), ("applicant", "catalogue:case_new", {}, ""),
        ("reviewer", "catalogue:moderation", {}, ""), ("reviewer", "catalogue:case_queue", {}, ""),
        ("approver", "catalogue:case", {"public_id": case.public_id}, "designation"),
        ("reviewer", "catalogue:dashboard", {}, ""),
        ("applicant", "catalogue:edit", {"kind": "demand", "public_id": demand.public_id}, "own demand"),
        ("applicant", "catalogue:withdraw", {"kind": "demand", "public_id": demand.public_id}, "confirmation"),
        ("approver", "catalogue:targets", {}, ""),
    ]
    return result
