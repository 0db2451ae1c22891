"""The daily digest: notifications held for a person are gathered into one e-mail a day; administrators'
digests also count the messages that failed for good, until staff deal with them."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..enums import NotificationState, StaffRole
from ..models import Notification, User
from .notifications import FAILED_ALERT, record, staff_with_role


def send_digests(now=None) -> int:
    """One digest per person with held notifications; returns how many digests were recorded."""
    now = now or timezone.now()
    today = timezone.localdate(now).isoformat()
    held = Notification.objects.filter(for_digest=True, state=NotificationState.PENDING, recipient__isnull=False)
    people = set(held.values_list("recipient_id", flat=True).distinct().order_by())
    failed = (Notification.objects.filter(state=NotificationState.FAILED).exclude(template_key=FAILED_ALERT)
              .count())
    admins = set(staff_with_role(StaffRole.ADMINISTRATOR).values_list("pk", flat=True)) if failed else set()
    sent = 0
    for user_id in sorted(people | admins):
        if _digest_for(user_id, today, failed if user_id in admins else 0):
            sent += 1
    return sent


def _digest_for(user_id, today, failed=0):
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    try:
        with transaction.atomic():
            rows = list(Notification.objects.select_for_update(skip_locked=True)
                        .filter(recipient_id=user_id, for_digest=True, state=NotificationState.PENDING)
                        .order_by("created_at", "id"))
            if not rows and not failed:
                return None
            items = [{"kind": n.template_key, "organization": (n.context or {}).get("organization", ""),
                      "application_id": n.application_id, "at": n.created_at.isoformat()} for n in rows]
            # The key holds the first item, so a second digest the same day carries only what came later.
            first = rows[0].pk if rows else "outbox"
            digest = record("staff.digest", recipient=user, context={"items": items, "failed": failed},
                            dedupe_key=f"staff.digest:{user_id}:{today}:{first}")
            if digest is None:
                return None
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                state=NotificationState.SENT, sent_at=timezone.now(), digest=digest)
            return digest
    except IntegrityError:
        return None
