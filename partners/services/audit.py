"""Writing the business audit trail and the security audit log."""

import secrets

from django.db import IntegrityError, transaction

from ..models import ActorPseudonym, AuditEvent, SecurityEvent
from ..models.audit import PSEUDONYM_PREFIX

SECRET_KEYS = {"password", "token", "secret", "key", "api_key", "otp", "code_verifier"}


def mask_secrets(data):
    """Secrets never reach the log, even when a caller passes them by mistake."""
    if isinstance(data, dict):
        return {k: "***" if any(s in k.lower() for s in SECRET_KEYS) else mask_secrets(v) for k, v in data.items()}
    if isinstance(data, list):
        return [mask_secrets(v) for v in data]
    return data


def actor_pseudonym(user) -> str:
    """The stable pseudonym that names this person in audit rows (created on first use, kept on the user)."""
    cached = user.__dict__.get("_audit_pseudonym")
    if cached:
        return cached
    pseudonym = ActorPseudonym.objects.filter(user_id=user.pk).values_list("pseudonym", flat=True).first()
    if pseudonym is None:
        try:
            with transaction.atomic():
                pseudonym = ActorPseudonym.objects.create(
                    user_id=user.pk, pseudonym=PSEUDONYM_PREFIX + secrets.token_hex(8)).pseudonym
        except IntegrityError:  # another request created it first
            pseudonym = ActorPseudonym.objects.values_list("pseudonym", flat=True).get(user_id=user.pk)
    user.__dict__["_audit_pseudonym"] = pseudonym
    return pseudonym


def pseudonymise_actor(user) -> int:
    """Delete the link from the person's audit pseudonym to them; the rows keep the pseudonym unchanged.

    Called when a person is deleted (together with the anonymisation of the account): afterwards no audit
    row names them, and the pseudonym the rows carry leads to no one. Returns the number of links deleted.
    """
    user.__dict__.pop("_audit_pseudonym", None)
    deleted, _detail = ActorPseudonym.objects.filter(user_id=user.pk).delete()
    return deleted


def _person_label(user, label=None):
    """A person is named by their pseudonym; other labels (API key, system, a typed login) stay as given."""
    if getattr(user, "pk", None) and (not label or label == getattr(user, "email", None)):
        return actor_pseudonym(user)
    return label


def log_event(action, *, actor=None, application=None, organization=None, from_state="", to_state="",
              data=None, visible_to_applicant=False):
    user = getattr(actor, "user", actor) if actor is not None else None
    label = _person_label(user, getattr(actor, "label", None)) or "system"
    event = AuditEvent.objects.create(
        action=action,
        actor=user if getattr(user, "pk", None) else None,
        actor_label=label,
        application=application,
        organization=organization or (application.organization if application else None),
        from_state=from_state,
        to_state=to_state,
        data=mask_secrets(data or {}),
        visible_to_applicant=visible_to_applicant,
    )
    from .webhooks import record_deliveries

    record_deliveries(event)  # webhook subscribers hear of the event through the outbox
    return event


def log_security(action, *, user=None, ip=None, object_ref="", result="success", data=None, label=""):
    event = SecurityEvent.objects.create(
        action=action,
        actor=user if getattr(user, "pk", None) else None,
        actor_label=_person_label(user, label) or "",
        source_ip=ip,
        object_ref=object_ref,
        result=result,
        data=mask_secrets(data or {}),
    )
    if result == "refused":  # a refusal outlives the rollback of the change it refused
        from .refusals import keep_if_rolled_back

        keep_if_rolled_back(event, {"action": action, "user": user, "ip": ip, "object_ref": object_ref,
                                    "result": result, "data": data, "label": label})
    return event
