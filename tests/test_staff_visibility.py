"""Each role sees only what it may: the API asks the web's question, drafts stay the applicant's, staff unnamed."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from partners import workflow
from partners.enums import ApplicationState
from partners.models import AuditEvent
from partners.permissions import can_see_application
from tests.api_helpers import client_for, key_for
from tests.factories import ApplicationFactory, add_licence, advance, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(applicant, reviewer, approver, service_officer, administrator, other_applicant):
    in_review = advance(submitted_application(applicant), ApplicationState.IN_REVIEW, reviewer=reviewer)
    draft = ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant,
                               contact_phone="13912345678")
    draft_file = add_licence(draft, applicant)
    return {"in_review": in_review, "draft": draft, "draft_file": draft_file,
            "people": {"applicant": applicant, "other_applicant": other_applicant, "reviewer": reviewer,
                       "approver": approver, "service_officer": service_officer,
                       "administrator": administrator}}


def api(user):
    _key, token = key_for(user)
    return client_for(token)


def test_service_officers_read_no_application_through_the_api(world, service_officer):
    client = api(service_officer)
    listing = client.get("/api/v1/applications/")
    assert listing.status_code == 200
    assert listing.json()["results"] == []
    in_review = world["in_review"]
    assert client.get(f"/api/v1/applications/{in_review.public_id}/").status_code == 404
    assert client.get(f"/api/v1/applications/{in_review.public_id}/attachments/").status_code == 404
    assert client.get(f"/api/v1/applications/{world['draft'].public_id}/").status_code == 404
    # The web refuses them the same application.
    web = Client()
    web.force_login(service_officer)
    assert web.get(reverse("review:detail", args=[in_review.pk])).status_code == 403


def test_service_officers_do_not_read_the_staff_event_feed(world, service_officer, reviewer):
    assert AuditEvent.objects.filter(application=world["in_review"]).count() >= 2
    events = api(service_officer).get("/api/v1/events/").json()["results"]
    assert events == []
    staff_feed = api(reviewer).get("/api/v1/events/").json()["results"]
    assert any(e["application"] == str(world["in_review"].public_id) for e in staff_feed)


@pytest.mark.parametrize("who", ["reviewer", "approver", "service_officer", "administrator"])
def test_a_draft_is_not_found_by_staff_anywhere(world, who):
    person = world["people"][who]
    draft, draft_file = world["draft"], world["draft_file"]
    web = Client()
    web.force_login(person)
    assert web.get(reverse("portal:application", args=[draft.pk])).status_code == 404
    assert web.get(reverse("portal:attachment_download", args=[draft_file.pk])).status_code == 404
    assert web.get(reverse("review:attachment", args=[draft.pk, draft_file.pk])).status_code in (403, 404)
    assert web.get(reverse("review:detail", args=[draft.pk])).status_code in (403, 404)
    client = api(person)
    assert client.get(f"/api/v1/applications/{draft.public_id}/").status_code == 404
    assert client.get(f"/api/v1/applications/{draft.public_id}/attachments/").status_code == 404
    listed = [row["id"] for row in client.get("/api/v1/applications/").json()["results"]]
    assert str(draft.public_id) not in listed
    feed = client.get("/api/v1/events/").json()["results"]
    assert all(e["application"] != str(draft.public_id) for e in feed)


def test_reviewing_staff_still_open_submitted_files(world, reviewer):
    in_review = world["in_review"]
    attachment = in_review.attachments.first()
    web = Client()
    web.force_login(reviewer)
    assert web.get(reverse("portal:attachment_download", args=[attachment.pk])).status_code == 200
    assert web.get(reverse("review:attachment", args=[in_review.pk, attachment.pk])).status_code == 200
    assert api(reviewer).get(f"/api/v1/applications/{in_review.public_id}/").status_code == 200


def test_the_applicant_keeps_their_draft(world, applicant):
    draft = world["draft"]
    client = api(applicant)
    record = client.get(f"/api/v1/applications/{draft.public_id}/")
    assert record.status_code == 200
    web = Client()
    web.force_login(applicant)
    assert web.get(reverse("portal:attachment_download", args=[world["draft_file"].pk])).status_code == 200


def test_the_api_answers_exactly_as_can_see_application(world):
    """Every identity × every application: the API record is there exactly when the web's rule says so."""
    applications = [world["in_review"], world["draft"]]
    for name, person in world["people"].items():
        client = api(person)
        listed = {row["id"] for row in client.get("/api/v1/applications/").json()["results"]}
        for application in applications:
            allowed = can_see_application(person, application).allowed
            status = client.get(f"/api/v1/applications/{application.public_id}/").status_code
            assert status == (200 if allowed else 404), (name, application.state, status)
            assert (str(application.public_id) in listed) == allowed, (name, application.state)


def test_refusals_shown_to_applicants_name_the_plan_office_not_staff(world, applicant, reviewer):
    application = world["in_review"]  # a reviewer started the review while the applicant's page was open
    with translation.override("en"), pytest.raises(workflow.AlreadyChanged) as info:
        workflow.fire(application.pk, "withdraw", workflow.Actor(user=applicant), expected_state="submitted")
    assert reviewer.email not in info.value.message
    assert "plan office" in info.value.message
    # The same through the portal's form.
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(applicant)
    response = web.post(reverse("portal:application_action", args=[application.pk, "withdraw"]),
                        {"reason": "changed our mind", "expected_state": "submitted"})
    body = response.content.decode()
    assert response.status_code == 409
    assert reviewer.email not in body and "plan office" in body


def test_a_colleague_who_won_the_race_is_named_to_the_applicant(applicant, organization):
    from partners.enums import OrgRole
    from partners.models import OrganizationMember
    from tests.factories import UserFactory

    colleague = UserFactory(email="fast-colleague@example.com")
    OrganizationMember.objects.create(organization=organization, user=colleague, role=OrgRole.COLLEAGUE)
    application = submitted_application(applicant)
    workflow.fire(application.pk, "withdraw", workflow.Actor(user=colleague), expected_state="submitted")
    with pytest.raises(workflow.AlreadyChanged) as info:
        workflow.fire(application.pk, "withdraw", workflow.Actor(user=applicant), expected_state="submitted")
    assert colleague.email in info.value.message
