"""Schemathesis fuzzes every operation of the OpenAPI schema in-process (WSGI, no server, no network) with a
staff key, and finds no 5xx and no answer that breaks the schema. Examples per operation are bounded."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from registry.wsgi import application
from tests.api_helpers import _fresh_throttle_cache, key_for  # noqa: F401
from tests.api_world import build_world
from tests.factories import make_staff

EXAMPLES_PER_OPERATION = 15
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


@pytest.fixture
def in_process_wsgi():
    # The test's database transaction must survive each request, as Django's own test client arranges.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_no_server_errors_and_no_answers_outside_the_schema(in_process_wsgi, settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "key": "1000000/min"}
    settings.REST_FRAMEWORK = rest
    build_world()
    admin = make_staff("administrator", email="fuzz-admin@example.com")
    _key, token = key_for(admin)
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.from_wsgi("/api/schema/", application)
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            fuzzer(operation, headers)()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.verbose_name}: {exc}"[:3000])
    assert operations >= 20
    assert not failures, "\n\n".join(failures)


def fuzzer(operation, headers):
    @given(case=operation.as_strategy())
    @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def fuzz(case):
        # We authenticate with the key; a generated session cookie would only test the session store with
        # raw NUL bytes no HTTP server lets through.
        case.cookies = None
        response = case.call_wsgi(headers=headers)
        case.validate_response(response, checks=CHECKS)

    return fuzz


@pytest.mark.django_db
def test_journeys_along_the_schema_links(in_process_wsgi, settings):
    """Follow the schema's links as a client would: create an application (generated bodies), then read it,
    change it, fire generated actions and list its attachments through each link of the 201 answer, with an
    applicant's key: no 5xx and no answer outside the schema on any step. (Staff create no applications;
    their operations are fuzzed one by one above.)"""
    from hypothesis import strategies as st

    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "key": "1000000/min"}
    settings.REST_FRAMEWORK = rest
    world = build_world()
    headers = {"Authorization": f"Bearer {world.tokens['b']}"}
    schema = schemathesis.from_wsgi("/api/schema/", application)
    create = schema["/api/v1/applications/"]["POST"]
    links = create.definition.raw["responses"]["201"]["links"]
    targets = {name: schema.get_operation_by_id(link["operationId"]) for name, link in links.items()}
    followed = set()

    def send(case):
        case.cookies = None  # the key authenticates; generated credentials would only be refused
        case.headers = {**(case.headers or {}), **headers}
        response = case.call_wsgi()
        case.validate_response(response, checks=CHECKS)
        return response

    @given(case=create.as_strategy(), data=st.data())
    @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def journey(case, data):
        created = send(case)
        if created.status_code != 201:
            return
        application_id = created.json["id"]
        for name, operation in targets.items():
            step = data.draw(operation.as_strategy(), label=name)
            step.path_parameters = {**(step.path_parameters or {}), "id": application_id}
            send(step)
            followed.add(name)

    journey()
    assert followed == set(links)
