"""Organisation verification: a claim is proven with documents and decided by staff through the workflow engine
(four eyes when configured); until then the organisation's drafts cannot be submitted, on the web or the API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from partners import workflow
from partners.enums import ApplicationState, OrgRole, OrgVerification, PartnerType, VerificationState
from partners.models import AuditEvent, Notification, OrganizationMember, VerificationCase
from partners.services import applications as app_services
from partners.services import organizations as org_services
from partners.services import verification as verification_services
from partners.workflow import engine
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import (
    TINY_PDF,
    ApplicationFactory,
    OrganizationFactory,
    UserFactory,
    complete_draft,
    english_client,
    make_staff,
    unique_credit_code,
)
from tests.portal_helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def pdf(name):
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


@pytest.fixture
def staff(db):
    return {"reviewer": make_staff("reviewer", email="v-reviewer@example.com"),
            "approver": make_staff("approver", email="v-approver@example.com"),
            "administrator": make_staff("administrator", email="v-admin@example.com")}


def claimed(person=None, name="北京新claim科技有限公司"):
    """An organisation registered through the portal's service: owned by `person`, not verified, a draft case."""
    person = person or UserFactory()
    organization = org_services.create_organization(person, unique_credit_code(), name)
    case = VerificationCase.objects.get(organization=organization, claimant=person)
    return person, organization, case


def ready(case, person):
    """The claimant names the legal representative and their position and uploads both documents."""
    verification_services.update_details(person, case, legal_representative="陈立", position="行政总监")
    verification_services.add_document(person, case, pdf("营业执照.pdf"), "licence")
    verification_services.add_document(person, case, pdf("授权委托书.pdf"), "authorisation")
    return verification_services.fire(person, case, "submit")


def test_a_claimed_organisation_starts_unverified_with_a_case_in_draft():
    person, organization, case = claimed()
    assert organization.verification == OrgVerification.UNVERIFIED
    assert case.state == VerificationState.DRAFT and case.kind == "claim"
    assert OrganizationMember.objects.get(organization=organization, user=person).role == OrgRole.OWNER
    assert AuditEvent.objects.filter(organization=organization, action="verification.opened").exists()


def test_an_unverified_organisation_cannot_submit_through_the_service_or_the_web(client):
    person, organization, case = claimed()
    application = complete_draft(ApplicationFactory(organization=organization, created_by=person))
    with pytest.raises(workflow.TransitionError) as refused:
        app_services.submit(person, application)
    assert refused.value.code == "incomplete"
    assert "not verified" in str(refused.value.errors["organization"][0])
    client = english_client(person)
    response = submit(client, application)
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert "not verified yet" in response.content.decode() or "not verified yet" in client.get(
        reverse("portal:step", args=[application.pk, "review"])).content.decode()
    # The portal says why on its home page and where to go.
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:verification", args=[case.pk]) in home


def test_an_unverified_organisation_cannot_submit_through_the_api():
    person, organization, case = claimed(UserFactory(language="en"))
    application = complete_draft(ApplicationFactory(organization=organization, created_by=person))
    _key, token = key_for(person)
    api = client_for(token)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    read = api.get(f"/api/v1/applications/{application.pk}/").json()
    assert any("not verified" in m for m in read["missing"]["organization"])
    response = api.post(f"/api/v1/applications/{application.pk}/actions/submit/", {}, format="json")
    assert response.status_code == 400, response.content
    assert "not verified" in response.json()["message"] or "not verified" in str(response.json())
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert api.get(f"/api/v1/organizations/{organization.pk}/").json()["verification"] == "unverified"


def test_the_case_cannot_be_sent_before_the_documents_are_there():
    person, organization, case = claimed()
    with pytest.raises(workflow.TransitionError) as refused:
        verification_services.fire(person, case, "submit")
    assert refused.value.code == "incomplete"
    gaps = verification_services.missing(case)
    assert len(gaps) == 4  # licence, authorisation letter, legal representative, position


