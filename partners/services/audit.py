"""Writing the business audit trail and the security audit log."""

from ..models import AuditEvent, SecurityEvent

SECRET_KEYS = {"password", "token", "secret", "key", "api_key", "otp", "code_verifier"}


def mask_secrets(data):
    """Secrets never reach the log, even when a caller passes them by mistake."""
    if isinstance(data, dict):
        return {k: "***" if any(s in k.lower() for s in SECRET_KEYS) else mask_secrets(v) for k, v in data.items()}
    if isinstance(data, list):
        return [mask_secrets(v) for v in data]
    return data


def log_event(action, *, actor=None, application=None, organization=None, from_state="", to_state="",
              data=None, visible_to_applicant=False):
    user = getattr(actor, "user", actor) if actor is not None else None
    label = getattr(actor, "label", None) or (getattr(user, "email", "") if user else "system")
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
    return SecurityEvent.objects.create(
        action=action,
        actor=user if getattr(user, "pk", None) else None,
        actor_label=label or (getattr(user, "email", "") if user else ""),
        source_ip=ip,
        object_ref=object_ref,
        result=result,
        data=mask_secrets(data or {}),
    )
