"""Contract checks: a response of the API is validated against the OpenAPI schema of the operation it
answers (status documented, body of the documented shape), as the end-to-end journeys go."""

import json
import re
from functools import lru_cache

import schemathesis
from werkzeug.wrappers import Response as WerkzeugResponse


@lru_cache(maxsize=1)
def _schema():
    from drf_spectacular.generators import SchemaGenerator

    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.from_dict(json.loads(json.dumps(raw, default=str)))


@lru_cache(maxsize=1)
def _templates():
    out = []
    for template, item in _schema().raw_schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{")
                                          .replace(r"\}", "}")) + "$")
        out.append((pattern, template, item))
    return out


def operation_for(path: str, method: str):
    path = path.split("?", 1)[0]
    matches = [(t, item) for pattern, t, item in _templates() if pattern.match(path) and method in item]
    if not matches:
        return None
    # The most specific template: the fewest parameters.
    template, _item = min(matches, key=lambda m: m[0].count("{"))
    return _schema()[template][method.upper()]


def check(response, path: str, method: str):
    """Fail unless `response` is what the schema says the operation answers."""
    operation = operation_for(path, method.lower())
    assert operation is not None, f"{method} {path} is not in the schema"
    assert str(response.status_code) in operation.definition.raw["responses"], (
        f"{method} {path}: {response.status_code} is not documented")
    if response.status_code == 304 or not response.content:
        return
    wrapped = WerkzeugResponse(response.content, status=response.status_code,
                               headers=[(k, v) for k, v in response.items()])
    operation.validate_response(wrapped)


def checking_every_response(monkeypatch):
    """Patch the API test client so every response it gets is checked against the schema; returns the list
    of (method, path, status) checked, for the test to assert it saw the whole journey."""
    from rest_framework.test import APIClient

    checked = []
    original = APIClient.request

    def request(self, **kwargs):
        response = original(self, **kwargs)
        sent = response.wsgi_request
        if sent.path.startswith("/api/v1/"):
            check(response, sent.path, sent.method)
            checked.append((sent.method, sent.path, response.status_code))
        return response

    monkeypatch.setattr(APIClient, "request", request)
    return checked
