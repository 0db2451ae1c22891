"""Personal-information rights (个人信息保护法): notice and consent, access and export, correction, deletion, retention."""

import re
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
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
    ExpertAssignment,
    JoinRequest,
    Notification,
    NotificationPreference,
    OrganizationInvitation,
    OrganizationMember,
    PasswordHistory,
    PrivacyNotice,
    SecurityEvent,
    SecuritySetting,
    StaffSession,
    SubsidyClaim,
    VerificationCase,
)
from .audit import log_event, pseudonymise_actor
from .security import audit, client_ip, is_staff_account, refuse, setting_value
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


def consented_before(user, notice=None) -> bool:
    """True when the person agreed to an earlier version: asking again is a re-consent after a change."""
    notice = notice or current_notice()
    earlier = Consent.objects.filter(user=user)
    if notice is not None:
        earlier = earlier.exclude(notice=notice)
    return earlier.exists()


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
        refuse("settings.privacy_notice_drafted", PermissionDenied(
            _g("Only the system administrator can write the privacy notice.")), actor=actor, ip=client_ip(request),
            object_ref="privacy_notice")
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
        refuse("settings.privacy_notice_published", PermissionDenied(
            _g("Only the system administrator can publish the privacy notice.")), actor=actor,
            ip=client_ip(request), object_ref=f"privacy_notice:{notice.version}")
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


def _sessions_of(user):
    """The stored sessions signed in as this person or holding their e-mail (a login or sign-up half done).

    The session table is keyed by session, not by person, so each live session is decoded and looked at.
    """
    import json

    from django.contrib.sessions.models import Session

    email = (user.email or "").lower()
    found = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        try:
            data = session.get_decoded()
        except Exception:  # noqa: BLE001 - a damaged session belongs to no one
            continue
        if str(data.get("_auth_user_id", "")) == str(user.pk) or (
                email and email in json.dumps(data, default=str, ensure_ascii=False).lower()):
            found.append(session)
    return found


def _login_records(email):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    email = (email or "").lower()
    return [(kind, model.objects.filter(username__iexact=email).order_by("-attempt_time"))
            for kind, model in (("login", AccessLog), ("failed_login", AccessFailureLog),
                                ("failures_counted", AccessAttempt))]


def _idempotency_principals(user):
    from ..models import ApiKey

    return [f"user:{user.pk}"] + [f"key:{p}" for p in ApiKey.objects.filter(user=user).values_list("prefix",
                                                                                                   flat=True)]


def _notification_content(notification):
    """Subject and text as sent (or as they would be sent); the stored context if the text cannot be made."""
    from .delivery import render

    try:
        subject, text, _html = render(notification)
    except Exception:  # noqa: BLE001 - an old template must not stop the export
        return {"subject": "", "text": "", "context": notification.context}
    return {"subject": subject, "text": text, "context": notification.context}


def _admin_log(user):
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    account = ContentType.objects.get_for_model(User)
    return LogEntry.objects.filter(Q(user=user) | Q(content_type=account, object_id=str(user.pk)))


def _history_models():
    from django.apps import apps

    return [m for m in apps.get_app_config("partners").get_models() if m.__name__.startswith("Historical")
            and hasattr(m, "history_user")]


def _catalogue_and_cases(user) -> dict:
    """The catalogue entries the person is the contact of, their introductions and the cases they submitted."""
    from ..models import Case, DataDemand, DataSet, Introduction

    entries = [{"kind": "dataset", "name": d.name, "organisation": d.organization.name, "state": d.moderation}
               for d in DataSet.objects.filter(contact=user).select_related("organization")]
    entries += [{"kind": "demand", "name": d.title, "organisation": d.organization.name, "state": d.moderation}
                for d in DataDemand.objects.filter(contact=user).select_related("organization")]
    return {
        "catalogue_entries": entries,
        "introductions": [
            {"dataset": i.dataset.name, "demand": i.demand.title, "state": i.state, "message": i.message,
             "requested": i.requested_by_id == user.pk, "created_at": _iso(i.created_at),
             "answered_at": _iso(i.answered_at)}
            for i in Introduction.objects.filter(Q(requested_by=user) | Q(answered_by=user))
            .select_related("dataset", "demand")
        ],
        "pilot_cases": [
            {"title": c.title, "organisation": c.organization.name, "state": c.state, "year": c.year,
             "created_at": _iso(c.created_at)}
            for c in Case.objects.filter(submitted_by=user).select_related("organization")
        ],
    }