def test_verification_runs_through_fire_with_four_eyes_then_the_draft_submits(staff, settings):
    settings.VERIFICATION_FOUR_EYES = True
    person, organization, case = claimed()
    application = complete_draft(ApplicationFactory(organization=organization, created_by=person))
    case = ready(case, person)
    assert case.state == VerificationState.PENDING
    assert Notification.objects.filter(template_key="staff.verification.submitted",
                                       recipient=staff["reviewer"]).exists()
    reviewer, approver = staff["reviewer"], staff["approver"]
    # Four eyes: nobody verifies straight from pending; the one who checked does not decide.
    assert {t.action for t in workflow.available_actions(case, reviewer)} == {"recommend", "refuse"}
    with pytest.raises(workflow.TransitionError) as refused:
        verification_services.fire(reviewer, case, "verify")
    assert refused.value.code == "four_eyes"
    case = verification_services.fire(reviewer, case, "recommend")
    assert case.state == VerificationState.RECOMMENDED
    with pytest.raises(workflow.TransitionError) as refused:
        verification_services.fire(reviewer, case, "verify")
    assert refused.value.code == "four_eyes"
    # The claimant cannot verify their own case.
    with pytest.raises(workflow.TransitionError):
        verification_services.fire(person, case, "verify")
    case = verification_services.fire(approver, case, "verify")
    organization.refresh_from_db()
    assert case.state == VerificationState.VERIFIED and case.decided_by == approver
    assert organization.verification == OrgVerification.VERIFIED and organization.verified_at
    assert organization.legal_representative == "陈立"
    assert Notification.objects.filter(template_key="verification.decided", recipient=person).exists()
    # The organisation's history holds who verified, when, with which documents.
    verified = AuditEvent.objects.get(organization=organization, action="verification.verify")
    assert verified.actor == approver and verified.to_state == "verified"
    assert {d["kind"] for d in verified.data["documents"]} == {"licence", "authorisation"}
    # Now the draft prepared meanwhile submits (once the facts the form asks for are there).
    organization.registered_address = "北京市海淀区中关村大街1号"
    organization.save()
    assert app_services.submit(person, application).state == ApplicationState.SUBMITTED


def test_without_four_eyes_one_reviewer_verifies(staff, settings):
    settings.VERIFICATION_FOUR_EYES = False
    person, organization, case = claimed()
    case = verification_services.fire(staff["reviewer"], ready(case, person), "verify")
    organization.refresh_from_db()
    assert case.state == VerificationState.VERIFIED and organization.is_verified


def test_a_refusal_needs_a_reason_and_tells_the_claimant(staff):
    person, organization, case = claimed()
    case = ready(case, person)
    with pytest.raises(workflow.MissingInput):
        verification_services.fire(staff["reviewer"], case, "refuse", reason="")
    case = verification_services.fire(staff["reviewer"], case, "refuse", reason="授权委托书未加盖公章。")
    organization.refresh_from_db()
    assert case.state == VerificationState.REFUSED and organization.verification == OrgVerification.UNVERIFIED
    note = Notification.objects.get(template_key="verification.decided", recipient=person)
    assert note.context["reason"] == "授权委托书未加盖公章。"
    # A new claim can be opened after a refusal.
    assert verification_services.open_case(person, organization).pk != case.pk


def test_a_race_between_two_staff_leaves_one_winner(staff, settings):
    settings.VERIFICATION_FOUR_EYES = False
    person, organization, case = claimed()
    case = ready(case, person)
    verification_services.fire(staff["reviewer"], case, "verify", expected_state="pending")
    with pytest.raises(workflow.AlreadyChanged):
        verification_services.fire(staff["administrator"], case, "refuse", reason="x", expected_state="pending")


