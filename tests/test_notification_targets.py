"""Every kind of notification leads to the page its recipient acts on, and the recipient may open that page."""

import pytest
from django.test import Client
from django.urls import resolve

from partners.models import ExpertAssignment, Notification
from partners.services.notifications import KINDS, NOT_IN_INBOX, target_path
from tests.factories import make_staff
from tests.permission_matrix import World
from tests.permission_matrix_table import _member_request, catalogue_world

pytestmark = pytest.mark.django_db

APPLICATION_KINDS = ["application.submitted", "application.resubmitted", "application.review_started",
                     "application.passed_to_final", "application.changes_requested", "application.approved",
                     "application.rejected", "application.objection_upheld", "application.admitted",
                     "application.withdrawn"]
STAFF_APPLICATION_KINDS = ["staff.application.submitted", "staff.application.resubmitted",
                           "staff.application.assigned", "staff.application.passed_to_final",
                           "staff.application.returned_to_review", "reminder.unassigned", "reminder.undecided",
                           "reminder.escalated"]


def cases(w, expert):
    """{kind: (recipient, application, context, URL name it must lead to)}, each as the services record it."""
    c = catalogue_world(w)
    request = _member_request(w)
    app = {"application_id": w.application_a.pk, "organization": w.org_a.name}
    member = {"organization": w.member_org.name, "organization_id": w.member_org.pk,
              "membership_id": w.membership.pk}
    out = {k: (w.applicant_a, w.application_a, app, "portal:application") for k in APPLICATION_KINDS}
    out.update({k: (w.reviewer, w.application_a, app, "review:detail") for k in STAFF_APPLICATION_KINDS})
    out.update({
        "account.join_request": (w.applicant_a, None, {"organization_id": w.org_a.pk,
                                                       "join_request": w.join_request_a.pk}, "portal:organization"),
        "account.join_decided": (w.colleague_a, None, {"organization_id": w.org_a.pk, "state": "approved"},
                                 "portal:organization"),
        "account.invitation": (w.applicant_b, None, {"organization_id": w.org_a.pk, "has_account": True,
                                                     "invitation": w.invitation_a.pk}, "portal:invitations"),
        "reminder.draft": (w.applicant_a, w.draft_a, {"application_id": w.draft_a.pk}, "portal:application"),
        "reminder.publicity_ending": (w.publicity_owner, w.publicity_application,
                                      {"application_id": w.publicity_application.pk}, "portal:application"),
        "staff.objection.filed": (w.approver, w.publicity_application,
                                  {"application_id": w.publicity_application.pk}, "review:detail"),
        # E-mail only (NOT_IN_INBOX): the digest leads to the staff dashboard it summarises.
        "staff.digest": (w.reviewer, None, {"items": [], "failed": 0}, "review:dashboard"),
        "staff.outbox.failed": (w.administrator, None, {"count": 1}, "outbox:list"),
        # Objectors need no account: the public notice list is where they follow the application.
        "objection.received": (None, w.publicity_application, {"application_id": w.publicity_application.pk},
                               "publicity:list"),
        "objection.resolved": (None, w.publicity_application, {"application_id": w.publicity_application.pk},
                               "publicity:list"),
        # Account mail (verification, password reset) carries its own one-time link; the inbox never shows it.
        "account.mail": (w.applicant_a, None, {}, "portal:home"),
        "verification.submitted": (w.applicant_a, None, {"organization_id": w.org_a.pk, "case": w.case_a.pk},
                                   "portal:verification"),
        "verification.decided": (w.applicant_a, None, {"organization_id": w.org_a.pk, "case": w.case_a.pk},
                                 "portal:verification"),
        "verification.dispute_decided": (w.applicant_b, None, {"organization_id": w.org_a.pk, "case": w.case_a.pk},
                                         "portal:home"),
        "staff.verification.submitted": (w.reviewer, None, {"case": w.case_a.pk}, "review:verification"),
        "staff.verification.recommended": (w.approver, None, {"case": w.case_a.pk}, "review:verification"),
        "pairing.proposed": (w.applicant_a, None, {"pairing": w.pairing_a.pk}, "portal:pairing"),
        "pairing.decided": (w.applicant_a, None, {"pairing": w.pairing_a.pk}, "portal:pairing"),
        "staff.pairing.accepted": (w.reviewer, None, {"pairing": w.pairing_a.pk}, "review:pairing"),
        "subsidy_claim.submitted": (w.applicant_a, None, {"claim": w.claim_a.pk}, "portal:subsidy_claim"),
        "subsidy_claim.decided": (w.colleague_a, None, {"claim": w.claim_a.pk}, "portal:subsidy_claim"),
        "staff.subsidy_claim.submitted": (w.reviewer, None, {"claim": w.claim_a.pk}, "review:subsidy_claim"),
        "catalogue.introduction_requested": (w.applicant_a, None, {"organization_id": w.org_a.pk,
                                                                   "introduction": c.introduction_to_a.pk},
                                             "catalogue:mine"),
        "catalogue.introduction_answered": (w.applicant_b, None, {"organization_id": w.org_b.pk,
                                                                  "introduction": c.introduction_to_a.pk},
                                            "catalogue:mine"),
        "case.decided": (w.applicant_a, None, {"organization_id": w.org_a.pk, "case": c.published_case_a.pk},
                         "catalogue:case"),
        "panel.reminder": (expert, None, {"application_id": w.application_a.pk, "deadline": "2026-12-31 17:00"},
                           "panel:assignment"),
        "member.followup_due": (w.service_officer, None, {**member, "action": "回访"}, "review:member"),
        "member.uncontacted": (w.service_officer, None, {**member, "days": 90}, "review:member"),
        "staff.member_request.raised": (w.service_officer, None, {**member, "request": request.pk},
                                        "review:member_request"),
        "staff.member_request.reopened": (w.service_officer, None, {**member, "request": request.pk},
                                          "review:member_request"),
        "staff.member_request.escalated": (w.administrator, None, {**member, "request": request.pk},
                                           "review:member_request"),
        "member_request.received": (w.member_owner, None, {**member, "request": request.pk},
                                    "portal:member_request"),
        "member_request.updated": (w.member_owner, None, {**member, "request": request.pk},
                                   "portal:member_request"),
        "member_request.resolved": (w.member_owner, None, {**member, "request": request.pk},
                                    "portal:member_request"),
        "annual_update.asked": (w.member_owner, None, {**member, "year": 2026}, "portal:annual_update"),
        "annual_update.reminder": (w.member_owner, None, {**member, "year": 2026}, "portal:annual_update"),
        "staff.annual_update.overdue": (w.service_officer, None, {"year": 2026, "count": 3},
                                        "review:annual_non_responders"),
        "staff.profile_change": (w.service_officer, None, {"organization_id": w.member_org.pk, "change": 1,
                                                           "field": "website"}, "review:profile_changes"),
    })
    return out


