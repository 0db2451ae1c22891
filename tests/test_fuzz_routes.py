"""Every route of the URL resolver (web, admin and API) gets each class of malformed input, anonymously and
signed in, with DEBUG off: no answer is a 5xx, and every 4xx under /api/ is in the API's error shape."""

import json
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import get_resolver

from partners.enums import ApplicationState
from partners.models import (
    ApiKey,
    Application,
    Attachment,
    Industry,
    JoinRequest,
    Membership,
    Notification,
    User,
)
from partners.services.review import file_objection
from tests.api_world import build_world
from tests.factories import OrganizationFactory, advance, submitted_application

pytestmark = pytest.mark.django_db(transaction=False)

TAMPERED_CURSOR = "cD1hYWE="  # base64 of "p=aaa": DRF's unsigned cursor format with a position of the wrong type
NUL_FIELDS = {"q": "a\x00b", "name": "\x00", "district": "\x00", "industry": "\x00", "state": "\x00",
              "partner_types": "\x00", "kind": "\x00", "email": "x\x00@example.com", "login": "\x00"}


def routes():
    """(name, path format, parameter names) of every named route, namespaces included."""
    def walk(resolver, namespace="", prefix=""):
        found = []
        for name in resolver.reverse_dict:
            if not isinstance(name, str):
                continue
            for possibility, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(name):
                for fmt, params in possibility:
                    found.append((namespace + name, prefix + fmt, tuple(params)))
        for key, (sub_prefix, sub) in resolver.namespace_dict.items():
            found += walk(sub, namespace + key + ":", prefix + sub_prefix)
        return found

    return sorted(set(walk(get_resolver())))


class Objects:
    """Real rows for every kind of path parameter, so each route reaches its view and not only a 404."""

    def __init__(self):
        w = build_world()
        self.world = w
        publicity = advance(submitted_application(OrganizationFactory().owner), ApplicationState.PUBLICITY,
                            reviewer=w.reviewer, approver=w.approver)
        self.objection = file_objection(publicity, name="李四", contact="13800000000", reason="有异议")
        self.publicity = publicity
        self.attachment = Attachment.objects.filter(application=w.submitted_a).first()
        self.notification = Notification.objects.order_by("pk").first()
        self.key = ApiKey.objects.order_by("pk").first()
        self.join_request = JoinRequest.objects.order_by("pk").first()
        self.membership = Membership.objects.get(organization=w.org_a)

    def pk_for(self, name):
        w = self.world
        if "organization" in name or "colleague" in name or "hand_over" in name:
            return w.org_a.pk
        if name in ("portal:step", "portal:attachment_delete"):
            return w.draft_a.pk
        if name == "portal:attachment_download":
            return getattr(self.attachment, "pk", 1)
        if name == "portal:join_request_decide":
            return getattr(self.join_request, "pk", 1)
        if name == "review:resolve_objection":
            return self.objection.pk
        if name.startswith("review:member"):
            return self.membership.pk
        if name.startswith(("outbox:", "inbox:")):
            return getattr(self.notification, "pk", 1)
        if name == "keys:revoke":
            return getattr(self.key, "pk", 1)
        if name.startswith("webhook-"):
            return w.subscription_a.pk
        if name.startswith("decision-"):
            return w.decision_id
        return w.submitted_a.pk

    def public_id_for(self, name):
        """API routes address rows by their public id."""
        w = self.world
        row = {"organization": w.org_a, "webhook": w.subscription_a, "application": w.submitted_a,
               "decision": w.admitted_a.decisions.first()}[name.split("-")[0]]
        return row.public_id

    def admin_object(self, name):
        """(model, pk of a row) for an admin route named admin:<app>_<model>_<view>."""
        for model in apps.get_models():
            label = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
            if name.startswith(label):
                row = model._default_manager.order_by("pk").first()
                return model, (row.pk if row else 1)
        return Application, self.world.submitted_a.pk

    def values(self, name, params):
        w = self.world
        known = {
            "member_number": w.member_number, "number": w.member_number,
            "public_id": self.publicity.public_id, "step": "organization", "action": "submit",
            "action_name": "start_review", "decision": "accept", "outcome": "approved", "language": "en",
            "code": "110108" if "district" in name else Industry.objects.order_by("pk").first().pk,
            "user_id": w.applicant_a.pk, "id": w.applicant_a.pk, "uidb36": "1", "key": "bad-key",
            "app_label": "partners", "attachment_id": getattr(self.attachment, "pk", 1),
        }
        out = {}
        for param in params:
            if param == "id" and name.split("-")[0] in API_BY_PUBLIC_ID:
                out[param] = self.public_id_for(name)
            elif param in known:
                out[param] = known[param]
            elif param in ("object_id", "_0"):
                out[param] = self.admin_object(name)[1]
            elif param == "content_type_id":
                out[param] = ContentType.objects.get_for_model(Application).pk
            elif param == "_1":
                model, pk = self.admin_object(name)
                history = getattr(model, "history", None)
                row = history.filter(pk=pk).first() if history is not None else None
                out[param] = getattr(row, "history_id", 1)
            else:
                out[param] = self.pk_for(name)
        return {k: quote(str(v), safe="") for k, v in out.items()}

    def path(self, name, fmt, params):
        if name == "admin:view_on_site":
            return "/" + fmt % {**self.values(name, params), "object_id": self.world.submitted_a.pk}
        return "/" + fmt % self.values(name, params)


