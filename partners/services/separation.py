"""三员分立: the system, security and audit administrator roles are held by three different people.

Roles are granted only by the security administrator (or, once, by the set-up superuser who splits the
duties); no one changes their own roles or the permissions of a role they hold. A guard on the group
tables (see partners/signals.py) applies the same rules to every other path, such as the Django admin.
"""

import contextvars
from contextlib import contextmanager

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g

from ..enums import StaffRole
from ..models import User
from .security import STAFF_GROUPS, acting_as, audit, has_admin_role, refuse, role_names

ADMIN_ROLES = (StaffRole.SYSTEM_ADMIN, StaffRole.SECURITY_ADMIN, StaffRole.AUDIT_ADMIN)

# Set while a service that already checked the actor changes groups, so the guard checks only invariants.
_checked = contextvars.ContextVar("registry_roles_checked", default=False)


class SeparationOfDutiesError(PermissionDenied):
    pass


@contextmanager
def trusted_change():
    token = _checked.set(True)
    try:
        yield
    finally:
        _checked.reset(token)


def service_is_changing() -> bool:
    return _checked.get()


def admin_roles_of(names) -> set[str]:
    return {n for n in names if n in ADMIN_ROLES}


def check_role_set(names) -> None:
    """The invariant: at most one of the three administrator roles per person."""
    held = admin_roles_of(names)
    if len(held) > 1:
        labels = ", ".join(str(StaffRole(r).label) for r in sorted(held))
        raise SeparationOfDutiesError(
            _g("One person cannot hold more than one of the system, security and audit administrator roles "
               "(%(roles)s).") % {"roles": labels})


def duties_split() -> bool:
    """True once each administrator role is held by an active account (never two by one, by the invariant)."""
    holders = {}
    for role in ADMIN_ROLES:
        holders[role] = set(User.objects.filter(groups__name=role, is_active=True).values_list("pk", flat=True))
    return all(holders.values())


def may_manage_roles(actor) -> bool:
    if has_admin_role(actor, StaffRole.SECURITY_ADMIN):
        return True
    # Before the split the set-up superuser is the only one who can start it.
    return bool(actor and actor.is_authenticated and actor.is_superuser and not duties_split())


def check_actor(actor, user) -> None:
    """May this actor change this person's roles?"""
    if actor is None:
        return  # command line and migrations: the operator already holds the server
    if actor.pk == user.pk:
        raise SeparationOfDutiesError(_g("No one can change their own roles or permissions."))
    if not may_manage_roles(actor):
        raise SeparationOfDutiesError(_g("Only the security administrator can change roles."))


# What no one but the person (or the operator at the command line) changes on an administrator's account:
# deactivating or locking it, its password, its e-mail (the way to its password). The three roles check
# each other, so none may take another's account away or into their own hands.
GUARDED_ACCOUNT_FIELDS = ("is_active", "password", "email")


def check_account_change(actor, user, changed) -> None:
    """May this actor deactivate, lock, or change the password or e-mail of this person?"""
    if actor is None or actor.pk == user.pk or service_is_changing():
        return
    if not set(changed) & set(GUARDED_ACCOUNT_FIELDS):
        return
    held = admin_roles_of(role_names(user))
    if held:
        raise SeparationOfDutiesError(
            _g("No one else can deactivate, lock, or change the password or e-mail of the %(role)s; the "
               "security administrator revokes the role first.") % {"role": StaffRole(sorted(held)[0]).label})


def _refused(action, actor, user, role, exc):
    with acting_as(actor):
        audit(action, user=actor, object_ref=f"user:{user.pk}", result="refused",
              data={"role": role, "reason": str(exc.args[0] if exc.args else exc)})


def grant_role(actor, user, role, *, ip=None) -> None:
    if role not in STAFF_GROUPS:
        raise ValidationError(_g("Unknown role."))
    try:
        check_actor(actor, user)
        if not user.is_active or user.anonymised_at:
            raise SeparationOfDutiesError(_g("Roles can only be given to active accounts."))
        check_role_set(role_names(user) | {role})
    except PermissionDenied as exc:
        _refused("role.granted", actor, user, role, exc)
        raise
    with transaction.atomic(), acting_as(actor, ip), trusted_change():
        User.objects.select_for_update().filter(pk=user.pk).first()
        user.groups.add(Group.objects.get(name=role))
        if role in ADMIN_ROLES and not user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=True)  # the admin site needs the flag
            user.is_staff = True
    user.__dict__.pop("_role_cache", None)


