"""Signal receivers that connect the registry to framework events (logins, sign-ups, roles) for the security log."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _g

from .models import PrivacyNotice, User
from .services import login_delay, privacy, security, separation

# --- Logins, logouts, failures, lockouts ----------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="registry_login")
def on_login(sender, request, user, **kwargs):
    security.audit("auth.login", request=request, user=user, object_ref=f"user:{user.pk}")
    login_delay.forget(user.email)
    if request is not None and hasattr(request, "session") and security.is_staff_account(user):
        security.start_staff_session(request, user)


@receiver(user_logged_out, dispatch_uid="registry_logout")
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "_registry_logout_reason", "") if request is not None else ""
    security.audit("auth.logout", request=request, user=user, object_ref=f"user:{user.pk}",
                   data={"reason": reason} if reason else None)
    if request is not None:
        security.end_staff_session(request, user)


def _attempted_login(credentials):
    for key in ("email", "login", "username"):
        if credentials.get(key):
            return str(credentials[key]).strip().lower()[:254]
    return ""


def _login_ref(user, login):
    """An account is named by its number (its e-mail would outlive the person in the log); a login that
    matches no account is kept as typed."""
    return f"user:{user.pk}" if user is not None else f"login:{login}"


@receiver(user_login_failed, dispatch_uid="registry_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    login = _attempted_login(credentials or {})
    user = User.objects.filter(email=login).first() if login else None
    security.audit("auth.login_failed", request=request, user=user, object_ref=_login_ref(user, login),
                   result="failure", label=login)
    # An address already locked out for this name is refused without a password check; it adds no delay,
    # or one locked-out guesser could hold the name back for everyone.
    if not getattr(request, "axes_locked_out", False):
        login_delay.record_failure(login)


@receiver(user_locked_out, dispatch_uid="registry_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    login = (username or "").strip().lower()
    user = User.objects.filter(email=login).first() if login else None
    security.audit("auth.locked_out", request=request, user=user, object_ref=_login_ref(user, login),
                   result="failure", label=login)


# --- Passwords and the second factor --------------------------------------------------------------------
# Password changes themselves are audited by PasswordHistoryValidator.password_changed, which every path
# that sets a password passes through; the reset path is recorded too, to show how it was done.

@receiver(account_signals.password_reset, dispatch_uid="registry_password_reset")
def on_password_reset(sender, request, user, **kwargs):
    security.audit("auth.password_reset", request=request, user=user, object_ref=f"user:{user.pk}")


def _mfa_receiver(action, result="success"):
    def receiver_(sender, request=None, user=None, authenticator=None, **kwargs):
        security.audit(action, request=request, user=user, object_ref=f"user:{getattr(user, 'pk', '')}",
                       result=result, data={"type": getattr(authenticator, "type", "")})

    return receiver_


_MFA_RECEIVERS = {
    "added": _mfa_receiver("mfa.added"),
    "removed": _mfa_receiver("mfa.removed"),
    "reset": _mfa_receiver("mfa.recovery_codes_reset"),
    "failed": _mfa_receiver("mfa.failed", result="failure"),
}
mfa_signals.authenticator_added.connect(_MFA_RECEIVERS["added"], dispatch_uid="registry_mfa_added")
mfa_signals.authenticator_removed.connect(_MFA_RECEIVERS["removed"], dispatch_uid="registry_mfa_removed")
mfa_signals.authenticator_reset.connect(_MFA_RECEIVERS["reset"], dispatch_uid="registry_mfa_reset")
mfa_signals.authentication_failed.connect(_MFA_RECEIVERS["failed"], dispatch_uid="registry_mfa_failed")


# --- Roles and permissions: the guard behind every interface --------------------------------------------

def _names(pk_set):
    return set(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))


def _guard_user_groups(user, adding: set[str], removing: set[str]):
    actor, _ip = security.current_actor()
    try:
        if not separation.service_is_changing():
            separation.check_actor(actor, user)
        separation.check_role_set((security.role_names(user) - removing) | adding)
    except separation.SeparationOfDutiesError as exc:
        for name in sorted(adding or removing):
            security.audit_refusal("role.granted" if adding else "role.revoked", object_ref=f"user:{user.pk}",
                                   data={"role": name, "reason": str(exc.args[0] if exc.args else exc)})
        raise


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="registry_role_guard")
def on_user_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action == "pre_clear":
        # pk_set is None for a clear: remember what is about to go so it can be logged.
        if reverse:
            instance._registry_cleared = list(instance.user_set.values_list("pk", flat=True))
        else:
            instance._registry_cleared = list(instance.groups.values_list("pk", flat=True))
    if action in ("pre_add", "pre_remove", "pre_clear"):
        if reverse:  # group.user_set.add(users)
            users = User.objects.filter(pk__in=pk_set or getattr(instance, "_registry_cleared", ()))
            for user in users:
                if action == "pre_add":
                    _guard_user_groups(user, {instance.name}, set())
                else:
                    _guard_user_groups(user, set(), {instance.name})
        else:
            names = _names(pk_set) if pk_set else _names(getattr(instance, "_registry_cleared", ()))
            if action == "pre_add":
                _guard_user_groups(instance, names, set())
            else:
                _guard_user_groups(instance, set(), names)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    verb = "role.granted" if action == "post_add" else "role.revoked"
    ids = pk_set if pk_set is not None else getattr(instance, "_registry_cleared", [])
    if reverse:
        for user_pk in ids:
            security.audit(verb, object_ref=f"user:{user_pk}", data={"role": instance.name})
    else:
        for name in sorted(_names(ids)):
            security.audit(verb, object_ref=f"user:{instance.pk}", data={"role": name})
        instance.__dict__.pop("_role_cache", None)


# Writing the membership table directly (User.groups.through.objects.create, row.save(), row.delete())
# sends neither m2m_changed nor, the model being auto-created, pre_save or pre_delete: its save and delete
# get the same guard and audit here. Bulk writes (bulk_create, queryset delete) call neither; there the
# database's constraint trigger (migration 0017) still refuses a second administrator role.
Membership = User.groups.through
_membership_save = Membership.save
_membership_delete = Membership.delete


def _guarded_membership_save(self, *args, **kwargs):
    old = Membership.objects.filter(pk=self.pk).values_list("group__name", flat=True).first() if self.pk else None
    name = Group.objects.filter(pk=self.group_id).values_list("name", flat=True).first()
    _guard_user_groups(User.objects.get(pk=self.user_id), {name}, {old} if old and old != name else set())
    _membership_save(self, *args, **kwargs)
    security.audit("role.granted", object_ref=f"user:{self.user_id}", data={"role": name})


def _guarded_membership_delete(self, *args, **kwargs):
    name = Group.objects.filter(pk=self.group_id).values_list("name", flat=True).first()
    _guard_user_groups(User.objects.get(pk=self.user_id), set(), {name})
    result = _membership_delete(self, *args, **kwargs)
    security.audit("role.revoked", object_ref=f"user:{self.user_id}", data={"role": name})
    return result


Membership.save = _guarded_membership_save
Membership.delete = _guarded_membership_delete


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="registry_group_permission_guard")
def on_group_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith(("pre_", "post_")) or reverse:
        return
    actor, _ip = security.current_actor()
    if action.startswith("pre_"):
        if actor is not None:
            refusal = None
            if actor.groups.filter(pk=instance.pk).exists():
                refusal = _g("No one can change the permissions of a role they hold.")
            elif not separation.may_manage_roles(actor):
                refusal = _g("Only the security administrator can change roles.")
            if refusal:
                security.refuse("role.permissions_changed", separation.SeparationOfDutiesError(refusal),
                                object_ref=f"group:{instance.name}",
                                data={"change": action[4:], "permissions": sorted(pk_set or [])})
        return
    if actor is not None:  # migrations and set-up grant the initial permissions without an actor
        security.audit("role.permissions_changed", object_ref=f"group:{instance.name}",
                       data={"change": action[5:], "permissions": sorted(pk_set or [])})


@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="registry_user_permission_guard")
def on_user_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse or not action.startswith(("pre_", "post_")):
        return
    actor, _ip = security.current_actor()
    if action.startswith("pre_"):
        try:
            separation.check_actor(actor, instance)
        except separation.SeparationOfDutiesError as exc:
            security.refuse("user.permissions_changed", exc, object_ref=f"user:{instance.pk}",
                            data={"change": action[4:], "permissions": sorted(pk_set or [])})
        return
    security.audit("user.permissions_changed", object_ref=f"user:{instance.pk}",
                   data={"change": action[5:], "permissions": sorted(pk_set or [])})


PRIVILEGE_FLAGS = ("is_superuser", "is_staff", "is_active")
WATCHED_FIELDS = (*PRIVILEGE_FLAGS, "password", "email")


def _refuse_account_change(instance, changed, exc):
    security.audit_refusal("user.privileges_changed", object_ref=f"user:{instance.pk}",
                           data={"fields": sorted(changed), "reason": str(exc.args[0] if exc.args else exc)})
    raise exc


@receiver(pre_save, sender=User, dispatch_uid="registry_privilege_guard")
def on_user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(WATCHED_FIELDS):
        return  # e.g. last_login on every login: nothing to compare
    old = User.objects.filter(pk=instance.pk).values(*WATCHED_FIELDS).first()
    if old is None:
        return
    changed = {f: getattr(instance, f) for f in WATCHED_FIELDS if old[f] != getattr(instance, f)}
    if not changed:
        return
    actor, _ip = security.current_actor()
    if actor is not None and not separation.service_is_changing():
        if actor.pk == instance.pk and (changed.get("is_superuser") or changed.get("is_staff")):
            _refuse_account_change(instance, changed, separation.SeparationOfDutiesError(
                _g("No one can change their own roles or permissions.")))
        if changed.get("is_superuser"):
            _refuse_account_change(instance, changed, separation.SeparationOfDutiesError(
                _g("Full powers cannot be granted while duties are separated.")))
        account = {f for f in changed if f != "is_active" or changed[f] is False}  # reactivating takes nothing
        try:
            separation.check_account_change(actor, instance, account)
        except separation.SeparationOfDutiesError as exc:
            _refuse_account_change(instance, changed, exc)
    flags = {f: v for f, v in changed.items() if f in PRIVILEGE_FLAGS}
    if flags:
        security.audit("user.privileges_changed", object_ref=f"user:{instance.pk}", data=flags)


# --- The privacy notice in force is cached for the consent gate ----------------------------------------

post_save.connect(privacy.forget_current_version, sender=PrivacyNotice, dispatch_uid="registry_notice_saved")
post_delete.connect(privacy.forget_current_version, sender=PrivacyNotice, dispatch_uid="registry_notice_deleted")


# --- Permissions of the three administrator roles -------------------------------------------------------

ROLE_PERMISSIONS = {
    "system_admin": [
        "partners.add_user", "partners.change_user", "partners.view_user",
        "partners.add_district", "partners.change_district", "partners.view_district",
        "partners.add_industry", "partners.change_industry", "partners.view_industry",
        "partners.add_invitationcode", "partners.change_invitationcode", "partners.view_invitationcode",
        "partners.add_decisionlettertemplate", "partners.change_decisionlettertemplate",
        "partners.view_decisionlettertemplate", "partners.view_securitysetting",
        "partners.add_privacynotice", "partners.change_privacynotice", "partners.view_privacynotice",
    ],
    "security_admin": [
        "partners.view_user", "auth.view_group", "axes.view_accessattempt", "axes.delete_accessattempt",
        "mfa.view_authenticator", "mfa.delete_authenticator", "partners.view_staffsession",
    ],
    "audit_admin": ["partners.view_securityevent"],
}


@receiver(post_migrate, dispatch_uid="registry_role_permissions")
def grant_role_permissions(sender, app_config=None, using="default", **kwargs):
    """Give the administrator roles their model permissions once every app's permissions exist."""
    if getattr(app_config, "label", None) != "partners":
        return
    from django.contrib.auth.models import Permission

    for role, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.using(using).filter(name=role).first()
        if group is None:
            continue
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label,
                                                          codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        missing = [p for p in wanted if not group.permissions.filter(pk=p.pk).exists()]
        if missing:
            group.permissions.add(*missing)


@receiver(post_migrate, dispatch_uid="registry_app_role_grants")
def grant_app_role_after_migrate(sender, app_config=None, using="default", **kwargs):
    """Tables a migration created get the application role's grants (the audit trails only SELECT, INSERT)."""
    if getattr(app_config, "label", None) != "partners":
        return
    from django.db import connections

    from .guards import grant_app_role

    grant_app_role(connections[using])


@receiver(post_migrate, dispatch_uid="registry_site_sync")
def sync_site_after_migrate(sender, app_config=None, using="default", **kwargs):
    """Every deployment runs migrate: the Sites record then follows SITE_URL and SITE_NAME of that deployment."""
    if getattr(app_config, "label", None) != "partners":
        return
    from .sites import sync_site

    sync_site(using=using)
