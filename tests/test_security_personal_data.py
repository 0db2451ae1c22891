"""Personal data (contact names, phones, e-mails) never reaches public pages, the public API, the roster
export or the logs; staff lists show phone numbers masked."""

import io
import logging

import pytest
from django.core.cache import cache
from django.test import Client

from partners.models import Application, User
from tests.permission_matrix import World, discover_routes, url_for
from tests.permission_matrix_table import TABLE

SECRET_NAME = "甄秘联系人"
SECRET_PHONE = "13987654321"
SECRET_EMAIL = "secret.contact.q7@example.org"
SECRET_OWNER_NAME = "郝隐私"
SECRET_OWNER_EMAIL = "hidden.owner.z9@example.org"
SECRET_OWNER_PHONE = "13612345987"
SECRETS = (SECRET_NAME, SECRET_PHONE, SECRET_EMAIL, SECRET_OWNER_NAME, SECRET_OWNER_EMAIL, SECRET_OWNER_PHONE)
# Never fetched as "public": accounts pages and the admin are about the visitor, not about members.
NOT_PUBLIC_PREFIXES = ("admin:", "account_", "mfa_", "set_language")


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or content[:2] == b"PK":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    return content.decode("utf-8", errors="replace")


def plant_secrets(world):
    """Give the member's and the notice-period organisation's people and contacts distinctive values."""
    for application in (world.admitted_application, world.publicity_application):
        Application.objects.filter(pk=application.pk).update(
            contact_name=SECRET_NAME, contact_phone=SECRET_PHONE, contact_email=SECRET_EMAIL)
    for owner in (world.member_owner, world.publicity_owner):
        User.objects.filter(pk=owner.pk).update(display_name=SECRET_OWNER_NAME, phone=SECRET_OWNER_PHONE)
    User.objects.filter(pk=world.member_owner.pk).update(email=SECRET_OWNER_EMAIL)
    cache.clear()


@pytest.fixture
def world(db, settings):
    settings.AXES_ENABLED = False
    w = World()
    plant_secrets(w)
    return w


def public_responses(world, client):
    """Every route an anonymous visitor may read (by the permission table), fetched."""
    for route in discover_routes():
        if route.key.startswith(NOT_PUBLIC_PREFIXES):
            continue
        row = TABLE.get(route.key, {}).get("get", "")
        if not row or row.split()[0] != "200":
            continue
        url = url_for(route, world, TABLE[route.key])
        response = client.get(url)
        if response.status_code == 200:
            yield route.key, url, response


def test_no_personal_data_on_public_pages_api_or_exports(world):
    seen, leaks = [], []
    for client in (Client(), world.client("applicant_b")):
        for key, url, response in public_responses(world, client):
            seen.append(key)
            text = body_text(response)
            leaks += [f"{key} {url}: {s}" for s in SECRETS if s in text]
    for needed in ("public:directory", "public:member", "public:roster_csv", "public:roster_xlsx",
                   "member-list", "member-detail", "publicity:list"):
        if any(route.key == needed for route in discover_routes()):
            assert needed in seen, f"{needed} was not fetched (no public row in the permission table?)"
    assert not leaks, "personal data on public pages:\n" + "\n".join(leaks)


def test_the_member_is_really_listed(world):
    """Guard against a vacuous pass: the organisations whose people hold the secrets are on the pages."""
    text = body_text(Client().get(url_for(next(r for r in discover_routes() if r.key == "public:directory"),
                                          world, {})))
    assert world.member_org.name in text


STAFF_LISTS = ("review:queue", "review:members", "outbox:list")


def test_staff_lists_mask_phone_numbers(world):
    staff = [world.client(identity) for identity in ("administrator", "reviewer", "service_officer")]
    checked = 0
    for route in discover_routes():
        if route.key not in STAFF_LISTS:
            continue
        url = url_for(route, world, TABLE.get(route.key, {}))
        response = next((r for r in (c.get(url) for c in staff) if r.status_code == 200), None)
        assert response is not None, f"no staff member may read {route.key}"
        text = body_text(response)
        for phone in (SECRET_PHONE, SECRET_OWNER_PHONE, world.applicant_a.phone):
            assert phone not in text, f"{route.key} shows a full phone number"
        checked += 1
    assert checked


def test_masked_phone_keeps_only_the_ends():
    assert User(phone="13987654321").masked_phone == "139****4321"
    assert SECRET_PHONE not in User(phone=SECRET_PHONE).masked_phone


def test_logs_carry_no_personal_data(world, caplog, settings):
    """A whole day's work at DEBUG level: log records hold ids and codes, never the people's data."""
    from partners import workflow
    from partners.enums import ApplicationState
    from partners.models import Notification
    from partners.services.delivery import deliver
    from tests.factories import OrganizationFactory, UserFactory, advance, submitted_application

    caplog.set_level(logging.DEBUG)
    person = UserFactory(email=SECRET_EMAIL, display_name=SECRET_NAME, phone=SECRET_PHONE)
    OrganizationFactory(owner=person)
    application = submitted_application(person)
    application = advance(application, ApplicationState.FINAL_REVIEW, reviewer=world.reviewer)
    workflow.fire(application.pk, "approve", workflow.Actor(user=world.approver), granted_types=["data"])
    for row in Notification.objects.filter(application=application):
        deliver(row.pk)
    client = Client()
    settings.AXES_ENABLED = True  # its failure log names the attempted account: it must be masked
    cache.clear()
    client.post("/accounts/login/", {"login": SECRET_EMAIL, "password": "Wrong-password-1"})
    client.get("/members/NO-SUCH-MEMBER/")  # a 404 is logged with its path
    for _key, _url, _response in public_responses(world, client):
        pass
    world.client("reviewer").get(url_for(next(r for r in discover_routes() if r.key == "review:queue"), world, {}))
    # factory_boy's own debug lines describe the test's set-up, not the registry's logging.
    records = [r for r in caplog.records if not r.name.startswith("factory")]
    logged = "\n".join(record.getMessage() for record in records)
    assert any(r.name.startswith("axes") for r in records), "the failed login was not logged, so not checked"
    assert records, "nothing was logged, so nothing was checked"
    leaks = [s for s in (SECRET_NAME, SECRET_PHONE, SECRET_EMAIL) if s in logged]
    assert not leaks, f"personal data in the logs: {leaks}"
