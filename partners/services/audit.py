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


# --- Integration point: pseudonymising a person in the audit trails ---------------------------------------
# Deletion of an account calls this one function for both trails. This version replaces, in one guarded
# UPDATE per table, the actor of the person's rows (and the label and object reference that named them) by
# one stable pseudonym per person and drops the link to the account; the append-only trigger lets exactly
# that change through while `registry.allow_pseudonymise` is set for the transaction. A mapping-table
# implementation may replace it: callers rely only on the signature and on the result (no row of either
# trail names the person; the person's rows share one pseudonym that no longer leads to the account).

def pseudonymise_actor(user) -> str:
    """Replace the person by a stable pseudonym in the business audit and the security log; returns it."""
    import secrets

    from django.db import connection, transaction

    pseudonym = f"pseudonym-{secrets.token_hex(8)}"
    names = [n for n in {(user.email or "").lower(), f"login:{(user.email or '').lower()}"} if n != "login:"]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL registry.allow_pseudonymise = 'on'")
        for model, has_object_ref in ((AuditEvent, False), (SecurityEvent, True)):
            table = connection.ops.quote_name(model._meta.db_table)
            where = "actor_id = %s OR lower(actor_label) = %s"
            params = [user.pk, names[0] if names else ""]
            sets = "actor_id = NULL, actor_label = %s"
            values = [pseudonym]
            if has_object_ref:
                where += " OR lower(object_ref) = ANY(%s)" if connection.vendor == "postgresql" else ""
                sets += ", object_ref = CASE WHEN lower(object_ref) LIKE 'login:%%' THEN %s ELSE object_ref END"
                values.append(f"login:{pseudonym}")
                if connection.vendor == "postgresql":
                    params.append(names)
            cursor.execute(f"UPDATE {table} SET {sets} WHERE {where}", values + params)  # noqa: S608
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL registry.allow_pseudonymise = 'off'")
    return pseudonym
