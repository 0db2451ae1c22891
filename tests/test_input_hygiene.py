"""Input hygiene: NUL and lone surrogates refused with a 400, JSON depth limited, signed and validated cursors,
orderings that place nulls and break ties, and the API's error shape for every 4xx under /api/."""

import json
from datetime import timedelta

import pytest
from django.core import signing
from django.db import DataError
from django.test import Client, RequestFactory
from django.utils import timezone

from partners.api.pagination import CURSOR_SALT
from partners.api.parsers import MAX_JSON_DEPTH
from partners.hygiene import InputHygieneMiddleware
from partners.models import Application
from partners.views.errors import server_error
from tests.api_helpers import client_for, key_for
from tests.factories import ApplicationFactory, OrganizationFactory, submitted_application
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db
TAMPERED = "cD1hYWE="  # base64 "p=aaa": an unsigned cursor whose position is not a date or a number


def english(user=None):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def api_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"] and isinstance(body["fields"], dict), body
    return body


# --- NUL and lone surrogates ------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/members/?q=a%00b", "/members/?district=%00", "/members/?industry=11%00",
                                 "/members/%00/", "/publicity/?q=%00"])
def test_nul_in_a_public_page_is_a_400_with_a_message(url):
    response = english().get(url)
    assert response.status_code == 400
    assert b"NUL character" in response.content


@pytest.mark.parametrize("url", ["/api/v1/members/?q=a%00b", "/api/v1/members/?district=%00",
                                 "/api/v1/members/?industry=%00", "/api/v1/members/%00/"])
def test_nul_in_an_api_read_is_a_400_in_the_api_shape(url):
    body = api_error(english().get(url), 400, "bad_characters")
    assert "NUL" in body["message"]


def test_a_nul_in_the_session_cookie_is_a_400_on_every_page_for_anyone():
    for url in ("/", "/members/", "/accounts/login/", "/api/v1/members/"):
        response = english().get(url, HTTP_COOKIE="sessionid=ab\x00cd")
        assert response.status_code == 400, url


def test_a_nul_in_a_header_is_a_400(applicant):
    assert english().get("/", HTTP_USER_AGENT="agent\x00").status_code == 400
    body = api_error(english(applicant).post("/api/v1/applications/", "{}", content_type="application/json",
                                             HTTP_IDEMPOTENCY_KEY="key\x00"), 400, "bad_characters")
    assert "header.idempotency-key" in body["fields"]
    assert not Application.objects.exists()