def personal_data(user) -> dict:
    """Everything the registry holds about one person, in a form they can read and keep.

    Each section is a location of `partners.personal_data.LOCATIONS`; a test checks that none is missing.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from ..models import ApiKey, Decision, IdempotencyRecord, InternalNote, Objection, ReviewMessage, Revision

    applications = Application.objects.filter(created_by=user).select_related("organization")
    contact_apps = Application.objects.filter(contact_email__iexact=user.email).exclude(created_by=user)
    own_apps = list(applications) + list(contact_apps.select_related("organization"))
    staff_session = StaffSession.objects.filter(user=user).first()
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
        "sessions": {
            "stored_sessions": [{"expires_at": _iso(s.expire_date)} for s in _sessions_of(user)],
            "staff_session": ({"source_ip": staff_session.source_ip, "started_at": _iso(staff_session.started_at)}
                              if staff_session else None),
        },
        "login_records": [
            {"kind": kind, "time": _iso(r.attempt_time), "ip_address": r.ip_address, "user_agent": r.user_agent,
             "path": r.path_info}
            for kind, rows in _login_records(user.email) for r in rows[:1000]
        ],
        "password_history": [{"changed_at": _iso(p.created_at)} for p in PasswordHistory.objects.filter(user=user)],
        "organisations": [
            {"organisation": link.organization.name, "credit_code": link.organization.credit_code,
             "role": link.role, "title": link.title, "joined_at": _iso(link.joined_at),
             "legal_representative": link.organization.legal_representative,
             "registered_address": link.organization.registered_address}
            for link in OrganizationMember.objects.filter(user=user).select_related("organization")
        ],
        "join_requests": [
            {"organisation": jr.organization.name, "message": jr.message, "state": jr.state,
             "created_at": _iso(jr.created_at)}
            for jr in JoinRequest.objects.filter(user=user).select_related("organization")
        ],
        "member_service": _member_service_data(user),
        "verification_cases": [
            {"organisation": c.organization.name, "kind": c.kind, "state": c.state,
             "legal_representative": c.legal_representative, "position": c.position, "statement": c.statement,
             "reason": c.reason, "created_at": _iso(c.created_at), "decided_at": _iso(c.decided_at),
             "documents": [{"kind": d.kind, "name": d.original_name, "size": d.size, "sha256": d.sha256,
                            "uploaded_at": _iso(d.uploaded_at)} for d in c.documents.all()]}
            for c in VerificationCase.objects.filter(claimant=user).select_related("organization")
            .prefetch_related("documents")
        ],
        "subsidy_claims": [
            {"id": str(c.public_id), "organisation": c.organization.name, "contract_number": c.contract_number,
             "state": c.state, "created_at": _iso(c.created_at), "submitted_at": _iso(c.submitted_at),
             "my_part": [part for part, pk in (("created", c.created_by_id), ("reviewed", c.reviewed_by_id),
                                               ("approved", c.approved_by_id)) if pk == user.pk],
             "documents_i_uploaded": [{"kind": d.kind, "name": d.original_name, "sha256": d.sha256,
                                       "uploaded_at": _iso(d.uploaded_at)}
                                      for d in c.documents.all() if d.uploaded_by_id == user.pk]}
            for c in SubsidyClaim.objects.filter(Q(created_by=user) | Q(reviewed_by=user) | Q(approved_by=user)
                                                 | Q(documents__uploaded_by=user)).distinct()
            .select_related("organization").prefetch_related("documents")
        ],
        **_catalogue_and_cases(user),
        "expert_reviews": [
            {"application": a.application_id, "state": a.state, "conflict_reason": a.conflict_reason,
             "comment": a.comment, "scores": {str(s.criterion_id): s.score for s in a.scores.all()},
             "assigned_at": _iso(a.assigned_at), "submitted_at": _iso(a.submitted_at)}
            for a in ExpertAssignment.objects.filter(expert=user).prefetch_related("scores")
        ],
        "invitations": [
            {"organisation": inv.organization.name, "email": inv.email, "title": inv.title, "state": inv.state,
             "created_at": _iso(inv.created_at), "answered_at": _iso(inv.answered_at)}
            for inv in OrganizationInvitation.objects.filter(
                Q(email__iexact=user.email) | Q(answered_by=user)).select_related("organization")
        ],
        "applications": [
            {"id": str(a.public_id), "organisation": a.organization.name, "state": a.state,
             "contact_name": a.contact_name, "contact_title": a.contact_title, "contact_phone": a.contact_phone,
             "contact_email": a.contact_email, "created_at": _iso(a.created_at), "submitted_at": _iso(a.submitted_at)}
            for a in own_apps
        ],
        "application_revisions": [
            {"application": str(r.application.public_id), "number": r.number, "created_at": _iso(r.created_at),
             "contact": {k: v for k, v in (r.snapshot or {}).get("application", {}).items()
                         if k.startswith("contact_")}}
            for r in Revision.objects.filter(Q(created_by=user) | Q(
                snapshot__application__contact_email__iexact=user.email)).select_related("application")
        ],
        "uploaded_files": [
            {"application": str(a.application.public_id), "kind": a.kind, "name": a.original_name,
             "size": a.size, "sha256": a.sha256, "uploaded_at": _iso(a.uploaded_at),
             "in_archive": bool(a.file) and a.purged_at is None, "deleted_at": _iso(a.purged_at)}
            for a in Attachment.objects.filter(uploaded_by=user).select_related("application")
        ],
        "review_messages": [
            {"application": str(m.application.public_id), "action": m.action, "body": m.body, "points": m.points,
             "created_at": _iso(m.created_at)}
            for m in ReviewMessage.objects.filter(author=user).select_related("application")
        ],
        "internal_notes": [
            {"application": str(n.application.public_id), "body": n.body, "created_at": _iso(n.created_at)}
            for n in InternalNote.objects.filter(author=user).select_related("application")
        ],
        "decisions": [
            {"application": str(d.application.public_id), "level": d.level, "action": d.action,
             "reason": d.reason, "letter_subject": d.letter_subject, "created_at": _iso(d.created_at)}
            for d in Decision.objects.filter(actor=user).select_related("application")
        ],
        "objections": [
            {"application": str(o.application.public_id), "reference": o.reference, "name": o.name,
             "contact": o.contact, "email": o.email, "reason": o.reason, "source_ip": o.source_ip,
             "state": o.state, "created_at": _iso(o.created_at),
             "evidence": [e.original_name for e in o.evidence.all()]}
            for o in Objection.objects.filter(Q(contact__iexact=user.email) | Q(email__iexact=user.email)
                                              | Q(resolved_by=user))
            .select_related("application").prefetch_related("evidence")
        ],
        "notification_preferences": [
            {"kind": p.kind, "enabled": p.enabled, "digest": p.digest}
            for p in NotificationPreference.objects.filter(user=user)
        ],
        "notifications": [
            {"template": n.template_key, "state": n.state, "email": n.email, "created_at": _iso(n.created_at),
             "sent_at": _iso(n.sent_at), "read_at": _iso(n.read_at), **_notification_content(n)}
            for n in Notification.objects.filter(Q(recipient=user) | Q(recipient__isnull=True,
                                                                         email__iexact=user.email))
            .select_related("recipient")[:1000]
        ],
        "api_keys": [
            {"name": k.name, "prefix": k.prefix, "scopes": k.scopes, "created_at": _iso(k.created_at),
             "revoked_at": _iso(k.revoked_at), "last_used_at": _iso(k.last_used_at),
             "webhooks": [{"url": w.url, "event_types": w.event_types, "active": w.active} for w in k.webhooks.all()]}
            for k in ApiKey.objects.filter(user=user).prefetch_related("webhooks")
        ],
        "idempotency_records": [
            {"key": r.key, "method": r.method, "path": r.path, "status": r.response_status,
             "response": r.response_body, "created_at": _iso(r.created_at)}
            for r in IdempotencyRecord.objects.filter(principal__in=_idempotency_principals(user))
        ],
        "consents": [
            {"privacy_notice_version": c.notice.version, "accepted_at": _iso(c.accepted_at), "source_ip": c.source_ip}
            for c in Consent.objects.filter(user=user).select_related("notice")
        ],
        "deletion_requests": [
            {"state": d.state, "requested_at": _iso(d.requested_at), "reason": d.reason, "outcome": d.outcome}
            for d in DeletionRequest.objects.filter(user=user)
        ],
        "security_log": [
            {"time": _iso(e.created_at), "action": e.action, "source_ip": e.source_ip, "result": e.result,
             "object": e.object_ref}
            for e in SecurityEvent.objects.filter(actor=user).order_by("-id")[:1000]
        ],
        "activity_log": [
            {"time": _iso(e.created_at), "action": e.action,
             "application": str(e.application.public_id) if e.application_id and e.application else None}
            for e in AuditEvent.objects.filter(actor=user).select_related("application").order_by("-id")[:1000]
        ],
        "admin_log": [
            {"time": _iso(e.action_time), "by_me": e.user_id == user.pk, "object": e.object_repr,
             "change": e.get_change_message()}
            for e in _admin_log(user).order_by("-action_time")[:1000]
        ],
        "profile_history": [
            {"record": str(model._meta.verbose_name), "object": row.id, "change": row.history_type,
             "time": _iso(row.history_date), "reason": row.history_change_reason}
            for model in _history_models() for row in model.objects.filter(history_user=user)[:1000]
        ],
    }


def export_archive(user, data: dict) -> bytes:
    """A ZIP with the JSON export and the files the person uploaded (those the retention rule has not deleted)."""
    import io
    import json
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(data, ensure_ascii=False, indent=2))
        attachments = Attachment.objects.filter(uploaded_by=user, purged_at__isnull=True).select_related(
            "application")
        for attachment in attachments:
            if not attachment.file:
                continue
            safe = attachment.original_name.replace("/", "_").replace("\\", "_") or "file"
            try:
                with attachment.file.open("rb") as handle:
                    content = handle.read()
            except OSError:
                continue  # a file missing from storage is listed in the JSON with its SHA-256
            archive.writestr(f"files/{attachment.application.public_id}/{attachment.pk}-{safe}", content)
    return buffer.getvalue()


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
        old_email, old_phone, old_name = person.email, person.phone, person.display_name.strip()
        removed = erase_person_locations(person, old_email)
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
        own = [n for n in (old_email, old_phone, old_name) if n and len(n) >= MIN_NAME_LENGTH]
        req = DeletionRequest.objects.create(
            user=person, reason=_scrub(reason[:2000], own), state=DeletionRequest.State.COMPLETED,
            completed_at=timezone.now(),
            outcome=_g("Account anonymised; removed: %(removed)s. Audit and decision records keep only the "
                       "anonymised account until their retention period ends.")
            % {"removed": ", ".join(f"{k} {v}" for k, v in removed.items())},
        )
        # After every event of the deletion so far, with the caller's copy that still holds the e-mail, so rows
        # that name the person only by it are found too.
        pseudonymise_actor(user)
        # Whatever the caller logs next (the logout) names the anonymised account, not the person.
        for field in ("email", "display_name", "phone", "is_active", "anonymised_at", "password"):
            setattr(user, field, getattr(person, field))
        log_security_after_deletion(person, req, removed, ip)
        pseudonymise_actor(person)  # the audit rows keep the pseudonym; the link to the person goes
    return req


def erase_person_locations(person, old_email) -> dict:
    """Erase or anonymise the person in every location of `partners.personal_data` (but the account and the
    audit trails, done by the caller); returns how many rows each step touched."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from ..models import ApiKey, IdempotencyRecord, Objection, Revision

    email = (old_email or "").lower()
    principals = _idempotency_principals(person)
    session_keys = [s.session_key for s in _sessions_of(person)]
    removed = {
        "email_addresses": EmailAddress.objects.filter(user=person).delete()[0],
        "second_factors": Authenticator.objects.filter(user=person).delete()[0],
        "organisation_links": OrganizationMember.objects.filter(user=person).delete()[0],
        "join_requests": JoinRequest.objects.filter(user=person).delete()[0],
        "invitations": OrganizationInvitation.objects.filter(
            Q(email__iexact=email) | Q(answered_by=person)).delete()[0],
        "notifications": Notification.objects.filter(
            Q(recipient=person) | Q(recipient__isnull=True, email__iexact=email)).delete()[0],
        "notification_preferences": NotificationPreference.objects.filter(user=person).delete()[0],
        "password_history": PasswordHistory.objects.filter(user=person).delete()[0],
        "staff_session": StaffSession.objects.filter(user=person).delete()[0],
        "sessions": len(session_keys),
        "idempotency_records": IdempotencyRecord.objects.filter(principal__in=principals).delete()[0],
        "api_keys": ApiKey.objects.filter(user=person).delete()[0],
        "admin_log": _admin_log(person).delete()[0],
        "failed_login_counters": AccessAttempt.objects.filter(username__iexact=email).delete()[0] if email else 0,
        "consent_addresses": Consent.objects.filter(user=person).update(source_ip=None),
    }
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:  # through the store, so a cached copy goes with the row
        store(session_key=key).delete()
    # Login records are kept for the security log's retention, no longer naming the person.
    removed["login_records"] = sum(
        model.objects.filter(username__iexact=email).update(username=f"deleted-user-{person.pk}")
        for model in (AccessLog, AccessFailureLog)) if email else 0
    # Applications are the organisation's record (decisions must be kept): only the person's own
    # contact details are cleared from them and from the copies frozen at each submit.
    removed["application_contacts"] = Application.objects.filter(contact_email__iexact=email).update(
        contact_name="", contact_title="", contact_phone="", contact_email="") if email else 0
    revisions = 0
    for revision in Revision.objects.filter(snapshot__application__contact_email__iexact=email) if email else ():
        revision.snapshot["application"].update(contact_name="", contact_title="", contact_phone="",
                                                contact_email="")
        revision.save(update_fields=["snapshot"])
        revisions += 1
    removed["revision_contacts"] = revisions
    removed["objections"] = Objection.objects.filter(Q(contact__iexact=email) | Q(email__iexact=email)).update(
        name="", contact="", email="", source_ip=None) if email else 0
    removed["free_text_scrubbed"] = scrub_free_text(person, email, person.phone, person.display_name)
    return removed


