"""个人信息保护法 minimisation: no personal field of a member's people on public pages, the public API or rosters."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partners.enums import ApplicationState
from partners.models import Application, User
from partners.services.membership import admit_due_applications
from tests.factories import OrganizationFactory, UserFactory, advance, make_staff, submitted_application

pytestmark = pytest.mark.django_db

OWNER_EMAIL = "owner.private@example.com"
OWNER_NAME = "赵隐私"
OWNER_PHONE = "13700001111"
CONTACT = {"contact_name": "钱联系", "contact_phone": "13600002222", "contact_email": "contact.private@example.com"}
PERSONAL = [OWNER_EMAIL, OWNER_NAME, OWNER_PHONE, *CONTACT.values()]


@pytest.fixture
def member(db):
    cache.clear()
    owner = UserFactory(email=OWNER_EMAIL, display_name=OWNER_NAME, phone=OWNER_PHONE)
    OrganizationFactory(owner=owner)
    application = submitted_application(owner)
    Application.objects.filter(pk=application.pk).update(**CONTACT)
    advance(application, ApplicationState.PUBLICITY, reviewer=make_staff("reviewer"),
            approver=make_staff("approver"))
    admit_due_applications(now=timezone.now() + timezone.timedelta(days=30))
    application.refresh_from_db()
    assert application.state == ApplicationState.ADMITTED
    yield application.organization
    cache.clear()


def _body(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_public_pages_and_rosters_hold_no_personal_fields(member):
    client = Client()
    number = member.membership.number
    urls = [reverse("public:home"), reverse("public:directory"), reverse("public:member", args=[number]),
            reverse("public:statistics"), reverse("public:roster_csv")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        assert member.name in body or url in (reverse("public:home"), reverse("public:statistics")), url
        for value in PERSONAL:
            assert value not in body, (url, value)


def test_public_api_holds_no_personal_fields(member):
    client = Client()
    answered = []
    for url in ("/api/v1/members/", f"/api/v1/members/{member.membership.number}/", "/api/v1/organizations/"):
        response = client.get(url)
        if response.status_code in (401, 403, 404):
            continue  # not public: nothing leaks
        assert response.status_code == 200, url
        body = _body(response)
        if member.name in body:
            answered.append(url)
        for value in PERSONAL:
            assert value not in body, (url, value)
    assert answered, "the public API should list the member"


def test_personal_fields_stay_in_the_database(member):
    assert User.objects.filter(email=OWNER_EMAIL, phone=OWNER_PHONE).exists()  # the test data is really there
