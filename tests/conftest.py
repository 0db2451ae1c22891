"""Shared fixtures: people in each role, organisations and applications in any state."""

import pytest

from tests.factories import (
    ApplicationFactory,
    OrganizationFactory,
    UserFactory,
    make_staff,
    submitted_application,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _no_response_cache(settings):
    # With REDIS_URL set the public response cache is on and outlives a test; tests/test_response_cache.py
    # turns it on for itself.
    settings.PUBLIC_RESPONSE_CACHE = False


@pytest.fixture
def applicant(db):
    """A person who owns an organisation."""
    return OrganizationFactory().owner


@pytest.fixture
def organization(applicant):
    return applicant.organizations.get()


@pytest.fixture
def other_applicant(db):
    return OrganizationFactory().owner


@pytest.fixture
def reviewer(db):
    return make_staff("reviewer", email="reviewer@example.com")


@pytest.fixture
def reviewer2(db):
    return make_staff("reviewer", email="reviewer2@example.com")


@pytest.fixture
def approver(db):
    return make_staff("approver", email="approver@example.com")


@pytest.fixture
def approver2(db):
    return make_staff("approver", email="approver2@example.com")


@pytest.fixture
def service_officer(db):
    return make_staff("service_officer", email="officer@example.com")


@pytest.fixture
def administrator(db):
    return make_staff("administrator", email="admin@example.com")


@pytest.fixture
def draft(applicant):
    return ApplicationFactory(organization=applicant.organizations.get(), created_by=applicant)


@pytest.fixture
def submitted(applicant):
    return submitted_application(applicant)


__all__ = ["UserFactory"]


# Django restores the data the migrations loaded (districts, groups, the privacy notice, the continuous call)
# before each serialized_rollback test from a copy kept on the connection object. Tests that replace the
# connection object (Playwright's greenlets, the database router's tests) leave a fresh one without that copy,
# and which test comes first differs from one test process to another: the copy is taken once, right after the
# test database is made, and put back before every test.
_SERIALIZED: dict[str, str] = {}


def _keep_serialized_copy():
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            _SERIALIZED.setdefault(alias, contents)
        elif _SERIALIZED.get(alias):
            connection._test_serialized_contents = _SERIALIZED[alias]


@pytest.fixture(scope="session", autouse=True)
def _serialized_copy_kept(django_db_setup):
    _keep_serialized_copy()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _keep_serialized_copy()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    _keep_serialized_copy()


def pytest_collection_modifyitems(items):
    """A transactional test flushes every table at its end, taking the reference data, role groups and
    privacy notice that migrations load; serialized rollback restores them for the tests that follow.

    Browser tests run with the serial ones: in a parallel run they met a database another transactional test
    had just flushed (the demo seed found no role groups)."""
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.serial)
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                            append=False)


@pytest.fixture
def in_english():
    """Pages and messages in English, whose msgids the tests assert."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def english_with_fresh_cache():
    """English messages and an empty cache before and after: the compliance tests read cached settings."""
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()
