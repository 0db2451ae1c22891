"""Calls for applications: continuous intake keeps working, a closed call refuses submission on the web and the API
naming the next opening (drafts are kept), and each first submission gets a receipt number."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import workflow
from partners.enums import ApplicationState
from partners.models import Application, Call, Notification
from partners.services import applications as app_services
from partners.services import calls as call_services
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import ApplicationFactory, complete_draft, english_client
from tests.portal_helpers import submit

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"^BJAI-SQ-\d{4}-\d{6}$")


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def close_continuous_intake():
    call = call_services.continuous_call()
    call.always_open = False
    call.opens_at = timezone.now() - timedelta(days=400)
    call.closes_at = timezone.now() - timedelta(days=30)
    call.save()
    return call


def announce(days=10, **kw):
    opens = timezone.now() + timedelta(days=days)
    return Call.objects.create(title="2027年第一批", title_en="First call of 2027", opens_at=opens,
                               closes_at=opens + timedelta(days=30), **kw)


def test_the_migration_keeps_continuous_intake_open(applicant):
    call = Call.objects.get(code=Call.CONTINUOUS)
    assert call.always_open and call.is_open()
    application = app_services.submit(applicant, complete_draft(
        ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)))
    assert application.state == ApplicationState.SUBMITTED
    assert application.call == call
    assert RECEIPT.match(application.receipt_number)


def test_a_closed_call_refuses_submission_on_the_web_naming_the_next_opening(applicant, draft):
    close_continuous_intake()
    announce()
    complete_draft(draft)
    client = english_client(applicant)
    response = submit(client, draft)
    assert response.status_code == 409
    text = response.content.decode()
    assert "First call of 2027" in text and "Beijing time" in text
    opens = timezone.localtime(Call.objects.get(title_en="First call of 2027").opens_at).strftime("%Y-%m-%d %H:%M")
    assert opens in text
    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT and draft.receipt_number is None


def test_a_closed_call_refuses_submission_on_the_api(applicant, draft):
    close_continuous_intake()
    upcoming = announce()
    complete_draft(draft)
    _key, token = key_for(applicant)
    api = client_for(token)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    response = api.post(f"/api/v1/applications/{draft.pk}/actions/submit/", {}, format="json")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "call_closed"
    assert "First call of 2027" in body["message"]
    assert timezone.localtime(upcoming.opens_at).strftime("%Y-%m-%d %H:%M") in body["message"]
    # Once the call opens, the API's answer carries the receipt number and the call.
    upcoming.opens_at = timezone.now() - timedelta(minutes=1)
    upcoming.save()
    response = api.post(f"/api/v1/applications/{draft.pk}/actions/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    assert RECEIPT.match(response.json()["receipt_number"]) and response.json()["call"] == str(upcoming.public_id)


def test_with_nothing_announced_the_refusal_says_so(applicant, draft):
    close_continuous_intake()
    complete_draft(draft)
    with pytest.raises(workflow.TransitionError) as refused:
        app_services.submit(applicant, draft)
    assert refused.value.code == "call_closed"
    assert "none is announced" in refused.value.message


def test_a_draft_prepared_in_advance_is_submitted_once_its_call_opens(applicant):
    close_continuous_intake()
    upcoming = announce()
    draft = app_services.create_draft(applicant, applicant.organizations.get())
    assert draft.call == upcoming  # prepared for the next call
    complete_draft(draft)
    with pytest.raises(workflow.TransitionError):
        app_services.submit(applicant, draft)
    upcoming.opens_at = timezone.now() - timedelta(minutes=1)
    upcoming.save()
    submitted = app_services.submit(applicant, Application.objects.get(pk=draft.pk))
    assert submitted.state == ApplicationState.SUBMITTED and submitted.call == upcoming


def test_a_call_for_other_partner_types_does_not_take_the_application(applicant, draft):
    close_continuous_intake()
    opens = timezone.now() - timedelta(days=1)
    Call.objects.create(title="算力专场", opens_at=opens, closes_at=opens + timedelta(days=30),
                        partner_types=["compute"])
    complete_draft(draft)  # a data partner
    with pytest.raises(workflow.TransitionError) as refused:
        app_services.submit(applicant, draft)
    assert refused.value.code == "call_closed"


def test_the_receipt_number_is_shown_mailed_and_counts_up_within_the_year(applicant, other_applicant):
    first = app_services.submit(applicant, complete_draft(
        ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)))
    second = app_services.submit(other_applicant, complete_draft(
        ApplicationFactory(organization=other_applicant.organizations.get(), created_by=other_applicant)))
    n1, n2 = int(first.receipt_number[-6:]), int(second.receipt_number[-6:])
    assert n2 == n1 + 1
    assert first.receipt_number[8:12] == str(timezone.localtime().year)
    mail = Notification.objects.get(template_key="application.submitted", application=first)
    assert mail.context["receipt_number"] == first.receipt_number
    page = english_client(applicant).get(reverse("portal:application", args=[first.pk]))
    assert first.receipt_number in page.content.decode()


def test_the_web_submission_says_the_receipt_number(applicant, draft):
    complete_draft(draft)
    client = english_client(applicant)
    response = submit(client, draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    page = client.get(response["Location"]).content.decode()
    assert draft.receipt_number in page


def test_a_resubmission_keeps_its_receipt_number(applicant, reviewer):
    application = app_services.submit(applicant, complete_draft(
        ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)))
    number = application.receipt_number
    workflow.fire(application.pk, "start_review", workflow.Actor(user=reviewer))
    workflow.fire(application.pk, "request_changes", workflow.Actor(user=reviewer), message="请补充", points=["营业执照"])
    again = app_services.resubmit(applicant, Application.objects.get(pk=application.pk))
    assert again.receipt_number == number


def test_the_receipt_and_the_application_form_are_pdfs_with_the_chinese_text(applicant):
    from io import BytesIO

    from pypdf import PdfReader

    application = app_services.submit(applicant, complete_draft(
        ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)))
    client = english_client(applicant)
    receipt = client.get(reverse("portal:receipt_pdf", args=[application.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(receipt.content)).pages)
    assert application.receipt_number in text
    assert application.organization.name in text and "受理" in text
    form = client.get(reverse("portal:application_pdf", args=[application.pk]))
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(form.content)).pages)
    assert "提供高质量中文语料与标注服务。" in text  # the profile's summary, in the applicant's words
    assert "营业执照.pdf" in text  # the list of attachments
    assert application.organization.credit_code in text


def test_a_draft_has_no_receipt_and_another_organisation_sees_neither_pdf(applicant, other_applicant, draft):
    assert english_client(applicant).get(reverse("portal:receipt_pdf", args=[draft.pk])).status_code == 404
    stranger = english_client(other_applicant)
    assert stranger.get(reverse("portal:application_pdf", args=[draft.pk])).status_code == 404


def test_the_public_notice_is_a_numbered_pdf_with_the_office_period_and_how_to_object(applicant, reviewer, approver):
    from io import BytesIO

    from django.conf import settings
    from pypdf import PdfReader

    from tests.factories import advance

    application = app_services.submit(applicant, complete_draft(
        ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)))
    application = advance(application, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    response = english_client().get(reverse("publicity:notice_pdf", args=[application.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages).replace("\n", "")
    assert application.receipt_number.replace("-SQ-", "-GS-") in text  # the notice's number
    assert application.organization.name in text and "公示" in text and "异议" in text
    assert settings.PLAN_OFFICE_CONTACT.split("·")[0].strip() in text
    assert timezone.localtime(application.publicity_ends_at).strftime("%Y-%m-%d %H:%M") in text
    assert "王芳" not in text and "13912345678" not in text  # public facts only, never the contact
    # Only applications on public notice have one.
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.ADMITTED)
    assert english_client().get(reverse("publicity:notice_pdf", args=[application.public_id])).status_code == 404


def test_the_review_step_says_when_the_next_call_opens(applicant, draft):
    close_continuous_intake()
    announce()
    complete_draft(draft)
    page = english_client(applicant).get(reverse("portal:step", args=[draft.pk, "review"])).content.decode()
    assert "call-notice" in page and "First call of 2027" in page


def test_each_call_counts_its_applications_by_state_and_type_and_filters_the_queue(applicant, other_applicant,
                                                                                    reviewer):
    continuous = call_services.continuous_call()
    first = app_services.submit(applicant, complete_draft(
        ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)))
    close_continuous_intake()
    opens = timezone.now() - timedelta(days=1)
    dated = Call.objects.create(title="2026年第二批", opens_at=opens, closes_at=opens + timedelta(days=30),
                                quotas={"compute": 5})
    second = app_services.submit(other_applicant, complete_draft(
        ApplicationFactory(organization=other_applicant.organizations.get(), created_by=other_applicant),
        types=("compute", "data")))
    assert (first.call, second.call) == (continuous, dated)
    assert call_services.counts_by_state_and_type(dated) == {"submitted": {"compute": 1, "data": 1}}
    client = english_client(reviewer)
    page = client.get(reverse("review:call", args=[dated.pk])).content.decode()
    assert "call-counts" in page and "call-quotas" in page
    queue = client.get(reverse("review:queue") + f"?call={dated.pk}").content.decode()
    assert second.organization.name in queue and first.organization.name not in queue
    export = client.get(reverse("review:export") + f"?call={dated.pk}")
    assert export.status_code == 200
    assert client.get(reverse("review:queue") + "?call=nonsense").status_code in (200, 400)


def test_a_submission_missing_a_document_the_call_requires_is_refused_on_the_web_and_the_api(applicant, draft):
    call = call_services.continuous_call()
    call.required_documents = {"data": ["licence", "recommendation"], "compute": ["other"]}
    call.save()
    complete_draft(draft)  # a data partner with its business licence only
    response = submit(english_client(applicant), draft)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Recommendation letter" in text and "not attached" in text
    assert "Other" not in text.split("not attached yet:")[1].split(".")[0]  # other types' documents are not asked
    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT and draft.receipt_number is None
    _key, token = key_for(applicant)
    api = client_for(token)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    response = api.post(f"/api/v1/applications/{draft.pk}/actions/submit/", {}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "documents_missing"
    assert "Recommendation letter" in response.json()["message"]
    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT and draft.receipt_number is None
    # Once the letter is attached, the submission goes through.
    from partners.models import Attachment

    letter = draft.attachments.get()
    letter.pk = None
    letter.public_id = __import__("uuid").uuid4()
    letter.kind = Attachment.Kind.RECOMMENDATION_LETTER
    letter.save()
    submitted = app_services.submit(applicant, Application.objects.get(pk=draft.pk))
    assert submitted.state == ApplicationState.SUBMITTED


def test_the_call_page_shows_the_median_days_in_each_state_of_that_calls_applications(reviewer):
    from tests.factories import OrganizationFactory, submitted_application

    close_continuous_intake()
    opens = timezone.now() - timedelta(days=20)
    dated = Call.objects.create(title="2026年第三批", opens_at=opens, closes_at=opens + timedelta(days=60))
    now = timezone.now()
    for days in (2, 4, 10):
        application = submitted_application(OrganizationFactory().owner)
        assert application.call == dated
        Application.objects.filter(pk=application.pk).update(state_changed_at=now - timedelta(days=days))
    # An application of another call, long in its state, does not count towards this call's median.
    other = submitted_application(OrganizationFactory().owner)
    Application.objects.filter(pk=other.pk).update(call=call_services.continuous_call(),
                                                   state_changed_at=now - timedelta(days=300))
    medians = call_services.median_days_by_state(dated)
    assert set(medians) == {"submitted"}
    assert 3.99 < medians["submitted"] < 4.01
    page = english_client(reviewer).get(reverse("review:call", args=[dated.pk])).content.decode()
    assert "Median days in this state" in page and '<td class="call-median-days">4.0</td>' in page
    assert f'{reverse("review:export")}?call={dated.pk}' in page


def test_an_approval_beyond_the_calls_quota_for_a_type_is_refused(reviewer, approver):
    from partners.models import Decision
    from tests.factories import OrganizationFactory, advance, submitted_application
    from tests.test_review_decisions import act

    call = call_services.continuous_call()
    call.quotas = {"data": 1}
    call.save()
    first = advance(submitted_application(OrganizationFactory().owner), ApplicationState.FINAL_REVIEW,
                    reviewer=reviewer)
    second = advance(submitted_application(OrganizationFactory().owner, types=("data", "model")),
                     ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    approved = workflow.fire(first.pk, "approve", workflow.Actor(user=approver), granted_types=["data"])
    assert approved.state == ApplicationState.PUBLICITY
    # The one data place is taken: granting data again is refused, and nothing changes.
    with pytest.raises(workflow.TransitionError) as refused:
        workflow.fire(second.pk, "approve", workflow.Actor(user=approver), granted_types=["data", "model"])
    assert refused.value.code == "quota_reached"
    assert "at most 1" in refused.value.message and "Data partner" in refused.value.message
    response = act(english_client(approver), second, "approve", granted_types=["data", "model"])
    second.refresh_from_db()
    assert second.state == ApplicationState.FINAL_REVIEW
    assert not second.requested_types.filter(granted__isnull=False).exists()
    assert not Decision.objects.filter(application=second, action="approve").exists()
    assert response.status_code == 400 and "at most 1" in response.content.decode()
    # Types without a quota are not limited: granting only the model partner goes through.
    approved = workflow.fire(second.pk, "approve", workflow.Actor(user=approver), granted_types=["model"])
    assert approved.state == ApplicationState.PUBLICITY