def test_a_second_claimant_of_a_verified_organisation_asks_to_join():
    organization = OrganizationFactory()
    newcomer = UserFactory()
    found, join_request = org_services.claim_by_credit_code(newcomer, organization.credit_code)
    assert join_request is not None and found == organization
    assert not VerificationCase.objects.filter(claimant=newcomer).exists()


def test_a_second_claimant_of_an_unverified_organisation_proves_it_and_the_first_loses_it(staff, settings):
    settings.VERIFICATION_FOUR_EYES = False
    first, organization, _case = claimed()
    second = UserFactory()
    found, join_request = org_services.claim_by_credit_code(second, organization.credit_code)
    assert join_request is None and found == organization
    case = VerificationCase.objects.get(organization=organization, claimant=second)
    verification_services.fire(staff["reviewer"], ready(case, second), "verify")
    assert organization.owner == second
    assert not OrganizationMember.objects.filter(organization=organization, user=first).exists()
    assert Notification.objects.filter(template_key="verification.dispute_decided", recipient=first).exists()


def disputed(staff):
    owner = UserFactory(email="current-owner@example.com")
    organization = OrganizationFactory(owner=owner)
    claimant = UserFactory(email="real-representative@example.com")
    case = verification_services.open_dispute(claimant, organization, statement="现任所有者已离职，无权代表本单位。")
    case = ready(case, claimant)
    return owner, organization, claimant, verification_services.fire(staff["reviewer"], case, "recommend")


def test_a_dispute_transfers_ownership_and_notifies_both_sides(staff):
    owner, organization, claimant, case = disputed(staff)
    assert case.kind == "dispute"
    # A claim's decisions do not fit a dispute; a reviewer cannot decide it (approvers and administrators do).
    assert {t.action for t in workflow.available_actions(case, staff["approver"])} == {"transfer", "keep", "suspend"}
    with pytest.raises(workflow.TransitionError):
        verification_services.fire(staff["approver"], case, "verify")
    case = verification_services.fire(staff["approver"], case, "transfer", reason="营业执照与授权书核实无误。")
    organization.refresh_from_db()
    assert case.state == VerificationState.TRANSFERRED
    assert organization.owner == claimant and organization.is_verified
    assert not OrganizationMember.objects.filter(organization=organization, user=owner).exists()
    assert Notification.objects.filter(template_key="verification.decided", recipient=claimant).exists()
    assert Notification.objects.filter(template_key="verification.dispute_decided", recipient=owner).exists()
    assert AuditEvent.objects.filter(organization=organization, action="verification.transfer").exists()


def test_a_dispute_kept_or_suspended_tells_both_sides(staff):
    owner, organization, claimant, case = disputed(staff)
    application = complete_draft(ApplicationFactory(organization=organization, created_by=owner))
    verification_services.fire(staff["approver"], case, "suspend", reason="待双方提交进一步材料。")
    organization.refresh_from_db()
    assert organization.verification == OrgVerification.SUSPENDED and organization.owner == owner
    assert Notification.objects.filter(template_key="verification.dispute_decided", recipient=owner).exists()
    assert Notification.objects.filter(template_key="verification.decided", recipient=claimant).exists()
    with pytest.raises(workflow.TransitionError) as refused:
        app_services.submit(owner, application)
    assert "suspended" in str(refused.value)
    assert verification_services.submission_blocker(organization).startswith("The plan office suspended")


def test_the_owner_cannot_dispute_their_own_organisation():
    organization = OrganizationFactory()
    with pytest.raises(app_services.ServiceError):
        verification_services.open_dispute(organization.owner, organization, statement="x")


