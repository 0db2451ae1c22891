"""The site answers: home page, health check and the admin login."""

import pytest


@pytest.mark.django_db
def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


@pytest.mark.django_db
def test_health_reports_database(client):
    body = client.get("/health/").json()
    assert body["status"] == "ok" and body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_whole_workflow_reaches_admission(applicant, reviewer, approver):
    from partners.enums import ApplicationState
    from partners.services.membership import admit_due_applications
    from tests.factories import advance, submitted_application

    application = advance(submitted_application(applicant), ApplicationState.PUBLICITY,
                          reviewer=reviewer, approver=approver)
    from django.utils import timezone

    assert admit_due_applications(now=timezone.now() + timezone.timedelta(days=8)) == 1
    application.refresh_from_db()
    assert application.state == ApplicationState.ADMITTED
    membership = application.organization.membership
    assert membership.number.startswith("BJAI-")
    assert list(membership.grants.values_list("partner_type", flat=True)) == ["data"]