def test_a_nul_in_a_form_body_is_a_400_before_the_view(applicant):
    client = english(applicant)
    response = client.post("/portal/organisation/claim/", "credit_code=%00&name=x",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and b"NUL character" in response.content


def test_an_admin_filter_with_a_nul_is_a_400(db):
    from partners.models import User

    root = User.objects.create_superuser("root-hygiene@example.com", "Root-pass-2026!", display_name="Root")
    client = english(root)
    assert client.get("/admin/partners/application/?state=%00").status_code == 400
    assert client.get("/admin/partners/application/?q=%00").status_code == 400
    assert client.get("/admin/partners/application/?state=draft").status_code == 200


@pytest.mark.parametrize("body", [
    '{"contact_name": "a\\u0000b"}',
    '{"contact_name": "x", "a\\u0000": 1}',
    '{"profiles": {"data": {"data_sources": "\\u0000"}}}',
    '{"contact_name": "\\ud800"}',
    '{"contact_name": "x\\udfff"}',
    '{"partner_types": ["data", "\\udc00"]}',
])
def test_nul_and_lone_surrogates_in_json_are_a_400_in_the_api_shape(applicant, body):
    response = english(applicant).post("/api/v1/applications/", body, content_type="application/json")
    api_error(response, 400, "bad_characters")
    assert not Application.objects.exists()


def test_a_proper_surrogate_pair_is_an_ordinary_character(applicant):
    response = english(applicant).post("/api/v1/applications/", '{"contact_name": "\\ud83d\\ude00 张三"}',
                                       content_type="application/json")
    assert response.status_code == 201, response.content
    assert Application.objects.get().contact_name == "😀 张三"


def test_json_nested_5000_levels_is_a_400(applicant):
    response = english(applicant).post("/api/v1/applications/", "[" * 5000 + "]" * 5000,
                                       content_type="application/json")
    api_error(response, 400, "too_deep")


def test_json_one_level_deeper_than_allowed_is_a_400_and_the_limit_itself_is_read(applicant):
    def nested(depth):
        return '{"contact_name": "x", "extra": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"

    client = english(applicant)
    api_error(client.post("/api/v1/applications/", nested(MAX_JSON_DEPTH + 1), content_type="application/json"),
              400, "too_deep")
    assert client.post("/api/v1/applications/", nested(MAX_JSON_DEPTH), content_type="application/json"
                       ).status_code == 201


def test_a_database_refusal_of_a_nul_that_slipped_past_the_checks_is_a_400():
    request = RequestFactory().post("/portal/x/")
    response = InputHygieneMiddleware(lambda r: None).process_exception(
        request, DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"))
    assert response.status_code == 400
    assert InputHygieneMiddleware(lambda r: None).process_exception(request, DataError("other")) is None


# --- JSON errors under /api/ ----------------------------------------------------------------------------

def test_a_form_body_with_too_many_fields_under_the_api_is_a_400_in_the_api_shape(applicant, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=x" for i in range(50))
    response = english(applicant).post("/api/v1/applications/", body,
                                       content_type="application/x-www-form-urlencoded")
    api_error(response, 400, "invalid")


def test_paths_the_api_router_does_not_match_answer_json_404():
    for url in ("/api/v1/nothing/", "/api/v2/", "/api/v1/members/x/y/z/"):
        body = api_error(english().get(url), 404, "not_found")
        assert body["message"] == "Not found."


def test_a_method_a_route_does_not_allow_answers_json_405(reviewer):
    response = english(reviewer).delete("/api/v1/applications/")
    api_error(response, 405, "method_not_allowed")


def test_a_server_error_under_the_api_is_json_and_elsewhere_the_page():
    factory = RequestFactory()
    api = server_error(factory.get("/api/v1/members/"))
    assert api.status_code == 500 and json.loads(api.content)["code"] == "server_error"
    page = server_error(factory.get("/members/"))
    assert page.status_code == 500 and not page["Content-Type"].startswith("application/json")


# --- cursors ------------------------------------------------------------------------------------------

# The events feed pages by position (`after`), not by cursor: its own test follows.
LISTS = ["/api/v1/members/", "/api/v1/applications/", "/api/v1/organizations/", "/api/v1/decisions/",
         "/api/v1/webhooks/"]


@pytest.mark.parametrize("url", LISTS)
# Explicit ids: signed values carry a timestamp, and every test process must collect the same names.
@pytest.mark.parametrize("cursor", [TAMPERED, "not base64 at all", "x" * 3000,
                                    signing.dumps({"o": ["-id"], "v": [1]}, salt="another purpose")],
                         ids=["tampered", "not-base64", "too-long", "another-salt"])
def test_a_tampered_cursor_on_every_list_is_a_400_in_the_api_shape(reviewer, url, cursor):
    _key, token = key_for(reviewer)
    body = api_error(client_for(token).get(url, {"cursor": cursor}), 400, "invalid_cursor")
    assert "cursor" in body["fields"]


@pytest.mark.parametrize("position", ["1.2.3", "-1.0", "a.b", "9" * 40 + ".1", "1." + "9" * 25, "0.0 OR 1=1",
                                      "9223372036854775808.1"])
def test_a_malformed_feed_position_is_a_400_naming_after(reviewer, position):
    _key, token = key_for(reviewer)
    body = api_error(client_for(token).get("/api/v1/events/", {"after": position}), 400, "invalid")
    assert "after" in body["fields"]


def test_a_signed_cursor_with_a_position_of_the_wrong_type_is_a_400(reviewer):
    forged = signing.dumps({"o": ["-id"], "v": ["aaa"]}, salt=CURSOR_SALT, compress=True)
    _key, token = key_for(reviewer)
    api_error(client_for(token).get("/api/v1/applications/", {"cursor": forged}), 400, "invalid_cursor")


def test_a_cursor_replayed_on_another_ordering_is_a_400(reviewer):
    for _ in range(3):
        make_member()
    client = english()
    first = client.get("/api/v1/members/", {"page_size": 1}).json()
    assert first["next"]
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    api_error(client.get("/api/v1/members/", {"page_size": 1, "ordering": "number", "cursor": cursor}),
              400, "invalid_cursor")
    assert client.get(first["next"]).status_code == 200


def test_a_cursor_altered_by_one_character_is_a_400():
    for _ in range(3):
        make_member()
    client = english()
    next_link = client.get("/api/v1/members/", {"page_size": 1}).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    altered = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    api_error(client.get("/api/v1/members/", {"page_size": 1, "cursor": altered}), 400, "invalid_cursor")


# --- orderings: nulls placed, ties broken -------------------------------------------------------------

def walk(client, url, params):
    """Every id on every page following `next`, then every id following `previous` back from the last page."""
    forward, response = [], client.get(url, params)
    pages = [response.json()]
    forward += [row["id"] for row in pages[-1]["results"]]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"]).json())
        forward += [row["id"] for row in pages[-1]["results"]]
    backward, link = [], pages[-1]["previous"]
    while link:
        page = client.get(link).json()
        backward = [row["id"] for row in page["results"]] + backward
        link = page["previous"]
    # The API names applications by their public ids; the orders are checked against the rows' keys.
    keys = {str(public): pk for public, pk in Application.objects.values_list("public_id", "pk")}
    return [keys.get(i, i) for i in forward], [keys.get(i, i) for i in backward], pages


@pytest.mark.parametrize("ordering", ["submitted_at", "-submitted_at"])
def test_ordering_by_a_date_some_rows_lack_pages_through_every_row(ordering):
    # An applicant's own list: submitted applications and drafts (which staff never see) side by side.
    owner = OrganizationFactory().owner
    organization = owner.organizations.get()
    submitted = [submitted_application(owner, types=(t,)) for t in ("data", "compute", "model")]
    drafts = [ApplicationFactory(organization=organization, created_by=owner) for _ in range(3)]
    assert all(d.submitted_at is None for d in drafts)
    _key, token = key_for(owner)
    forward, backward, pages = walk(client_for(token), "/api/v1/applications/",
                                    {"ordering": ordering, "page_size": 2})
    dated = sorted(submitted, key=lambda a: a.submitted_at, reverse=ordering.startswith("-"))
    # Rows without a date come last in both directions, newest id first among them.
    assert forward == [a.pk for a in dated] + sorted((d.pk for d in drafts), reverse=ordering.startswith("-"))
    assert len(pages) == 3
    assert backward == forward[:-len(pages[-1]["results"])]


def test_rows_sharing_a_timestamp_are_neither_skipped_nor_repeated():
    owner = OrganizationFactory().owner
    organization = owner.organizations.get()
    rows = [ApplicationFactory(organization=organization, created_by=owner) for _ in range(7)]
    same = timezone.now() - timedelta(days=1)
    Application.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=same)
    _key, token = key_for(owner)
    forward, backward, pages = walk(client_for(token), "/api/v1/applications/",
                                    {"ordering": "-created_at", "page_size": 2})
    assert forward == sorted((r.pk for r in rows), reverse=True)
    assert backward == forward[:-1] and len(pages) == 4


def test_members_newest_first_page_by_page_then_back():
    members = [make_member(f"北京测试{i}有限公司") for i in range(5)]
    client = english()
    seen, link = [], "/api/v1/members/?page_size=2"
    while link:
        page = client.get(link).json()
        seen += [row["member_number"] for row in page["results"]]
        link = page["next"]
    by_date = sorted(members, key=lambda m: (m.admitted_at, m.pk), reverse=True)
    assert seen == [m.number for m in by_date]
