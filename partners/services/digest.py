"""The daily digest: notifications held for a person are gathered into one e-mail a day."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..enums import NotificationState
from ..models import Notification, User
from .notifications import record


def send_digests(now=None) -> int:
    """One digest per person with held notifications; returns how many digests were recorded."""
    now = now or timezone.now()
    today = timezone.localdate(now).isoformat()
    held = Notification.objects.filter(for_digest=True, state=NotificationState.PENDING, recipient__isnull=False)
    sent = 0
    for user_id in held.values_list("recipient_id", flat=True).distinct().order_by():
        if _digest_for(user_id, today):
            sent += 1
    return sent


def _digest_for(user_id, today):
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    try:
        with transaction.atomic():
            rows = list(Notification.objects.select_for_update(skip_locked=True)
                        .filter(recipient_id=user_id, for_digest=True, state=NotificationState.PENDING)
                        .order_by("created_at", "id"))
            if not rows:
                return None
            items = [{"kind": n.template_key, "organization": (n.context or {}).get("organization", ""),
                      "application_id": n.application_id, "at": n.created_at.isoformat()} for n in rows]
            # The key holds the first item, so a second digest the same day carries only what came later.
            digest = record("staff.digest", recipient=user, context={"items": items},
                            dedupe_key=f"staff.digest:{user_id}:{today}:{rows[0].pk}")
            if digest is None:
                return None
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                state=NotificationState.SENT, sent_at=timezone.now(), digest=digest)
            return digest
    except IntegrityError:
        return None