API_BY_PUBLIC_ID = {"organization", "application", "decision", "webhook"}


def malformed(path):
    """(label, method, path, keyword arguments for the test client) of each class of bad input.

    Outside /api/ nothing reads cursors, `ordering` or JSON bodies, so those classes go together in one
    request there (the views still run on them); the API gets each on its own, since each has its own check.
    """
    json_type = "application/json"
    api = path.startswith("/api/")
    with_nul = path.rstrip("/") + "%00/" if path.endswith("/") else path + "%00"
    cursor = f"cursor={TAMPERED_CURSOR}&after={TAMPERED_CURSOR}&before=x"
    ordering = "ordering=-submitted_at&page_size=1&o=9.-1"
    broken = "q=%ED%A0%80&name=%FF%FE"
    yield "NUL in the query", "get", path + "?q=a%00b&district=%00&industry=%00&state=%00&page=%00", {}
    if api:
        yield "broken UTF-8 in the query", "get", f"{path}?{broken}", {}
        yield "tampered cursor", "get", f"{path}?{cursor}", {}
        yield "ordering by a nullable date", "get", f"{path}?{ordering}", {}
    else:
        yield "broken UTF-8, a tampered cursor and an ordering", "get", f"{path}?{broken}&{cursor}&{ordering}", {}
    yield "NUL in the path", "get", with_nul, {}
    yield "NUL in the session cookie", "get", path, {"HTTP_COOKIE": "sessionid=ab\x00cd; csrftoken=x"}
    yield "NUL in a header", "get", path, {"HTTP_USER_AGENT": "fuzz\x00agent", "HTTP_X_REQUESTED_WITH": "\x00"}
    yield "NUL in a form body", "post", path, {"data": NUL_FIELDS, "content_type": "application/x-www-form-urlencoded"}
    yield "NUL in a multipart body", "post", path, {"data": NUL_FIELDS}
    nul_json = json.dumps({**NUL_FIELDS, "partner_types": ["\x00"], "a\x00": 1, "profiles": {"data": {"x": "\x00"}}})
    surrogate_json = '{"name": "\\ud800", "contact_name": "x\\udfff", "district": "\\udc00"}'
    deep_json = "[" * 5000 + "]" * 5000
    if api:
        yield "NUL in JSON", "post", path, {"data": nul_json, "content_type": json_type}
        yield "lone surrogate in JSON", "post", path, {"data": surrogate_json, "content_type": json_type}
        yield "JSON nested 5,000 levels", "post", path, {"data": deep_json, "content_type": json_type}
    else:
        together = "[" * 5000 + nul_json + "," + surrogate_json + "]" * 5000
        yield "JSON: NUL, lone surrogates, 5,000 levels", "post", path, {"data": together, "content_type": json_type}
    yield "NUL in the Idempotency-Key", "post", path, {"data": "{}", "content_type": json_type,
                                                        "HTTP_IDEMPOTENCY_KEY": "key\x00"}


def send(client, method, path, kwargs):
    kwargs = dict(kwargs)
    data = kwargs.pop("data", None)
    if method == "get":
        return client.get(path, **kwargs)
    if data is None:
        return client.post(path, **kwargs)
    return client.post(path, data, **kwargs)


def problems_of(response, path):
    problems = []
    if response.status_code >= 500:
        problems.append(f"answered {response.status_code}")
    elif path.startswith("/api/") and 400 <= response.status_code < 500:
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if not (isinstance(body, dict) and isinstance(body.get("code"), str) and body.get("message")
                and isinstance(body.get("fields"), dict)):
            problems.append(f"answered {response.status_code} outside the API's error shape: "
                            f"{response.content[:120]!r}")
    return problems


@pytest.fixture
def objects(settings):
    settings.AXES_ENABLED = False  # the fuzzed login form must not lock the signed-in people out
    return Objects()


def who(objects, role):
    if role == "staff":
        return User.objects.create_superuser("fuzz-root@example.com", "Fuzz-root-2026!", display_name="Root")
    if role == "applicant":
        return objects.world.applicant_a
    return None


@pytest.mark.parametrize("role", ["anonymous", "staff", "applicant"])
def test_every_route_answers_malformed_input_without_a_server_error(objects, role):
    assert not settings.DEBUG
    user = who(objects, role)
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    found, sent = [], 0
    for name, fmt, params in routes():
        path = objects.path(name, fmt, params)
        if user is not None:
            client.force_login(user)  # a fuzzed POST to the logout page must not end the run's session
        for label, method, target, kwargs in malformed(path):
            response = send(client, method, target, kwargs)
            sent += 1
            found += [f"{method.upper()} {target[:90]!r} ({name}, {label}): {p}"
                      for p in problems_of(response, target)]
    assert sent > 9 * 350  # every route was reached, admin and API included
    assert not found, "\n".join(found)


def test_the_routes_include_the_api_the_admin_and_the_public_site():
    names = {name for name, _fmt, _params in routes()}
    assert {"member-list", "application-detail", "public:member", "portal:step",
            "admin:partners_application_changelist"} <= names