# Free text kept with an application (or as proof of a deletion request) that may name the person. Their
# e-mail address and mobile number are scrubbed wherever these fields hold them; their name only in text
# they wrote or that was written on their own applications: a name alone is too common to scrub elsewhere.
FREE_TEXT_SCRUBBED = {
    "ReviewMessage": ("body",),
    "InternalNote": ("body",),
    "Objection": ("reason", "resolution"),
    "DeletionRequest": ("reason",),
}
SCRUBBED = "[removed]"
MIN_NAME_LENGTH = 2  # a one-character name would scrub half a sentence


def _own_text(model_name, person) -> Q:
    """The rows whose text is the person's own, or about their own applications."""
    if model_name in ("ReviewMessage", "InternalNote"):
        return Q(author=person) | Q(application__created_by=person)
    if model_name == "DeletionRequest":
        return Q(user=person)
    return Q(application__created_by=person)


def _scrub(text, needles) -> str:
    for needle in needles:
        text = re.sub(re.escape(needle), SCRUBBED, text, flags=re.IGNORECASE)
    return text


def scrub_free_text(person, email, phone, name) -> int:
    """Replace the person's e-mail, mobile number (and, in their own text, name) in free text; the rest of
    the text stays as the application's record. Returns the number of rows changed."""
    from django.apps import apps as django_apps

    everywhere = [n for n in (email, phone) if n and len(n) >= 5]
    name = (name or "").strip()
    own_needles = everywhere + ([name] if len(name) >= MIN_NAME_LENGTH else [])
    changed = 0
    for model_name, fields in FREE_TEXT_SCRUBBED.items():
        model = django_apps.get_model("partners", model_name)
        own = _own_text(model_name, person)
        wanted = Q(pk__in=[])
        for field in fields:
            for needle in everywhere:
                wanted |= Q(**{f"{field}__icontains": needle})
            if len(own_needles) > len(everywhere):
                wanted |= own & Q(**{f"{field}__icontains": name})
        own_pks = set(model.objects.filter(own).values_list("pk", flat=True))
        for row in model.objects.filter(wanted).only("pk", *fields):
            needles = own_needles if row.pk in own_pks else everywhere
            values = {f: _scrub(getattr(row, f) or "", needles) for f in fields}
            if any(values[f] != (getattr(row, f) or "") for f in fields):
                model.objects.filter(pk=row.pk).update(**values)
                changed += 1
    return changed


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


