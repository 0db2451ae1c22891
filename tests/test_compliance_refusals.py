"""Every refusal inside the application is audited, and the audit row outlives the rollback of what it refused.

Run as the application role, over the application's own connection (with its hooks), on committed data:
what the database refuses (the membership constraint trigger) and what the services and guards refuse,
inside transactions of the application outside any web request (the shell, a management command).
"""

import os

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction

from partners.guards import app_role_name
from partners.models import SecurityEvent, User
from partners.services import security, separation
from partners.services.audit import actor_pseudonym
from partners.services.refusals import AdministratorRolesRefused
from tests.factories import UserFactory, make_staff

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles exist only on PostgreSQL")
pytestmark = [pytest.mark.django_db(transaction=True), on_postgres,
              pytest.mark.usefixtures("english_with_fresh_cache")]
Membership = User.groups.through


@pytest.fixture
def as_app_role():
    """The application's default connection, logged in as the application role for the test's duration."""
    call_command("db_roles", verbosity=0)
    owner = connections["default"]
    params = {**owner.settings_dict, "USER": app_role_name(),
              "PASSWORD": os.environ.get("DATABASE_APP_PASSWORD", "")}
    app = owner.__class__(params, alias="default")
    connections["default"] = app
    try:
        with app.cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            assert cursor.fetchone() == (app_role_name(), False)
        yield app
    finally:
        app.close()
        connections["default"] = owner


def group(name):
    return Group.objects.get(name=name)


def refusals(**filters):
    return list(SecurityEvent.objects.filter(result="refused", **filters))


def the_one_database_refusal(person, roles):
    (row,) = refusals(action="role.granted", object_ref=f"user:{person.pk}")
    assert row.data["path"] == "database" and row.data["roles"] == sorted(roles)
    assert "administrator role" in row.data["reason"]
    return row


def test_bulk_create_in_a_transaction_is_refused_and_audited_after_the_rollback(as_app_role):
    auditor, system_admin = make_staff("audit_admin"), make_staff("system_admin")
    with security.acting_as(system_admin), pytest.raises(AdministratorRolesRefused, match="administrator roles"):
        with transaction.atomic():
            Membership.objects.bulk_create([Membership(user=auditor, group=group("security_admin"))])
    assert security.role_names(auditor) == {"audit_admin"}
    row = the_one_database_refusal(auditor, ["audit_admin", "security_admin"])
    assert row.actor_id == system_admin.pk and row.actor_label.startswith("psn-")
    assert row.actor_label == actor_pseudonym(User.objects.get(pk=system_admin.pk))  # the link was kept
    assert "INSERT INTO" in row.data["statement"]


def test_bulk_create_outside_a_transaction_is_refused_and_audited(as_app_role):
    person = UserFactory()
    with pytest.raises(IntegrityError, match="administrator roles"):
        Membership.objects.bulk_create([Membership(user=person, group=group("security_admin")),
                                        Membership(user=person, group=group("audit_admin"))])
    assert not security.role_names(person)
    row = the_one_database_refusal(person, ["audit_admin", "security_admin"])
    assert row.actor_id is None and row.actor_label == "system"  # no signed-in actor: the process acted


def test_raw_sql_inside_the_application_is_refused_and_audited_after_the_rollback(as_app_role):
    auditor = make_staff("audit_admin")
    with pytest.raises(AdministratorRolesRefused), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO partners_user_groups (user_id, group_id) VALUES (%s, %s)",
                       [auditor.pk, group("system_admin").pk])
    assert security.role_names(auditor) == {"audit_admin"}
    the_one_database_refusal(auditor, ["audit_admin", "system_admin"])
    with pytest.raises(AdministratorRolesRefused), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE partners_user_groups SET group_id = %s WHERE user_id = %s",
                       [group("security_admin").pk, auditor.pk])
        cursor.execute("INSERT INTO partners_user_groups (user_id, group_id) VALUES (%s, %s)",
                       [auditor.pk, group("audit_admin").pk])
    assert len(refusals(object_ref=f"user:{auditor.pk}")) == 2


def test_through_create_in_a_transaction_outside_a_request_is_refused_and_audited(as_app_role):
    auditor = make_staff("audit_admin")
    with pytest.raises(separation.SeparationOfDutiesError, match="more than one"), transaction.atomic():
        UserFactory(email="made-in-the-same-transaction@example.com")
        Membership.objects.create(user=auditor, group=group("system_admin"))
    assert security.role_names(auditor) == {"audit_admin"}
    assert not User.objects.filter(email="made-in-the-same-transaction@example.com").exists()  # rolled back
    (row,) = refusals(action="role.granted", object_ref=f"user:{auditor.pk}")
    assert row.data["role"] == "system_admin"


def test_a_refusal_in_a_nested_transaction_is_kept_when_the_outer_one_commits(as_app_role):
    auditor, security_admin = make_staff("audit_admin"), make_staff("security_admin")
    person = UserFactory()
    with transaction.atomic():
        with pytest.raises(AdministratorRolesRefused), transaction.atomic():
            Membership.objects.bulk_create([Membership(user=auditor, group=group("system_admin"))])
        separation.grant_role(security_admin, person, "reviewer")  # the outer transaction goes on
    assert security.role_names(person) == {"reviewer"}
    the_one_database_refusal(auditor, ["audit_admin", "system_admin"])


def test_a_service_refusal_survives_the_rollback_of_the_callers_transaction(as_app_role):
    system_admin, auditor = make_staff("system_admin"), make_staff("audit_admin")
    with pytest.raises(separation.SeparationOfDutiesError), transaction.atomic():
        with security.acting_as(system_admin):
            auditor.is_active = False
            auditor.save()
    with pytest.raises(separation.SeparationOfDutiesError), transaction.atomic():
        separation.grant_role(system_admin, auditor, "reviewer")
    assert User.objects.get(pk=auditor.pk).is_active
    kinds = sorted(r.action for r in refusals(actor=system_admin))
    assert kinds == ["role.granted", "user.privileges_changed"]


def test_the_grant_roles_command_is_all_or_nothing_and_its_refusal_is_audited(as_app_role):
    person = UserFactory(email="two-roles@example.com")
    with pytest.raises(CommandError, match="nothing was granted"):
        call_command("grant_roles", "two-roles@example.com", "reviewer", "system_admin", "audit_admin")
    assert not security.role_names(person)  # the reviewer and system administrator grants rolled back
    (row,) = refusals(action="role.granted", object_ref=f"user:{person.pk}")
    assert row.data["role"] == "audit_admin" and row.actor_id is None
    call_command("grant_roles", "two-roles@example.com", "reviewer", "system_admin")
    assert security.role_names(person) == {"reviewer", "system_admin"}
