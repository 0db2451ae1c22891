"""安全审计: every listed event is recorded, the log is append-only, purged only by the audited retention job."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from partners.models import SecurityEvent
from partners.services import privacy
from partners.services.audit import log_security
from tests.factories import english_client, make_staff, submitted_application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_with_fresh_cache")]
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists only on PostgreSQL")




@pytest.fixture
def audit_admin(db):
    return make_staff("audit_admin", email="auditor@example.com")


def insert_event(action, days_ago, *, actor_label="someone@example.com", result="success"):
    """Write an event dated in the past, as the log would hold it (the ORM always stamps now)."""
    table = SecurityEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (action, actor_label, source_ip, object_ref, result, data, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [action, actor_label, "192.0.2.1", "", result, json.dumps({}), timezone.now() - timedelta(days=days_ago)],
        )


# --- Append-only -------------------------------------------------------------------------------------

def test_security_events_cannot_be_changed_or_deleted_through_the_orm():
    event = log_security("auth.login", ip="192.0.2.1")
    event.result = "failure"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        SecurityEvent.objects.filter(pk=event.pk).update(result="failure")
    with pytest.raises(PermissionError):
        SecurityEvent.objects.filter(pk=event.pk).delete()
    assert SecurityEvent.objects.get(pk=event.pk).result == "success"


# --- Retention purge ---------------------------------------------------------------------------------

def test_retention_job_purges_only_expired_events_and_is_itself_audited(settings):
    insert_event("auth.login", days_ago=400)
    insert_event("auth.login", days_ago=181)
    insert_event("auth.login", days_ago=179)
    insert_event("auth.logout", days_ago=1)
    from partners.tasks_compliance import purge_security_log

    assert purge_security_log.apply().get() == 2
    left = sorted(SecurityEvent.objects.values_list("action", flat=True))
    assert left == ["audit.purged", "auth.login", "auth.logout"]
    purge = SecurityEvent.objects.get(action="audit.purged")
    assert purge.data["deleted"] == 2 and purge.data["retention_days"] == 180 and purge.data["older_than"]
    assert purge.actor_label == "retention job"


def test_retention_never_goes_below_180_days(settings):
    settings.SECURITY_LOG_RETENTION_DAYS = 30
    insert_event("auth.login", days_ago=100)
    assert privacy.purge_security_events() == 0
    settings.SECURITY_LOG_RETENTION_DAYS = 365
    insert_event("auth.login", days_ago=200)
    assert privacy.purge_security_events() == 0


@on_postgres
def test_on_postgres_the_purge_runs_through_the_owners_function_and_no_flag_opens_deletion():
    """The database-level refusals, as the application role, are in test_compliance_db_roles.py."""
    insert_event("auth.login", days_ago=400)
    insert_event("auth.login", days_ago=1)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL registry.allow_purge = 'on'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SecurityEvent._meta.db_table} WHERE action = 'auth.login'")
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosecdef FROM pg_proc WHERE proname = 'partners_purge_security_events'")
        assert cursor.fetchone() == (True,)
    assert privacy.purge_security_events() == 1
    assert SecurityEvent.objects.filter(action="auth.login").count() == 1


# --- Audit administrator's screen --------------------------------------------------------------------

def test_audit_screen_filters_by_time_actor_action_and_result(audit_admin):
    insert_event("auth.login", days_ago=10, actor_label="alice@example.com")
    insert_event("auth.login_failed", days_ago=2, actor_label="bob@example.com", result="failure")
    insert_event("role.granted", days_ago=1, actor_label="carol@example.com")
    client = english_client(audit_admin)
    page = client.get(reverse("security:audit_log")).content.decode()
    assert "alice@example.com" in page and "carol@example.com" in page

    def shown(**params):
        body = client.get(reverse("security:audit_log"), params).content.decode()
        return {name for name in ("alice", "bob", "carol") if f"{name}@example.com" in body}

    assert shown(actor="bob") == {"bob"}
    assert shown(result="failure") == {"bob"}
    assert shown(action="auth.") == {"alice", "bob"}
    assert shown(action="role.granted") == {"carol"}
    since = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert shown(date_from=since) == {"bob", "carol"}
    until = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert shown(date_to=until) == {"alice"}
    bad = client.get(reverse("security:audit_log"), {"date_from": "2026-02-30"})
    assert bad.status_code == 200


def test_audit_csv_export_holds_the_filtered_rows_and_is_audited(audit_admin):
    insert_event("auth.login", days_ago=1, actor_label="=HYPERLINK(\"x\")")
    insert_event("auth.logout", days_ago=1, actor_label="dave@example.com")
    client = english_client(audit_admin)
    refused = client.get(reverse("security:audit_csv"), {"action": "auth.login"})
    assert refused.status_code == 400 and "reason" in refused.content.decode()
    response = client.get(reverse("security:audit_csv"), {"action": "auth.login", "actor": "HYPERLINK",
                                                          "reason": "quarterly review"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["time", "actor", "source_ip", "action", "object", "result", "data"]
    assert [r[3] for r in rows[1:]] == ["auth.login"]
    assert rows[1][1].startswith("'=")  # no formula reaches a spreadsheet
    exported = SecurityEvent.objects.get(action="audit.exported", result="success")
    assert exported.actor == audit_admin and exported.data == {
        "filter": {"action": "auth.login", "actor": "HYPERLINK"}, "reason": "quarterly review"}
    assert SecurityEvent.objects.filter(action="audit.exported", result="refused").count() == 1
    assert client.get(reverse("security:audit_csv"), {"date_from": "x", "reason": "r"}).status_code == 400


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "reviewer", "administrator"])
def test_only_the_audit_administrator_reads_the_log(role):
    client = english_client(make_staff(role))
    assert client.get(reverse("security:audit_log")).status_code == 403
    assert client.get(reverse("security:audit_csv")).status_code == 403


def test_audit_administrator_reads_the_log_and_nothing_else(audit_admin):
    client = english_client(audit_admin)
    assert client.get(reverse("security:audit_log")).status_code == 200
    for name in ("review:dashboard", "security:roles", "security:settings"):
        assert client.get(reverse(name)).status_code == 403, name


# --- Staff views of attachments ----------------------------------------------------------------------

def test_staff_view_of_an_attachment_is_recorded(applicant, reviewer):
    application = submitted_application(applicant)
    attachment = application.attachments.get()
    client = english_client(reviewer)
    client.get(reverse("review:attachment", args=[application.pk, attachment.pk]), REMOTE_ADDR="10.0.0.8")
    event = SecurityEvent.objects.get(action="attachment.viewed")
    assert event.actor == reviewer and event.source_ip == "10.0.0.8"
    assert event.object_ref == f"attachment:{attachment.pk}" and event.data["application"] == application.pk
    # The applicant's own downloads are not staff views.
    english_client(applicant).get(reverse("portal:attachment_download", args=[attachment.pk]))
    assert SecurityEvent.objects.filter(action="attachment.viewed").count() == 1
    english_client(reviewer).get(reverse("portal:attachment_download", args=[attachment.pk]))
    assert SecurityEvent.objects.filter(action="attachment.viewed").count() == 2


# --- Each listed event has a record ------------------------------------------------------------------

def test_every_listed_event_kind_has_a_record_with_time_actor_ip_action_object_result():
    """The events produced across the compliance tests, checked here on one set of records."""
    from partners.services import security, separation

    security_admin = make_staff("security_admin")
    system_admin = make_staff("system_admin")
    person = make_staff("reviewer")
    with security.acting_as(security_admin, "192.0.2.9"):
        separation.grant_role(security_admin, person, "approver", ip="192.0.2.9")
    security.change_setting(system_admin, "idle_minutes_staff", 20, ip="192.0.2.10")
    event = SecurityEvent.objects.get(action="role.granted", data__role="approver")
    for field in ("created_at", "actor", "source_ip", "action", "object_ref", "result"):
        assert getattr(event, field), field
    assert SecurityEvent.objects.get(action="settings.changed").source_ip == "192.0.2.10"


def test_a_security_event_holds_time_actor_address_action_object_and_result(rf):
    """security.audit takes the actor and the address from the request being served."""
    from partners.services import security

    person = make_staff("reviewer")
    request = rf.get("/", REMOTE_ADDR="203.0.113.5")
    request.user = person
    with security.serving(request):
        written = security.audit("attachment.viewed", object_ref="attachment:1")
    event = SecurityEvent.objects.get(pk=written.pk)
    assert event.created_at and event.actor == person and event.actor_label.startswith("psn-")
    assert event.source_ip == "203.0.113.5" and event.action == "attachment.viewed"
    assert event.object_ref == "attachment:1" and event.result == "success"


def test_the_retention_jobs_run_daily_under_celery_beat():
    from django_celery_beat.models import PeriodicTask

    from partners.tasks import install_periodic_tasks

    install_periodic_tasks()
    for task, (hour, minute) in {"purge_security_log": ("3", "15"), "purge_attachments": ("3", "45")}.items():
        job = PeriodicTask.objects.get(task=f"partners.tasks_compliance.{task}")
        assert job.enabled and (job.crontab.hour, job.crontab.minute) == (hour, minute), task
        assert job.crontab.day_of_week == job.crontab.day_of_month == "*", task


def test_secrets_never_reach_the_log():
    event = log_security("auth.password_changed", data={"password": "Plain-Text-1", "detail": {"api_key": "k-1"},
                                                        "steps": [{"otp": "123456"}], "kept": "visible"})
    stored = SecurityEvent.objects.get(pk=event.pk).data
    assert stored == {"password": "***", "detail": {"api_key": "***"}, "steps": [{"otp": "***"}], "kept": "visible"}
