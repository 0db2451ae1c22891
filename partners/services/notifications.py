"""Recording notifications in the outbox, in the transaction of the change; sending happens after commit."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q

from ..enums import NotificationChannel, NotificationState, StaffRole
from ..models import Notification, User

# Kinds a person cannot turn off: decisions and messages that ask them to act.
ESSENTIAL_KINDS = {
    "application.changes_requested", "application.approved", "application.rejected", "application.admitted",
    "application.withdrawn", "application.submitted", "account.join_request",
}

# Decision mail about one application supersedes older pending decision mail about it.
DECISION_KINDS = {"application.approved", "application.rejected", "application.changes_requested",
                  "application.admitted", "application.returned_to_review", "application.objection_upheld"}


def record(template_key, *, recipient=None, email="", context=None, application=None, dedupe_key,
           language=None, channel=NotificationChannel.EMAIL):
    """Write one outbox row (once per dedupe key) and queue its sending after commit."""
    essential = template_key in ESSENTIAL_KINDS
    if recipient is not None and not essential and not wants(recipient, template_key):
        return None
    supersede = f"decision:{application.pk}:{recipient.pk if recipient else email}" if (
        application is not None and template_key in DECISION_KINDS) else ""
    if supersede:
        Notification.objects.filter(supersede_key=supersede, state=NotificationState.PENDING).update(
            state=NotificationState.CANCELLED, last_error="superseded by a newer decision")
    try:
        with transaction.atomic():
            row = Notification.objects.create(
                recipient=recipient, email=email or (recipient.email if recipient else ""),
                template_key=template_key, context=context or {}, application=application, channel=channel,
                language=language or (recipient.language if recipient else settings.LANGUAGE_CODE),
                dedupe_key=dedupe_key[:200], supersede_key=supersede, essential=essential,
            )
    except IntegrityError:
        return None  # already recorded: the same event never notifies twice
    transaction.on_commit(lambda: enqueue(row.pk))
    return row


def wants(user, kind) -> bool:
    pref = user.notification_prefs.filter(kind=kind).first()
    return pref.enabled if pref else True


def enqueue(notification_id):
    """Hand the row to the worker; if the broker is down the periodic sweep picks it up later."""
    from ..tasks import send_notification

    try:
        send_notification.delay(notification_id)
    except Exception:  # noqa: BLE001 - broker errors must never undo a committed change
        import logging

        logging.getLogger(__name__).warning("Could not queue notification %s; the sweep will retry.",
                                            notification_id)


def staff_with_role(role):
    group = Group.objects.filter(name=role).first()
    if group is None:
        return User.objects.none()
    return group.user_set.filter(is_active=True)


def applicants_of(application):
    return User.objects.filter(org_links__organization=application.organization, is_active=True)


def _base_context(application, transition=None, inputs=None, data=None):
    ctx = {
        "application_id": application.pk,
        "organization": application.organization.name,
        "partner_types": application.partner_types,
        "state": application.state,
    }
    if inputs:
        for key in ("message", "points", "granted_types", "reason"):
            if inputs.get(key):
                ctx[key] = inputs[key]
    if data:
        ctx.update({k: v for k, v in data.items() if isinstance(v, (str, int, list, dict))})
    return ctx


def notify_transition(application, transition, actor, inputs, data):
    """Who hears of which transition."""
    ctx = _base_context(application, transition, inputs, data)
    event = application.events.order_by("-id").values_list("id", flat=True).first()
    key = transition.code
    if transition.visible_to_applicant:
        for person in applicants_of(application):
            record(key, recipient=person, context=ctx, application=application,
                   dedupe_key=f"{key}:{event}:{person.pk}")
    staff_targets = {
        "application.submitted": StaffRole.REVIEWER,
        "application.resubmitted": None,
        "application.passed_to_final": StaffRole.APPROVER,
    }
    if key in staff_targets:
        role = staff_targets[key]
        people = staff_with_role(role) if role else User.objects.filter(pk=application.assigned_reviewer_id)
        for person in people:
            record(f"staff.{key}", recipient=person, context=ctx, application=application,
                   dedupe_key=f"staff.{key}:{event}:{person.pk}")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).exclude(
        state=NotificationState.CANCELLED).count()


def inbox(user):
    return Notification.objects.filter(Q(recipient=user)).exclude(state=NotificationState.CANCELLED)
