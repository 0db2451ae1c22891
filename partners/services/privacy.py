"""Personal-information rights (个人信息保护法): notice and consent, access and export, correction, deletion, retention."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _g

from registry.redis_cache import shared_cache as cache

from ..enums import ApplicationState, OrgRole
from ..models import (
    Application,
    Attachment,
    AuditEvent,
    Consent,
    DeletionRequest,
    JoinRequest,
    Notification,
    NotificationPreference,
    OrganizationMember,
    PasswordHistory,
    PrivacyNotice,
    SecurityEvent,
    SecuritySetting,
    StaffSession,
)
from .audit import log_event, pseudonymise_actor
from .security import audit, client_ip, is_staff_account, setting_value
from .separation import trusted_change

User = get_user_model()
PROFILE_FIELDS = ("display_name", "phone", "language")


# --- Notice and consent ---------------------------------------------------------------------------------

NOTICE_CACHE_KEY = "registry:privacy_notice_version"
NOTICE_CACHE_SECONDS = 60  # a version published for a future time takes effect within this delay


def current_notice(now=None) -> PrivacyNotice | None:
    return PrivacyNotice.objects.published(now).order_by("-version").first()


def current_version() -> int:
    """The version in force (0 for none), cached because the consent gate asks on every request."""
    version = cache.get(NOTICE_CACHE_KEY)
    if version is None:
        notice = current_notice()
        version = notice.version if notice else 0
        cache.set(NOTICE_CACHE_KEY, version, NOTICE_CACHE_SECONDS)
    return version


def forget_current_version(**kwargs):
    cache.delete(NOTICE_CACHE_KEY)


def has_consented(user, notice=None) -> bool:
    notice = notice or current_notice()
    return notice is None or Consent.objects.filter(user=user, notice=notice).exists()


CONSENTED_SESSION_KEY = "_registry_consented_version"


def consent_required(user, session=None) -> bool:
    """A logged-in person must agree to the notice in force before going on (a new version asks again).

    The version a person agreed to is remembered in the session, so the database is asked once a session.
    """
    if not getattr(settings, "PRIVACY_CONSENT_REQUIRED", True):
        return False
    version = current_version()
    if not version:
        return False
    if session is not None and session.get(CONSENTED_SESSION_KEY) == version:
        return False
    agreed = Consent.objects.filter(user=user, notice__version=version).exists()
    if agreed and session is not None:
        session[CONSENTED_SESSION_KEY] = version
    return not agreed


def record_consent(user, notice, *, request=None, ip=None) -> Consent:
    if notice is None or notice.published_at is None or notice.published_at > timezone.now():
        raise ValidationError(_g("This version of the privacy notice is not published."))
    ip = ip or client_ip(request)
    consent, created = Consent.objects.get_or_create(user=user, notice=notice, defaults={"source_ip": ip})
    if created:
        audit("privacy.consented", request=request, user=user, object_ref=f"privacy_notice:{notice.version}")
    return consent


def draft_notice(actor, *, title_zh, title_en, text_zh, text_en, request=None) -> PrivacyNotice:
    """The system administrator writes the next version; it asks no one until it is published."""
    if not actor.has_role("system_admin"):
        raise PermissionDenied(_g("Only the system administrator can write the privacy notice."))
    with transaction.atomic():
        last = PrivacyNotice.objects.select_for_update().order_by("-version").first()
        notice = PrivacyNotice.objects.create(version=(last.version if last else 0) + 1, title_zh=title_zh,
                                              title_en=title_en, text_zh=text_zh, text_en=text_en)
        audit("settings.privacy_notice_drafted", request=request, user=actor,
              object_ref=f"privacy_notice:{notice.version}")
    return notice


def publish_notice(actor, notice, *, request=None) -> PrivacyNotice:
    """Publishing a new version: everyone is asked again at their next request."""
    if not actor.has_role("system_admin"):
        raise PermissionDenied(_g("Only the system administrator can publish the privacy notice."))
    with transaction.atomic():
        notice = PrivacyNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.published_at is not None:
            raise ValidationError(_g("This version is already published; write a new version instead."))
        notice.published_at = timezone.now()
        notice.save(update_fields=["published_at"])
        audit("settings.privacy_notice_published", request=request, user=actor,
              object_ref=f"privacy_notice:{notice.version}")
    return notice


# --- Access and export ----------------------------------------------------------------------------------

def _iso(value):
    return value.isoformat() if value else None


def personal_data(user) -> dict:
    """Everything the registry holds about one person, in a form they can read and keep."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    applications = Application.objects.filter(created_by=user).select_related("organization")
    contact_apps = Application.objects.filter(contact_email__iexact=user.email).exclude(created_by=user)
    return {
        "generated_at": _iso(timezone.now()),
        "account": {
            "email": user.email, "display_name": user.display_name, "phone": user.phone,
            "language": user.language, "date_joined": _iso(user.date_joined), "last_login": _iso(user.last_login),
            "password_changed_at": _iso(user.password_changed_at), "is_active": user.is_active,
            "staff_roles": sorted(user.groups.values_list("name", flat=True)),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "second_factors": [
            {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user)
        ],
        "organisations": [
            {"organisation": link.organization.name, "credit_code": link.organization.credit_code,
             "role": link.role, "title": link.title, "joined_at": _iso(link.joined_at)}
            for link in OrganizationMember.objects.filter(user=user).select_related("organization")
        ],
        "join_requests": [
            {"organisation": jr.organization.name, "message": jr.message, "state": jr.state,
             "created_at": _iso(jr.created_at)}
            for jr in JoinRequest.objects.filter(user=user).select_related("organization")
        ],
        "applications": [
            {"id": str(a.public_id), "organisation": a.organization.name, "state": a.state,
             "contact_name": a.contact_name, "contact_title": a.contact_title, "contact_phone": a.contact_phone,
             "contact_email": a.contact_email, "created_at": _iso(a.created_at), "submitted_at": _iso(a.submitted_at)}
            for a in list(applications) + list(contact_apps)
        ],
        "notification_preferences": [
            {"kind": p.kind, "enabled": p.enabled, "digest": p.digest}
            for p in NotificationPreference.objects.filter(user=user)
        ],
        "notifications": [
            {"template": n.template_key, "state": n.state, "created_at": _iso(n.created_at),
             "sent_at": _iso(n.sent_at)}
            for n in Notification.objects.filter(recipient=user)
        ],
        "consents": [
            {"privacy_notice_version": c.notice.version, "accepted_at": _iso(c.accepted_at), "source_ip": c.source_ip}
            for c in Consent.objects.filter(user=user).select_related("notice")
        ],
        "deletion_requests": [
            {"state": d.state, "requested_at": _iso(d.requested_at), "outcome": d.outcome}
            for d in DeletionRequest.objects.filter(user=user)
        ],
        "security_log": [
            {"time": _iso(e.created_at), "action": e.action, "source_ip": e.source_ip, "result": e.result}
            for e in SecurityEvent.objects.filter(actor=user).order_by("-id")[:1000]
        ],
        "activity_log": [
            {"time": _iso(e.created_at), "action": e.action,
             "application": str(e.application.public_id) if e.application_id and e.application else None}
            for e in AuditEvent.objects.filter(actor=user).select_related("application").order_by("-id")[:1000]
        ],
    }


def export_own_data(user, *, request=None) -> dict:
    data = personal_data(user)
    audit("personal_data.exported", request=request, user=user, object_ref=f"user:{user.pk}",
          data={"by": "data_subject"})
    return data


def export_person_for_staff(actor, user, *, reason: str, request=None) -> dict:
    """Staff export one person's data (e.g. answering a request by letter): system administrators only, with reason."""
    if not actor.has_role("system_admin"):
        audit("personal_data.exported", request=request, user=actor, object_ref=f"user:{user.pk}",
              result="refused")
        raise PermissionDenied(_g("Only the system administrator can export a person's data."))
    if not (reason or "").strip():
        audit("personal_data.exported", request=request, user=actor, object_ref=f"user:{user.pk}",
              result="refused", data={"reason": ""})
        raise ValidationError(_g("Give the reason for exporting personal data."), code="reason_required")
    data = personal_data(user)
    audit("personal_data.exported", request=request, user=actor, object_ref=f"user:{user.pk}",
          data={"reason": reason.strip()[:500], "by": "staff"})
    return data


# --- Correction -----------------------------------------------------------------------------------------

def correct_profile(user, *, request=None, **changes) -> list[str]:
    """The person corrects their own name, phone and language; the change is audited (values not logged)."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_g("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = [f for f, v in changes.items() if getattr(locked, f) != v]
        for field in changed:
            setattr(locked, field, changes[field])
        if changed:
            locked.full_clean(exclude=["password"])
            locked.save(update_fields=changed)
            for field in changed:
                setattr(user, field, getattr(locked, field))
            audit("personal_data.corrected", request=request, user=user, object_ref=f"user:{user.pk}",
                  data={"fields": changed})
    return changed


# --- Deletion -------------------------------------------------------------------------------------------

def deletion_blockers(user) -> list[str]:
    """Reasons an account cannot be deleted by its holder now (the person is told what to do first)."""
    reasons = []
    if is_staff_account(user):
        reasons.append(_g("Staff accounts are closed by the system administrator, not by self-service."))
    # Whether each owned organisation has other people is asked in the same query, not once per organisation.
    others = OrganizationMember.objects.filter(organization=OuterRef("organization")).exclude(user=user)
    owned = (OrganizationMember.objects.filter(user=user, role=OrgRole.OWNER).select_related("organization")
             .filter(Exists(others)))
    for link in owned:
        reasons.append(_g("You own %(org)s and it has other people: hand ownership to one of them first.")
                       % {"org": link.organization.name})
    return reasons


def request_deletion(user, *, reason="", request=None) -> DeletionRequest:
    """Delete the account: anonymise the person where records must be kept, remove the rest; audit both."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    ip = client_ip(request)
    audit("privacy.deletion_requested", request=request, user=user, object_ref=f"user:{user.pk}")
    blockers = deletion_blockers(user)
    if blockers:
        req = DeletionRequest.objects.create(user=user, reason=reason[:2000], state=DeletionRequest.State.REFUSED,
                                             outcome="\n".join(blockers), completed_at=timezone.now())
        audit("privacy.deletion_refused", request=request, user=user, object_ref=f"deletion_request:{req.pk}",
              result="refused", data={"reasons": blockers})
        return req
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=user.pk)
        old_email = person.email
        removed = {
            "email_addresses": EmailAddress.objects.filter(user=person).delete()[0],
            "second_factors": Authenticator.objects.filter(user=person).delete()[0],
            "organisation_links": OrganizationMember.objects.filter(user=person).delete()[0],
            "join_requests": JoinRequest.objects.filter(user=person).delete()[0],
            "notifications": Notification.objects.filter(recipient=person).delete()[0],
            "notification_preferences": NotificationPreference.objects.filter(user=person).delete()[0],
            "password_history": PasswordHistory.objects.filter(user=person).delete()[0],
            "staff_session": StaffSession.objects.filter(user=person).delete()[0],
        }
        api_keys = getattr(person, "api_keys", None)
        if api_keys is not None:
            removed["api_keys"] = api_keys.all().delete()[0]
        # Applications are the organisation's record (decisions must be kept): only the person's own
        # contact details are cleared from them.
        removed["application_contacts"] = Application.objects.filter(contact_email__iexact=old_email).update(
            contact_name="", contact_title="", contact_phone="", contact_email="")
        person.email = f"deleted-{person.pk}@invalid.example"
        person.display_name = ""
        person.phone = ""
        person.is_active = False
        person.anonymised_at = timezone.now()
        person.set_unusable_password()
        person.save()
        if person.groups.exists():
            with trusted_change():
                person.groups.clear()
        req = DeletionRequest.objects.create(
            user=person, reason=reason[:2000], state=DeletionRequest.State.COMPLETED, completed_at=timezone.now(),
            outcome=_g("Account anonymised; removed: %(removed)s. Audit and decision records keep only the "
                       "anonymised account until their retention period ends.")
            % {"removed": ", ".join(f"{k} {v}" for k, v in removed.items())},
        )
        log_security_after_deletion(person, req, removed, ip)
        pseudonymise_actor(person)  # the audit rows keep the pseudonym; the link to the person goes
    return req


