"""The multi-step application form: every step saves as a draft, a draft resumes, submit validates all."""

import pytest
from django.urls import reverse

from partners.enums import ApplicationState
from partners.models import Application, Attachment, AuditEvent, DataProfile, Scenario
from tests.factories import OrganizationFactory
from tests.portal_helpers import fill_everything, org_data, scenario_management, step_url, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


def start(client, organization):
    response = client.post(reverse("portal:application_new"), {"organization": organization.pk})
    application = Application.objects.filter(organization=organization).latest("pk")
    assert response.status_code == 302
    assert response["Location"] == step_url(application, "organization")
    return application


def test_full_form_to_submit(logged_in, organization):
    application = start(logged_in, organization)
    fill_everything(logged_in, application, types=("data", "application"))
    for step in ("organization", "types", "profiles", "channel", "attachments", "review"):
        assert logged_in.get(step_url(application, step)).status_code == 200
    response = submit(logged_in, application)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:application", args=[application.pk])
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert sorted(application.partner_types) == ["application", "data"]
    revision = application.revisions.get()
    assert revision.snapshot["profiles"]["application"]["scenarios"][0]["title"] == "智慧园区巡检"
    assert revision.snapshot["application"]["contact_email"] == "wangfang@example.com"
    assert AuditEvent.objects.filter(application=application, action="application.submitted").exists()
    page = logged_in.get(reverse("portal:application", args=[application.pk])).content.decode()
    assert "state-submitted" in page


def test_step_one_changes_update_the_organisation(logged_in, organization):
    application = start(logged_in, organization)
    response = logged_in.get(step_url(application, "organization"))
    assert organization.name in response.content.decode()  # prefilled from the profile
    logged_in.post(step_url(application, "organization"),
                   {**org_data(organization, **{"org-legal_representative": "赵强"}), "save": ""})
    organization.refresh_from_db()
    assert organization.legal_representative == "赵强"
    assert AuditEvent.objects.filter(organization=organization, action="organization.updated").exists()


def test_each_step_saves_a_draft_without_required_fields(logged_in, organization):
    application = start(logged_in, organization)
    blank_org = org_data(organization, **{"org-legal_representative": "", "org-registered_address": "",
                                          "contact-contact_phone": "", "contact-contact_name": ""})
    assert logged_in.post(step_url(application, "organization"), {**blank_org, "save": ""}).status_code == 302
    assert logged_in.post(step_url(application, "types"), {"save": ""}).status_code == 302
    logged_in.post(step_url(application, "types"), {"partner_types": ["application"], "save": ""})
    profile_post = {"application-summary": "", "save": "", **scenario_management(),
                    "scenarios-0-title": "只有标题"}
    assert logged_in.post(step_url(application, "profiles"), profile_post).status_code == 302
    assert Scenario.objects.get().title == "只有标题"
    assert logged_in.post(step_url(application, "channel"), {"save": ""}).status_code == 302
    assert logged_in.post(step_url(application, "review"),
                          {"expected_state": "draft", "save": ""}).status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_save_draft_and_resume(client, applicant, organization):
    client.force_login(applicant)
    application = start(client, organization)
    client.post(step_url(application, "types"), {"partner_types": ["data"], "save": ""})
    client.post(step_url(application, "profiles"), {"data-summary": "多模态语料", "data-domains": "医疗影像",
                                                    "data-roles": ["provider"], "save": ""})
    client.logout()
    # Later, in a new session, everything is still there.
    client.force_login(applicant)
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:application", args=[application.pk]) in home
    detail = client.get(reverse("portal:application", args=[application.pk])).content.decode()
    assert step_url(application, "profiles") in detail  # "continue the draft" returns to the last step saved
    page = client.get(step_url(application, "profiles")).content.decode()
    assert "多模态语料" in page and "医疗影像" in page
    profile = DataProfile.objects.get(application=application)
    assert profile.roles == ["provider"]


def test_submit_incomplete_goes_to_first_step_with_an_error(logged_in, organization):
    application = start(logged_in, organization)
    logged_in.post(step_url(application, "organization"),
                   {**org_data(organization, **{"org-legal_representative": ""}), "save": ""})
    response = submit(logged_in, application)
    assert response.status_code == 302
    assert response["Location"] == step_url(application, "organization")
    page = logged_in.get(response["Location"]).content.decode()
    assert "alert-danger" in page
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert not application.revisions.exists()


def test_submit_without_declaration_is_refused(logged_in, organization):
    application = start(logged_in, organization)
    fill_everything(logged_in, application)
    response = logged_in.post(step_url(application, "review"), {"expected_state": "draft", "submit": ""})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_types_step_refuses_a_type_already_open(logged_in, applicant, organization):
    from tests.factories import submitted_application

    submitted_application(applicant, types=("data",))
    application = start(logged_in, organization)
    response = logged_in.post(step_url(application, "types"), {"partner_types": ["data"], "save": ""})
    assert response.status_code == 400
    assert "already has an open application" in response.content.decode() or "已有" in response.content.decode()
    assert application.requested_types.count() == 0


def test_recommendation_channel_with_letter(logged_in, organization):
    from tests.portal_helpers import pdf

    application = start(logged_in, organization)
    response = logged_in.post(step_url(application, "channel"), {
        "channel": "industry", "recommender_name": "北京人工智能产业联盟", "letter": pdf("推荐函.pdf"), "save": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.recommender_name == "北京人工智能产业联盟"
    letter = Attachment.objects.get(application=application, kind=Attachment.Kind.RECOMMENDATION_LETTER)
    assert application.recommendation_letter == letter


def test_invitation_code_is_checked(logged_in, organization):
    from partners.models import InvitationCode

    application = start(logged_in, organization)
    bad = logged_in.post(step_url(application, "channel"),
                         {"channel": "invitation", "invitation_code": "NOPE-1234", "save": ""})
    assert bad.status_code == 400
    application.refresh_from_db()
    assert application.channel == ""
    code = InvitationCode.objects.create(code="JXJ-2026-0001", department="北京市经济和信息化局")
    ok = logged_in.post(step_url(application, "channel"),
                        {"channel": "invitation", "invitation_code": " jxj-2026-0001 ", "save": ""})
    assert ok.status_code == 302
    application.refresh_from_db()
    assert application.invitation == code


def test_an_expired_or_used_invitation_code_is_refused(logged_in, organization, applicant):
    import datetime

    from partners.models import InvitationCode
    from tests.factories import ApplicationFactory

    application = start(logged_in, organization)
    InvitationCode.objects.create(code="OLD-1", department="市经信局", expires_on=datetime.date(2020, 1, 1))
    other = ApplicationFactory(organization=OrganizationFactory())
    InvitationCode.objects.create(code="USED-1", department="市经信局", used_by=other)
    for code in ("OLD-1", "USED-1"):
        response = logged_in.post(step_url(application, "channel"),
                                  {"channel": "invitation", "invitation_code": code, "save": ""})
        assert response.status_code == 400, code
    application.refresh_from_db()
    assert application.invitation is None


def test_submitting_with_an_invitation_marks_it_used(logged_in, organization):
    from partners.models import InvitationCode

    code = InvitationCode.objects.create(code="JXJ-9", department="市经信局")
    application = start(logged_in, organization)
    fill_everything(logged_in, application)
    logged_in.post(step_url(application, "channel"), {"channel": "invitation", "invitation_code": "JXJ-9",
                                                      "save": ""})
    assert submit(logged_in, application).status_code == 302
    code.refresh_from_db()
    assert code.used_by_id == application.pk
