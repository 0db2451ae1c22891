"""三员分立: three administrator roles for three people, no self-changes, the set-up superuser splits the duties."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from partners.models import SecurityEvent, SecuritySetting, User
from partners.services import security, separation
from partners.services.separation import SeparationOfDutiesError
from tests.factories import UserFactory, english_client, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    cache.clear()  # security settings are cached
    with translation.override("en"):  # messages are asserted in their English msgids
        yield
    cache.clear()


@pytest.fixture
def security_admin(db):
    return make_staff("security_admin", email="secadmin@example.com")


def test_security_admin_grants_and_revokes_a_role_and_it_is_audited(security_admin):
    person = UserFactory()
    separation.grant_role(security_admin, person, "reviewer", ip="192.0.2.1")
    assert person.has_role("reviewer")
    granted = SecurityEvent.objects.get(action="role.granted", object_ref=f"user:{person.pk}")
    assert granted.actor == security_admin and granted.source_ip == "192.0.2.1" and granted.data == {
        "role": "reviewer"}
    separation.revoke_role(security_admin, person, "reviewer")
    assert not User.objects.get(pk=person.pk).groups.filter(name="reviewer").exists()
    assert SecurityEvent.objects.filter(action="role.revoked", actor=security_admin).exists()


@pytest.mark.parametrize(("held", "wanted"), [
    ("system_admin", "security_admin"), ("security_admin", "audit_admin"), ("audit_admin", "system_admin"),
])
def test_one_person_cannot_hold_two_administrator_roles(security_admin, held, wanted):
    person = make_staff(held)
    with pytest.raises(SeparationOfDutiesError, match="more than one"):
        separation.grant_role(security_admin, person, wanted)
    assert not person.groups.filter(name=wanted).exists()
    refused = SecurityEvent.objects.get(action="role.granted", result="refused")
    assert refused.data["role"] == wanted


def test_no_one_changes_their_own_roles(security_admin):
    with pytest.raises(SeparationOfDutiesError, match="own"):
        separation.grant_role(security_admin, security_admin, "reviewer")
    with pytest.raises(SeparationOfDutiesError, match="own"):
        separation.revoke_role(security_admin, security_admin, "security_admin")
    assert security_admin.groups.filter(name="security_admin").exists()


@pytest.mark.parametrize("role", ["system_admin", "audit_admin", "administrator", "reviewer"])
def test_only_the_security_administrator_grants_roles(role):
    actor = make_staff(role)
    with pytest.raises(SeparationOfDutiesError, match="security administrator"):
        separation.grant_role(actor, UserFactory(), "approver")


def test_the_guard_holds_behind_the_service_for_any_path(security_admin):
    """The admin or any other code changing groups directly meets the same rules (m2m guard)."""
    person = make_staff("audit_admin")
    outsider = UserFactory()
    with pytest.raises(SeparationOfDutiesError), transaction.atomic():
        person.groups.add(Group.objects.get(name="system_admin"))
    with pytest.raises(SeparationOfDutiesError), transaction.atomic():
        Group.objects.get(name="security_admin").user_set.add(person)
    system_admin = make_staff("system_admin")
    with security.acting_as(system_admin):
        with pytest.raises(SeparationOfDutiesError, match="Only the security administrator"), transaction.atomic():
            outsider.groups.add(Group.objects.get(name="reviewer"))
        with pytest.raises(SeparationOfDutiesError, match="own"), transaction.atomic():
            system_admin.groups.remove(Group.objects.get(name="system_admin"))
        with pytest.raises(SeparationOfDutiesError), transaction.atomic():
            system_admin.user_permissions.add(Permission.objects.first())
    assert security.role_names(person) == {"audit_admin"} and not security.role_names(outsider)
    assert security.role_names(system_admin) == {"system_admin"}


def test_no_role_changes_its_own_permissions(security_admin):
    view_user = Permission.objects.get(codename="view_securityevent")
    with security.acting_as(security_admin):
        with pytest.raises(SeparationOfDutiesError, match="role they hold"), transaction.atomic():
            Group.objects.get(name="security_admin").permissions.add(view_user)
        Group.objects.get(name="reviewer").permissions.add(view_user)  # another role's: allowed
    assert SecurityEvent.objects.filter(action="role.permissions_changed", actor=security_admin).exists()


def test_full_powers_cannot_be_granted_through_a_request(security_admin):
    person = make_staff("reviewer")
    with security.acting_as(security_admin):
        person.is_superuser = True
        with pytest.raises(SeparationOfDutiesError):
            person.save()


def test_privilege_flag_changes_are_audited(security_admin):
    person = UserFactory()
    with security.acting_as(security_admin):
        person.is_active = False
        person.save()
    event = SecurityEvent.objects.get(action="user.privileges_changed")
    assert event.actor == security_admin and event.data == {"is_active": False}
    permission = Permission.objects.get(codename="view_securityevent")
    with security.acting_as(security_admin):
        person.user_permissions.add(permission)
    event = SecurityEvent.objects.get(action="user.permissions_changed", object_ref=f"user:{person.pk}")
    assert event.actor == security_admin and event.data == {"change": "add", "permissions": [permission.pk]}


def test_administrator_roles_have_their_model_permissions():
    audit_admin = make_staff("audit_admin")
    assert audit_admin.has_perm("partners.view_securityevent")
    assert not audit_admin.has_perm("partners.change_user")
    system_admin = make_staff("system_admin")
    assert system_admin.has_perm("partners.change_user") and not system_admin.has_perm("partners.view_securityevent")


# --- The set-up superuser --------------------------------------------------------------------------

def test_superuser_must_split_duties_before_work(settings):
    settings.SPLIT_DUTIES_REQUIRED = True
    root = User.objects.create_superuser("root@example.com", "Root-Setup-Password-9")
    client = english_client(root)
    response = client.get(reverse("review:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("security:split_duties")
    assert client.get(reverse("security:split_duties")).status_code == 200

    same = client.post(reverse("security:split_duties"), {
        "system_admin": "a@example.com", "security_admin": "a@example.com", "audit_admin": "b@example.com"})
    assert same.status_code == 200 and "three different people" in same.content.decode()

    existing = make_staff("reviewer", email="sys@example.com")
    response = client.post(reverse("security:split_duties"), {
        "system_admin": existing.email, "security_admin": "sec@example.com", "audit_admin": "aud@example.com"})
    assert response.status_code == 302
    root.refresh_from_db()
    assert not root.is_superuser
    assert separation.duties_split()
    assert User.objects.get(email="sec@example.com").has_role("security_admin")
    assert User.objects.get(email="aud@example.com").is_staff
    assert existing.has_role("system_admin") and existing.has_role("reviewer")
    assert SecurityEvent.objects.filter(action="duties.split", actor=root).exists()
    assert client.get(reverse("privacy:my_data")).status_code == 200


def test_a_second_superuser_gives_up_full_powers_after_the_split(settings):
    settings.SPLIT_DUTIES_REQUIRED = True
    for role in separation.ADMIN_ROLES:
        make_staff(role)
    other = User.objects.create_superuser("other-root@example.com", "Root-Setup-Password-9")
    client = english_client(other)
    assert client.get(reverse("portal:home"))["Location"] == reverse("security:split_duties")
    assert client.post(reverse("security:split_duties")).status_code == 302
    other.refresh_from_db()
    assert not other.is_superuser
    assert SecurityEvent.objects.filter(action="duties.superuser_resigned").exists()


def test_superuser_may_not_grant_roles_once_duties_are_split():
    root = User.objects.create_superuser("root2@example.com", "Root-Setup-Password-9")
    assert separation.may_manage_roles(root)
    for role in separation.ADMIN_ROLES:
        make_staff(role)
    with pytest.raises(SeparationOfDutiesError):
        separation.grant_role(root, UserFactory(), "reviewer")


# --- Screens -----------------------------------------------------------------------------------------

def test_roles_screen_shows_who_holds_what_and_changes_roles(security_admin):
    reviewer = make_staff("reviewer", email="rev@example.com")
    client = english_client(security_admin)
    page = client.get(reverse("security:roles")).content.decode()
    assert "rev@example.com" in page and "reviewer" in page
    response = client.post(reverse("security:role_change", args=[reviewer.pk]),
                           {"operation": "grant", "role": "approver"})
    assert response.status_code == 302
    assert reviewer.groups.filter(name="approver").exists()
    response = client.post(reverse("security:role_change", args=[security_admin.pk]),
                           {"operation": "grant", "role": "approver"}, follow=True)
    assert "own roles" in response.content.decode()
    assert not security_admin.groups.filter(name="approver").exists()


@pytest.mark.parametrize("role", ["system_admin", "audit_admin", "reviewer", "administrator"])
def test_roles_screen_is_only_for_the_security_administrator(role):
    client = english_client(make_staff(role))
    assert client.get(reverse("security:roles")).status_code == 403
    assert client.post(reverse("security:role_change", args=[1]), {"operation": "unlock"}).status_code == 403


def test_system_administrator_changes_a_setting_and_it_is_audited():
    system_admin = make_staff("system_admin")
    client = english_client(system_admin)
    response = client.post(reverse("security:settings"), {"key": "idle_minutes_staff", "value": "15"})
    assert response.status_code == 302
    assert security.setting_value(SecuritySetting.Key.IDLE_MINUTES_STAFF) == 15
    event = SecurityEvent.objects.get(action="settings.changed", result="success")
    assert event.actor == system_admin and event.data == {"old": 30, "new": 15}
    low = client.post(reverse("security:settings"), {"key": "security_log_retention_days", "value": "30"})
    assert low.status_code == 200 and "at least 180" in low.content.decode()
    assert english_client(make_staff("security_admin")).get(reverse("security:settings")).status_code == 403


def test_admin_user_list_shows_the_roles_each_person_holds():
    make_staff("audit_admin", email="auditor-in-list@example.com")
    root = User.objects.create_superuser("root3@example.com", "Root-Setup-Password-9")
    page = english_client(root).get(reverse("admin:partners_user_changelist")).content.decode()
    assert "auditor-in-list@example.com" in page and "audit_admin" in page


def test_the_admin_cannot_be_used_to_grant_roles_by_anyone_but_the_security_administrator():
    system_admin = make_staff("system_admin", email="sysadmin-in-admin@example.com")
    User.objects.filter(pk=system_admin.pk).update(is_staff=True)
    person = UserFactory(email="target@example.com")
    client = english_client(system_admin)
    url = reverse("admin:partners_user_change", args=[person.pk])
    assert client.get(url).status_code == 200
    reviewer_group = Group.objects.get(name="reviewer")
    response = client.post(url, {
        "email": person.email, "display_name": person.display_name, "phone": person.phone, "language": "zh-hans",
        "is_active": "on", "groups": [reviewer_group.pk]})
    assert response.status_code == 403
    assert not person.groups.exists()
    assert not SecurityEvent.objects.filter(action="role.granted", object_ref=f"user:{person.pk}",
                                            result="success").exists()
    # The refusal is recorded although the admin's transaction that made the attempt was rolled back.
    refused = SecurityEvent.objects.get(action="role.granted", object_ref=f"user:{person.pk}", result="refused")
    assert refused.actor == system_admin and refused.data["role"] == "reviewer"