def test_every_kind_leads_to_the_page_its_recipient_acts_on():
    w = World()
    expert = make_staff("expert", email="targets-expert@example.com")
    ExpertAssignment.objects.create(application=w.application_a, expert=expert, assigned_by=w.administrator)
    table = cases(w, expert)
    assert set(table) == set(KINDS), "a kind of notification without a row here: say where it leads"
    for kind, (recipient, application, context, expected) in sorted(table.items()):
        notification = Notification.objects.create(
            template_key=kind, recipient=recipient, email="" if recipient else "objector@example.com",
            application=application, context=context, dedupe_key=f"targets:{kind}")
        path = target_path(notification)
        assert path != "/", kind
        match = resolve(path.split("?")[0])
        assert match.view_name == expected, (kind, path)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if recipient is not None:
            client.force_login(recipient)
        assert client.get(path).status_code == 200, (kind, path)
        if recipient is not None and kind not in NOT_IN_INBOX:
            # Opened from the inbox, it is marked read and leads there.
            opened = client.get(f"/inbox/{notification.pk}/")
            assert opened.status_code == 302 and opened["Location"] == path, kind


def test_a_declined_join_request_leads_to_the_portal_home():
    w = World()
    declined = Notification.objects.create(template_key="account.join_decided", recipient=w.join_request_a.user,
                                           context={"organization_id": w.org_a.pk, "state": "declined"},
                                           dedupe_key="targets:declined")
    path = target_path(declined)
    assert resolve(path).view_name == "portal:home"
    client = Client()
    client.force_login(w.join_request_a.user)
    assert client.get(path).status_code == 200
