"""个人信息保护法: notice and consent versions, access and export, correction, deletion and anonymisation, retention."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from partners.enums import ApplicationState, OrgRole
from partners.models import (
    Application,
    Attachment,
    AuditEvent,
    Consent,
    Decision,
    DeletionRequest,
    Notification,
    OrganizationMember,
    PrivacyNotice,
    SecurityEvent,
    User,
)
from partners.models.audit import PSEUDONYM_PREFIX, ActorPseudonym
from partners.services import privacy
from tests.factories import (
    PASSWORD,
    UserFactory,
    add_licence,
    english_client,
    make_staff,
    submitted_application,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_and_fresh_cache():
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


def publish(version):
    return PrivacyNotice.objects.create(version=version, title_zh=f"声明{version}", title_en=f"Notice {version}",
                                        text_zh=f"第{version}版正文", text_en=f"Text of version {version}",
                                        published_at=timezone.now())


# --- Notice and consent ------------------------------------------------------------------------------

def test_first_notice_is_published_in_both_languages(client):
    notice = privacy.current_notice()
    assert notice.version == 1 and "个人信息保护法" in notice.text_zh and "Personal Information" in notice.text_en
    page = client.get(reverse("privacy:notice")).content.decode()
    assert "个人信息保护法" in page and "Personal Information Protection Law" in page


def test_sign_up_records_consent_to_the_current_version():
    client = english_client()
    refused = client.post(reverse("account_signup"), {
        "email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD})
    assert refused.status_code == 200 and not User.objects.filter(email="new@example.com").exists()
    assert "agree to it" in refused.content.decode()
    response = client.post(reverse("account_signup"), {
        "email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD, "consent": "on", "display_name": "王芳",
        "privacy_notice_version": "1"}, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302
    consent = Consent.objects.get(user__email="new@example.com")
    assert consent.notice.version == 1 and consent.source_ip == "192.0.2.44"
    assert SecurityEvent.objects.filter(action="privacy.consented", object_ref="privacy_notice:1").exists()


def test_sign_up_with_a_stale_notice_version_asks_again():
    publish(2)
    response = english_client().post(reverse("account_signup"), {
        "email": "stale@example.com", "password1": PASSWORD, "password2": PASSWORD, "consent": "on", "display_name": "王芳",
        "privacy_notice_version": "1"})
    assert response.status_code == 200 and not User.objects.filter(email="stale@example.com").exists()


def test_a_new_notice_version_asks_again_at_next_request(settings, applicant):
    settings.PRIVACY_CONSENT_REQUIRED = True
    privacy.record_consent(applicant, privacy.current_notice())
    client = english_client(applicant)
    assert client.get(reverse("privacy:my_data")).status_code == 200
    notice = publish(2)
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 302 and response["Location"] == reverse("privacy:consent")
    assert client.get(reverse("privacy:notice")).status_code == 200  # the notice itself stays readable
    page = client.get(reverse("privacy:consent")).content.decode()
    assert "Text of version 2" in page
    assert client.post(reverse("privacy:consent"), {"version": "2"}).status_code == 200  # box not ticked
    assert client.post(reverse("privacy:consent"), {"version": "2", "agree": "yes"}).status_code == 302
    assert Consent.objects.filter(user=applicant, notice=notice).exists()
    assert client.get(reverse("privacy:my_data")).status_code == 200
    versions = set(Consent.objects.filter(user=applicant).values_list("notice__version", flat=True))
    assert versions == {1, 2}


def test_unpublished_version_does_not_ask(settings, applicant):
    settings.PRIVACY_CONSENT_REQUIRED = True
    privacy.record_consent(applicant, privacy.current_notice())
    PrivacyNotice.objects.create(version=3, title_zh="草稿", title_en="Draft", text_zh="草稿", text_en="Draft")
    assert not privacy.consent_required(applicant)


# --- Access and export -------------------------------------------------------------------------------

def test_my_data_page_and_json_hold_everything_about_the_person(applicant):
    application = submitted_application(applicant)
    Application.objects.filter(pk=application.pk).update(contact_email=applicant.email, contact_name="王芳")
    privacy.record_consent(applicant, privacy.current_notice(), ip="192.0.2.5")
    Notification.objects.create(recipient=applicant, template_key="application.submitted", dedupe_key="x-1")
    client = english_client(applicant)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert applicant.email in page and applicant.display_name in page and "13800138000" in page
    response = client.get(reverse("privacy:my_data_json"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == applicant.email
    assert data["account"]["phone"] == "13800138000"
    assert data["email_addresses"] == [{"email": applicant.email, "verified": True, "primary": True}]
    assert data["organisations"][0]["role"] == OrgRole.OWNER
    assert data["applications"][0]["contact_name"] == "王芳"
    assert data["consents"][0]["privacy_notice_version"] == 1
    assert data["notifications"][0]["template"] == "application.submitted"
    assert any(e["action"] == "application.submitted" for e in data["activity_log"])
    assert "password" not in data["account"] and applicant.password not in response.content.decode()
    assert SecurityEvent.objects.filter(action="personal_data.exported", actor=applicant,
                                        data__by="data_subject").exists()


def test_staff_export_of_a_person_needs_a_reason_and_is_audited(applicant):
    system_admin = make_staff("system_admin")
    client = english_client(system_admin)
    url = reverse("security:person_export", args=[applicant.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    response = client.post(url, {"reason": "Letter of 3 May asking for a copy"})
    assert response.status_code == 200 and json.loads(response.content)["account"]["email"] == applicant.email
    event = SecurityEvent.objects.get(action="personal_data.exported", actor=system_admin, result="success")
    assert event.data["reason"] == "Letter of 3 May asking for a copy" and event.object_ref == f"user:{applicant.pk}"
    assert english_client(make_staff("reviewer")).post(url, {"reason": "curious"}).status_code == 403


def test_staff_export_helper_refuses_without_reason(rf):
    from django.core.exceptions import ValidationError

    from partners.services.security import log_personal_data_export

    request = rf.get("/")
    request.user = make_staff("reviewer")
    with pytest.raises(ValidationError):
        log_personal_data_export(request, what="roster", reason=" ")
    log_personal_data_export(request, what="roster", reason="quarterly report", count=12)
    results = set(SecurityEvent.objects.filter(action="personal_data.exported").values_list("result", flat=True))
    assert results == {"refused", "success"}


# --- Correction --------------------------------------------------------------------------------------

def test_person_corrects_name_phone_and_language(applicant):
    client = english_client(applicant)
    bad = client.post(reverse("privacy:profile"), {"display_name": "李雷", "phone": "12345", "language": "en"})
    assert bad.status_code == 200 and "11 digits" in bad.content.decode()
    response = client.post(reverse("privacy:profile"), {
        "display_name": "李雷", "phone": "+86 139 1234 5678", "language": "en"})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert (applicant.display_name, applicant.phone, applicant.language) == ("李雷", "13912345678", "en")
    event = SecurityEvent.objects.get(action="personal_data.corrected")
    assert set(event.data["fields"]) == {"display_name", "phone", "language"}
    assert "13912345678" not in json.dumps(event.data)


# --- Deletion ----------------------------------------------------------------------------------------

def test_deletion_anonymises_what_must_be_kept_and_removes_the_rest(applicant, reviewer, approver):
    from tests.factories import advance

    application = advance(submitted_application(applicant), ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    Application.objects.filter(pk=application.pk).update(contact_email=applicant.email, contact_name="王芳",
                                                         contact_phone="13912345678")
    Notification.objects.create(recipient=applicant, template_key="x", dedupe_key="del-1")
    email = applicant.email
    client = english_client(applicant)
    wrong = client.post(reverse("privacy:delete"), {"confirm_email": "other@example.com"})
    assert wrong.status_code == 200 and User.objects.get(pk=applicant.pk).is_active
    response = client.post(reverse("privacy:delete"), {"confirm_email": email, "reason": "leaving"})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    person = User.objects.get(pk=applicant.pk)
    assert not person.is_active and person.anonymised_at is not None
    assert person.email.startswith("deleted-") and person.display_name == "" and person.phone == ""
    assert not person.has_usable_password()
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not OrganizationMember.objects.filter(user=person).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    # Records that must be kept stay, pointing at the anonymised account.
    application.refresh_from_db()
    assert application.created_by_id == person.pk and application.contact_email == ""
    assert application.contact_name == "" and application.contact_phone == ""
    assert AuditEvent.objects.filter(application=application, action__contains="submit").exists()
    assert Decision.objects.filter(application=application).exists()
    request = DeletionRequest.objects.get(user=person)
    assert request.state == DeletionRequest.State.COMPLETED and request.reason == "leaving"
    # The request is logged under the person's pseudonym, no longer linked to the account.
    requested = SecurityEvent.objects.get(action="privacy.deletion_requested", object_ref=f"user:{person.pk}")
    assert requested.actor_label.startswith(PSEUDONYM_PREFIX)
    assert not ActorPseudonym.objects.filter(pseudonym=requested.actor_label).exists()
    assert SecurityEvent.objects.filter(action="privacy.deletion_completed",
                                        object_ref=f"deletion_request:{request.pk}").exists()
    assert User.objects.filter(email=email).count() == 0
    assert english_client().post(reverse("account_login"), {"login": email, "password": PASSWORD}).status_code == 200


def test_owner_with_colleagues_is_told_to_hand_over_first(applicant, organization):
    colleague = UserFactory()
    OrganizationMember.objects.create(organization=organization, user=colleague, role=OrgRole.COLLEAGUE)
    outcome = privacy.request_deletion(applicant, reason="")
    assert outcome.state == DeletionRequest.State.REFUSED and "hand ownership" in outcome.outcome
    assert User.objects.get(pk=applicant.pk).is_active
    assert SecurityEvent.objects.filter(action="privacy.deletion_refused", result="refused").exists()


def test_staff_accounts_are_not_deleted_by_self_service():
    staff = make_staff("reviewer")
    assert privacy.request_deletion(staff).state == DeletionRequest.State.REFUSED
    assert User.objects.get(pk=staff.pk).is_active


# --- Retention of attachments ------------------------------------------------------------------------

def test_attachments_of_rejected_and_withdrawn_applications_are_purged_after_the_period(applicant, settings):
    old_rejected = submitted_application(applicant)
    other = UserFactory()
    from tests.factories import OrganizationFactory

    OrganizationFactory(owner=other)
    recent_withdrawn = submitted_application(other)
    admitted_like = submitted_application(OrganizationFactory().owner)
    long_ago = timezone.now() - timedelta(days=3 * 365 + 1)
    Application.objects.filter(pk=old_rejected.pk).update(state=ApplicationState.REJECTED, state_changed_at=long_ago)
    Application.objects.filter(pk=recent_withdrawn.pk).update(state=ApplicationState.WITHDRAWN,
                                                              state_changed_at=timezone.now() - timedelta(days=30))
    Application.objects.filter(pk=admitted_like.pk).update(state=ApplicationState.ADMITTED, state_changed_at=long_ago)
    attachment = old_rejected.attachments.get()
    path = attachment.file.path

    from partners.tasks_compliance import purge_attachments

    assert purge_attachments.apply().get() == 1
    attachment.refresh_from_db()
    assert attachment.purged_at is not None and not attachment.file
    assert attachment.original_name == "营业执照.pdf" and attachment.sha256  # the record that it existed
    assert attachment.size > 0
    import os

    assert not os.path.exists(path)
    assert recent_withdrawn.attachments.get().file and admitted_like.attachments.get().file
    assert AuditEvent.objects.filter(action="attachment.purged", application=old_rejected).exists()
    assert SecurityEvent.objects.filter(action="retention.attachments_purged").exists()
    assert privacy.purge_expired_attachments() == 0  # running again changes nothing

    settings.ATTACHMENT_RETENTION_DAYS = 10
    assert privacy.purge_expired_attachments() == 1  # the configured period applies


def test_purged_attachment_answers_gone_to_staff(applicant, reviewer):
    application = submitted_application(applicant)
    extra = add_licence(application, applicant)
    Attachment.objects.filter(pk=extra.pk).update(file=None, purged_at=timezone.now())
    response = english_client(reviewer).get(reverse("portal:attachment_download", args=[extra.pk]))
    assert response.status_code in (404, 410)


def test_system_administrator_writes_and_publishes_a_new_version(settings, applicant):
    settings.PRIVACY_CONSENT_REQUIRED = True
    privacy.record_consent(applicant, privacy.current_notice())
    system_admin = make_staff("system_admin")
    privacy.record_consent(system_admin, privacy.current_notice())
    client = english_client(system_admin)
    response = client.post(reverse("security:notices"), {
        "op": "draft", "title_zh": "个人信息保护声明", "title_en": "Privacy notice",
        "text_zh": "第二版", "text_en": "Second version"})
    assert response.status_code == 302
    draft = PrivacyNotice.objects.get(version=2)
    assert draft.published_at is None
    assert english_client(applicant).get(reverse("privacy:my_data")).status_code == 200  # a draft asks no one
    assert client.post(reverse("security:notices"), {"op": "publish", "notice": draft.pk}).status_code == 302
    assert privacy.current_notice().version == 2
    assert client.get(reverse("security:notices"))["Location"] == reverse("privacy:consent")  # staff too
    response = english_client(applicant).get(reverse("privacy:my_data"))
    assert response.status_code == 302 and response["Location"] == reverse("privacy:consent")
    actions = set(SecurityEvent.objects.filter(actor=system_admin).values_list("action", flat=True))
    assert {"settings.privacy_notice_drafted", "settings.privacy_notice_published"} <= actions
    # The version in force is shown; the earlier one stays readable.
    assert "Second version" in english_client().get(reverse("privacy:notice")).content.decode()
    earlier = english_client().get(reverse("privacy:notice"), {"version": "1"}).content.decode()
    assert "Personal Information Protection Law" in earlier and "Second version" not in earlier
    settings.PRIVACY_CONSENT_REQUIRED = False
    assert english_client(make_staff("security_admin")).get(reverse("security:notices")).status_code == 403


def test_deletion_scrubs_the_persons_contact_details_from_free_text(applicant, reviewer):
    from partners.models import InternalNote, ReviewMessage
    from tests.factories import OrganizationFactory

    User.objects.filter(pk=applicant.pk).update(display_name="Wang Fang-Unique", phone="13912345678")
    applicant.refresh_from_db()
    email = applicant.email
    application = submitted_application(applicant)
    elsewhere_application = submitted_application(OrganizationFactory().owner)
    theirs = ReviewMessage.objects.create(application=application, author=applicant,
                                          body="I am Wang Fang-Unique, call 13912345678")
    about = InternalNote.objects.create(application=application, author=reviewer,
                                        body=f"Rang Wang Fang-Unique at 13912345678, mail {email.upper()}")
    elsewhere = InternalNote.objects.create(application=elsewhere_application, author=reviewer,
                                            body=f"Another Wang Fang-Unique; forwarded to {email}")
    response = english_client(applicant).post(reverse("privacy:delete"), {
        "confirm_email": email, "reason": "Please remove 13912345678 and Wang Fang-Unique"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    about.refresh_from_db()
    elsewhere.refresh_from_db()
    # The text stays as the application's record; what names the person is gone, the author anonymised.
    assert theirs.body == "I am [removed], call [removed]" and theirs.author_id == applicant.pk
    assert User.objects.get(pk=applicant.pk).anonymised_at is not None
    assert about.body == "Rang [removed] at [removed], mail [removed]" and about.author_id == reviewer.pk
    # On another organisation's application only the address is scrubbed: a name alone may be someone else's.
    assert elsewhere.body == "Another Wang Fang-Unique; forwarded to [removed]"
    assert DeletionRequest.objects.get(user_id=applicant.pk).reason == "Please remove [removed] and [removed]"
