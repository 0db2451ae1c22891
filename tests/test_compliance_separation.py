"""三员分立 on every path: the membership table itself, the database, accounts of the administrators, settings."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from partners.models import SecurityEvent, SecuritySetting, User
from partners.models.compliance import SECURITY_SETTING_BOUNDS
from partners.services import security, separation
from partners.services.separation import SeparationOfDutiesError
from tests.factories import UserFactory, english_client, make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_with_fresh_cache")]
Membership = User.groups.through
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the constraint trigger is PostgreSQL's")




def group(name):
    return Group.objects.get(name=name)


# --- The membership table written directly ---------------------------------------------------------

def test_creating_a_membership_row_meets_the_guard_and_the_refusal_is_audited():
    audit_admin = make_staff("audit_admin")
    with pytest.raises(SeparationOfDutiesError, match="more than one"):
        Membership.objects.create(user=audit_admin, group=group("system_admin"))
    assert security.role_names(audit_admin) == {"audit_admin"}
    refused = SecurityEvent.objects.get(action="role.granted", result="refused")
    assert refused.object_ref == f"user:{audit_admin.pk}" and refused.data["role"] == "system_admin"


def test_a_membership_row_written_directly_is_audited_and_only_by_the_security_administrator():
    person = UserFactory()
    Membership.objects.create(user=person, group=group("reviewer"))  # the command line: the operator
    assert SecurityEvent.objects.filter(action="role.granted", result="success", object_ref=f"user:{person.pk}",
                                        data__role="reviewer").exists()
    system_admin = make_staff("system_admin")
    with security.acting_as(system_admin):
        with pytest.raises(SeparationOfDutiesError, match="security administrator"):
            Membership.objects.create(user=person, group=group("approver"))
        with pytest.raises(SeparationOfDutiesError, match="security administrator"):
            Membership.objects.get(user=person).delete()
    assert security.role_names(person) == {"reviewer"}
    assert SecurityEvent.objects.filter(result="refused", actor=system_admin).count() == 2
    security_admin = make_staff("security_admin")
    with security.acting_as(security_admin):
        Membership.objects.get(user=person).delete()
    assert not security.role_names(person)
    assert SecurityEvent.objects.filter(action="role.revoked", actor=security_admin, data__role="reviewer").count() == 1


@on_postgres
def test_the_database_refuses_a_second_administrator_role_on_paths_without_signals():
    audit_admin = make_staff("audit_admin")
    with pytest.raises(IntegrityError, match="administrator role"), transaction.atomic():
        Membership.objects.bulk_create([Membership(user=audit_admin, group=group("system_admin"))])
    person = UserFactory()
    with pytest.raises(IntegrityError, match="administrator role"), transaction.atomic():
        Membership.objects.bulk_create([Membership(user=person, group=group("security_admin")),
                                        Membership(user=person, group=group("audit_admin"))])
    with pytest.raises(DatabaseError, match="administrator role"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE partners_user_groups SET group_id = %s WHERE user_id = %s",
                  [group("security_admin").pk, audit_admin.pk])
        c.execute("INSERT INTO partners_user_groups (user_id, group_id) VALUES (%s, %s)",
                  [audit_admin.pk, group("audit_admin").pk])
    assert security.role_names(audit_admin) == {"audit_admin"} and not security.role_names(person)
    Membership.objects.bulk_create([Membership(user=person, group=group("reviewer")),
                                    Membership(user=person, group=group("security_admin"))])  # one: allowed
    assert security.role_names(person) == {"reviewer", "security_admin"}


# --- The administrators' accounts ------------------------------------------------------------------

@pytest.mark.parametrize(("actor_role", "target_role"), [
    ("system_admin", "security_admin"), ("system_admin", "audit_admin"), ("security_admin", "audit_admin"),
    ("security_admin", "system_admin"), ("audit_admin", "system_admin"), ("administrator", "security_admin"),
])
@pytest.mark.parametrize("change", ["deactivate", "password", "email"])
def test_no_administrator_deactivates_or_takes_over_another(actor_role, target_role, change):
    actor, target = make_staff(actor_role), make_staff(target_role)
    with security.acting_as(actor), pytest.raises(SeparationOfDutiesError, match="No one else"):
        if change == "deactivate":
            target.is_active = False
        elif change == "password":
            target.set_password("Another-Password-2026!")
        else:
            target.email = "taken@example.com"
        target.save()
    stored = User.objects.get(pk=target.pk)
    assert stored.is_active and stored.email != "taken@example.com"
    assert not stored.check_password("Another-Password-2026!")
    refused = SecurityEvent.objects.get(action="user.privileges_changed", result="refused")
    assert refused.actor == actor and refused.object_ref == f"user:{target.pk}"


def test_people_without_an_administrator_role_and_their_own_accounts_stay_manageable():
    system_admin, reviewer = make_staff("system_admin"), make_staff("reviewer")
    with security.acting_as(system_admin):
        reviewer.is_active = False
        reviewer.save()
        system_admin.set_password("My-Own-Password-2026!")
        system_admin.save()
    assert not User.objects.get(pk=reviewer.pk).is_active
    assert SecurityEvent.objects.filter(action="user.privileges_changed", actor=system_admin,
                                        result="success").exists()


def test_the_system_administrator_cannot_deactivate_the_audit_administrator_through_the_admin():
    system_admin = make_staff("system_admin", email="sys-in-admin@example.com")
    User.objects.filter(pk=system_admin.pk).update(is_staff=True)
    auditor = make_staff("audit_admin", email="auditor-in-admin@example.com")
    client = english_client(system_admin)
    url = reverse("admin:partners_user_change", args=[auditor.pk])
    response = client.post(url, {"email": auditor.email, "display_name": auditor.display_name,
                                 "phone": auditor.phone, "language": "zh-hans",
                                 "groups": [group("audit_admin").pk]})  # is_active left off: deactivate
    assert response.status_code == 403
    assert User.objects.get(pk=auditor.pk).is_active
    refused = SecurityEvent.objects.get(action="user.privileges_changed", result="refused")
    assert refused.actor == system_admin and refused.object_ref == f"user:{auditor.pk}"
    password_url = reverse("admin:auth_user_password_change", args=[auditor.pk])
    response = client.post(password_url, {"password1": "Taken-Over-2026!x", "password2": "Taken-Over-2026!x"})
    assert response.status_code == 403
    assert not User.objects.get(pk=auditor.pk).check_password("Taken-Over-2026!x")
    assert SecurityEvent.objects.filter(action="user.privileges_changed", result="refused").count() == 2


# --- The seed's set-up account ---------------------------------------------------------------------

def test_the_seed_set_up_account_is_closed_after_the_split():
    from django.contrib.auth.hashers import make_password

    from partners.demo.accounts import SETUP_ACCOUNT, demo_email, split_duties_once

    split_duties_once(make_password("Demo-Partner-2026!"))
    setup = User.objects.get(email=demo_email(SETUP_ACCOUNT[1]))
    assert not setup.is_active and not setup.is_superuser and not setup.has_usable_password()
    assert separation.duties_split()
    assert SecurityEvent.objects.filter(action="duties.setup_account_closed", object_ref=f"user:{setup.pk}").exists()
    # An older data set with the account still active is closed on the next run.
    User.objects.filter(pk=setup.pk).update(is_active=True)
    split_duties_once(make_password("Demo-Partner-2026!"))
    assert not User.objects.get(pk=setup.pk).is_active


# --- Floors of the security settings ---------------------------------------------------------------

@pytest.mark.parametrize("key", list(SECURITY_SETTING_BOUNDS))
def test_no_security_setting_goes_below_its_floor_in_the_service(key):
    low, high = SECURITY_SETTING_BOUNDS[key]
    system_admin = make_staff("system_admin")
    with pytest.raises(ValidationError, match="at least"):
        security.change_setting(system_admin, key, low - 1)
    if high is not None:
        with pytest.raises(ValidationError, match="at most"):
            security.change_setting(system_admin, key, high + 1)
    security.change_setting(system_admin, key, low)
    assert security.setting_value(key) == low


@pytest.mark.parametrize("key", list(SECURITY_SETTING_BOUNDS))
def test_no_security_setting_goes_below_its_floor_in_the_database(key):
    low, high = SECURITY_SETTING_BOUNDS[key]
    with pytest.raises(IntegrityError), transaction.atomic():
        SecuritySetting.objects.create(key=key, value=low - 1 if low else 0)
    row = SecuritySetting.objects.create(key=key, value=low)
    with pytest.raises(IntegrityError), transaction.atomic():
        SecuritySetting.objects.filter(pk=row.pk).update(value=0)
    if high is not None:
        with pytest.raises(IntegrityError), transaction.atomic():
            SecuritySetting.objects.filter(pk=row.pk).update(value=high + 1)


def test_the_floors_are_the_ones_docs_compliance_states():
    keys = SecuritySetting.Key
    assert SECURITY_SETTING_BOUNDS[keys.PASSWORD_EXPIRY_DAYS] == (1, 365)
    assert SECURITY_SETTING_BOUNDS[keys.IDLE_MINUTES_STAFF] == (1, 30)
    assert SECURITY_SETTING_BOUNDS[keys.IDLE_MINUTES][0] == 1
    assert SECURITY_SETTING_BOUNDS[keys.SECURITY_LOG_RETENTION_DAYS] == (180, None)


def test_a_deployment_default_of_zero_does_not_switch_a_control_off(settings):
    settings.STAFF_PASSWORD_EXPIRY_DAYS = 0
    settings.SESSION_IDLE_MINUTES = 0
    settings.SESSION_IDLE_MINUTES_STAFF = 0
    assert security.setting_value(SecuritySetting.Key.PASSWORD_EXPIRY_DAYS) == 1
    assert security.setting_value(SecuritySetting.Key.IDLE_MINUTES) == 1
    assert security.setting_value(SecuritySetting.Key.IDLE_MINUTES_STAFF) == 1


# --- Every refusal of the administrators' services and guards is audited -----------------------------

def _split_by_a_non_superuser(actor, target):
    separation.split_duties(actor, system_admin="a@example.com", security_admin="b@example.com",
                            audit_admin="c@example.com")


def _split_to_an_inactive_account(actor, target):
    User.objects.filter(pk=target.pk).update(is_active=False)
    actor.is_superuser = True
    User.objects.filter(pk=actor.pk).update(is_superuser=True)
    separation.split_duties(actor, system_admin="new-sys@example.com", security_admin=target.email,
                            audit_admin="new-audit@example.com")


def _change_the_permissions_of_a_role(actor, target):
    from django.contrib.auth.models import Permission

    with security.acting_as(actor):
        group("reviewer").permissions.add(Permission.objects.get(codename="view_securityevent"))


def _change_a_persons_permissions(actor, target):
    from django.contrib.auth.models import Permission

    with security.acting_as(actor):
        target.user_permissions.add(Permission.objects.get(codename="view_securityevent"))


REFUSED_PATHS = {
    "unlock": ("auth.unlocked", lambda actor, target: security.unlock_account(actor, target)),
    "reset_mfa": ("mfa.reset", lambda actor, target: security.reset_mfa(actor, target)),
    "split_by_non_superuser": ("duties.split", _split_by_a_non_superuser),
    "split_to_inactive": ("duties.split", _split_to_an_inactive_account),
    "close_setup_before_split": ("duties.setup_account_closed",
                                 lambda actor, target: separation.close_setup_account(actor)),
    "resign_without_full_powers": ("duties.superuser_resigned",
                                   lambda actor, target: separation.resign_superuser(actor)),
    "role_permissions": ("role.permissions_changed", _change_the_permissions_of_a_role),
    "person_permissions": ("user.permissions_changed", _change_a_persons_permissions),
    "setting_below_its_floor": ("settings.changed", lambda actor, target: security.change_setting(
        actor, SecuritySetting.Key.SECURITY_LOG_RETENTION_DAYS, 30)),
}


@pytest.mark.parametrize("path", sorted(REFUSED_PATHS))
def test_every_refusal_of_the_administrators_services_is_audited(path):
    action, attempt = REFUSED_PATHS[path]
    actor, target = make_staff("system_admin"), make_staff("audit_admin")
    with pytest.raises((PermissionDenied, ValidationError)) as refused, transaction.atomic():
        attempt(actor, target)  # the caller's transaction rolls back with the refusal
    (row,) = SecurityEvent.objects.filter(action=action, result="refused")
    reason = refused.value.messages[0] if isinstance(refused.value, ValidationError) else refused.value.args[0]
    assert row.actor_id == actor.pk and row.data["reason"] == str(reason)


def test_a_security_screen_refused_to_another_role_is_audited():
    system_admin, person = make_staff("system_admin"), UserFactory()
    client = english_client(system_admin)
    response = client.post(reverse("security:role_change", args=[person.pk]), {"operation": "grant",
                                                                               "role": "reviewer"})
    assert response.status_code == 403 and not security.role_names(person)
    (row,) = SecurityEvent.objects.filter(action="access.refused", result="refused")
    assert row.actor_id == system_admin.pk and row.object_ref == reverse("security:role_change", args=[person.pk])
    assert row.data == {"needed": "security_admin", "method": "POST"}
    assert client.get(reverse("security:audit_log")).status_code == 403
    assert SecurityEvent.objects.filter(action="access.refused", actor=system_admin).count() == 2


def test_the_privacy_notice_refused_to_another_role_is_audited():
    from partners.services import privacy

    auditor = make_staff("audit_admin")
    with pytest.raises(PermissionDenied), transaction.atomic():
        privacy.draft_notice(auditor, title_zh="x", title_en="x", text_zh="x", text_en="x")
    with pytest.raises(PermissionDenied), transaction.atomic():
        privacy.publish_notice(auditor, privacy.current_notice())
    actions = sorted(SecurityEvent.objects.filter(result="refused", actor=auditor).values_list("action", flat=True))
    assert actions == ["settings.privacy_notice_drafted", "settings.privacy_notice_published"]