def revoke_role(actor, user, role, *, ip=None) -> None:
    if role not in STAFF_GROUPS:
        raise ValidationError(_g("Unknown role."))
    try:
        check_actor(actor, user)
    except PermissionDenied as exc:
        _refused("role.revoked", actor, user, role, exc)
        raise
    with transaction.atomic(), acting_as(actor, ip), trusted_change():
        user.groups.remove(Group.objects.get(name=role))
    user.__dict__.pop("_role_cache", None)


def _account_for(email):
    """An existing account by e-mail, or a new staff account that sets its password by reset link."""
    from allauth.account.models import EmailAddress

    email = (email or "").strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, is_staff=True)
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def split_duties(actor, *, system_admin: str, security_admin: str, audit_admin: str, ip=None) -> dict:
    """The set-up superuser hands the three roles to three different people and gives up full powers."""
    if not (actor and actor.is_authenticated and actor.is_superuser):
        refuse("duties.split", SeparationOfDutiesError(_g("Only the set-up superuser can split the duties.")),
               actor=actor if getattr(actor, "pk", None) else None, ip=ip, object_ref="roles")
    emails = [(e or "").strip().lower() for e in (system_admin, security_admin, audit_admin)]
    if len(set(emails)) != 3 or not all(emails):
        exc = SeparationOfDutiesError(_g("The three roles need three different people."))
        _refused("duties.split", actor, actor, "", exc)
        raise exc
    with transaction.atomic(), acting_as(actor, ip), trusted_change():
        people = {}
        for role, email in zip(ADMIN_ROLES, emails, strict=True):
            user = _account_for(email)
            if not user.is_active or user.anonymised_at:  # audited; the row outlives the rollback
                refuse("duties.split", SeparationOfDutiesError(
                    _g("%(email)s is not an active account.") % {"email": email}), actor=actor, ip=ip,
                    object_ref=f"user:{user.pk}", data={"role": role})
            for other in admin_roles_of(role_names(user)) - {role}:
                user.groups.remove(Group.objects.get(name=other))
            user.groups.add(Group.objects.get(name=role))
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=False)
            people[role] = user.pk
        User.objects.filter(pk=actor.pk).update(is_superuser=False)
        actor.is_superuser = False
        audit("duties.split", user=actor, object_ref="roles", data={"holders": people})
    return people


def close_setup_account(setup, *, ip=None) -> None:
    """After the split the set-up account is deactivated and its password made unusable; audited."""
    if not duties_split():
        refuse("duties.setup_account_closed", SeparationOfDutiesError(_g("Split the duties first.")),
               actor=setup, ip=ip, object_ref=f"user:{setup.pk}")
    with transaction.atomic(), acting_as(setup, ip), trusted_change():
        account = User.objects.select_for_update().get(pk=setup.pk)
        account.is_active = account.is_superuser = False
        account.set_unusable_password()
        account.save(update_fields=["is_active", "is_superuser", "password"])
        audit("duties.setup_account_closed", user=setup, object_ref=f"user:{setup.pk}")
    setup.is_active = setup.is_superuser = False


def resign_superuser(actor, *, ip=None) -> None:
    """A superuser left over after the split gives up full powers (they keep their ordinary roles)."""
    if not (actor and actor.is_authenticated and actor.is_superuser):
        refuse("duties.superuser_resigned", SeparationOfDutiesError(_g("You do not hold full powers.")),
               actor=actor if getattr(actor, "pk", None) else None, ip=ip, object_ref="roles")
    if not duties_split():
        refuse("duties.superuser_resigned", SeparationOfDutiesError(_g("Split the duties first.")),
               actor=actor, ip=ip, object_ref=f"user:{actor.pk}")
    with transaction.atomic(), acting_as(actor, ip):
        User.objects.filter(pk=actor.pk).update(is_superuser=False)
        actor.is_superuser = False
        audit("duties.superuser_resigned", user=actor, object_ref=f"user:{actor.pk}")
