"""The audit trails are append-only: the ORM refuses, the admin offers nothing, PostgreSQL's trigger refuses."""

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction

from partners.models import AuditEvent, SecurityEvent
from partners.services.audit import log_event, log_security

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database-level guard is a PostgreSQL trigger")


@pytest.fixture
def events(db, applicant):
    return (log_event("application.created", actor=applicant, data={"x": 1}),
            log_security("login", user=applicant, ip="127.0.0.1"))


@pytest.mark.parametrize("index", [0, 1])
def test_orm_refuses_save_of_an_existing_record(events, index):
    event = events[index]
    event.action = "forged"
    with pytest.raises(PermissionError):
        event.save()


@pytest.mark.parametrize("index", [0, 1])
def test_orm_refuses_delete_of_a_record(events, index):
    with pytest.raises(PermissionError):
        events[index].delete()


@pytest.mark.parametrize("model", [AuditEvent, SecurityEvent])
def test_orm_refuses_bulk_update_and_delete(events, model):
    with pytest.raises(PermissionError):
        model.objects.all().update(action="forged")
    with pytest.raises(PermissionError):
        model.objects.all().delete()
    assert model.objects.exclude(action="forged").count() == 1


@pytest.mark.parametrize("model", [AuditEvent, SecurityEvent])
def test_admin_offers_no_change_or_delete(rf, model, administrator):
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return  # not in the admin at all: nothing to change there
    administrator.is_superuser = True
    request = rf.get("/")
    request.user = administrator
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_change_permission(request)


@on_postgres
@pytest.mark.parametrize(("model", "table"), [(AuditEvent, "partners_auditevent"),
                                              (SecurityEvent, "partners_securityevent")])
def test_postgres_trigger_refuses_raw_update_and_delete(events, model, table):
    pk = model.objects.order_by("-id").values_list("pk", flat=True).first()
    for sql in (f"UPDATE {table} SET action = 'forged' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [pk])
    assert model.objects.filter(pk=pk).exclude(action="forged").exists()


@on_postgres
def test_postgres_trigger_refuses_to_clear_the_actor_and_deleting_a_user_leaves_the_rows_whole(events, applicant):
    """No column changes after insert, actor_id included: a person's deletion pseudonymises elsewhere."""
    event = events[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE partners_auditevent SET actor_id = NULL WHERE id = %s", [event.pk])
    pk = applicant.pk
    applicant.delete()  # on_delete=DO_NOTHING: the rows are not touched, so the trigger has nothing to refuse
    assert AuditEvent.objects.filter(pk=event.pk, actor_id=pk).exists()
    assert SecurityEvent.objects.filter(pk=events[1].pk, actor_id=pk).exists()


@pytest.mark.parametrize("index", [0, 1])
def test_admin_refuses_change_and_delete_over_http(client, events, administrator, index):
    from django.urls import NoReverseMatch, reverse

    event = events[index]
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    opts = type(event)._meta
    try:
        delete_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[event.pk])
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    except NoReverseMatch:
        pytest.skip("not in the admin")
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert response.status_code in (200, 302, 403)
    assert type(event).objects.filter(pk=event.pk).exists()