def purge_login_records(now=None) -> int:
    """Delete login records (django-axes: time, address, user agent) older than the security log's retention."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    days = setting_value(SecuritySetting.Key.SECURITY_LOG_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        count = sum(model.objects.filter(attempt_time__lt=cutoff).delete()[0]
                    for model in (AccessLog, AccessFailureLog, AccessAttempt))
        if count:
            audit("retention.login_records_purged", object_ref="login_records", label="retention job",
                  data={"deleted": count, "retention_days": days})
    return count


def purge_idempotency_records(now=None) -> int:
    """Delete stored API answers (they may hold names, phones and e-mails) once their replay window is over."""
    from ..models import IdempotencyRecord

    hours = getattr(settings, "API_IDEMPOTENCY_HOURS", 24)
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]


def clear_expired_sessions(now=None) -> int:
    """Delete expired sessions from the session table (what `manage.py clearsessions` does), counting them."""
    from django.contrib.sessions.models import Session

    expired = Session.objects.filter(expire_date__lt=now or timezone.now())
    count = expired.count()
    if count:
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        expired.delete()  # rows that expired after `now` was taken stay for the next run
    return count


def _member_service_data(user) -> dict:
    """What the member services keep of a person: contacts logged, requests raised, answers and changes sent."""
    from ..models import AnnualUpdate, Contact, MemberRequest, ProfileChange, RosterImport

    return {
        "contacts_logged": [
            {"member": c.membership.number, "kind": c.kind, "contacted_on": c.contacted_on.isoformat(),
             "participants": c.participants, "topics": c.topics,
             "follow_ups": [{"action": f.action, "due_on": f.due_on.isoformat()} for f in c.follow_ups.all()]}
            for c in Contact.objects.filter(officer=user).select_related("membership").prefetch_related("follow_ups")
        ],
        "requests": [
            {"id": str(r.public_id), "member": r.membership.number, "kind": r.kind, "title": r.title,
             "description": r.description, "state": r.state, "resolution": r.resolution,
             "reopen_reason": r.reopen_reason, "created_at": _iso(r.created_at)}
            for r in MemberRequest.objects.filter(Q(raised_by=user) | Q(officer=user)).select_related("membership")
        ],
        "annual_updates": [
            {"member": u.membership.number, "year": u.year, "projects": u.projects, "pilot_cases": u.pilot_cases,
             "responded_at": _iso(u.responded_at)}
            for u in AnnualUpdate.objects.filter(responded_by=user).select_related("membership")
        ],
        "profile_changes": [
            {"organisation": c.organization.name, "field": c.field, "old_value": c.old_value,
             "new_value": c.new_value, "state": c.state, "created_at": _iso(c.created_at)}
            for c in ProfileChange.objects.filter(Q(proposed_by=user) | Q(checked_by=user))
            .select_related("organization")
        ],
        "roster_imports": [
            {"file": i.original_name, "created_at": _iso(i.created_at), "state": i.state}
            for i in RosterImport.objects.filter(uploaded_by=user)
        ],
    }
