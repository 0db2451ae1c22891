"""Permission table: every staff and 公示 URL × (anonymous, applicant, reviewer, approver, officer, admin)."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners.enums import ApplicationState, PartnerType
from partners.services import membership as membership_services
from partners.services import review as review_services
from partners.services.calls import continuous_call
from partners.views import publicity_urls, review_urls
from tests.factories import OrganizationFactory, advance, make_staff, submitted_application

IDENTITIES = ["anonymous", "applicant", "reviewer", "approver", "service_officer", "administrator"]
LOGIN = "login"  # a redirect to the login page

# name: (method, {identity: status}); one column per identity, in the order of IDENTITIES.
TABLE = {
    "review:dashboard": ("get", [LOGIN, 403, 200, 200, 200, 200]),
    "review:queue": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:export": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:bulk_assign": ("post", [LOGIN, 403, 302, 403, 403, 302]),
    "review:detail": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:act": ("post", [LOGIN, 403, 302, 403, 403, 302]),
    "review:note": ("post", [LOGIN, 403, 302, 302, 403, 302]),
    "review:assign": ("post", [LOGIN, 403, 302, 403, 403, 302]),
    "review:attachment": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:resolve_objection": ("post", [LOGIN, 403, 403, 302, 403, 302]),
    "review:objection_evidence": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:members": ("get", [LOGIN, 403, 200, 200, 200, 200]),
    "review:member": ("get", [LOGIN, 403, 200, 200, 200, 200]),
    "review:member_change": ("post", [LOGIN, 403, 403, 302, 403, 302]),
    "review:letters": ("get", [LOGIN, 403, 403, 403, 403, 200]),
    "review:letter_edit": ("get", [LOGIN, 403, 403, 403, 403, 200]),
    "review:verification_queue": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:verification_assign": ("post", [LOGIN, 403, 302, 302, 403, 302]),
    "review:verification": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:verification_act": ("post", [LOGIN, 403, 302, 302, 403, 302]),
    "review:verification_document": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:organization": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:pairings": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:pairing": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:pairing_act": ("post", [LOGIN, 403, 302, 302, 403, 302]),
    "review:subsidy_claims": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:subsidy_claim": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:subsidy_claim_act": ("post", [LOGIN, 403, 302, 302, 403, 302]),
    "review:subsidy_document": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:subsidy_rules": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:subsidy_budget": ("post", [LOGIN, 403, 403, 302, 403, 302]),
    "review:subsidy_reports": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:subsidy_export": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "publicity:list": ("get", [200, 200, 200, 200, 200, 200]),
    "publicity:objection": ("get", [200, 200, 200, 200, 200, 200]),
    # Serving the members: every member staff reads; officers (and administrators) change.
    "review:members_assign": ("post", [LOGIN, 403, 403, 403, 302, 302]),
    "review:member_contact": ("post", [LOGIN, 403, 403, 403, 302, 302]),
    "review:follow_up_done": ("post", [LOGIN, 403, 403, 403, 302, 302]),
    "review:member_key_enterprise": ("post", [LOGIN, 403, 403, 403, 302, 302]),
    "review:member_request_new": ("post", [LOGIN, 403, 403, 403, 302, 302]),
    "review:member_certificate": ("get", [LOGIN, 403, 200, 200, 200, 200]),
    "review:member_requests": ("get", [LOGIN, 403, 200, 200, 200, 200]),
    "review:member_request_report": ("get", [LOGIN, 403, 200, 200, 200, 200]),
    "review:member_request": ("get", [LOGIN, 403, 200, 200, 200, 200]),
    "review:member_request_act": ("post", [LOGIN, 403, 403, 403, 302, 302]),
    "review:annual_non_responders": ("get", [LOGIN, 403, 200, 200, 200, 200]),
    "review:profile_changes": ("get", [LOGIN, 403, 200, 200, 200, 200]),
    "review:profile_change_check": ("post", [LOGIN, 403, 403, 403, 302, 302]),
    # The roster import changes the whole member list: administrators only.
    "review:roster_upload": ("get", [LOGIN, 403, 403, 403, 403, 200]),
    "review:roster_import": ("get", [LOGIN, 403, 403, 403, 403, 200]),
    "review:roster_import_confirm": ("post", [LOGIN, 403, 403, 403, 403, 302]),
    "review:roster_import_progress": ("get", [LOGIN, 403, 403, 403, 403, 200]),
    "review:calls": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:call": ("get", [LOGIN, 403, 200, 200, 403, 200]),
    "review:call_assign_panel": ("post", [LOGIN, 403, 302, 403, 403, 302]),
    "review:panel_remove": ("post", [LOGIN, 403, 302, 403, 403, 302]),
    "publicity:notice_pdf": ("get", [200, 200, 200, 200, 200, 200]),
}


def test_every_staff_and_publicity_url_is_in_the_table():
    names = {f"review:{p.name}" for p in review_urls.urlpatterns} | {
        f"publicity:{p.name}" for p in publicity_urls.urlpatterns}
    assert names == set(TABLE)


@pytest.fixture
def world(db):
    cache.clear()
    people = {
        "applicant": OrganizationFactory().owner,
        "reviewer": make_staff("reviewer", email="reviewer@example.com"),
        "approver": make_staff("approver", email="approver@example.com"),
        "service_officer": make_staff("service_officer", email="officer@example.com"),
        "administrator": make_staff("administrator", email="admin@example.com"),
    }
    first_reviewer = make_staff("reviewer", email="first@example.com")
    final_approver = make_staff("approver", email="final@example.com")
    submitted = submitted_application(people["applicant"])
    public = advance(submitted_application(OrganizationFactory().owner), ApplicationState.PUBLICITY,
                     reviewer=first_reviewer, approver=final_approver)
    objection = review_services.file_objection(public, name="李四", contact="13800000000", reason="有异议")
    from django.core.files.base import ContentFile

    from partners.models import ObjectionEvidence

    evidence = ObjectionEvidence(objection=objection, original_name="证据.pdf", content_type="application/pdf",
                                 size=4, sha256="0" * 64)
    evidence.file.save("upload", ContentFile(b"%PDF"), save=True)
    admitted = advance(submitted_application(OrganizationFactory().owner, types=(PartnerType.COMPUTE,)),
                       ApplicationState.PUBLICITY, reviewer=first_reviewer, approver=final_approver)
    membership_services.admit_due_applications(now=timezone.now() + timezone.timedelta(days=8))
    admitted.refresh_from_db()
    membership = admitted.organization.membership
    # Objections filed above count against no real address; keep them apart from the throttle.
    assert Group.objects.filter(name="reviewer").exists()
    return {"people": people, "submitted": submitted, "public": public, "objection": objection,
            "membership": membership, "case": _verification_case(), "assignment": _expert_assignment(submitted),
            "evidence": evidence, "claim": _subsidy_claim()}


def _subsidy_claim():
    """A claim submitted within a formed pairing, waiting for staff."""
    from tests.subsidy_helpers import rules, staff_team, standing_pairing, submitted_claim

    rules()
    return submitted_claim(standing_pairing(staff_team()))


def _expert_assignment(application):
    """An expert assigned to the submitted application (through the panel's service)."""
    from partners.models import Application
    from partners.services import panel as panel_services

    administrator = make_staff("administrator", email="panel-admin@example.com")
    expert = make_staff("expert", email="panel-expert@example.com")
    call = continuous_call()
    panel_services.invite_expert(administrator, call, expert)
    panel_services.assign_panel(administrator, call, Application.objects.filter(pk=application.pk), 1)
    return expert.expert_assignments.get()


def _verification_case():
    """A claim sent to the plan office: documents uploaded, waiting for staff."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partners.services import organizations as org_services
    from partners.services import verification as verification_services
    from tests.factories import TINY_PDF, UserFactory, unique_credit_code

    claimant = UserFactory()
    organization = org_services.create_organization(claimant, unique_credit_code(), "北京核验权限科技有限公司")
    case = verification_services.open_case_of(claimant, organization)
    verification_services.update_details(claimant, case, legal_representative="陈立", position="总监")
    for kind in ("licence", "authorisation"):
        verification_services.add_document(claimant, case, SimpleUploadedFile(f"{kind}.pdf", TINY_PDF), kind)
    return verification_services.fire(claimant, case, "submit")


def request_for(name, world):
    s, m, o, c, k = world["submitted"], world["membership"], world["objection"], world["case"], world["claim"]
    reviewer = world["people"]["reviewer"]
    return {
        "review:dashboard": lambda: (reverse(name), None),
        "review:queue": lambda: (reverse(name), None),
        "review:export": lambda: (reverse(name), None),
        "review:bulk_assign": lambda: (reverse(name), {"reviewer": reviewer.pk, "scope": "all"}),
        "review:detail": lambda: (reverse(name, args=[s.pk]), None),
        "review:act": lambda: (reverse(name, args=[s.pk]), {"action": "start_review", "start_review-action": "start_review",
                                                    "start_review-expected_state": "submitted"}),
        "review:note": lambda: (reverse(name, args=[s.pk]), {"body": "备注"}),
        "review:assign": lambda: (reverse(name, args=[s.pk]), {"reviewer": reviewer.pk}),
        "review:attachment": lambda: (reverse(name, args=[s.pk, s.attachments.get().pk]), None),
        "review:resolve_objection": lambda: (reverse(name, args=[o.pk]), {
            f"objection-{o.pk}-outcome": "dismiss", f"objection-{o.pk}-resolution": "不成立"}),
        "review:objection_evidence": lambda: (reverse(name, args=[world["evidence"].pk]), None),
        "review:members": lambda: (reverse(name), None),
        "review:member": lambda: (reverse(name, args=[m.pk]), None),
        "review:member_change": lambda: (reverse(name, args=[m.pk]), {"action": "suspend", "suspend-action": "suspend",
                                                              "suspend-reason": "考核"}),
        "review:letters": lambda: (reverse(name), None),
        "review:letter_edit": lambda: (reverse(name, args=["approved", "zh-hans"]), None),
        "review:verification_queue": lambda: (reverse(name), None),
        "review:verification_assign": lambda: (reverse(name), {"ids": c.pk, "assignee": reviewer.pk}),
        "review:verification": lambda: (reverse(name, args=[c.pk]), None),
        "review:verification_act": lambda: (reverse(name, args=[c.pk, "recommend"]), {"expected_state": "pending"}),
        "review:verification_document": lambda: (reverse(name, args=[c.pk, c.documents.first().pk]), None),
        "review:organization": lambda: (reverse(name, args=[c.organization_id]), None),
        "review:pairings": lambda: (reverse(name), None),
        "review:pairing": lambda: (reverse(name, args=[k.pairing_id]), None),
        "review:pairing_act": lambda: (reverse(name, args=[k.pairing_id, "end"]), {"reason": "结束"}),
        "review:subsidy_claims": lambda: (reverse(name), None),
        "review:subsidy_claim": lambda: (reverse(name, args=[k.pk]), None),
        "review:subsidy_claim_act": lambda: (reverse(name, args=[k.pk, "start_review"]),
                                             {"expected_state": "submitted"}),
        "review:subsidy_document": lambda: (reverse(name, args=[k.pk, k.documents.first().pk]), None),
        "review:subsidy_rules": lambda: (reverse(name), None),
        "review:subsidy_budget": lambda: (reverse(name), {"year": timezone.localdate().year, "amount": "1000.00"}),
        "review:subsidy_reports": lambda: (reverse(name), None),
        "review:subsidy_export": lambda: (reverse(name), None),
        "publicity:list": lambda: (reverse(name), None),
        "publicity:objection": lambda: (reverse(name, args=[world["public"].public_id]), None),
        "review:members_assign": lambda: (reverse(name), {"city_officer": world["people"]["administrator"].pk}),
        "review:member_contact": lambda: (reverse(name, args=[m.pk]), {
            "contact-kind": "call", "contact-contacted_on": timezone.localdate().isoformat(),
            "contact-topics": "电话回访"}),
        "review:follow_up_done": lambda: (reverse(name, args=[m.pk, _follow_up(m).pk]), None),
        "review:member_key_enterprise": lambda: (reverse(name, args=[m.pk]), {
            "key-level": "city", "key-flagged": "on", "key-since": "2026-01-05", "key-reference": "京〔2026〕1号"}),
        "review:member_request_new": lambda: (reverse(name, args=[m.pk]), {
            "request-kind": "data", "request-title": "数据", "request-description": "需要数据"}),
        "review:member_certificate": lambda: (reverse(name, args=[m.pk]), None),
        "review:member_requests": lambda: (reverse(name), None),
        "review:member_request_report": lambda: (reverse(name), None),
        "review:member_request": lambda: (reverse(name, args=[_member_request(m).pk]), None),
        "review:member_request_act": lambda: (reverse(name, args=[_member_request(m).pk, "resolve"]), {
            "resolution": "已答复"}),
        "review:annual_non_responders": lambda: (reverse(name), None),
        "review:profile_changes": lambda: (reverse(name), None),
        "review:profile_change_check": lambda: (reverse(name, args=[_profile_change(m).pk, "accept"]), None),
        "review:roster_upload": lambda: (reverse(name), None),
        "review:roster_import": lambda: (reverse(name, args=[_roster_import().pk]), None),
        "review:roster_import_confirm": lambda: (reverse(name, args=[_roster_import().pk]), None),
        "review:roster_import_progress": lambda: (reverse(name, args=[_roster_import().pk]), None),
        "review:calls": lambda: (reverse(name), None),
        "review:call": lambda: (reverse(name, args=[continuous_call().pk]), None),
        "review:call_assign_panel": lambda: (reverse(name, args=[continuous_call().pk]), {"per_application": "2"}),
        "review:panel_remove": lambda: (reverse(name, args=[world["assignment"].pk]), None),
        "publicity:notice_pdf": lambda: (reverse(name, args=[world["public"].public_id]), None),
    }[name]()


def _follow_up(membership):
    from partners.models import Contact, FollowUp

    contact = Contact.objects.create(membership=membership, kind="call", contacted_on=timezone.localdate(),
                                     topics="回访")
    return FollowUp.objects.create(contact=contact, membership=membership, action="寄材料",
                                   due_on=timezone.localdate())


def _profile_change(membership):
    from partners.models import ProfileChange

    return ProfileChange.objects.create(organization=membership.organization, field="name_en", old_value="",
                                        new_value="Beijing Table Ltd")


def _roster_import():
    from django.core.files.base import ContentFile

    from partners.models import RosterImport

    roster_import = RosterImport(original_name="roster.xlsx", sha256="0" * 64, total=0)
    roster_import.file.save("upload", ContentFile(b"PK"), save=False)
    roster_import.save()
    return roster_import


def _member_request(membership):
    from partners.services.member_requests import raise_request

    return raise_request(membership.organization.owner, membership, kind="compute", title="算力",
                         description="需要算力")


@pytest.mark.parametrize("name", list(TABLE))
def test_permission_table(client, world, subtests, name):
    """One URL, every identity; each request runs in a savepoint rolled back afterwards, so a POST that
    succeeds for one identity leaves the data as it was for the next."""
    method, statuses = TABLE[name]
    for identity, expected in zip(IDENTITIES, statuses, strict=True):
        with subtests.test(identity=identity), transaction.atomic():
            client.logout()
            if identity != "anonymous":
                client.force_login(world["people"][identity])
            url, data = request_for(name, world)
            response = client.post(url, data or {}) if method == "post" else client.get(url)
            transaction.set_rollback(True)
            if expected == LOGIN:
                assert response.status_code == 302, (name, identity)
                assert response["Location"].startswith(reverse("account_login"))
            else:
                assert response.status_code == expected, (name, identity, response.status_code)
                if expected == 302:
                    assert not response["Location"].startswith(reverse("account_login"))


def test_applicant_cannot_reach_staff_screens_for_their_own_application(client, world):
    client.force_login(world["people"]["applicant"])
    assert client.get(reverse("review:detail", args=[world["submitted"].pk])).status_code == 403


def test_role_groups_carry_model_permissions(db):
    def codes(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"view_application", "add_internalnote"} <= codes("reviewer")
    assert "change_membership" not in codes("reviewer")
    assert {"change_membership", "change_objection", "add_decision"} <= codes("approver")
    assert "view_membership" in codes("service_officer") and "view_application" not in codes("service_officer")
    assert {"change_decisionlettertemplate", "change_application"} <= codes("administrator")
    assert not any(c.startswith("delete_") for role in ("reviewer", "approver", "service_officer",
                                                         "administrator") for c in codes(role))
