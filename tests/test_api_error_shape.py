"""Every refusal under /api/ speaks the one error shape {code, message, fields}: each route of the router with
each method, as anonymous, an applicant and staff; router misses; the session and consent gates; throttling."""

import re

import pytest
from django.core.cache import cache

from partners.api.urls import router
from tests.api_helpers import client_for
from tests.api_world import build_world

pytestmark = pytest.mark.django_db

GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
SAMPLE = {"pk": "999999", "action_name": "withdraw", "number": "BJAI-2099-99999"}


def concrete(regex: str) -> str:
    path = GROUP.sub(lambda m: SAMPLE.get(m.group(1), "1"), regex)
    return "/api/v1/" + path.lstrip("^").replace("\\Z", "").rstrip("$").replace("\\.", ".")


def routes():
    return sorted({concrete(p.pattern.regex.pattern) for p in router.urls})


def assert_error_shape(response):
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response.content[:200])
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["code"], str) and body["code"] and isinstance(body["fields"], dict)
    assert isinstance(body["message"], str) and body["message"]


def test_every_route_and_method_refuses_in_the_one_shape():
    w = build_world()
    identities = {"anonymous": client_for(), "applicant": client_for(w.tokens["a"]),
                  "staff": client_for(w.tokens["reviewer"])}
    checked = 0
    for path in routes():
        for who, client in identities.items():
            for method in ("get", "post", "put", "patch", "delete"):
                cache.clear()  # throttles are tested on their own
                response = getattr(client, method)(path, {}, format="json")
                assert response.status_code < 500, (who, method, path)
                if response.status_code >= 400:
                    assert_error_shape(response)
                    checked += 1
    assert checked > 100


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/nope/", "/api/v1/applications/1/nope/nope/",
                                  "/api/v2/members/", "/api/v1/members/BJAI/extra/"])
def test_router_misses_answer_json_404(path):
    response = client_for().get(path)
    assert response.status_code == 404
    assert_error_shape(response)


def test_throttled_requests_answer_in_the_shape(settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "anon": "1/min"}
    settings.REST_FRAMEWORK = rest
    cache.clear()
    client = client_for()
    client.get("/api/v1/partner-types/")
    refused = client.get("/api/v1/partner-types/")
    assert refused.status_code == 429
    assert_error_shape(refused)
    cache.clear()


def test_session_gates_answer_in_the_shape(settings):
    from tests.factories import make_staff

    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = make_staff("reviewer")
    client = client_for()
    client.force_login(staff)
    gated = client.get("/api/v1/applications/")
    assert gated.status_code == 403
    assert_error_shape(gated)
    assert gated.json()["code"] == "mfa_required"
