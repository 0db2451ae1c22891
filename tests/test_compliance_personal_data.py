"""A person's data: the registry of locations is complete, the export holds every location, deletion leaves none."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from partners import personal_data
from partners.models import (
    Application,
    AuditEvent,
    IdempotencyRecord,
    JoinRequest,
    Notification,
    Objection,
    OrganizationMember,
    SecurityEvent,
)
from partners.models.audit import PSEUDONYM_PREFIX, ActorPseudonym
from partners.services import privacy
from tests.api_helpers import _fresh_throttle_cache, client_for, key_for  # noqa: F401
from tests.factories import PASSWORD, TINY_PDF, OrganizationFactory, UserFactory, submitted_application

pytestmark = pytest.mark.django_db

EMAIL = "wu.unique.h8@example.org"
NAME = "吴独特"
PHONE = "13711112222"
AGENT = "Mozilla/5.0 (X11; Unique-Agent-H8)"

# A field is personal by its name (e-mail, phone, name, address, user agent) or, on a model linked to a
# person, when it holds free text, structured data or a file.
PERSONAL_NAME = re.compile(r"e_?mail|phone|mobile|contact|(^|_)name($|_)|username|address|(^|_)ip($|_)|agent")


@pytest.fixture(autouse=True)
def _english_and_fresh_cache():
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


def _flagged_fields(model) -> list[str]:
    user_model = apps.get_model(django_settings.AUTH_USER_MODEL)
    linked = model is user_model or any(
        isinstance(f, models.ForeignKey) and f.related_model is user_model for f in model._meta.concrete_fields)
    return [f.name for f in model._meta.concrete_fields
            if PERSONAL_NAME.search(f.name) or isinstance(f, models.GenericIPAddressField)
            or (linked and isinstance(f, models.TextField | models.JSONField | models.FileField))]


def test_every_model_with_a_personal_field_is_in_the_registry():
    registered = {loc.model: loc for loc in personal_data.LOCATIONS}
    missing, unlisted_fields, flagged_models = [], [], set()
    for model in apps.get_models():
        fields = _flagged_fields(model)
        if not fields:
            continue
        flagged_models.add(model._meta.label)
        location = registered.get(model._meta.label)
        if location is None:
            if model._meta.label not in personal_data.NOT_PERSONAL:
                missing.append(f"{model._meta.label} {fields}")
            continue
        unlisted_fields += [f"{model._meta.label}.{f}" for f in fields
                            if f not in location.fields and f not in location.not_personal]
    assert not missing, "models with personal fields missing from partners/personal_data.py: " + "; ".join(missing)
    assert not unlisted_fields, "personal fields not in their location: " + ", ".join(unlisted_fields)
    # The registry names real models and fields, and the exemptions are not stale.
    for loc in personal_data.LOCATIONS:
        names = {f.name for f in apps.get_model(loc.model)._meta.concrete_fields}
        assert set(loc.fields) | set(loc.not_personal) <= names, loc.model
        assert loc.deletion in (personal_data.ERASED, personal_data.ANONYMISED, personal_data.PSEUDONYMISED,
                                personal_data.RETENTION, personal_data.KEPT), loc.model
        assert loc.basis and loc.retention and loc.export, loc.model
    assert set(personal_data.NOT_PERSONAL) <= flagged_models


def test_the_registry_check_catches_a_new_personal_field():
    """Guard against a check that cannot fail: a model with a phone field, not registered, is flagged."""

    class Courier(models.Model):
        phone = models.CharField(max_length=20)

        class Meta:
            app_label = "partners"
            managed = False

        def __str__(self):
            return self.phone

    try:
        assert _flagged_fields(Courier) == ["phone"]
        assert "partners.Courier" not in {loc.model for loc in personal_data.LOCATIONS}
    finally:
        apps.all_models["partners"].pop("courier", None)
        apps.clear_cache()


# --- A person with data in every location -------------------------------------------------------------

@pytest.fixture
def person(settings):
    """An applicant who logged in from a browser, failed a login, applied, uploaded, used the API, objected."""
    settings.AXES_ENABLED = True
    user = UserFactory(email=EMAIL, display_name=NAME, phone=PHONE)
    organization = OrganizationFactory(owner=user)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=AGENT, REMOTE_ADDR="203.0.113.9")
    assert browser.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD}).status_code == 302
    Client(HTTP_USER_AGENT=AGENT).post(reverse("account_login"), {"login": EMAIL, "password": "Wrong-pass-1"})
    application = submitted_application(user)
    Application.objects.filter(pk=application.pk).update(contact_email=EMAIL, contact_name=NAME, contact_phone=PHONE)
    from partners.models import Revision
    from partners.services.snapshot import snapshot

    Revision.objects.create(application=application, number=9, created_by=user,
                            snapshot=snapshot(Application.objects.get(pk=application.pk)))
    _key, token = key_for(user)
    api = client_for(token)
    created = api.post("/api/v1/applications/", {"partner_types": ["model"], "contact_name": NAME,
                                                 "contact_phone": PHONE, "contact_email": EMAIL},
                       format="json", HTTP_IDEMPOTENCY_KEY="h8-create")
    assert created.status_code == 201, created.content
    Notification.objects.create(recipient=user, template_key="application.submitted", dedupe_key="h8-1",
                                context={"contact_name": NAME}, application=application)
    Objection.objects.create(application=application, name=NAME, contact=EMAIL, reason="a test objection",
                             source_ip="203.0.113.9")
    privacy.record_consent(user, privacy.current_notice(), ip="203.0.113.9")
    # A session not signed in that still holds the address (a login left half done in another browser).
    from importlib import import_module

    half_done = import_module(django_settings.SESSION_ENGINE).SessionStore()
    half_done["account_login_stage"] = {"email": EMAIL}
    half_done.create()
    other = OrganizationFactory()
    JoinRequest.objects.create(organization=other, user=user, message=f"Please let {NAME} join")
    return {"user": user, "browser": browser, "application": application, "organization": organization}


def test_export_holds_every_location_of_the_registry(person):
    data = json.loads(person["browser"].get(reverse("privacy:my_data_json")).content)
    sections = personal_data.export_sections()
    assert set(sections) <= set(data), set(sections) - set(data)
    for section in ("account", "email_addresses", "sessions", "login_records", "organisations", "join_requests",
                    "applications", "application_revisions", "uploaded_files", "objections", "notifications",
                    "api_keys", "idempotency_records", "consents", "security_log", "activity_log"):
        assert data[section], f"{section} is empty for a person who has data there"
    logins = {r["kind"]: r for r in data["login_records"]}
    assert logins["login"]["user_agent"] == AGENT and logins["login"]["ip_address"] == "203.0.113.9"
    assert "failures_counted" in logins
    assert data["sessions"]["stored_sessions"]
    assert data["api_keys"][0]["prefix"] and "secret_hash" not in data["api_keys"][0]
    assert any(r["key"] == "h8-create" and r["response"] for r in data["idempotency_records"])
    assert any(n["subject"] and n["context"] == {"contact_name": NAME} for n in data["notifications"])
    assert data["application_revisions"][-1]["contact"]["contact_email"] == EMAIL
    assert data["objections"][0]["name"] == NAME
    assert data["uploaded_files"][0]["sha256"] and data["uploaded_files"][0]["in_archive"]


def test_export_archive_holds_the_json_and_the_uploaded_files(person):
    response = person["browser"].get(reverse("privacy:my_data_zip"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("my-data.json"))
    assert data["account"]["email"] == EMAIL
    files = [n for n in archive.namelist() if n.startswith("files/")]
    assert files and all(archive.read(n) == TINY_PDF for n in files)
    assert len(files) == len([f for f in data["uploaded_files"] if f["in_archive"]])
    assert SecurityEvent.objects.filter(action="personal_data.exported", data__by="data_subject").exists()


def _tables_holding(*needles) -> dict[str, int]:
    """Every table of the database, searched as text for the needles (sessions are encoded: checked apart)."""
    found = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        for (table,) in cursor.fetchall():
            quoted = connection.ops.quote_name(table)
            clauses = " OR ".join(["t::text ILIKE %s"] * len(needles))
            cursor.execute(f"SELECT count(*) FROM {quoted} t WHERE {clauses}",  # noqa: S608
                           [f"%{n}%" for n in needles])
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the whole-database search reads PostgreSQL's catalogue")
def test_deletion_leaves_the_person_in_no_location(person):
    user, browser = person["user"], person["browser"]
    assert connection.vendor == "postgresql", "the whole-database search needs PostgreSQL"
    before = _tables_holding(EMAIL, NAME, PHONE, AGENT)
    # Audit rows (both trails) name people by pseudonym, so they hold none of the person's data to begin with.
    for table in ("partners_user", "axes_accesslog",
                  "partners_idempotencyrecord", "partners_revision", "partners_objection", "partners_notification"):
        assert table in before, f"the set-up put no personal data in {table}, so it would not be checked"
    own_audit = list(AuditEvent.objects.filter(actor=user).values_list("pk", flat=True))
    own_security = list(SecurityEvent.objects.filter(actor=user).values_list("pk", flat=True))
    assert own_audit and own_security
    rows_before = (list(AuditEvent.objects.filter(pk__in=own_audit).order_by("pk").values()),
                   list(SecurityEvent.objects.filter(pk__in=own_security).order_by("pk").values()))

    response = browser.post(reverse("privacy:delete"), {"confirm_email": EMAIL, "reason": "leaving"})
    assert response.status_code == 302

    # Login records keep only the user agent and address for their retention; they no longer name anyone.
    left = _tables_holding(EMAIL, NAME, PHONE)
    assert not left, f"the person is still in {left}"
    sessions = [s.get_decoded() for s in Session.objects.all()]
    assert not [s for s in sessions if str(s.get("_auth_user_id")) == str(user.pk) or EMAIL in json.dumps(s)]
    assert not IdempotencyRecord.objects.exists()
    assert AccessLog.objects.filter(user_agent=AGENT).exists() and not AccessAttempt.objects.exists()
    # The audit rows stay, under one stable pseudonym that no longer leads to the account.
    labels = set(AuditEvent.objects.filter(pk__in=own_audit).values_list("actor_label", flat=True))
    labels |= set(SecurityEvent.objects.filter(pk__in=own_security).values_list("actor_label", flat=True))
    # One pseudonym for the person; rows written through an API key are labelled by the key's prefix.
    pseudonyms = {label for label in labels if not label.startswith("api-key:")}
    assert len(pseudonyms) == 1
    pseudonym = pseudonyms.pop()
    assert pseudonym.startswith(PSEUDONYM_PREFIX)
    assert not ActorPseudonym.objects.filter(pseudonym=pseudonym).exists()  # it leads to no one any more
    # Not one column of those audit rows changed: the link was deleted, not the rows rewritten.
    assert rows_before == (list(AuditEvent.objects.filter(pk__in=own_audit).order_by("pk").values()),
                           list(SecurityEvent.objects.filter(pk__in=own_security).order_by("pk").values()))
    assert not OrganizationMember.objects.filter(user=user).exists()


# --- Retention jobs ----------------------------------------------------------------------------------

def test_login_and_idempotency_records_and_expired_sessions_are_purged_by_scheduled_jobs(person):
    from partners import tasks_compliance
    from partners.tasks import PERIODIC_TASKS, install_periodic_tasks

    now = timezone.now()
    retention = privacy.setting_value(privacy.SecuritySetting.Key.SECURITY_LOG_RETENTION_DAYS)
    assert AccessLog.objects.exists() and AccessAttempt.objects.exists() and IdempotencyRecord.objects.exists()
    # Nothing is due yet.
    assert tasks_compliance.purge_login_records() == 0
    assert tasks_compliance.purge_idempotency_records() == 0
    fresh_session = person["browser"].session.session_key
    stale = Session.objects.create(session_key="h8-expired-session", session_data="x",
                                   expire_date=now - timedelta(seconds=1))
    assert tasks_compliance.clear_expired_sessions() == 1
    assert not Session.objects.filter(pk=stale.pk).exists() and Session.objects.filter(pk=fresh_session).exists()
    # Past the retention the records go, and the login purge is audited.
    AccessLog.objects.update(attempt_time=now - timedelta(days=retention + 1))
    AccessAttempt.objects.update(attempt_time=now - timedelta(days=retention + 1))
    IdempotencyRecord.objects.update(created_at=now - timedelta(hours=25))
    assert tasks_compliance.purge_login_records() >= 2
    assert not AccessLog.objects.exists() and not AccessAttempt.objects.exists()
    assert SecurityEvent.objects.filter(action="retention.login_records_purged").exists()
    assert tasks_compliance.purge_idempotency_records() == 1 and not IdempotencyRecord.objects.exists()
    # All three run under Celery beat.
    from django_celery_beat.models import PeriodicTask

    install_periodic_tasks()
    scheduled = set(PeriodicTask.objects.filter(enabled=True).values_list("task", flat=True))
    for task, hourly in (("purge_login_records", False), ("purge_idempotency_records", True),
                         ("clear_expired_sessions", False)):
        name = f"partners.tasks_compliance.{task}"
        assert name in scheduled
        crontab = PeriodicTask.objects.get(task=name).crontab
        assert crontab.minute.isdigit() and crontab.hour == ("*" if hourly else crontab.hour) and (
            hourly or crontab.hour.isdigit()), f"{task} is not run {'hourly' if hourly else 'daily'}"
        assert any(spec["task"] == name for spec in PERIODIC_TASKS.values())