def test_the_template_letter_is_a_pdf_with_the_names_in_chinese():
    from pypdf import PdfReader

    person, organization, case = claimed(UserFactory(display_name="赵敏"), name="北京模板函科技有限公司")
    client = english_client(person)
    response = client.get(reverse("portal:verification_letter", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "授权委托书" in text and "北京模板函科技有限公司" in text and organization.credit_code in text
    assert "赵敏" in text
    font = reader.pages[0]["/Resources"]["/Font"]["/F1"].get_object()
    assert font["/BaseFont"] == "/STSong-Light" and font["/Encoding"] == "/UniGB-UCS2-H"
    # Nobody else gets someone's letter.
    assert english_client(UserFactory()).get(reverse("portal:verification_letter", args=[case.pk])).status_code == 404


def test_the_claimant_proves_the_organisation_on_the_portal(client):
    person, organization, case = claimed()
    client = english_client(person)
    page = client.get(reverse("portal:verification", args=[case.pk])).content.decode()
    assert "Upload the business licence." in page
    assert client.post(reverse("portal:verification", args=[case.pk]),
                       {"legal_representative": "陈立", "position": "总经理"}).status_code == 302
    for kind, name in (("licence", "营业执照.pdf"), ("authorisation", "授权委托书.pdf")):
        response = client.post(reverse("portal:verification_document_add", args=[case.pk]),
                               {"kind": kind, "file": pdf(name)})
        assert response.status_code == 302
    bad = client.post(reverse("portal:verification_document_add", args=[case.pk]),
                      {"kind": "licence", "file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert bad.status_code == 400
    response = client.post(reverse("portal:verification_action", args=[case.pk, "submit"]),
                           {"expected_state": "draft"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == VerificationState.PENDING and case.documents.count() == 2


def test_staff_work_the_queue_with_filters_and_assignment(staff):
    person, organization, case = claimed(name="北京队列科技有限公司")
    ready(case, person)
    reviewer = staff["reviewer"]
    client = english_client(reviewer)
    page = client.get(reverse("review:verification_queue")).content.decode()
    assert "北京队列科技有限公司" in page
    assert "北京队列科技有限公司" not in client.get(reverse("review:verification_queue") + "?assigned=me").content.decode()
    response = client.post(reverse("review:verification_assign"), {"ids": [case.pk], "assignee": reviewer.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == reviewer
    assert "北京队列科技有限公司" in client.get(reverse("review:verification_queue") + "?assigned=me").content.decode()
    detail = client.get(reverse("review:verification", args=[case.pk])).content.decode()
    assert "Documents checked: pass to a second check" in detail and "营业执照.pdf" in detail
    assert client.post(reverse("review:verification_act", args=[case.pk, "recommend"]),
                       {"expected_state": "pending"}).status_code == 302
    # Four eyes explained on the page: the reviewer who checked sees no verify button.
    detail = client.get(reverse("review:verification", args=[case.pk])).content.decode()
    assert "verification_act" not in detail and "/act/verify/" not in detail
    approver = english_client(staff["approver"])
    assert approver.post(reverse("review:verification_act", args=[case.pk, "verify"]),
                         {"expected_state": "recommended"}).status_code == 302
    organization.refresh_from_db()
    assert organization.is_verified
    assert english_client(person).get(reverse("review:verification_queue")).status_code == 403


def test_the_api_shows_the_case_and_fires_its_actions(staff, settings):
    settings.VERIFICATION_FOUR_EYES = False
    person, organization, case = claimed()
    verification_services.update_details(person, case, legal_representative="陈立", position="行政总监")
    verification_services.add_document(person, case, pdf("营业执照.pdf"), "licence")
    verification_services.add_document(person, case, pdf("授权委托书.pdf"), "authorisation")
    _key, token = key_for(person)
    mine = client_for(token)
    read = mine.get(f"/api/v1/verification-cases/{case.public_id}/").json()
    assert read["id"] == str(case.public_id) and read["organization"] == str(organization.public_id)
    assert read["state"] == "draft" and {a["action"] for a in read["available_actions"]} == {"submit", "withdraw"}
    sent = mine.post(f"/api/v1/verification-cases/{case.public_id}/actions/submit/", {}, format="json")
    assert sent.status_code == 200 and sent.json()["state"] == "pending"
    _key, staff_token = key_for(staff["reviewer"])
    reviewer = client_for(staff_token)
    listed = reviewer.get("/api/v1/verification-cases/?state=pending").json()
    assert str(case.public_id) in [row["id"] for row in listed["results"]]
    by_organization = reviewer.get(f"/api/v1/verification-cases/?organization={organization.public_id}").json()
    assert [row["id"] for row in by_organization["results"]] == [str(case.public_id)]
    refused = reviewer.get(f"/api/v1/verification-cases/?organization={organization.pk}")
    assert refused.status_code == 400 and "organization" in refused.json()["fields"]
    assert mine.post(f"/api/v1/verification-cases/{case.public_id}/actions/verify/", {}, format="json").status_code == 403
    done = reviewer.post(f"/api/v1/verification-cases/{case.public_id}/actions/verify/", {"expected_state": "pending"},
                         format="json")
    assert done.status_code == 200 and done.json()["state"] == "verified"
    assert mine.get(f"/api/v1/organizations/{organization.public_id}/").json()["verification"] == "verified"
    assert reviewer.post(f"/api/v1/verification-cases/{case.public_id}/actions/nothing/", {},
                         format="json").status_code == 404
    # Others do not see the case.
    _key, other_token = key_for(UserFactory())
    assert client_for(other_token).get(f"/api/v1/verification-cases/{case.public_id}/").status_code == 404


def test_workflow_diagram_draws_every_process():
    out = io.StringIO()
    call_command("workflow_diagram", stdout=out)
    text = out.getvalue()
    assert text.count("stateDiagram-v2") == len(workflow.PROCESSES) == 7
    assert workflow.mermaid("application") in text and workflow.mermaid("verification") in text
    assert workflow.mermaid("member_request") in text
    for t in workflow.VERIFICATION.transitions:
        assert f"{t.source} --> {t.target}: {t.action}" in text
    assert "[*] --> draft" in text and "verified --> [*]" in text
    only = io.StringIO()
    call_command("workflow_diagram", "--process", "verification", stdout=only)
    assert only.getvalue().strip() == engine.mermaid("verification")


def test_the_engine_imports_no_service_and_knows_no_process():
    import ast
    from pathlib import Path

    tree = ast.parse((Path(workflow.__file__).parent / "engine.py").read_text(encoding="utf-8"))
    modules = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    # Only the standard library and Django: no relative import up into the registry's services or processes.
    assert all(m.split(".")[0] in {"collections", "dataclasses", "django"} for m in modules), modules
    assert set(workflow.PROCESSES) == {"application", "verification", "panel", "pairing", "subsidy_claim", "case",
                                       "member_request"}


def test_staff_see_the_organisation_page_with_its_record_and_duplicates(staff):
    owner = UserFactory(phone="13700001111")
    organization = OrganizationFactory(owner=owner, name="北京重复检测科技有限公司")
    twin = OrganizationFactory(name="北京另一家科技有限公司")
    ApplicationFactory(organization=twin, created_by=twin.owner, contact_phone="13700001111")
    person, _org, case = claimed()
    page = english_client(staff["reviewer"]).get(reverse("review:organization", args=[organization.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="verification-mark"' in html and owner.email in html
    assert "北京另一家科技有限公司" in html and "The same contact phone or e-mail" in html
    # The verification history of a claimed organisation is on its page.
    claimed_page = english_client(staff["reviewer"]).get(reverse("review:organization", args=[case.organization_id]))
    assert "Case opened" in claimed_page.content.decode()
    assert english_client(owner).get(reverse("review:organization", args=[organization.pk])).status_code == 403


def test_a_change_of_identity_is_verified_again(staff, settings):
    settings.VERIFICATION_FOUR_EYES = False
    organization = OrganizationFactory()
    owner = organization.owner

    def rename(org):
        org.name = "北京改名后科技有限公司"
        org.save()

    org_services.update_organization(owner, organization, rename)
    organization.refresh_from_db()
    assert organization.verification == OrgVerification.UNVERIFIED
    case = VerificationCase.objects.get(organization=organization, kind="identity", state="draft")
    assert AuditEvent.objects.filter(organization=organization, action="organization.identity_changed").exists()
    # Other facts change without a new verification.
    verification_services.fire(staff["reviewer"], ready(case, owner), "verify")
    organization.refresh_from_db()

    def describe(org):
        org.description = "新的介绍"
        org.save()

    org_services.update_organization(owner, organization, describe)
    organization.refresh_from_db()
    assert organization.is_verified


def test_the_readme_shows_the_verification_diagram():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow.mermaid('verification')}\n```" in readme


def test_a_correction_asked_for_in_review_can_be_resubmitted_while_the_identity_is_verified_again(staff):
    from tests.factories import advance, submitted_application

    owner = UserFactory()
    organization = OrganizationFactory(owner=owner)
    application = advance(submitted_application(owner), ApplicationState.IN_REVIEW, reviewer=staff["reviewer"])
    workflow.fire(application.pk, "request_changes", workflow.Actor(user=staff["reviewer"]),
                  message="请更正法定代表人。", points=["法定代表人"])

    def correct(org):
        org.legal_representative = "钱伟"
        org.save()

    org_services.update_organization(owner, organization, correct)
    organization.refresh_from_db()
    assert organization.verification == OrgVerification.UNVERIFIED
    assert app_services.resubmit(owner, application).state == ApplicationState.IN_REVIEW
    # A new application waits for the verification.
    draft = complete_draft(ApplicationFactory(organization=organization, created_by=owner),
                           types=(PartnerType.MODEL,))
    with pytest.raises(workflow.TransitionError) as refused:
        app_services.submit(owner, draft)
    assert "organization" in refused.value.errors


def test_a_suspended_organisation_changes_nothing_until_the_office_lifts_it(staff):
    """Suspending access (a dispute decided so) stops every change by the organisation's people, on every path
    that asks the permission rules; reading stays open."""
    from partners.permissions import can, can_fire

    owner, organization, claimant, case = disputed(staff)
    draft = ApplicationFactory(organization=organization, created_by=owner)
    assert can(owner, "application.edit", draft) and can(owner, "organization.edit", organization)
    verification_services.fire(staff["approver"], case, "suspend", reason="待双方提交进一步材料。")
    organization.refresh_from_db()
    draft.refresh_from_db()
    for action, obj in (("application.edit", draft), ("application.create", organization),
                        ("organization.edit", organization), ("organization.manage_people", organization)):
        verdict = can(owner, action, obj)
        assert not verdict and verdict.code == "suspended", action
    withdraw = next(t for t in workflow.transitions_from(draft.state) if t.action == "withdraw")
    assert can_fire(owner, withdraw, draft).code == "suspended"
    # The owner still reads the application through the API, and changing it answers 403 with the reason.
    _key, token = key_for(owner)
    api = client_for(token)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    assert api.get(f"/api/v1/applications/{draft.public_id}/").status_code == 200
    response = api.patch(f"/api/v1/applications/{draft.public_id}/", {"contact_name": "王五"}, format="json")
    assert response.status_code == 403 and "suspended" in response.json()["message"], response.content
    # Both sides heard, the office keeps the owner: the suspension is lifted and changes are possible again.
    case.refresh_from_db()
    assert case.state == VerificationState.SUSPENDED
    verification_services.fire(staff["approver"], case, "keep", reason="材料核实无误，维持原负责人。")
    organization.refresh_from_db()
    draft.refresh_from_db()
    assert organization.verification == OrgVerification.VERIFIED
    assert can(owner, "application.edit", draft) and can(owner, "organization.manage_people", organization)