def log_security_after_deletion(person, req, removed, ip):
    from .audit import log_security

    log_security("privacy.deletion_completed", user=person, ip=ip, object_ref=f"deletion_request:{req.pk}",
                 data={"removed": removed}, label=f"user:{person.pk}")


# --- Retention ------------------------------------------------------------------------------------------

def purge_security_events(now=None) -> int:
    """Delete security events older than the retention period (at least 180 days); the purge is audited.

    This is the only path that deletes security events. On PostgreSQL it calls the owner's function
    `partners_purge_security_events`, which reads the floor itself (a caller can only ask to keep more),
    deletes, and writes its own audit row; the application role has no DELETE on the log at all. The
    embedded SQLite set-up deletes here, as the ORM guard allows no other way.
    """
    days = setting_value(SecuritySetting.Key.SECURITY_LOG_RETENTION_DAYS)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT partners_purge_security_events(%s)", [days])
            return cursor.fetchone()[0]
    cutoff = (now or timezone.now()) - timedelta(days=days)
    table = connection.ops.quote_name(SecurityEvent._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE created_at < %s", [cutoff])  # noqa: S608
            count = cursor.rowcount
        audit("audit.purged", object_ref="security_log", label="retention job",
              data={"deleted": count, "older_than": cutoff.isoformat(), "retention_days": days})
    return count


def purge_expired_attachments(now=None) -> int:
    """Delete the files of rejected or withdrawn applications after the retention period; keep the record."""
    days = setting_value(SecuritySetting.Key.ATTACHMENT_RETENTION_DAYS)
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    due = Attachment.objects.filter(
        application__state__in=[ApplicationState.REJECTED, ApplicationState.WITHDRAWN],
        application__state_changed_at__lt=cutoff, purged_at__isnull=True,
    ).select_related("application")
    purged = 0
    for attachment_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            attachment = Attachment.objects.select_for_update().select_related("application").filter(
                pk=attachment_id, purged_at__isnull=True).first()
            if attachment is None:
                continue
            name = attachment.file.name if attachment.file else ""
            if name:
                attachment.file.storage.delete(name)
            attachment.file = None
            attachment.purged_at = now
            attachment.save(update_fields=["file", "purged_at"])
            log_event("attachment.purged", application=attachment.application,
                      data={"attachment": attachment.pk, "name": attachment.original_name,
                            "sha256": attachment.sha256, "retention_days": days})
            purged += 1
    if purged:
        audit("retention.attachments_purged", object_ref="attachments", label="retention job",
              data={"deleted": purged, "retention_days": days})
    return purged
