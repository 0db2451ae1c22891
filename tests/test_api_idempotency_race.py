"""Two copies of one POST with the same Idempotency-Key at the same moment, on PostgreSQL with real threads:
one runs, the other waits on the unique index and then replays its answer; one application exists."""

import threading

import pytest
from django.db import close_old_connections, connection, connections

from partners.models import Application
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import OrganizationFactory

# serialized_rollback restores the groups and districts the migrations load, which a flush removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_concurrent_repeats_create_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent inserts waiting on a unique index need PostgreSQL")
    applicant = OrganizationFactory().owner
    _key, token = key_for(applicant)
    barrier = threading.Barrier(4)
    answers = []

    def post():
        try:
            barrier.wait(timeout=10)
            response = client_for(token).post("/api/v1/applications/", {"partner_types": ["data"]}, format="json",
                                              HTTP_IDEMPOTENCY_KEY="race-1")
            answers.append((response.status_code, response.json().get("id"), response.get("Idempotent-Replayed")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    close_old_connections()
    assert len(answers) == 4
    assert {status for status, _id, _r in answers} == {201}
    assert len({app_id for _s, app_id, _r in answers}) == 1
    assert sorted(r or "" for _s, _i, r in answers) == ["", "true", "true", "true"]
    assert Application.objects.count() == 1
