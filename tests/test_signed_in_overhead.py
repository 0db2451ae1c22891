"""What every signed-in page costs before its own content: no permission queries for people without an
administrator role, and the administrators still get their links."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import english_client, make_staff

pytestmark = pytest.mark.django_db


def sql_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries], response.content.decode()


@pytest.mark.parametrize("role", ["reviewer", "approver", "service_officer"])
def test_staff_without_an_administrator_role_run_no_permission_queries(role):
    client = english_client(make_staff(role))
    queries, body = sql_of(client, "/inbox/")
    assert not [q for q in queries if "auth_permission" in q]
    assert "Security log" not in body and "Staff roles" not in body


@pytest.mark.parametrize("role, link", [("audit_admin", "Security log"), ("security_admin", "Staff roles"),
                                        ("system_admin", "Security settings")])
def test_administrators_still_see_their_links(role, link):
    _queries, body = sql_of(english_client(make_staff(role)), "/inbox/")
    assert link in body
